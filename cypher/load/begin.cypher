// name: begin
// description: Mark a dataset as being loaded with the given version (content hash).
// parameters: dataset, version, source
// columns: previous
MERGE (d:Dataset {name: $dataset})
WITH d, d.version AS previous, d.status AS previous_status
SET d.loading = $version, d.source = $source
RETURN previous, previous_status
