// name: roles
// description: Role labels for Neo4j Browser's style sheet: Consignor (entrusts work),
//   Contractor (is entrusted work), DeFactoHandler (has access to a system). Recomputed per load.
// parameters: dataset
// columns: organizations
MATCH (o:Organization {dataset: $dataset})
REMOVE o:Consignor:Contractor:DeFactoHandler
WITH o
FOREACH (_ IN CASE WHEN EXISTS { (o)-[:ENTRUSTS]->() } THEN [1] ELSE [] END | SET o:Consignor)
FOREACH (_ IN CASE WHEN EXISTS { ()-[:ENTRUSTS]->(o) } THEN [1] ELSE [] END | SET o:Contractor)
FOREACH (_ IN CASE WHEN EXISTS { (o)-[:HAS_ACCESS]->() } THEN [1] ELSE [] END | SET o:DeFactoHandler)
RETURN count(o) AS organizations
