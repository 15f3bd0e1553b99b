// name: could_not_supervise
// description: Consignors with at least one handler of their data they were never told of, and
//   those handlers (sorted): they could not supervise them.
// parameters: dataset
// columns: consignor, handlers, evidence_unknown
MATCH (c:Organization {dataset: $dataset})
WHERE EXISTS { (c)-[:ENTRUSTS]->() }
// generated: reachable_handlers(c, h) from graph/neo4j/cyphergen.py (scripts/regen)
CALL (c) {
  // A pruning breadth-first expand that checks the flow condition on every relationship.
  MATCH q = (c)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(v)
  WHERE v <> c AND all(r IN relationships(q) WHERE coalesce(r.personal_data, true) AND (r.consignor = c.id OR r.covers_all OR c.id IN r.covers))
  WITH DISTINCT v
  WHERE v:Organization
  RETURN v AS h
}
// end generated: reachable_handlers
WITH c, h
WHERE NOT EXISTS { (c)-[:ENTRUSTS]->(h) }
MATCH (c)-[e:ENTRUSTS]->()
WITH c, h, collect(e) AS own
WHERE none(e IN own WHERE h.id IN coalesce(e.informed_subcontractors, [])
                       OR h.id IN coalesce(e.approved_subcontractors, []))
WITH c, h, any(e IN own WHERE e.informed_subcontractors IS NULL) AS unknown
ORDER BY h.id
RETURN c.id AS consignor, collect(h.id) AS handlers, any(u IN collect(unknown) WHERE u) AS evidence_unknown
ORDER BY consignor
