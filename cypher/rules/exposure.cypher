// name: exposure
// description: Concentration: for every handler, the consignors whose data it can reach
//   (through entrustments or access), sorted.
// parameters: dataset
// columns: handler, consignors
MATCH (c:Organization {dataset: $dataset})
WHERE EXISTS { (c)-[:ENTRUSTS]->() }
CALL (c) {
  MATCH p = ANY SHORTEST (c)(()-[r:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY
      WHERE coalesce(r.personal_data, true)
        AND (r.consignor = c.id OR r.covers_all OR c.id IN r.covers)]->()){1,24}(h:Organization)
  WHERE h <> c
  RETURN h
}
WITH h, c ORDER BY c.id
RETURN h.id AS handler, collect(c.id) AS consignors
ORDER BY handler
