// The whole dataset, coloured by finding (up to 300 organisations and systems)
MATCH (n {dataset: $dataset})
WHERE n:Organization OR n:System
RETURN n
LIMIT 300
