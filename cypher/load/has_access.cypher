// name: has_access
// description: Upsert a batch of HAS_ACCESS relationships, each identified by (dataset, key).
// parameters: dataset, version, rows
// columns:
UNWIND $rows AS row
MATCH (a:Organization {dataset: $dataset, id: row.source})
MATCH (b:System {dataset: $dataset, id: row.target})
OPTIONAL MATCH (x)-[old:HAS_ACCESS {dataset: $dataset, key: row.key}]->(y) WHERE x <> a OR y <> b
DELETE old
WITH a, b, row
MERGE (a)-[r:HAS_ACCESS {dataset: $dataset, key: row.key}]->(b)
SET r += row.props, r.version = $version
