// name: new_places_data_in
// description: Create a batch of PLACES_DATA_IN relationships of a dataset loaded for the first
//   time (no earlier relationship with the same key can exist, so none is looked for).
// parameters: dataset, version, rows
// columns:
UNWIND $rows AS row
MATCH (a:Organization {dataset: $dataset, id: row.source})
MATCH (b:System {dataset: $dataset, id: row.target})
CREATE (a)-[r:PLACES_DATA_IN {dataset: $dataset, key: row.key}]->(b)
SET r += row.props, r.version = $version
