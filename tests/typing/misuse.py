"""Misuses of the public API that a type checker must report: tests/test_typing.py runs mypy
--strict on this file and expects exactly the errors marked ``# E: <code>``, line by line. Never
run."""
from __future__ import annotations

from datetime import date

import entrustment_chain as ec
from entrustment_chain.graph import Proposal, RuleId, analyze, check, load_chain

chain = load_chain("chain.yaml")
result = analyze(chain, as_of="2023-01-31")  # E: arg-type
result.by_rule(42)  # E: arg-type
result.by_rule(RuleId.UNDISCLOSED)  # E: attr-defined
finding = result.by_rule(RuleId.COULD_NOT_SUPERVISE)[0]
finding.handler.upper()  # E: union-attr
finding.severity.order + "1"  # E: operator
ec.load_chian("chain.yaml")  # E: attr-defined
check(chain, ["organizations"])  # E: arg-type
check(chain, Proposal(organisations=[]))  # E: call-arg
check(chain, Proposal(), as_of="2023-01-31")  # E: arg-type
affected: list[int] = check(chain, {}).consignors_affected  # E: assignment
when: date = result.summary["as_of"]  # E: assignment
result.summary["by_rules"]  # E: typeddict-item
result.summary["__pydantic_config__"]  # E: typeddict-item
