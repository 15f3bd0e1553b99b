// Findings by rule: how many of each, with a few of them ($rule: one, or '' for all)
CALL () {
  MATCH (h:Organization {dataset: $dataset})-[f:UNDISCLOSED_TO|FINDING]->(c:Organization)
  RETURN f.rule AS rule, c.display + ' ← ' + h.display AS about
  UNION ALL
  MATCH (c:Organization {dataset: $dataset})-[e:ENTRUSTS]->(x:Organization)
  WHERE e.findings IS NOT NULL
  UNWIND e.findings AS rule
  RETURN rule, c.display + ' → ' + x.display + ' (' + e.key + ')' AS about
  UNION ALL
  MATCH (c:Organization {dataset: $dataset})
  WHERE c.findings IS NOT NULL
  UNWIND c.findings AS rule
  RETURN rule, c.display AS about
}
WITH rule, about
WHERE $rule = '' OR rule = $rule
RETURN rule, count(*) AS findings, collect(about)[..5] AS some
ORDER BY findings DESC, rule
