// name: state
// description: The loaded version of a dataset, the findings_version of the findings written in
//   it and the chain version they are the findings of (null: none).
// parameters: dataset
// columns: version, status, findings_version, findings_of
MATCH (d:Dataset {name: $dataset})
RETURN d.version AS version, d.status AS status, d.findings_version AS findings_version,
       d.findings_of AS findings_of
