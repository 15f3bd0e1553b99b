// name: misclassified_subcontract
// description: Entrustments marked personal_data false whose contractor has access to a system
//   holding personal data (placed there by an entrustment that may carry it, or its operator's
//   own), granted under that entrustment or, with no under, to a system the consignor operates:
//   likely a re-entrustment of personal data.
//   $consignor (optional): one consignor's rows only; null or '' = every consignor.
// parameters: dataset, consignor?
// columns: entrustment, consignor, handler, systems
MATCH (x:Organization {dataset: $dataset})-[e:ENTRUSTS]->(y:Organization)
WHERE (coalesce($consignor, '') = '' OR x.id = $consignor)
  AND e.personal_data = false
MATCH (y)-[a:HAS_ACCESS]->(s:System)
WHERE (s.personal_data = true OR EXISTS { MATCH ()-[pl:PLACES_DATA_IN]->(s) WHERE coalesce(pl.personal_data, true) })
  AND (a.under = e.key OR (a.under IS NULL AND EXISTS { (x)-[:OPERATES]->(s) }))
WITH e, x, y, s ORDER BY s.id
RETURN e.key AS entrustment, x.id AS consignor, y.id AS handler, collect(DISTINCT s.id) AS systems
ORDER BY entrustment
