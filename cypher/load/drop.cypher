// name: drop
// description: Remove a whole dataset (its nodes, their relationships, its Dataset node).
// parameters: dataset
// columns: removed
MATCH (n:Organization {dataset: $dataset})
DETACH DELETE n
RETURN count(n) AS removed;
MATCH (n:System {dataset: $dataset})
DETACH DELETE n
RETURN count(n) AS removed;
MATCH (d:Dataset {name: $dataset})
DELETE d
RETURN 0 AS removed
