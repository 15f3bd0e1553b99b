"""A consumer of the public API as a user's code would use it. tests/test_typing.py type-checks
it with mypy --strict against the package as installed (py.typed), expecting no error, and runs
it, so it stays true to what the library does."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import entrustment_chain as ec
from entrustment_chain.graph.analysis.findings import Summary
from entrustment_chain.graph import (
    Access,
    AccessKind,
    Analysis,
    BreachReport,
    ChainFile,
    CheckResult,
    Finding,
    InputError,
    Organization,
    Proposal,
    RuleId,
    Severity,
    Survey,
    UnknownRule,
    analyze,
    breach,
    check,
    chain_from_dict,
    load_chain,
    survey,
)

FIXTURES = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("fixtures")


def undisclosed(result: Analysis) -> list[tuple[str, str]]:
    """(consignor, handler) of every undisclosed handling."""
    hidden: list[Finding] = result.by_rule(RuleId.UNDISCLOSED_SUBCONTRACTING)
    return [(f.consignor, f.handler) for f in hidden if f.handler is not None]


def main() -> None:
    chain: ChainFile = load_chain(FIXTURES / "procx-2024" / "chain.yaml")
    result = analyze(chain)
    pairs = undisclosed(result)
    by_string = result.by_rule("could_not_supervise")  # a rule id as a string works too
    worst: Severity | None = result.worst()
    steps = [step.key for step in result.by_rule(RuleId.UNDISCLOSED_SUBCONTRACTING)[0].path]
    print(len(pairs), len(by_string), worst.value if worst else None, len(steps) > 0)

    earlier: Analysis = ec.analyze(chain, as_of=date(2023, 1, 31))
    counts: dict[str, int] = earlier.summary["by_rule"]
    print(counts[RuleId.COULD_NOT_SUPERVISE])

    try:
        result.by_rule("undisclosed_subcontractin")
    except UnknownRule as error:
        print(error.suggestion)

    table: Survey = survey(chain, "procx")
    item = table.items["clauses.transfer_safety"]
    print(table.consignors, getattr(item, "yes_pct", None))

    base = load_chain(FIXTURES / "procx-2024" / "chain-without-bs.yaml")
    proposal = Proposal(
        organizations=[Organization(id="bs", name="NTTビジネスソリューションズ株式会社")],
        access=[Access(organization="bs", system="procx-cc", kind=AccessKind.maintenance)],
    )
    outcome: CheckResult = check(base, proposal, as_of=date(2020, 4, 1))
    print(len(outcome.consignors_affected), [a.type for a in outcome.blocking[0].actions])
    from_file: CheckResult = check(base, Proposal.read(str(FIXTURES / "procx-2024" / "proposal-bs.yaml")))
    print(len(from_file.gained))
    try:
        check(chain, {"access": [{"organization": "bs", "system": "procx-cc", "kind": "maintenance"}]})
    except InputError as error:
        print(error.problems[0].line is None, error.problems[0].field)

    leak: BreachReport = breach(chain, "bs", (date(2013, 7, 1), None), known=date(2023, 10, 17),
                                intent="wrongful")
    print(leak.totals.affected)

    small: ChainFile = chain_from_dict({
        "schema": "entrustment-chain/v1",
        "organizations": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
        "entrustments": [{"id": "a-b", "consignor": "a", "contractor": "b", "personal_data": True}],
    })
    print(len(analyze(small).findings))


# a summary built in code needs only the keys the document has (no config key to type checkers)
SUMMARY: Summary = {"consignors": 0, "handlers": 0, "findings": 0, "by_rule": {}, "by_severity": {}}


if __name__ == "__main__":
    main()