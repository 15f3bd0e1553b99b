// name: could_not_supervise
// description: Consignors with at least one handler of their data they were never told of, and
//   those handlers (sorted): they could not supervise them.
// parameters: dataset
// columns: consignor, handlers, evidence_unknown
MATCH (c:Organization {dataset: $dataset})
WHERE EXISTS { (c)-[:ENTRUSTS]->() }
CALL (c) {
  MATCH p = ALL SHORTEST (c)(()-[r:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY
      WHERE coalesce(r.personal_data, true)
        AND (r.consignor = c.id OR r.covers_all OR c.id IN r.covers)]->()){1,24}(h:Organization)
  WHERE h <> c
  WITH h, p ORDER BY [s IN relationships(p) | s.key]
  WITH h, collect(p)[0] AS p
  RETURN h
}
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
