// name: handler_consignors
// description: The consignors whose data one handler can reach, and in how many steps.
// parameters: dataset, handler
// columns: consignor, steps
MATCH (h:Organization {dataset: $dataset, id: $handler})
MATCH (c:Organization {dataset: $dataset})
WHERE c <> h AND EXISTS { (c)-[:ENTRUSTS]->() }
MATCH q = shortestPath((c)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(h))
// generated: flow_path(q, c) from graph/neo4j/cyphergen.py (scripts/regen)
WHERE all(r IN relationships(q) WHERE coalesce(r.personal_data, true) AND (r.consignor = c.id OR r.covers_all OR c.id IN r.covers))
// end generated: flow_path
RETURN c.id AS consignor, length(q) AS steps
ORDER BY consignor
