// name: entrusts
// description: Upsert a batch of ENTRUSTS relationships, each identified by (dataset, key).
//   One whose endpoints changed in the file is replaced, so the key stays unique.
// parameters: dataset, version, rows
// columns:
UNWIND $rows AS row
MATCH (a:Organization {dataset: $dataset, id: row.source})
MATCH (b:Organization {dataset: $dataset, id: row.target})
OPTIONAL MATCH (x)-[old:ENTRUSTS {dataset: $dataset, key: row.key}]->(y) WHERE x <> a OR y <> b
DELETE old
WITH a, b, row
MERGE (a)-[r:ENTRUSTS {dataset: $dataset, key: row.key}]->(b)
SET r += row.props, r.version = $version
