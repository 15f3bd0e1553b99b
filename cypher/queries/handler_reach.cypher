// name: handler_reach
// description: Whose data one handler can reach, as chain breach reads it: every route of
//   every other organisation (its entrustments that may carry personal data, its own systems
//   holding personal data, the systems where it processes data entrusted to it) whose data
//   reaches the handler, with the route's canonical path to it (the tree of shortest paths
//   from the route's origin, as the networkx backend chooses it) and when the data was there
//   (certain, held); and, for such a route, one row per system its data is in (a path ending
//   in PLACES_DATA_IN) with the route's canonical path to the system and the windows there,
//   by which chain breach --systems judges the route's paths through the systems. With as_of,
//   the windows are cut at that day (the records as they stood then; it filters nothing else).
//   graph/analysis/breach.py judges the rows.
// parameters: dataset, handler, as_of?
// columns: consignor, kind, route, path, certain, held, unknown
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
// The route's canonical path to the handler with the windows there (the union over its shortest
// paths), and its canonical path to every system its data is in with the windows there.
CALL (origin, tree, wins, p) {
  WITH p AS q, [y IN wins WHERE y.node = last(nodes(p))][0] AS at
  RETURN q, at
  UNION ALL
  UNWIND [y IN wins WHERE y.node:System] AS at
  WITH at, at.node AS s
  MATCH q = shortestPath((origin)-[:ENTRUSTS|PLACES_DATA_IN|ACCESSIBLE_BY*1..24]->(s))
  WHERE all(r IN relationships(q) WHERE elementId(r) IN tree)
  RETURN q, at
}
// the records as they stood on $as_of: nothing after that day (a handling need not stand on it),
// a handling is one while the data is held
WITH c, kind, route, q, at.u AS unknown_period,
     [i IN at.c WHERE $as_of IS NULL OR i[0] <= date($as_of)
      | [i[0], CASE WHEN $as_of IS NOT NULL AND i[1] > date($as_of) THEN date($as_of) ELSE i[1] END]] AS certain_days,
     [i IN at.e WHERE $as_of IS NULL OR i[0] <= date($as_of)
      | [i[0], CASE WHEN $as_of IS NOT NULL AND i[1] > date($as_of) THEN date($as_of) ELSE i[1] END]] AS held_days
WHERE size(held_days) > 0
RETURN c.id AS consignor, kind, route,
       [s IN relationships(q) | {type: type(s), key: s.key, source: startNode(s).id, target: endNode(s).id}] AS path,
       certain_days AS certain, held_days AS held, unknown_period AS unknown
ORDER BY consignor, CASE kind WHEN 'entrustment' THEN 0 ELSE 1 END, route, length(q), last(nodes(q)).id
