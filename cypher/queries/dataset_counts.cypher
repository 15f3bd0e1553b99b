// name: dataset_counts
// description: How many organizations, systems and relationships of each type a dataset holds.
// parameters: dataset
// columns: organizations, systems, entrusts, places_data_in, has_access, accessible_by, operates
MATCH (o:Organization {dataset: $dataset})
WITH count(o) AS organizations
OPTIONAL MATCH (s:System {dataset: $dataset})
WITH organizations, count(s) AS systems
CALL () {
  OPTIONAL MATCH (:Organization {dataset: $dataset})-[r:ENTRUSTS|PLACES_DATA_IN|HAS_ACCESS|OPERATES]->()
  RETURN type(r) AS t, count(r) AS n
  UNION ALL
  OPTIONAL MATCH (:System {dataset: $dataset})-[r:ACCESSIBLE_BY]->()
  RETURN type(r) AS t, count(r) AS n
}
WITH organizations, systems, collect([t, n]) AS pairs
RETURN organizations, systems,
       coalesce([p IN pairs WHERE p[0] = 'ENTRUSTS' | p[1]][0], 0) AS entrusts,
       coalesce([p IN pairs WHERE p[0] = 'PLACES_DATA_IN' | p[1]][0], 0) AS places_data_in,
       coalesce([p IN pairs WHERE p[0] = 'HAS_ACCESS' | p[1]][0], 0) AS has_access,
       coalesce([p IN pairs WHERE p[0] = 'ACCESSIBLE_BY' | p[1]][0], 0) AS accessible_by,
       coalesce([p IN pairs WHERE p[0] = 'OPERATES' | p[1]][0], 0) AS operates
