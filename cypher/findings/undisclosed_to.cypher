// name: undisclosed_to
// description: One UNDISCLOSED_TO relationship per undisclosed_subcontracting finding, from the
//   handler to the consignor that was never told of it, with its routes, path, windows and
//   messages (every property replaced).
// parameters: dataset, version, rows
// columns: 
UNWIND $rows AS row
MATCH (h:Organization {dataset: $dataset, id: row.handler})
MATCH (c:Organization {dataset: $dataset, id: row.consignor})
MERGE (h)-[f:UNDISCLOSED_TO]->(c)
SET f = row.props, f.dataset = $dataset, f.findings_version = $version
