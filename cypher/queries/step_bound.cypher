// name: step_bound
// description: The routes whose data goes on beyond the step bound (24): a node the route's
//   data reaches in exactly 24 steps passes it on to a node not yet reached. Their handlers
//   beyond the bound are not in the findings; the analysis names these routes.
// parameters: dataset
// columns: consignor, route, kind
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
// generated: route_depths(c, kind, route, origin, reached) from graph/neo4j/cyphergen.py (scripts/regen)
CALL (c, kind, route, origin) {
  MATCH q = (origin)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(v)
  WHERE v <> c AND v <> origin AND all(r IN relationships(q) WHERE ((kind = 'entrustment' AND r.entrustment = route) OR (coalesce(r.personal_data, true) AND (r.covers_all OR c.id IN r.covers) AND coalesce(r.consignor, '') <> c.id)))
  WITH DISTINCT v
  MATCH q = shortestPath((origin)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(v))
  WHERE all(r IN relationships(q) WHERE ((kind = 'entrustment' AND r.entrustment = route) OR (coalesce(r.personal_data, true) AND (r.covers_all OR c.id IN r.covers) AND coalesce(r.consignor, '') <> c.id)))
  RETURN collect({node: v, d: length(q)}) AS reached
}
// end generated: route_depths
WITH c, kind, route, origin, reached, [x IN reached | x.node] AS nodes
UNWIND [x IN reached WHERE x.d = 24 | x.node] AS n
WITH c, kind, route, origin, nodes, n
// generated: step_beyond(n, c, origin, nodes) from graph/neo4j/cyphergen.py (scripts/regen)
WHERE EXISTS { MATCH (n)-[r:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY]->(w) WHERE coalesce(r.personal_data, true) AND (r.covers_all OR c.id IN r.covers) AND coalesce(r.consignor, '') <> c.id AND w <> c AND w <> origin AND NOT w IN nodes }
// end generated: step_beyond
WITH DISTINCT c.id AS consignor, route, kind
RETURN consignor, route, kind
ORDER BY consignor, CASE kind WHEN 'entrustment' THEN 0 ELSE 1 END, route
