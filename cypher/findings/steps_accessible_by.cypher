// name: steps_accessible_by
// description: Mark a batch of ACCESSIBLE_BY relationships, by key: the consignors whose undisclosed
//   routes' paths take this step (null: none).
// parameters: dataset, version, rows
// columns: 
UNWIND $rows AS row
MATCH ()-[r:ACCESSIBLE_BY {dataset: $dataset, key: row.key}]->()
SET r.undisclosed_for = row.undisclosed_for, r.findings = row.findings, r.findings_version = $version
