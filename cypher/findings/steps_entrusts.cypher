// name: steps_entrusts
// description: Mark a batch of ENTRUSTS relationships, by key: the consignors whose undisclosed
//   routes' paths take this step and the rules of its entrustment findings (null: none).
// parameters: dataset, version, rows
// columns: 
UNWIND $rows AS row
MATCH ()-[r:ENTRUSTS {dataset: $dataset, key: row.key}]->()
SET r.undisclosed_for = row.undisclosed_for, r.findings = row.findings, r.findings_version = $version
