// name: undisclosed_paths
// description: For Neo4j Browser: the canonical paths by which a consignor's data reaches
//   handlers it was never told of, as paths to draw. Give consignor '' for every consignor.
// parameters: dataset, consignor
// columns: consignor, handler, p
MATCH (c:Organization {dataset: $dataset})
WHERE ($consignor = '' OR c.id = $consignor) AND EXISTS { (c)-[:ENTRUSTS]->() }
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
RETURN c.id AS consignor, h.id AS handler, p
ORDER BY consignor, handler
LIMIT 1000
