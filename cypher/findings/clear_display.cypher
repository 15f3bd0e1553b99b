// name: clear_display
// description: Remove the display names of up to $limit organisations and of up to $limit
//   systems of a dataset (with its findings: names of another version would be stale).
// parameters: dataset, limit
// columns: removed
MATCH (n:Organization {dataset: $dataset})
WHERE n.display IS NOT NULL
WITH n LIMIT $limit
REMOVE n.display
RETURN count(n) AS removed;
MATCH (n:System {dataset: $dataset})
WHERE n.display IS NOT NULL
WITH n LIMIT $limit
REMOVE n.display
RETURN count(n) AS removed
