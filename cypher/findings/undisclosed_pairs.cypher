// name: undisclosed_pairs
// description: Every (consignor, handler) pair recorded as UNDISCLOSED_TO in a dataset.
// parameters: dataset
// columns: consignor, handler
MATCH (h:Organization {dataset: $dataset})-[:UNDISCLOSED_TO]->(c:Organization)
RETURN c.id AS consignor, h.id AS handler
ORDER BY consignor, handler
