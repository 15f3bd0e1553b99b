// name: exposure
// description: Concentration: for every handler, the consignors whose data it can reach
//   (through entrustments or access), sorted.
// parameters: dataset
// columns: handler, consignors
MATCH (c:Organization {dataset: $dataset})
WHERE EXISTS { (c)-[:ENTRUSTS]->() }
CALL (c) {
  // Reachability is a pruning breadth-first expand; shortestPath() then measures each distance.
  // Both check the flow condition on every relationship during the search (bounded, typed).
  MATCH q = (c)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(v)
  WHERE v <> c AND all(r IN relationships(q) WHERE coalesce(r.personal_data, true)
                         AND (r.consignor = c.id OR r.covers_all OR c.id IN r.covers))
  WITH DISTINCT v
  WHERE v:Organization
  RETURN v AS h
}
WITH h, c ORDER BY c.id
RETURN h.id AS handler, collect(c.id) AS consignors
ORDER BY handler
