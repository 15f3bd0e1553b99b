// name: weak_supervision
// description: Entrustments where some, not all, of the three supervision measures are false.
//   $consignor (optional): one consignor's rows only; null or '' = every consignor.
// parameters: dataset, consignor?
// columns: entrustment, consignor, handler, missing
MATCH (c:Organization {dataset: $dataset})-[e:ENTRUSTS]->(h:Organization)
WHERE (coalesce($consignor, '') = '' OR c.id = $consignor)
  AND size([f IN [e.rules_confirmation, e.written_reports, e.onsite_inspection] WHERE f = false]) IN [1, 2]
RETURN e.key AS entrustment, c.id AS consignor, h.id AS handler,
       [f IN [['rules_confirmation', e.rules_confirmation], ['written_reports', e.written_reports], ['onsite_inspection', e.onsite_inspection]] WHERE f[1] = false | f[0]] AS missing
ORDER BY entrustment
