// name: missing_safeguard_clause
// description: Entrustments where some, not all, of the three safety clauses are false.
//   $consignor (optional): one consignor's rows only; null or '' = every consignor.
// parameters: dataset, consignor?
// columns: entrustment, consignor, handler, missing
MATCH (c:Organization {dataset: $dataset})-[e:ENTRUSTS]->(h:Organization)
WHERE (coalesce($consignor, '') = '' OR c.id = $consignor)
  AND size([f IN [e.transfer_safety, e.storage_safety, e.disposal_safety] WHERE f = false]) IN [1, 2]
RETURN e.key AS entrustment, c.id AS consignor, h.id AS handler,
       [f IN [['transfer_safety', e.transfer_safety], ['storage_safety', e.storage_safety], ['disposal_safety', e.disposal_safety]] WHERE f[1] = false | f[0]] AS missing
ORDER BY entrustment
