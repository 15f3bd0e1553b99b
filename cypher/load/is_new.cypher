// name: is_new
// description: Whether a dataset has never been loaded: no Dataset node and no element of it.
//   Only then may a load CREATE instead of MERGE (the uniqueness constraints still stop a
//   second, concurrent first load from writing anything twice).
// parameters: dataset
// columns: new
OPTIONAL MATCH (d:Dataset {name: $dataset})
RETURN d IS NULL
       AND NOT EXISTS { MATCH (:Organization {dataset: $dataset}) }
       AND NOT EXISTS { MATCH (:System {dataset: $dataset}) } AS new
