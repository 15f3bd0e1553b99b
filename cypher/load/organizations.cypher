// name: organizations
// description: Upsert a batch of organizations.
// parameters: dataset, version, rows
// columns:
UNWIND $rows AS row
MERGE (o:Organization {dataset: $dataset, id: row.id})
SET o.name = row.name, o.kind = row.kind, o.version = $version
