// name: no_subcontract_restriction
// description: Entrustments where subcontract_restriction is false.
// parameters: dataset
// columns: entrustment, consignor, handler, missing
MATCH (c:Organization {dataset: $dataset})-[e:ENTRUSTS]->(h:Organization)
WHERE e.subcontract_restriction = false
RETURN e.key AS entrustment, c.id AS consignor, h.id AS handler,
       ['subcontract_restriction'] AS missing
ORDER BY entrustment
