// name: datasets
// description: The datasets (chain files) loaded in this database, with their version and status.
// parameters:
// columns: dataset, source, version, status
MATCH (d:Dataset)
RETURN d.name AS dataset, d.source AS source, d.version AS version, d.status AS status
ORDER BY dataset
