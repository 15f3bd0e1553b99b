// Undisclosed paths: how each consignor's data reaches a handler it was never told of ($consignor: one, or '' for all)
MATCH (h:Undisclosed {dataset: $dataset})-[f:UNDISCLOSED_TO]->(c:Organization)
WHERE $consignor = '' OR c.id = $consignor
MATCH p = (o)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(h)
WHERE (o = c OR (o:System AND o.dataset = $dataset AND o.id IN f.routes))
  AND all(r IN relationships(p) WHERE c.id IN r.undisclosed_for)
RETURN p, f
LIMIT 1000
