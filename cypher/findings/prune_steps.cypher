// name: prune_steps
// description: Unmark up to $limit relationships of each kind whose marks another
//   findings_version than $version wrote (all of them for version '').
// parameters: dataset, version, limit
// columns: removed
MATCH (:Organization {dataset: $dataset})-[r:ENTRUSTS|PLACES_DATA_IN]->()
WHERE r.findings_version <> $version
WITH r LIMIT $limit
REMOVE r.undisclosed_for, r.findings, r.findings_version
RETURN count(r) AS removed;
MATCH (:System {dataset: $dataset})-[r:ACCESSIBLE_BY]->()
WHERE r.findings_version <> $version
WITH r LIMIT $limit
REMOVE r.undisclosed_for, r.findings_version
RETURN count(r) AS removed
