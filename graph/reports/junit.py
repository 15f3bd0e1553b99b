"""JUnit XML for CI test reporters (Jenkins' JUnit plugin, GitLab's unit test reports, GitHub
test-report actions): ``chain analyze --format junit`` and ``chain check --format junit``.

``analyze``: one ``<testsuite>`` per rule of the registry, every rule present, in the registry's
order; one ``<testcase>`` per finding, failed (``<failure type="SEVERITY" message="…">`` with the
Japanese message, and the English message, legal basis, windows and routes in its text); a rule
without findings has one passing test case, so that a reporter shows the rule as checked and
passed. ``check``: one suite, one test case per gained (consignor, handler), failed when
something must be done before signing. Test cases are named by organisation names with their ids
in parentheses; ``file`` and ``line`` say where in the chain file the finding is (as SARIF does).

Every element is made with :mod:`xml.etree.ElementTree`, which escapes markup, and written test
case by test case (a large chain has millions of findings); characters XML 1.0 cannot hold at all
(control characters) are written as U+FFFD. No time or host is written: the same input gives the
same bytes.
"""
from __future__ import annotations

import bisect
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import IO, Any, Iterable, Iterator, Sequence

from entrustment_chain.graph.analysis.findings import Analysis, Finding
from entrustment_chain.graph.analysis.messages import Words, path_text
from entrustment_chain.graph.analysis.onboarding import CheckResult, GainedHandler
from entrustment_chain.graph.analysis.registry import RULES, Per, Severity
from entrustment_chain.graph.model.chain import ChainFile
from entrustment_chain.graph.reports.render import bases_ja, windows_ja
from entrustment_chain.graph.reports.sarif import (
    GAINED_HANDLER,
    SourceLines,
    finding_place,
    gained_message_en,
    gained_message_ja,
    gained_rule,
    step_place,
)

# What XML 1.0 cannot hold: C0 controls but tab, LF and CR; lone surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
NO_FINDINGS = "該当なし (no findings)"


def _x(value: Any) -> str:
    return _NOT_XML.sub("\ufffd", str(value))


def _element(tag: str, attributes: dict[str, Any] | None = None, text: str | None = None) -> ET.Element:
    element = ET.Element(tag, {k: _x(v) for k, v in (attributes or {}).items() if v is not None})
    if text is not None:
        element.text = _x(text)
    return element


def _named(org_id: str | None, names: dict[str, str]) -> str:
    if org_id is None:
        return ""
    name = names.get(org_id)
    return f"{name} ({org_id})" if name and name != org_id else org_id


def finding_name(f: Finding, names: dict[str, str]) -> str:
    """A test case's name: ``B社 (b) → NTTビジネスソリューションズ株式会社 (bs)``; an entrustment
    finding adds ``[entrustment]``; a consignor finding is the consignor."""
    per = RULES[f.rule].per
    if per is Per.consignor:
        return _named(f.consignor, names)
    name = f"{_named(f.consignor, names)} → {_named(f.handler, names)}" if f.handler else _named(f.consignor, names)
    return name + (f" [{f.entrustment}]" if per is Per.entrustment and f.entrustment else "")


def _failure_text(f: Finding, words: Words) -> str:
    lines = [f.message_ja, f.message, f"法的根拠：{bases_ja(f)}"]
    if f.legal_references:
        lines += [f"  {b.id}: {b.ref}" for b in f.legal_references]
    if f.conduct_date:
        lines.append(f"行為の時期 (conduct date): {f.conduct_date}")
    when = windows_ja(f)
    if when:
        lines.append(f"期間：{when}")
    for route in f.routes:
        lines.append(f"経路：{words.route(route.kind, route.id, 'ja')}：{words.path(route.path, 'ja')}")
    if f.evidence_unknown:
        lines.append("証拠の一部が不明（回答不能）(some evidence is unknown)")
    return "\n".join(lines)


_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _open_tag(tag: str, attributes: dict[str, Any]) -> str:
    """``<tag a="…">``, its attributes escaped by ElementTree."""
    text = ET.tostring(_element(tag, attributes), encoding="unicode")
    return text[: -len(" />")] + ">"


def _piece(element: ET.Element, level: int) -> str:
    """One element at nesting ``level``, indented as ElementTree indents a whole document."""
    ET.indent(element, space="  ", level=level)
    return "  " * level + ET.tostring(element, encoding="unicode") + "\n"


def _suite_attributes(name: str, tests: int, failures: int) -> dict[str, Any]:
    return {"name": name, "tests": tests, "failures": failures, "errors": 0, "skipped": 0, "time": "0"}


def _properties(values: dict[str, str]) -> ET.Element:
    props = ET.Element("properties")
    for key, value in values.items():
        props.append(_element("property", {"name": key, "value": value}))
    return props


def _write(out: IO[str], name: str,
           suites: Sequence[tuple[dict[str, Any], dict[str, str], Iterable[ET.Element]]]) -> None:
    """A document of ``suites`` ((attributes, properties, test cases)), written case by case: the
    counts are given up front, the cases made as they are written."""
    out.write(_DECLARATION)
    out.write(_open_tag("testsuites", {"name": name, "tests": sum(a["tests"] for a, _, _ in suites),
                                       "failures": sum(a["failures"] for a, _, _ in suites), "errors": 0,
                                       "time": "0"}) + "\n")
    for attributes, properties, cases in suites:
        out.write("  " + _open_tag("testsuite", attributes) + "\n")
        out.write(_piece(_properties(properties), 2))
        for case in cases:
            out.write(_piece(case, 2))
        out.write("  </testsuite>\n")
    out.write("</testsuites>\n")


def _finding_cases(findings: Iterable[Finding], names: dict[str, str], sources: SourceLines | None,
                   rule_id: str, words: Words) -> Iterator[ET.Element]:
    path = sources.path if sources is not None else None
    empty = True
    for f in findings:
        empty = False
        case = _element("testcase", {"name": finding_name(f, names), "classname": f.rule, "file": path,
                                     "line": sources.line(*finding_place(f)) if sources is not None else None,
                                     "time": "0"})
        case.append(_element("failure", {"type": f.severity.value, "message": f.message_ja}, _failure_text(f, words)))
        yield case
    if empty:
        yield _element("testcase", {"name": NO_FINDINGS, "classname": rule_id, "file": path, "time": "0"})


def write_analysis_junit(out: IO[str], analysis: Analysis, chain: ChainFile, sources: SourceLines | None = None) -> None:
    """Write the JUnit XML of an analysis finding by finding (after a baseline, its suppressed
    findings are not there). ``sources``: the chain file's lines, for ``file`` and ``line``."""
    names = {org.id: org.name for org in chain.organizations}
    words = Words(chain)
    counts = Counter(analysis.findings.rules())
    records = analysis.findings.records
    suites: list[tuple[dict[str, Any], dict[str, str], Iterable[ET.Element]]] = []
    for index, (rule_id, rule) in enumerate(RULES.items()):
        found = counts.get(rule_id, 0)
        # the findings are in report order, by rule: each suite reads its own run of them
        start = bisect.bisect_left(records, index, key=lambda r: r.rule)
        findings = (analysis.findings[i] for i in range(start, start + found))
        suites.append((_suite_attributes(rule_id, max(found, 1), found),
                       {"severity": rule.severity.value, "title_ja": rule.title_ja, "title_en": rule.title_en,
                        "per": rule.per.value},
                       _finding_cases(findings, names, sources, rule_id, words)))
    _write(out, "entrustment-chain analyze", suites)


def analysis_junit(analysis: Analysis, chain: ChainFile, sources: SourceLines | None = None) -> str:
    """:func:`write_analysis_junit` as a string."""
    out = io.StringIO()
    write_analysis_junit(out, analysis, chain, sources)
    return out.getvalue()


def _gained_text(g: GainedHandler) -> str:
    lines = [gained_message_ja(g), gained_message_en(g)]
    for route in g.routes:
        marks = ["told" if route.disclosed else "not told", "approved" if route.approved else "not approved"]
        lines.append(f"経路 {route.kind} {route.id} ({', '.join(marks)}; brought in by {route.signer}): "
                     f"{path_text(route.path)}")
    return "\n".join(lines)


def check_junit(result: CheckResult, sources: SourceLines | None = None, proposal: SourceLines | None = None) -> str:
    """JUnit XML of ``chain check``: one test case per gained (consignor, handler), failed when an
    action is needed before signing (its type the severity of the rule it would become)."""
    cases = []
    for g in result.gained:
        names = {g.consignor: g.consignor_name, g.handler: g.handler_name}
        rule_id = gained_rule(g)
        where = step_place(g.routes[0].path[-1]) if g.routes and g.routes[0].path else ("organizations", g.handler)
        found = next(((s.path, s.line(*where)) for s in (proposal, sources)
                      if s is not None and s.path is not None and s.line(*where) is not None), (None, None))
        case = _element("testcase", {"name": f"{_named(g.consignor, names)} ← {_named(g.handler, names)}",
                                     "classname": rule_id, "file": found[0], "line": found[1], "time": "0"})
        if g.actions:
            severity = RULES[rule_id].severity if rule_id != GAINED_HANDLER else Severity.low
            case.append(_element("failure", {"type": severity.value, "message": gained_message_ja(g)},
                                 _gained_text(g)))
        else:
            case.append(_element("system-out", None, _gained_text(g)))
        cases.append(case)
    if not cases:
        cases = [_element("testcase", {"name": "新たな取扱者なし (no new handler)", "classname": GAINED_HANDLER,
                                       "time": "0"})]
    failures = sum(1 for case in cases if case.find("failure") is not None)
    out = io.StringIO()
    _write(out, "entrustment-chain check", [(_suite_attributes("gained_handlers", len(cases), failures),
                                             {"consignors_affected": str(len(result.consignors_affected))}, cases)])
    return out.getvalue()
