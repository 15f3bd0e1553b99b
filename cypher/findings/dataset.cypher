// name: dataset
// description: Record on the Dataset node which findings are written: their findings_version,
//   the chain version they are the findings of, and counts (all null once cleared).
// parameters: dataset, version, of, undisclosed, total
// columns: 
MATCH (d:Dataset {name: $dataset})
SET d.findings_version = $version, d.findings_of = $of, d.findings_undisclosed = $undisclosed,
    d.findings_total = $total
