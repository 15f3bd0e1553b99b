// name: prune
// description: After a load succeeded, remove what disappeared from this dataset (elements of an
//   older version) and mark the dataset ready. Other datasets are never touched.
// parameters: dataset, version
// columns: removed
MATCH (:Organization {dataset: $dataset})-[r:ENTRUSTS|PLACES_DATA_IN|HAS_ACCESS|OPERATES]->()
WHERE r.version <> $version
DELETE r
RETURN count(r) AS removed;
MATCH (:System {dataset: $dataset})-[r:ACCESSIBLE_BY]->()
WHERE r.version <> $version
DELETE r
RETURN count(r) AS removed;
MATCH (n:Organization {dataset: $dataset}) WHERE n.version <> $version
DETACH DELETE n
RETURN count(n) AS removed;
MATCH (n:System {dataset: $dataset}) WHERE n.version <> $version
DETACH DELETE n
RETURN count(n) AS removed;
MATCH (d:Dataset {name: $dataset})
SET d.version = $version, d.status = 'ready', d.loading = null
RETURN 0 AS removed
