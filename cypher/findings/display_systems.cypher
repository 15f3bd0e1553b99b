// name: display_systems
// description: Set the display name (Browser's caption) of a batch of systems.
// parameters: dataset, rows
// columns: 
UNWIND $rows AS row
MATCH (n:System {dataset: $dataset, id: row.id})
SET n.display = row.display
