// name: exposure
// description: Concentration: for every handler, the consignors whose data it can reach
//   (through entrustments or access), sorted.
// parameters: dataset
// columns: handler, consignors
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
WITH h, c ORDER BY c.id
RETURN h.id AS handler, collect(c.id) AS consignors
ORDER BY handler
