// name: constraints
// description: Named uniqueness constraints, created before any load. Elements are unique per
//   dataset (several chain files live side by side); relationships by their step key.
// parameters:
// columns:
CREATE CONSTRAINT organization_dataset_id IF NOT EXISTS
FOR (o:Organization) REQUIRE (o.dataset, o.id) IS UNIQUE;
CREATE CONSTRAINT system_dataset_id IF NOT EXISTS
FOR (s:System) REQUIRE (s.dataset, s.id) IS UNIQUE;
CREATE CONSTRAINT dataset_name IF NOT EXISTS
FOR (d:Dataset) REQUIRE d.name IS UNIQUE;
CREATE CONSTRAINT entrusts_dataset_key IF NOT EXISTS
FOR ()-[r:ENTRUSTS]-() REQUIRE (r.dataset, r.key) IS UNIQUE;
CREATE CONSTRAINT places_data_in_dataset_key IF NOT EXISTS
FOR ()-[r:PLACES_DATA_IN]-() REQUIRE (r.dataset, r.key) IS UNIQUE;
CREATE CONSTRAINT has_access_dataset_key IF NOT EXISTS
FOR ()-[r:HAS_ACCESS]-() REQUIRE (r.dataset, r.key) IS UNIQUE;
CREATE CONSTRAINT accessible_by_dataset_key IF NOT EXISTS
FOR ()-[r:ACCESSIBLE_BY]-() REQUIRE (r.dataset, r.key) IS UNIQUE;
CREATE CONSTRAINT operates_dataset_key IF NOT EXISTS
FOR ()-[r:OPERATES]-() REQUIRE (r.dataset, r.key) IS UNIQUE;
CREATE INDEX organization_dataset IF NOT EXISTS
FOR (o:Organization) ON (o.dataset)
