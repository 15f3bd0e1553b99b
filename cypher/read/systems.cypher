// name: systems
// description: One page of a dataset's systems, to read the chain back
//   (graph/neo4j/readback.py): those whose id sorts after $after ('' for the first page), at
//   most $limit, in the order of the (dataset, id) index. The page is one list of rows, each
//   [position, id, name, operator, personal_data, location].
// parameters: dataset, after, limit
// columns: page
MATCH (s:System)
WHERE s.dataset = $dataset AND s.id > $after
WITH s ORDER BY s.dataset, s.id LIMIT $limit
RETURN collect([s.position, s.id, s.name, s.operator, s.personal_data, s.location]) AS page
