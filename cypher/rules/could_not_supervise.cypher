// name: could_not_supervise
// description: Consignors with at least one handler of their data that was not disclosed to
//   them on some route that reaches it (as undisclosed_subcontracting judges it), and those
//   handlers (sorted): they could not supervise them.
//   $consignor (optional): one consignor's rows only; null or '' = every consignor.
// parameters: dataset, consignor?, as_of?
// columns: consignor, handlers, evidence_unknown
MATCH (c:Organization {dataset: $dataset})
WHERE coalesce($consignor, '') = '' OR c.id = $consignor
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
// generated: route_paths(c, kind, route, origin, h, p, systems) from graph/neo4j/cyphergen.py (scripts/regen)
CALL (c, kind, route, origin) {
  // Reachability is a pruning breadth-first expand; shortestPath() then measures each distance.
  // Both check the route's flow condition on every relationship during the search.
  MATCH q = (origin)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(v)
  WHERE v <> c AND v <> origin AND all(r IN relationships(q) WHERE ((kind = 'entrustment' AND r.entrustment = route) OR (coalesce(r.personal_data, true) AND (r.covers_all OR c.id IN r.covers) AND coalesce(r.consignor, '') <> c.id)))
  WITH DISTINCT v
  MATCH q = shortestPath((origin)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(v))
  WHERE all(r IN relationships(q) WHERE ((kind = 'entrustment' AND r.entrustment = route) OR (coalesce(r.personal_data, true) AND (r.covers_all OR c.id IN r.covers) AND coalesce(r.consignor, '') <> c.id)))
  RETURN v, length(q) AS d
}
WITH c, kind, route, origin, collect({node: v, d: d}) AS reached
// The nodes at each distance, so that "one step closer" is a lookup in one level only.
WITH c, kind, route, origin, reached, [i IN range(0, 24) | [x IN reached WHERE x.d = i | x.node]] AS levels,
     CASE WHEN kind = 'entrustment' OR (origin.personal_data = true
                  AND EXISTS { MATCH (c)-[:OPERATES]->(origin) })
             THEN {c: [[date('0001-01-01'), date('9999-12-31')]], e: [[date('0001-01-01'), date('9999-12-31')]], u: false}
             ELSE reduce(s = {c: [], e: [], u: false}, x IN [()-[e:ENTRUSTS]->(c)
                         WHERE coalesce(e.personal_data, true) AND origin.id IN e.systems | {c: [coalesce(e.window_start, date('0001-01-01')), CASE WHEN coalesce(e.window_end, date('9999-12-31')) < coalesce(e.disposal, date('9999-12-31')) THEN coalesce(e.window_end, date('9999-12-31')) ELSE coalesce(e.disposal, date('9999-12-31')) END], e: [coalesce(e.window_start, date('0001-01-01')), coalesce(e.disposal, date('9999-12-31'))], u: coalesce(e.period_unknown, false)}]
                         | {c: s.c + [x.c], e: s.e + [x.e], u: s.u OR x.u}) END AS start
// The windows at every node reached: the union over its shortest paths (each relationship of
// every one of them, parallel grants and contracts included), one step at a time.
CALL (c, kind, route, origin, reached, start) {
  UNWIND reached AS x
  WITH x.node AS v
  MATCH q = allShortestPaths((origin)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(v))
  WHERE all(r IN relationships(q) WHERE ((kind = 'entrustment' AND r.entrustment = route) OR (coalesce(r.personal_data, true) AND (r.covers_all OR c.id IN r.covers) AND coalesce(r.consignor, '') <> c.id)))
  WITH v, reduce(w = start, hop IN [r IN relationships(q) | {holding: type(r) <> 'ACCESSIBLE_BY', a: coalesce(r.window_start, date('0001-01-01')), b: coalesce(r.window_end, date('9999-12-31')), d: CASE WHEN type(r) = 'ACCESSIBLE_BY' THEN date('9999-12-31') ELSE coalesce(r.disposal, date('9999-12-31')) END, cb: CASE WHEN coalesce(r.window_end, date('9999-12-31')) < CASE WHEN type(r) = 'ACCESSIBLE_BY' THEN date('9999-12-31') ELSE coalesce(r.disposal, date('9999-12-31')) END THEN coalesce(r.window_end, date('9999-12-31')) ELSE CASE WHEN type(r) = 'ACCESSIBLE_BY' THEN date('9999-12-31') ELSE coalesce(r.disposal, date('9999-12-31')) END END, u: coalesce(r.period_unknown, false)}] | {c: [i IN w.c WHERE CASE WHEN i[0] > hop.a THEN i[0] ELSE hop.a END <= CASE WHEN i[1] < hop.cb THEN i[1] ELSE hop.cb END | [CASE WHEN i[0] > hop.a THEN i[0] ELSE hop.a END, CASE WHEN i[1] < hop.cb THEN i[1] ELSE hop.cb END]], e: CASE WHEN hop.holding THEN [m IN [reduce(m = null, i IN w.e | CASE WHEN i[0] <= hop.b AND i[1] >= hop.a AND (m IS NULL OR CASE WHEN i[0] > hop.a THEN i[0] ELSE hop.a END < m) THEN CASE WHEN i[0] > hop.a THEN i[0] ELSE hop.a END ELSE m END)] WHERE m IS NOT NULL AND m <= hop.d | [m, hop.d]] ELSE [i IN w.e WHERE CASE WHEN i[0] > hop.a THEN i[0] ELSE hop.a END <= CASE WHEN i[1] < hop.b THEN i[1] ELSE hop.b END | [CASE WHEN i[0] > hop.a THEN i[0] ELSE hop.a END, CASE WHEN i[1] < hop.b THEN i[1] ELSE hop.b END]] END, u: w.u OR hop.u}) AS w
  WITH v, collect(w) AS ws
  RETURN collect({node: v, c: reduce(a = [], w IN ws | a + w.c), e: reduce(a = [], w IN ws | a + w.e),
                 u: any(w IN ws WHERE w.u)}) AS wins
}
CALL (c, kind, route, origin, reached, levels, start, wins) {
  UNWIND reached AS x
  WITH x.node AS v, x.d AS d
  MATCH (u)-[r:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY]->(v)
  WHERE ((kind = 'entrustment' AND r.entrustment = route) OR (coalesce(r.personal_data, true) AND (r.covers_all OR c.id IN r.covers) AND coalesce(r.consignor, '') <> c.id))
    AND ((d = 1 AND u = origin) OR (d > 1 AND u IN levels[d - 1]))
  WITH v, r, CASE WHEN d = 1 THEN start ELSE [y IN wins WHERE y.node = u][0] END AS before, {holding: type(r) <> 'ACCESSIBLE_BY', a: coalesce(r.window_start, date('0001-01-01')), b: coalesce(r.window_end, date('9999-12-31')), d: CASE WHEN type(r) = 'ACCESSIBLE_BY' THEN date('9999-12-31') ELSE coalesce(r.disposal, date('9999-12-31')) END, cb: CASE WHEN coalesce(r.window_end, date('9999-12-31')) < CASE WHEN type(r) = 'ACCESSIBLE_BY' THEN date('9999-12-31') ELSE coalesce(r.disposal, date('9999-12-31')) END THEN coalesce(r.window_end, date('9999-12-31')) ELSE CASE WHEN type(r) = 'ACCESSIBLE_BY' THEN date('9999-12-31') ELSE coalesce(r.disposal, date('9999-12-31')) END END, u: coalesce(r.period_unknown, false)} AS hop
  WITH v, r, size({c: [i IN before.c WHERE CASE WHEN i[0] > hop.a THEN i[0] ELSE hop.a END <= CASE WHEN i[1] < hop.cb THEN i[1] ELSE hop.cb END | [CASE WHEN i[0] > hop.a THEN i[0] ELSE hop.a END, CASE WHEN i[1] < hop.cb THEN i[1] ELSE hop.cb END]], e: CASE WHEN hop.holding THEN [m IN [reduce(m = null, i IN before.e | CASE WHEN i[0] <= hop.b AND i[1] >= hop.a AND (m IS NULL OR CASE WHEN i[0] > hop.a THEN i[0] ELSE hop.a END < m) THEN CASE WHEN i[0] > hop.a THEN i[0] ELSE hop.a END ELSE m END)] WHERE m IS NOT NULL AND m <= hop.d | [m, hop.d]] ELSE [i IN before.e WHERE CASE WHEN i[0] > hop.a THEN i[0] ELSE hop.a END <= CASE WHEN i[1] < hop.b THEN i[1] ELSE hop.b END | [CASE WHEN i[0] > hop.a THEN i[0] ELSE hop.a END, CASE WHEN i[1] < hop.b THEN i[1] ELSE hop.b END]] END, u: before.u OR hop.u}.e) > 0 AS carries
  // the parent carries the data at some time if one can; then the smallest key
  WITH v, r, carries ORDER BY carries DESC, r.key, type(r)
  WITH v, collect(r)[0] AS parent
  RETURN collect(elementId(parent)) AS tree
}
WITH c, kind, route, origin, reached, tree, wins,
     [x IN reached WHERE x.node:System | x.node.id] + [x IN [origin] WHERE x:System | x.id] AS systems
UNWIND reached AS x
WITH c, kind, route, origin, tree, wins, systems, x.node AS h
WHERE h:Organization
MATCH p = shortestPath((origin)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(h))
WHERE all(r IN relationships(p) WHERE elementId(r) IN tree)
// end generated: route_paths
// generated: route_windows(c, kind, route, origin, p, w) from graph/neo4j/cyphergen.py (scripts/regen)
WITH *, [y IN wins WHERE y.node = last(nodes(p))][0] AS folded
// a handling is one while the data is held; as of a day ($as_of), one that was on that day
WHERE size(folded.e) > 0
  AND ($as_of IS NULL OR any(i IN folded.e WHERE i[0] <= date($as_of) AND date($as_of) <= i[1]))
WITH *, {certain: folded.c, held: folded.e, unknown: folded.u} AS w
// end generated: route_windows
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
