// name: steps_places_data_in
// description: Mark a batch of PLACES_DATA_IN relationships, by key: the consignors whose undisclosed
//   routes' paths take this step (null: none).
// parameters: dataset, version, rows
// columns: 
UNWIND $rows AS row
MATCH ()-[r:PLACES_DATA_IN {dataset: $dataset, key: row.key}]->()
SET r.undisclosed_for = row.undisclosed_for, r.findings = row.findings, r.findings_version = $version
