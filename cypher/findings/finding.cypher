// name: finding
// description: One FINDING relationship per finding of the other consignor × handler rules
//   (unapproved_subcontracting, my_number_without_permission, cross_border_handling), from the
//   handler to the consignor, keyed by its rule (every property replaced).
// parameters: dataset, version, rows
// columns: 
UNWIND $rows AS row
MATCH (h:Organization {dataset: $dataset, id: row.handler})
MATCH (c:Organization {dataset: $dataset, id: row.consignor})
MERGE (h)-[f:FINDING {rule: row.rule}]->(c)
SET f = row.props, f.dataset = $dataset, f.findings_version = $version
