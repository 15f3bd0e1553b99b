// Undisclosed handlers as a table: who, whose data, by which routes, when, and what it means
MATCH (h:Undisclosed {dataset: $dataset})-[f:UNDISCLOSED_TO]->(c:Organization)
WHERE $consignor = '' OR c.id = $consignor
RETURN h.name AS handler, c.name AS consignor, f.routes AS routes, f.certain AS certain,
       f.possible AS possible, f.unknown_period AS period_unknown, f.message_ja AS message
ORDER BY handler, consignor
