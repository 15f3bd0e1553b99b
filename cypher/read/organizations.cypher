// name: organizations
// description: One page of a dataset's organisations, to read the chain back
//   (graph/neo4j/readback.py): those whose id sorts after $after ('' for the first page), at
//   most $limit, in the order of the (dataset, id) index, so that each page is an index seek.
//   The page is one list of rows, each [position, id, name, kind, country, lei, euid]
//   (position: the place in the chain file's list).
// parameters: dataset, after, limit
// columns: page
MATCH (o:Organization)
WHERE o.dataset = $dataset AND o.id > $after
WITH o ORDER BY o.dataset, o.id LIMIT $limit
RETURN collect([o.position, o.id, o.name, o.kind, o.country, o.lei, o.euid]) AS page
