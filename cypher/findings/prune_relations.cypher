// name: prune_relations
// description: Delete up to $limit finding relationships of a dataset written by another
//   findings_version than $version (all of them for version '').
// parameters: dataset, version, limit
// columns: removed
MATCH (:Organization {dataset: $dataset})-[f:UNDISCLOSED_TO|FINDING]->()
WHERE f.findings_version <> $version
WITH f LIMIT $limit
DELETE f
RETURN count(f) AS removed
