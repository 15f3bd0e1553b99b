// name: could_not_supervise
// description: Consignors with at least one handler of their data that was not disclosed to
//   them on some route that reaches it (as undisclosed_subcontracting judges it), and those
//   handlers (sorted): they could not supervise them.
// parameters: dataset
// columns: consignor, handlers, evidence_unknown
MATCH (c:Organization {dataset: $dataset})
// generated: routes_of(c, kind, route, origin) from graph/neo4j/cyphergen.py (scripts/regen)
CALL (c) {
  MATCH (c)-[e:ENTRUSTS]->() WHERE coalesce(e.personal_data, true)
  RETURN 'entrustment' AS kind, e.key AS route, c AS origin
  UNION
  MATCH (c)-[:OPERATES]->(s:System) WHERE s.personal_data = true
  RETURN 'system' AS kind, s.id AS route, s AS origin
  UNION
  MATCH ()-[e:ENTRUSTS]->(c) WHERE coalesce(e.personal_data, true)
  UNWIND e.systems AS placed
  MATCH (s:System {dataset: c.dataset, id: placed})
  RETURN 'system' AS kind, s.id AS route, s AS origin
}
// end generated: routes_of
// generated: route_reach(c, kind, route, origin, h, systems) from graph/neo4j/cyphergen.py (scripts/regen)
CALL (c, kind, route, origin) {
  MATCH q = (origin)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(v)
  WHERE v <> c AND v <> origin AND all(r IN relationships(q) WHERE ((kind = 'entrustment' AND r.entrustment = route) OR (coalesce(r.personal_data, true) AND (r.covers_all OR c.id IN r.covers) AND coalesce(r.consignor, '') <> c.id)))
  WITH DISTINCT v
  RETURN collect(v) AS reached
}
WITH c, kind, route, origin, reached,
     [x IN reached WHERE x:System | x.id] + [x IN [origin] WHERE x:System | x.id] AS systems
UNWIND reached AS h
WITH c, kind, route, origin, systems, h
WHERE h:Organization
// end generated: route_reach
// generated: route_terms(c, kind, route, h, systems) from graph/neo4j/cyphergen.py (scripts/regen)
WITH *, [(c)-[e:ENTRUSTS]->(x) WHERE (kind = 'entrustment' AND e.key = route)
         OR (kind = 'system' AND route IN e.systems)
         | {contractor: CASE WHEN kind = 'entrustment' THEN x.id ELSE '' END,
            informed: e.informed_subcontractors, approved: e.approved_subcontractors,
            restricted: kind = 'entrustment' AND coalesce(e.subcontract_restriction, false)}] AS terms,
       EXISTS { MATCH (h)-[g:HAS_ACCESS]->(s:System) WHERE s.id IN systems
                AND EXISTS { MATCH (c)-[own:ENTRUSTS]->() WHERE own.key = g.under } } AS let_in
// end generated: route_terms
WITH c, h, any(t IN terms WHERE t.informed IS NULL) AS unknown,
     let_in OR any(t IN terms WHERE t.contractor = h.id OR h.id IN coalesce(t.informed, [])
                                    OR h.id IN coalesce(t.approved, [])) AS disclosed
WHERE NOT disclosed
WITH c, h, any(u IN collect(unknown) WHERE u) AS unknown
ORDER BY h.id
RETURN c.id AS consignor, collect(h.id) AS handlers, any(u IN collect(unknown) WHERE u) AS evidence_unknown
ORDER BY consignor
