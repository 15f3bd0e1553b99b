// name: new_organizations
// description: Create a batch of organizations of a dataset loaded for the first time.
// parameters: dataset, version, rows
// columns:
UNWIND $rows AS row
CREATE (o:Organization {dataset: $dataset, id: row.id, name: row.name, kind: row.kind, version: $version})
