// name: subcontracting_not_checked
// description: Entrustments where subcontract_check is false.
//   $consignor (optional): one consignor's rows only; null or '' = every consignor.
// parameters: dataset, consignor?
// columns: entrustment, consignor, handler, missing
MATCH (c:Organization {dataset: $dataset})-[e:ENTRUSTS]->(h:Organization)
WHERE (coalesce($consignor, '') = '' OR c.id = $consignor)
  AND e.subcontract_check = false
RETURN e.key AS entrustment, c.id AS consignor, h.id AS handler,
       ['subcontract_check'] AS missing
ORDER BY entrustment
