// name: display_organizations
// description: Set the display name (Browser's caption) of a batch of organisations.
// parameters: dataset, rows
// columns: 
UNWIND $rows AS row
MATCH (n:Organization {dataset: $dataset, id: row.id})
SET n.display = row.display
