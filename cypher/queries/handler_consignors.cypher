// name: handler_consignors
// description: The consignors whose data one handler can reach, with how (its shortest path).
// parameters: dataset, handler
// columns: consignor, steps
MATCH (h:Organization {dataset: $dataset, id: $handler})
MATCH (c:Organization {dataset: $dataset})
WHERE c <> h AND EXISTS { (c)-[:ENTRUSTS]->() }
CALL (c, h) {
  MATCH p = ANY SHORTEST (c)(()-[r:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY
      WHERE coalesce(r.personal_data, true)
        AND (r.consignor = c.id OR r.covers_all OR c.id IN r.covers)]->()){1,24}(h)
  RETURN p
}
RETURN c.id AS consignor, length(p) AS steps
ORDER BY consignor
