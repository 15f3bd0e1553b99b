// name: new_systems
// description: Create a batch of systems of a dataset loaded for the first time.
// parameters: dataset, version, rows
// columns:
UNWIND $rows AS row
CREATE (s:System {dataset: $dataset, id: row.id, name: row.name, operator: row.operator, version: $version})
