// name: names
// description: The organisations and systems of a dataset by label, id and name, which their
//   display names are made from.
// parameters: dataset
// columns: label, id, name
MATCH (n:Organization {dataset: $dataset})
RETURN 'Organization' AS label, n.id AS id, n.name AS name
UNION ALL
MATCH (n:System {dataset: $dataset})
RETURN 'System' AS label, n.id AS id, n.name AS name
