// name: flow_entrusts
// description: One page of a dataset's ENTRUSTS relationships that may carry personal data, as
//   the traversal of graph/analysis/flow.py reads them (the Neo4j backend's default rules
//   read the flow relationships with this and the other flow_ files): those whose key sorts
//   after $after ('' for the first page), at most $limit, in the order of the (dataset, key)
//   index. With $as_of, as the chain stood that day (graph/analysis/asof.py): only those
//   begun by then. The page is one list of rows, each [key, source id, target id, consignor,
//   covers_all, covers, window_start, window_end, period_unknown, disposal], dates as ISO text;
//   disposal is the disposal (with $as_of, only one recorded before that day).
// parameters: dataset, after, limit, as_of?
// columns: page
MATCH (a:Organization)-[r:ENTRUSTS]->(b:Organization)
WHERE r.dataset = $dataset AND r.key > $after AND coalesce(r.personal_data, true)
  AND ($as_of IS NULL OR r.window_start IS NULL OR r.window_start <= date($as_of))
WITH a, r, b ORDER BY r.dataset, r.key LIMIT $limit
RETURN collect([r.key, a.id, b.id, r.consignor, r.covers_all, r.covers, toString(r.window_start),
                toString(r.window_end), r.period_unknown,
                toString(CASE WHEN $as_of IS NULL OR r.disposal < date($as_of) THEN r.disposal END)]) AS page
