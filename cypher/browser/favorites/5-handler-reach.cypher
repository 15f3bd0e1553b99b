// A handler's reach: every consignor whose data $handler can reach, by its shortest path, with the findings about it
MATCH (h:Organization {dataset: $dataset, id: $handler})
MATCH (c:Consignor {dataset: $dataset})
WHERE c <> h
MATCH p = shortestPath((c)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(h))
WHERE all(r IN relationships(p) WHERE coalesce(r.personal_data, true)
                                  AND (r.consignor = c.id OR r.covers_all OR c.id IN r.covers))
OPTIONAL MATCH (h)-[f:UNDISCLOSED_TO|FINDING]->(c)
RETURN p, collect(f) AS findings
LIMIT 1000
