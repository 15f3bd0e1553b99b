// name: accessible_by
// description: Upsert a batch of ACCESSIBLE_BY relationships (system → organization with access),
//   the data-flow twin of HAS_ACCESS with the same key, each identified by (dataset, key).
// parameters: dataset, version, rows
// columns:
UNWIND $rows AS row
MATCH (a:System {dataset: $dataset, id: row.source})
MATCH (b:Organization {dataset: $dataset, id: row.target})
OPTIONAL MATCH (x)-[old:ACCESSIBLE_BY {dataset: $dataset, key: row.key}]->(y) WHERE x <> a OR y <> b
DELETE old
WITH a, b, row
MERGE (a)-[r:ACCESSIBLE_BY {dataset: $dataset, key: row.key}]->(b)
SET r += row.props, r.version = $version
