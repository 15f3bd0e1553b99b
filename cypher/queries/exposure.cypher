// name: exposure
// description: Concentration: for every handler, the organisations whose data it can reach
//   and by which of their routes (the analysis counts the people of those routes).
// parameters: dataset
// columns: handler, reached
MATCH (c:Organization {dataset: $dataset})
// generated: routes_of(c, kind, route, origin) from graph/neo4j/cyphergen.py (scripts/regen)
CALL (c) {
  MATCH (c)-[e:ENTRUSTS]->() WHERE coalesce(e.personal_data, true)
  RETURN 'entrustment' AS kind, e.key AS route, c AS origin
  UNION
  MATCH (c)-[:OPERATES]->(s:System) WHERE s.personal_data = true
  RETURN 'system' AS kind, s.id AS route, s AS origin
  UNION
  MATCH ()-[e:ENTRUSTS]->(c) WHERE coalesce(e.personal_data, true)
  UNWIND e.systems AS placed
  MATCH (s:System {dataset: c.dataset, id: placed})
  RETURN 'system' AS kind, s.id AS route, s AS origin
}
// end generated: routes_of
// generated: route_reach(c, kind, route, origin, h, systems) from graph/neo4j/cyphergen.py (scripts/regen)
CALL (c, kind, route, origin) {
  MATCH q = (origin)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(v)
  WHERE v <> c AND v <> origin AND all(r IN relationships(q) WHERE ((kind = 'entrustment' AND r.entrustment = route) OR (coalesce(r.personal_data, true) AND (r.covers_all OR c.id IN r.covers) AND coalesce(r.consignor, '') <> c.id)))
  WITH DISTINCT v
  RETURN collect(v) AS reached
}
WITH c, kind, route, origin, reached,
     [x IN reached WHERE x:System | x.id] + [x IN [origin] WHERE x:System | x.id] AS systems
UNWIND reached AS h
WITH c, kind, route, origin, systems, h
WHERE h:Organization
// end generated: route_reach
WITH h, c, kind, route ORDER BY CASE kind WHEN 'entrustment' THEN 0 ELSE 1 END, route
WITH h, c, collect(route) AS routes
ORDER BY c.id
RETURN h.id AS handler, collect({consignor: c.id, routes: routes}) AS reached
ORDER BY handler
