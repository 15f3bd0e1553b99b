// name: undisclosed_paths
// description: For Neo4j Browser: the canonical paths by which a consignor's data reaches
//   handlers it was never told of, as paths to draw. Give consignor '' for every consignor.
// parameters: dataset, consignor
// columns: consignor, handler, p
MATCH (c:Organization {dataset: $dataset})
WHERE ($consignor = '' OR c.id = $consignor) AND EXISTS { (c)-[:ENTRUSTS]->() }
// generated: canonical_paths(c, h, p) from graph/neo4j/cyphergen.py (scripts/regen)
CALL (c) {
  // Reachability is a pruning breadth-first expand; shortestPath() then measures each distance.
  // Both check the flow condition on every relationship during the search (bounded, typed).
  MATCH q = (c)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(v)
  WHERE v <> c AND all(r IN relationships(q) WHERE coalesce(r.personal_data, true) AND (r.consignor = c.id OR r.covers_all OR c.id IN r.covers))
  WITH DISTINCT v
  MATCH q = shortestPath((c)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(v))
  WHERE all(r IN relationships(q) WHERE coalesce(r.personal_data, true) AND (r.consignor = c.id OR r.covers_all OR c.id IN r.covers))
  RETURN v, length(q) AS d
}
WITH c, collect({node: v, d: d}) AS reached
// The nodes at each distance, so that "one step closer" is a lookup in one level only.
WITH c, reached, [i IN range(0, 24) | [x IN reached WHERE x.d = i | x.node]] AS levels
CALL (c, reached, levels) {
  UNWIND reached AS x
  WITH x.node AS v, x.d AS d
  MATCH (u)-[r:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY]->(v)
  WHERE coalesce(r.personal_data, true) AND (r.consignor = c.id OR r.covers_all OR c.id IN r.covers)
    AND ((d = 1 AND u = c) OR (d > 1 AND u IN levels[d - 1]))
  WITH v, r ORDER BY r.key, type(r)
  WITH v, collect(r)[0] AS parent
  RETURN collect(elementId(parent)) AS tree
}
UNWIND reached AS x
WITH c, tree, x.node AS h
WHERE h:Organization
MATCH p = shortestPath((c)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(h))
WHERE all(r IN relationships(p) WHERE elementId(r) IN tree)
// end generated: canonical_paths
WITH c, h, p
WHERE NOT EXISTS { (c)-[:ENTRUSTS]->(h) }
MATCH (c)-[e:ENTRUSTS]->()
WITH c, h, p, collect(e) AS own
WHERE none(e IN own WHERE h.id IN coalesce(e.informed_subcontractors, [])
                       OR h.id IN coalesce(e.approved_subcontractors, []))
RETURN c.id AS consignor, h.id AS handler, p
ORDER BY consignor, handler
LIMIT 1000
