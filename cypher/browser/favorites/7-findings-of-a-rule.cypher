// Findings of one rule ($rule) as a table: consignor, handler or entrustment, and the message
CALL () {
  MATCH (h:Organization {dataset: $dataset})-[f:UNDISCLOSED_TO|FINDING]->(c:Organization)
  WHERE f.rule = $rule
  RETURN c.name AS consignor, h.name AS handler, null AS entrustment, f.message_ja AS message
  UNION ALL
  MATCH (c:Organization {dataset: $dataset})-[e:ENTRUSTS]->(x:Organization)
  WHERE $rule IN e.findings
  RETURN c.name AS consignor, x.name AS handler, e.key AS entrustment, null AS message
  UNION ALL
  MATCH (c:Organization {dataset: $dataset})
  WHERE $rule IN c.findings
  RETURN c.name AS consignor, null AS handler, null AS entrustment, null AS message
}
RETURN consignor, handler, entrustment, message
ORDER BY consignor, handler, entrustment
