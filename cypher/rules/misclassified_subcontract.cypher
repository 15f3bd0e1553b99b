// name: misclassified_subcontract
// description: Entrustments marked personal_data false whose contractor has access to a system
//   holding personal data, granted under that entrustment or to a system of the consignor (one it
//   operates, or names in an entrustment it gives or receives).
// parameters: dataset
// columns: entrustment, consignor, handler, systems
MATCH (x:Organization {dataset: $dataset})-[e:ENTRUSTS]->(y:Organization)
WHERE e.personal_data = false
MATCH (y)-[a:HAS_ACCESS]->(s:System)
WHERE EXISTS { MATCH ()-[pl:PLACES_DATA_IN]->(s) WHERE coalesce(pl.personal_data, true) }
  AND (a.under = e.key
       OR EXISTS { (x)-[:OPERATES]->(s) }
       OR EXISTS { (x)-[:PLACES_DATA_IN]->(s) }
       OR EXISTS { MATCH ()-[pl:PLACES_DATA_IN]->(s) WHERE pl.contractor = x.id })
WITH e, x, y, s ORDER BY s.id
RETURN e.key AS entrustment, x.id AS consignor, y.id AS handler, collect(DISTINCT s.id) AS systems
ORDER BY entrustment
