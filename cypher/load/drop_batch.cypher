// name: drop_batch
// description: Remove up to $limit nodes of a dataset with their relationships, so that dropping
//   a large dataset is many bounded transactions instead of one that has to hold it all.
// parameters: dataset, limit
// columns: removed
CALL () {
  MATCH (n:Organization {dataset: $dataset}) RETURN n LIMIT $limit
  UNION
  MATCH (n:System {dataset: $dataset}) RETURN n LIMIT $limit
}
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(n) AS removed
