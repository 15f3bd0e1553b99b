// name: missing_safeguard_clause
// description: Entrustments where some, not all, of the three safety clauses are false.
// parameters: dataset
// columns: entrustment, consignor, handler, missing
MATCH (c:Organization {dataset: $dataset})-[e:ENTRUSTS]->(h:Organization)
WHERE size([f IN [e.transfer_safety, e.storage_safety, e.disposal_safety] WHERE f = false]) IN [1, 2]
RETURN e.key AS entrustment, c.id AS consignor, h.id AS handler,
       [f IN [['transfer_safety', e.transfer_safety], ['storage_safety', e.storage_safety], ['disposal_safety', e.disposal_safety]] WHERE f[1] = false | f[0]] AS missing
ORDER BY entrustment
