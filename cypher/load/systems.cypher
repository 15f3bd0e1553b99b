// name: systems
// description: Upsert a batch of systems.
// parameters: dataset, version, rows
// columns:
UNWIND $rows AS row
MERGE (s:System {dataset: $dataset, id: row.id})
SET s.name = row.name, s.operator = row.operator, s.version = $version
