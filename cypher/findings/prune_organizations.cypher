// name: prune_organizations
// description: Clear the finding state (the Undisclosed label, its counts and rules) of up to
//   $limit organisations that another findings_version than $version wrote (all for version '').
// parameters: dataset, version, limit
// columns: removed
MATCH (n:Organization {dataset: $dataset})
WHERE n.findings_version <> $version
WITH n LIMIT $limit
REMOVE n:Undisclosed, n.undisclosed_consignors, n.undisclosed_handlers, n.findings, n.findings_version
RETURN count(n) AS removed
