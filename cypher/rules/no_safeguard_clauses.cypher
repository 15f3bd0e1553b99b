// name: no_safeguard_clauses
// description: Entrustments where all three safety clauses are false.
//   $consignor (optional): one consignor's rows only; null or '' = every consignor.
// parameters: dataset, consignor?
// columns: entrustment, consignor, handler, missing
MATCH (c:Organization {dataset: $dataset})-[e:ENTRUSTS]->(h:Organization)
WHERE (coalesce($consignor, '') = '' OR c.id = $consignor)
  AND e.transfer_safety = false AND e.storage_safety = false AND e.disposal_safety = false
RETURN e.key AS entrustment, c.id AS consignor, h.id AS handler,
       ['transfer_safety', 'storage_safety', 'disposal_safety'] AS missing
ORDER BY entrustment
