// name: breach_reach
// description: For Neo4j Browser: when a handler leaks, the paths by which it reached each
//   organisation's data within a window (window_from, window_to: ISO days, null = unbounded),
//   one per route, as paths to draw, with every organisation's role for that data and its
//   duty under today's law. The route's own organisation (column consignor) is an end
//   consignor for its own data (its entrustment, or its own system) and an intermediary for a
//   system where it processes data entrusted to it; every contractor of an entrustment on the
//   path (an access step's grant is under one) holds the data for its consignor: an
//   intermediary, or the handler itself (one row each, the same route and path). A business
//   holding others' data may notify its consignors instead of reporting (APPI Art. 26(1)
//   proviso); a public body holding them reports under Art. 68 itself; an end consignor
//   reports to the PPC and notifies the people when a threshold is met (Art. 26 for
//   businesses, Art. 68 for public bodies). With as_of, the windows end on that day (the
//   records as they stood then; the window decides the rest). A handling that rests on an
//   unknown period is possible, never certain. `chain breach` gives the thresholds, people,
//   deadlines and the law by the day known.
// parameters: dataset, handler, window_from?, window_to?, as_of?
// columns: consignor, name, role, duty, status, route, p
MATCH (c:Organization {dataset: $dataset})
WHERE c.id <> $handler
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
// only the handler's reach (the rest of the tree is not looked at further)
WITH *
WHERE h.id = $handler
WITH *, [y IN wins WHERE y.node = h][0] AS at
// the records as they stood on $as_of: nothing after that day
WITH c, kind, route, origin, p, at.u AS unknown,
     [i IN at.e WHERE $as_of IS NULL OR i[0] <= date($as_of)
      | [i[0], CASE WHEN $as_of IS NOT NULL AND i[1] > date($as_of) THEN date($as_of) ELSE i[1] END]] AS held_all,
     [i IN at.c WHERE $as_of IS NULL OR i[0] <= date($as_of)
      | [i[0], CASE WHEN $as_of IS NOT NULL AND i[1] > date($as_of) THEN date($as_of) ELSE i[1] END]] AS certain_all
// the window: a reach counts when the data was held within it, certainly or possibly
WITH c, kind, route, origin, p, unknown,
     [i IN held_all WHERE ($window_from IS NULL OR i[1] >= date($window_from))
                      AND ($window_to IS NULL OR i[0] <= date($window_to))] AS held,
     [i IN certain_all WHERE ($window_from IS NULL OR i[1] >= date($window_from))
                         AND ($window_to IS NULL OR i[0] <= date($window_to))] AS certain
WHERE size(held) > 0
WITH c, route, p, CASE WHEN size(certain) > 0 AND NOT unknown THEN 'certain' ELSE 'possible' END AS status,
     kind = 'entrustment' OR (origin.personal_data = true AND EXISTS { MATCH (c)-[:OPERATES]->(origin) }) AS own
// who holds the data on the path: the contractor of each step's entrustment (an access step's
// grant, HAS_ACCESS beside it, is under one)
CALL (p) {
  UNWIND relationships(p) AS r
  WITH r, startNode(r) AS a, endNode(r) AS b
  OPTIONAL MATCH (b)-[g:HAS_ACCESS {key: r.key}]->(a)
  WITH a, CASE WHEN type(r) = 'ACCESSIBLE_BY' THEN g.under ELSE r.entrustment END AS under
  OPTIONAL MATCH (:Organization {dataset: a.dataset})-[e:ENTRUSTS {key: under}]->(holder:Organization)
  WITH holder WHERE holder IS NOT NULL
  RETURN collect(DISTINCT holder) AS holders
}
UNWIND [{o: c, role: CASE WHEN own THEN 'consignor' ELSE 'intermediary' END}]
       + [x IN holders | {o: x, role: CASE WHEN x.id = $handler THEN 'handler' ELSE 'intermediary' END}] AS who
WITH who.o AS o, who.role AS role, status, route, p
RETURN o.id AS consignor, o.name AS name, role,
       CASE WHEN role = 'consignor' AND o.kind = 'private'
              THEN 'reports to the PPC and notifies the people when a threshold is met (APPI Art. 26(1), 26(2))'
            WHEN role = 'consignor'
              THEN 'reports to the PPC and notifies the people when a threshold is met (APPI Art. 68(1), 68(2))'
            WHEN o.kind = 'private' THEN 'may notify its consignor instead of reporting (APPI Art. 26(1) proviso)'
            ELSE 'reports under APPI Art. 68 itself: the proviso of Art. 26(1) is a business\'s only' END AS duty, status,
       route, p
ORDER BY consignor, role, route
