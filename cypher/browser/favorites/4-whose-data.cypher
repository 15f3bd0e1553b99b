// Who handles whose data: every handler $consignor's data reaches, by its shortest path (the undisclosed ones red)
MATCH (c:Organization {dataset: $dataset, id: $consignor})
MATCH (h:Organization {dataset: $dataset})
WHERE h <> c
MATCH p = shortestPath((c)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(h))
WHERE all(r IN relationships(p) WHERE coalesce(r.personal_data, true)
                                  AND (r.consignor = c.id OR r.covers_all OR c.id IN r.covers))
RETURN p
LIMIT 1000
