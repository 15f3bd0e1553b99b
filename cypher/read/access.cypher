// name: access
// description: One page of a dataset's access grants (HAS_ACCESS), to read the chain back
//   (graph/neo4j/readback.py): those whose key sorts after $after ('' for the first page), at
//   most $limit, in the order of the (dataset, key) index. The page is one list of rows, each
//   [position, key, organization, system, kind, under, period, period_ends].
// parameters: dataset, after, limit
// columns: page
MATCH (o:Organization)-[g:HAS_ACCESS]->(s:System)
WHERE g.dataset = $dataset AND g.key > $after
WITH o, g, s ORDER BY g.dataset, g.key LIMIT $limit
RETURN collect([g.position, g.key, o.id, s.id, g.kind, g.under, g.period, g.period_ends]) AS page
