// name: organizations
// description: The finding state of a batch of organisations: the Undisclosed label and how many
//   consignors were not told of it (as a handler), how many handlers it was not told of (as a
//   consignor), and the rules of its consignor findings. Every property is set, null included,
//   so that what an earlier version wrote is replaced.
// parameters: dataset, version, rows
// columns: 
UNWIND $rows AS row
MATCH (n:Organization {dataset: $dataset, id: row.id})
SET n.undisclosed_consignors = row.undisclosed_consignors,
    n.undisclosed_handlers = row.undisclosed_handlers,
    n.findings = row.findings,
    n.findings_version = $version
REMOVE n:Undisclosed
WITH n, row
FOREACH (_ IN CASE WHEN row.undisclosed_consignors IS NOT NULL THEN [1] ELSE [] END | SET n:Undisclosed)
