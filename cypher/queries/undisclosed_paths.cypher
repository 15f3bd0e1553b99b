// name: undisclosed_paths
// description: For Neo4j Browser: the canonical paths by which a consignor's data reaches
//   handlers that were not disclosed to it, one per route (as undisclosed_subcontracting judges
//   them), as paths to draw. Give consignor '' for every consignor.
// parameters: dataset, consignor
// columns: consignor, handler, route, p
MATCH (c:Organization {dataset: $dataset})
WHERE $consignor = '' OR c.id = $consignor
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
// generated: route_paths(c, kind, route, origin, h, p, systems) from graph/neo4j/cyphergen.py (scripts/regen)
CALL (c, kind, route, origin) {
  // Reachability is a pruning breadth-first expand; shortestPath() then measures each distance.
  // Both check the route's flow condition on every relationship during the search.
  MATCH q = (origin)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(v)
  WHERE v <> c AND v <> origin AND all(r IN relationships(q) WHERE ((kind = 'entrustment' AND r.entrustment = route) OR (coalesce(r.personal_data, true) AND (r.covers_all OR c.id IN r.covers) AND coalesce(r.consignor, '') <> c.id)))
  WITH DISTINCT v
  MATCH q = shortestPath((origin)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(v))
  WHERE all(r IN relationships(q) WHERE ((kind = 'entrustment' AND r.entrustment = route) OR (coalesce(r.personal_data, true) AND (r.covers_all OR c.id IN r.covers) AND coalesce(r.consignor, '') <> c.id)))
  RETURN v, length(q) AS d
}
WITH c, kind, route, origin, collect({node: v, d: d}) AS reached
// The nodes at each distance, so that "one step closer" is a lookup in one level only.
WITH c, kind, route, origin, reached, [i IN range(0, 24) | [x IN reached WHERE x.d = i | x.node]] AS levels
CALL (c, kind, route, origin, reached, levels) {
  UNWIND reached AS x
  WITH x.node AS v, x.d AS d
  MATCH (u)-[r:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY]->(v)
  WHERE ((kind = 'entrustment' AND r.entrustment = route) OR (coalesce(r.personal_data, true) AND (r.covers_all OR c.id IN r.covers) AND coalesce(r.consignor, '') <> c.id))
    AND ((d = 1 AND u = origin) OR (d > 1 AND u IN levels[d - 1]))
  WITH v, r ORDER BY r.key, type(r)
  WITH v, collect(r)[0] AS parent
  RETURN collect(elementId(parent)) AS tree
}
WITH c, kind, route, origin, reached, tree,
     [x IN reached WHERE x.node:System | x.node.id] + [x IN [origin] WHERE x:System | x.id] AS systems
UNWIND reached AS x
WITH c, kind, route, origin, tree, systems, x.node AS h
WHERE h:Organization
MATCH p = shortestPath((origin)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(h))
WHERE all(r IN relationships(p) WHERE elementId(r) IN tree)
// end generated: route_paths
// generated: route_terms(c, kind, route, h, systems) from graph/neo4j/cyphergen.py (scripts/regen)
WITH *, [(c)-[e:ENTRUSTS]->(x) WHERE (kind = 'entrustment' AND e.key = route)
         OR (kind = 'system' AND route IN e.systems)
         | {contractor: CASE WHEN kind = 'entrustment' THEN x.id ELSE '' END,
            informed: e.informed_subcontractors, approved: e.approved_subcontractors,
            restricted: kind = 'entrustment' AND coalesce(e.subcontract_restriction, false)}] AS terms,
       EXISTS { MATCH (h)-[g:HAS_ACCESS]->(s:System) WHERE s.id IN systems
                AND EXISTS { MATCH (c)-[own:ENTRUSTS]->() WHERE own.key = g.under } } AS let_in
// end generated: route_terms
WITH c, h, route, p, let_in OR any(t IN terms WHERE t.contractor = h.id OR h.id IN coalesce(t.informed, [])
                                              OR h.id IN coalesce(t.approved, [])) AS disclosed
WHERE NOT disclosed
RETURN c.id AS consignor, h.id AS handler, route, p
ORDER BY consignor, handler, route
LIMIT 1000
