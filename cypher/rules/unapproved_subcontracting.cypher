// name: unapproved_subcontracting
// description: Handlers of a consignor's data the consignor did not approve (neither its own
//   contractor nor in approved_subcontractors), where the consignor's entrustment the data leaves
//   by (the first step of the canonical path) restricts re-entrustment.
// parameters: dataset
// columns: consignor, handler, entrustment, path, evidence_unknown
MATCH (c:Organization {dataset: $dataset})
WHERE EXISTS { (c)-[:ENTRUSTS]->() }
CALL (c) {
  MATCH p = ALL SHORTEST (c)(()-[r:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY
      WHERE coalesce(r.personal_data, true)
        AND (r.consignor = c.id OR r.covers_all OR c.id IN r.covers)]->()){1,24}(h:Organization)
  WHERE h <> c
  WITH h, p ORDER BY [s IN relationships(p) | s.key]
  WITH h, collect(p)[0] AS p
  RETURN h, p
}
WITH c, h, p
WHERE NOT EXISTS { (c)-[:ENTRUSTS]->(h) }
MATCH (c)-[e:ENTRUSTS]->()
WITH c, h, p, collect(e) AS own, relationships(p)[0].entrustment AS through
WHERE none(e IN own WHERE h.id IN coalesce(e.approved_subcontractors, []))
  AND any(e IN own WHERE e.key = through AND e.subcontract_restriction = true)
RETURN c.id AS consignor, h.id AS handler, through AS entrustment,
       [s IN relationships(p) | {type: type(s), key: s.key, source: startNode(s).id, target: endNode(s).id}] AS path,
       any(e IN own WHERE e.approved_subcontractors IS NULL) AS evidence_unknown
ORDER BY consignor, handler
