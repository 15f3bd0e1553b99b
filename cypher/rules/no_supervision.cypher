// name: no_supervision
// description: Entrustments where all three supervision measures are false.
//   $consignor (optional): one consignor's rows only; null or '' = every consignor.
// parameters: dataset, consignor?
// columns: entrustment, consignor, handler, missing
MATCH (c:Organization {dataset: $dataset})-[e:ENTRUSTS]->(h:Organization)
WHERE (coalesce($consignor, '') = '' OR c.id = $consignor)
  AND e.rules_confirmation = false AND e.written_reports = false AND e.onsite_inspection = false
RETURN e.key AS entrustment, c.id AS consignor, h.id AS handler,
       ['rules_confirmation', 'written_reports', 'onsite_inspection'] AS missing
ORDER BY entrustment
