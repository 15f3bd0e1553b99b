// name: new_entrusts
// description: Create a batch of ENTRUSTS relationships of a dataset loaded for the first time
//   (no earlier relationship with the same key can exist, so none is looked for).
// parameters: dataset, version, rows
// columns:
UNWIND $rows AS row
MATCH (a:Organization {dataset: $dataset, id: row.source})
MATCH (b:Organization {dataset: $dataset, id: row.target})
CREATE (a)-[r:ENTRUSTS {dataset: $dataset, key: row.key}]->(b)
SET r += row.props, r.version = $version
