// name: undisclosed_subcontracting
// description: Handlers of a consignor's data the consignor was never told of: reached through
//   entrustments that carry its data or through access to a system holding it, neither its own
//   contractor nor listed in informed_subcontractors / approved_subcontractors of its entrustments.
//   One row per consignor and handler, with the canonical shortest path (fewest steps, then the
//   smallest sequence of step keys), as the networkx backend chooses it.
// parameters: dataset
// columns: consignor, handler, path, evidence_unknown
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
WITH c, h, p, collect(e) AS own
WHERE none(e IN own WHERE h.id IN coalesce(e.informed_subcontractors, [])
                       OR h.id IN coalesce(e.approved_subcontractors, []))
RETURN c.id AS consignor, h.id AS handler,
       [s IN relationships(p) | {type: type(s), key: s.key, source: startNode(s).id, target: endNode(s).id}] AS path,
       any(e IN own WHERE e.informed_subcontractors IS NULL) AS evidence_unknown
ORDER BY consignor, handler
