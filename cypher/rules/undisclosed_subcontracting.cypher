// name: undisclosed_subcontracting
// description: Handlers of a consignor's data the consignor was never told of: reached through
//   entrustments that carry its data or through access to a system holding it, neither its own
//   contractor nor listed in informed_subcontractors / approved_subcontractors of its entrustments.
//   One row per consignor and handler, with the canonical path: the path in the tree of
//   shortest paths where every node's parent is its smallest-keyed incoming step (as the
//   networkx backend chooses it), so both backends report the same path, ties included.
// parameters: dataset
// columns: consignor, handler, path, evidence_unknown
MATCH (c:Organization {dataset: $dataset})
WHERE EXISTS { (c)-[:ENTRUSTS]->() }
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
RETURN c.id AS consignor, h.id AS handler,
       [s IN relationships(p) | {type: type(s), key: s.key, source: startNode(s).id, target: endNode(s).id}] AS path,
       any(e IN own WHERE e.informed_subcontractors IS NULL) AS evidence_unknown
ORDER BY consignor, handler
