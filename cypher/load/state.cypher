// name: state
// description: The loaded version and status of a dataset.
// parameters: dataset
// columns: version, status
MATCH (d:Dataset {name: $dataset})
RETURN d.version AS version, d.status AS status
