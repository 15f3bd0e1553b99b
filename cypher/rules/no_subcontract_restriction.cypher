// name: no_subcontract_restriction
// description: Entrustments where subcontract_restriction is false.
//   $consignor (optional): one consignor's rows only; null or '' = every consignor.
// parameters: dataset, consignor?
// columns: entrustment, consignor, handler, missing
MATCH (c:Organization {dataset: $dataset})-[e:ENTRUSTS]->(h:Organization)
WHERE (coalesce($consignor, '') = '' OR c.id = $consignor)
  AND e.subcontract_restriction = false
RETURN e.key AS entrustment, c.id AS consignor, h.id AS handler,
       ['subcontract_restriction'] AS missing
ORDER BY entrustment
