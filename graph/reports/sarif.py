"""SARIF 2.1.0 for code-scanning tools (GitHub code scanning, GitLab, Azure DevOps, IDE viewers):
``chain analyze --format sarif`` and ``chain check --format sarif``.

The log is for Japanese officers first: ``run.language`` is ``ja-JP``, each result's
``message.text`` is the finding's Japanese message (``message_ja``) and each rule's short and
full descriptions are its Japanese title and condition; the English is kept beside them in
``properties`` (``message_en``, ``title_en``, ``description_en``) and in the rule's help text.

- ``tool.driver.rules`` is the rule registry, in its order (``ruleIndex`` points into it), with
  each rule's legal basis in its help, ``defaultConfiguration.level`` from its severity
  (high → error, medium → warning, low → note) and GitHub's ``security-severity``.
- Each result is located at the line of the chain file the finding is about (the entrustment of
  an entrustment finding, the consignor's route for a path finding, the consignor for
  ``could_not_supervise``), with ``logicalLocations`` naming the consignor and the handler or
  entrustment, a ``codeFlow`` for each route of a path finding (one location per step, at the
  line of the entrustment or access grant it follows) and ``partialFingerprints`` holding a hash
  of the finding's identity (rule, consignor, handler or entrustment: :func:`..analysis.baseline.fingerprint`),
  so that a finding is known again across runs whatever its paths and windows.
- Findings a baseline accepts stay results, with ``suppressions`` (kind external, status
  accepted, the reason as justification, who accepted it and when); stale and expired entries
  are ``toolExecutionNotifications``.

Lines come from reading the chain file again with the loader's line map
(:func:`..io.sourcemap.parse_yaml` / ``json_lines``); standard input cannot be read again, so
its results have logical locations only, and so has a JSON chain file over
:data:`MAX_LINE_MAP_BYTES` (whose line map would cost more memory than the analysis).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any, Iterable, Iterator
from urllib.parse import quote

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.baseline import BaselineMatch, apply_baseline, fingerprint
from entrustment_chain.graph.analysis.findings import Analysis, Finding, Step
from entrustment_chain.graph.analysis.legal import legal_bases
from entrustment_chain.graph.analysis.messages import Words
from entrustment_chain.graph.analysis.onboarding import CheckResult, GainedHandler
from entrustment_chain.graph.analysis.registry import RULE_INDEX, RULES, Per, Rule, Severity
from entrustment_chain.graph.errors import InputError
from entrustment_chain.graph.io.loader import STDIN, max_bytes, read_text
from entrustment_chain.graph.io.sourcemap import SourceError, SourceErrors, parse_json, parse_yaml
from entrustment_chain.graph.model.chain import ACCESS_KIND_JA, KIND_JA, ChainFile, OrgKind
from entrustment_chain.graph.reports.render import route_windows_ja, windows_ja

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "entrustment-chain"
LANGUAGE = "ja-JP"
LEVEL = {Severity.high: "error", Severity.medium: "warning", Severity.low: "note"}
# GitHub code scanning ranks alerts of rules tagged "security" by this score (0.0-10.0): over 7.0
# is high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {Severity.high: "8.0", Severity.medium: "5.0", Severity.low: "2.0"}
# How sure a finding is, given the chain file: the rules read recorded facts, except that a
# contract marked as no personal data is only *likely* a re-entrustment of it.
PRECISION = {"misclassified_subcontract": "medium"}
FINGERPRINT = "findingIdentity/v1"
# A JSON chain file larger than this is not read again for line numbers (results keep their
# artifact and logical locations): its line map costs about 14 MB per MiB of JSON (a 16 MiB file
# took 217 MB more than the analysis alone). YAML files are limited to 2 MiB anyway.
MAX_LINE_MAP_BYTES = 32 << 20

# chain check: a gained handler the consignor was told of and approved (nothing to do) is a note
# of this rule; one that needs an action is a result of the registry rule it would become.
GAINED_HANDLER = "gained_handler"


def tool_version() -> str:
    try:
        return metadata.version("entrustment-chain")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "0+unknown"


# ---------------------------------------------------------------------------------------------
# Where elements of a chain file (or a proposal) are


def artifact_uri(path: str) -> str:
    """A file's path as a SARIF URI: relative paths as given (with '/'), percent-encoded; an
    absolute path below the working directory made relative to it, others a file: URI."""
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            return Path(path).as_uri()
        path = relative
    return quote(path.replace(os.sep, "/"), safe="/-._~")


@dataclass
class SourceLines:
    """The line of each organization, system, entrustment and access grant of one file, by id
    (access by ``organization@system``, its first grant), and the file's URI (None for standard
    input or inline text, which have no location)."""

    path: str | None
    lines: dict[tuple[str, str], int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # organisations' names, by id

    @functools.cached_property
    def uri(self) -> str | None:
        return artifact_uri(self.path) if self.path is not None else None

    @classmethod
    def of_input(cls, path: str | None, chain: ChainFile) -> "SourceLines":
        """Where a command's findings are located: the lines of the chain file ``path``
        (:meth:`read`); a chain read from a Neo4j dataset (``path`` None) has no lines, and its
        elements are located by their organisations' names only."""
        if path is None:
            return cls(None, names={o.id: o.name for o in chain.organizations})
        return cls.read(path)

    @classmethod
    def read(cls, path: str) -> "SourceLines":
        """The lines of a chain file already loaded (so valid); ``-`` (standard input, read once)
        has none."""
        if str(path) == STDIN:
            return cls(None)
        fmt = "json" if str(path).lower().endswith(".json") else "yaml"
        try:
            if fmt == "json" and os.stat(path).st_size > min(MAX_LINE_MAP_BYTES, max_bytes("json")):
                return cls(str(path))
            text = read_text(path, fmt)
            data, lines = parse_json(text) if fmt == "json" else parse_yaml(text)
        except (OSError, InputError, SourceError, SourceErrors):  # changed since it was loaded
            return cls(str(path))
        return cls.of(str(path), data, lines)

    @classmethod
    def of(cls, path: str | None, data: Any, lines: dict) -> "SourceLines":
        """From a parsed file and its line map (:func:`..io.sourcemap.parse_yaml`)."""
        found: dict[tuple[str, str], int] = {}
        names: dict[str, str] = {}
        if not isinstance(data, dict):
            return cls(path, found)
        for section in ("organizations", "systems", "entrustments", "access"):
            items = data.get(section)
            if not isinstance(items, list):
                continue
            for index, item in enumerate(items):
                line = lines.get((section, index))
                if not isinstance(item, dict) or line is None:
                    continue
                if section == "access":
                    key = f"{item.get('organization')}@{item.get('system')}"
                else:
                    key = str(item.get("id"))
                found.setdefault((section, key), line)
                if section == "organizations" and isinstance(item.get("name"), str):
                    names.setdefault(key, item["name"])
                if section == "entrustments" and (section, index, "systems") in lines:
                    found.setdefault(("entrustments.systems", key), lines[(section, index, "systems")])
        return cls(path, found, names)

    def line(self, section: str, key: str | None) -> int | None:
        return self.lines.get((section, key)) if key is not None else None


@dataclass
class _Artifacts:
    """The run's artifacts (chain file, proposal, baseline) and their indexes."""

    items: list[dict] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)

    def add(self, uri: str | None, role: str) -> None:
        if uri is not None and uri not in self.index:
            self.index[uri] = len(self.items)
            self.items.append({"location": {"uri": uri}, "roles": [role]})

    def physical(self, uri: str | None, line: int | None) -> dict | None:
        if uri is None:
            return None
        out: dict[str, Any] = {"artifactLocation": {"uri": uri, "index": self.index[uri]}}
        if line is not None:
            out["region"] = {"startLine": line}
        return out


def _location(artifacts: _Artifacts, section: str, key: str | None, *sources: SourceLines | None,
              message: str | None = None, logical: list[dict] | None = None) -> dict:
    """A SARIF location at the line of an element, in the first of ``sources`` that has it; else
    in a file whose lines were not read (a large JSON chain file), without a line; else none
    (standard input, inline text)."""
    files = [where for where in sources if where is not None and where.uri is not None]
    found = next(((where.uri, where.line(section, key)) for where in files if where.line(section, key) is not None),
                 next(((where.uri, None) for where in files if not where.lines), (None, None)))
    out: dict[str, Any] = {}
    physical = artifacts.physical(*found)
    if physical is not None:
        out["physicalLocation"] = physical
    if logical:
        out["logicalLocations"] = logical
    if message:
        out["message"] = {"text": message}
    return out


def _org(org_id: str, name: str | None) -> dict:
    return {"name": name or org_id, "fullyQualifiedName": f"organizations/{org_id}", "kind": "organization"}


def _entrustment(entrustment: str) -> dict:
    return {"name": entrustment, "fullyQualifiedName": f"entrustments/{entrustment}", "kind": "entrustment"}


def _named(org_id: str, names: dict[str, str]) -> str:
    name = names.get(org_id)
    return f"{name}（{org_id}）" if name and name != org_id else org_id


def step_place(step: Step | S.PathStep) -> tuple[str, str | None]:
    """The element of a chain file a path step stands for: (section, key) for SourceLines."""
    if step.type == S.ENTRUSTS:
        return "entrustments", step.entrustment or step.key
    if step.type == S.PLACES_DATA_IN:
        if step.entrustment:
            return "entrustments.systems", step.entrustment
        return "systems", step.target
    return "access", f"{step.target}@{step.source}"


def _step_text(step: Step, names: dict[str, str], words: Words | None = None) -> str:
    """What one step of a code flow does, in Japanese: by names (``words``: systems and
    entrustments too, as :class:`..analysis.messages.Words` names them), ids in parentheses."""
    if words is not None:
        if step.type == S.ENTRUSTS:
            return (f"{words.named(step.source, 'ja')}が{words.named(step.target, 'ja')}に"
                    f"{words.entrusts(step.source not in words.contractors, 'ja')}（{step.entrustment or step.key}）")
        if step.type == S.PLACES_DATA_IN:
            via = f"（{words.entrustment(step.entrustment, 'ja')}）" if step.entrustment else ""
            return f"{words.named(step.source, 'ja')}のデータを{words.system_named(step.target, 'ja')}に格納{via}"
        kind = words.access_kinds.get(step.key, "other")
        return (f"{words.named(step.target, 'ja')}が{words.system_named(step.source, 'ja')}にアクセスできる"
                f"（{ACCESS_KIND_JA.get(kind, kind)}）")
    if step.type == S.ENTRUSTS:
        return f"{_named(step.source, names)}が{_named(step.target, names)}に委託（{step.entrustment or step.key}）"
    if step.type == S.PLACES_DATA_IN:
        via = f"（委託{step.entrustment}）" if step.entrustment else ""
        return f"{_named(step.source, names)}のデータをシステム{step.target}に保存{via}"
    return f"{_named(step.target, names)}がシステム{step.source}にアクセスできる"


def _route_text(kind: str, route_id: str, words: Words | None) -> str:
    if words is not None:
        return f"経路：{words.route(kind, route_id, 'ja')}"
    return f"経路：{'委託' if kind == 'entrustment' else 'システム'} {route_id}"


def _code_flows(routes: Iterable[Any], artifacts: _Artifacts, names: dict[str, str],
                *sources: SourceLines | None, words: Words | None = None) -> list[dict]:
    """One code flow per route: the route and its windows, one location per step (named by
    ``words`` when given, else by ``names``)."""
    flows = []
    for route in routes:
        steps = [{"location": _location(artifacts, *step_place(step), *sources,
                                        message=_step_text(step, names, words))}
                 for step in route.path]
        if not steps:
            continue
        text = _route_text(route.kind, route.id, words)
        if words is not None:
            text += f"：{words.path(route.path, 'ja')}"
        windows = getattr(route, "windows", None)
        if windows is not None:
            text += (f"。期間：{route_windows_ja(windows, UNKNOWN_PERIOD)}" if words is not None
                     else f"（{route_windows_ja(windows, UNKNOWN_PERIOD)}）")
        flows.append({"message": {"text": text}, "threadFlows": [{"locations": steps}]})
    return flows


UNKNOWN_PERIOD = "（期間不明の要素あり）"


# ---------------------------------------------------------------------------------------------
# Rules


def _pascal(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.split("_"))


def _bases_by_kind(rule: Rule) -> list[tuple[str, list]]:
    return [(KIND_JA[kind.value], legal_bases(rule, kind, None)) for kind in OrgKind]


def rule_descriptor(rule: Rule) -> dict:
    """A registry rule as a SARIF reportingDescriptor."""
    bases = _bases_by_kind(rule)
    help_text = "\n".join([
        f"{rule.title_ja}（{rule.title_en}）",
        f"条件：{rule.when_ja}",
        f"When: {rule.when_en}",
        f"指摘の単位：{rule.per.value}、重大度：{rule.severity.value}",
        *[f"法的根拠（{kind}、現行）：{'、'.join(b.ja for b in found)}" for kind, found in bases],
        "各指摘の法的根拠は委託元の種別と行為の時期（conduct_date）により選ばれ、結果の properties."
        "legal_references に示す（当時の法令）。",
        "Each result's legal basis is chosen by the consignor's kind and the date of the conduct, as the "
        "law stood then (result properties.legal_references).",
    ])
    help_markdown = "\n".join([
        f"**{rule.title_ja}**（{rule.title_en}）", "",
        f"- 条件：{rule.when_ja}",
        f"- When: {rule.when_en}",
        f"- 指摘の単位：{rule.per.value}、重大度：{rule.severity.value}",
        *[f"- 法的根拠（{kind}、現行）：" + "、".join(f"[{b.ja}]({b.ref})" for b in found) for kind, found in bases],
        "",
        "各指摘の法的根拠は委託元の種別と行為の時期（`conduct_date`）により選ばれ、結果の "
        "`properties.legal_references` に示す（当時の法令）。",
    ])
    return {
        "id": rule.id,
        "name": _pascal(rule.id),
        "shortDescription": {"text": rule.title_ja},
        "fullDescription": {"text": rule.when_ja},
        "help": {"text": help_text, "markdown": help_markdown},
        "helpUri": bases[0][1][0].ref,
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "tags": ["privacy", "personal-data", "security", "entrustment", rule.severity.value],
            "precision": PRECISION.get(rule.id, "high"),
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "severity": rule.severity.value,
            "per": rule.per.value,
            "title_en": rule.title_en,
            "description_en": rule.when_en,
            "legal_references": sorted({b.id for _, found in bases for b in found}),
        },
    }


def _gained_descriptor() -> dict:
    return {
        "id": GAINED_HANDLER,
        "name": _pascal(GAINED_HANDLER),
        "shortDescription": {"text": "説明・承認済みの新たな取扱者（chain check）"},
        "fullDescription": {"text": "提案により委託元のデータに新たな取扱者が加わるが、委託元はその経路のすべてについて説明を"
                                    "受け、再委託を制限する委託では承認している。対応は不要"},
        "help": {"text": "chain check: the proposal gives the consignor's data a new handler it has been told of "
                         "on every route, and approved where its contract restricts re-entrustment: nothing "
                         "to do; recorded so that the change is on file."},
        "defaultConfiguration": {"level": "note"},
        "properties": {"tags": ["privacy", "personal-data", "entrustment"], "precision": "high",
                       "title_en": "new handler, told and approved (chain check)"},
    }


def _driver(rules: list[dict]) -> dict:
    version = tool_version()
    return {"name": TOOL_NAME, "version": version, "semanticVersion": version, "language": LANGUAGE,
            "rules": rules}


def _log(run: dict) -> dict:
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def to_text(log: dict) -> str:
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------------------------------------
# chain analyze


def finding_place(f: Finding) -> tuple[str, str]:
    """The element a finding is about: (section, key) for SourceLines."""
    per = RULES[f.rule].per
    if per is Per.entrustment and f.entrustment:
        return "entrustments", f.entrustment
    if per is Per.consignor_handler:
        if f.entrustment:
            return "entrustments", f.entrustment
        if f.routes:
            route = f.routes[0]
            return ("entrustments" if route.kind == "entrustment" else "systems"), route.id
    return "organizations", f.consignor


def _related(f: Finding, primary: tuple[str, str], artifacts: _Artifacts, sources: SourceLines | None,
             names: dict[str, str], words: Words | None = None) -> list[dict]:
    """The organisations and the other routes a finding names, each at its line."""
    out = []
    people = [(f.consignor, "委託元")] + ([(f.handler, "取扱者" if RULES[f.rule].per is Per.consignor_handler
                                           else "委託先")] if f.handler else [])
    people += [(h, "説明を受けていない取扱者") for h in f.handlers]
    for org_id, role in people:
        out.append(_location(artifacts, "organizations", org_id, sources, message=f"{role}：{_named(org_id, names)}"))
    for route in f.routes:
        section = "entrustments" if route.kind == "entrustment" else "systems"
        if (section, route.id) != primary:
            out.append(_location(artifacts, section, route.id, sources, message=_route_text(route.kind, route.id, words)))
    for index, location in enumerate(out, 1):
        location["id"] = index
    return out


class _AnalysisLog:
    """The SARIF log of an analysis, made result by result (a large chain has millions)."""

    def __init__(self, analysis: Analysis, chain: ChainFile, sources: SourceLines | None,
                 match: BaselineMatch | None):
        self.analysis, self.sources, self.match = analysis, sources, match
        self.names = {org.id: org.name for org in chain.organizations}
        self.words = Words(chain)
        self.artifacts = _Artifacts()
        self.artifacts.add(sources.uri if sources else None, "analysisTarget")
        self.baseline_uri = (artifact_uri(match.baseline.file) if match and match.baseline.file != "<stdin>"
                             else None)
        self.artifacts.add(self.baseline_uri, "userSpecifiedConfiguration")

    def head(self) -> dict:
        """The log without its results (``results`` holds :data:`_RESULTS`)."""
        analysis, match = self.analysis, self.match
        summary = apply_baseline(analysis, match.baseline, match=match).summary if match else analysis.summary
        run: dict[str, Any] = {
            "tool": {"driver": _driver([rule_descriptor(r) for r in RULES.values()])},
            "invocations": [_invocation(analysis, match, self.artifacts, self.baseline_uri)],
            "language": LANGUAGE,
            "artifacts": self.artifacts.items,
            "results": _RESULTS,
            "properties": {"source": analysis.source, "backend": analysis.backend, "summary": summary},
        }
        if not self.artifacts.items:
            del run["artifacts"]
        return _log(run)

    def results(self) -> Iterator[dict]:
        for index, f in enumerate(self.analysis.findings):
            yield self.result(index, f)

    def result(self, index: int, f: Finding) -> dict:
        artifacts, sources, names, match = self.artifacts, self.sources, self.names, self.match
        rule = RULES[f.rule]
        primary = finding_place(f)
        logical = [_org(f.consignor, names.get(f.consignor))]
        if f.handler and rule.per is Per.consignor_handler:
            logical.append(_org(f.handler, names.get(f.handler)))
        if f.entrustment:
            logical.append(_entrustment(f.entrustment))
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": RULE_INDEX[f.rule],
            "level": LEVEL[f.severity],
            "message": {"text": f.message_ja},
            "locations": [_location(artifacts, *primary, sources, logical=logical)],
            "partialFingerprints": {FINGERPRINT: fingerprint(f.rule, f.consignor, f.handler, f.entrustment)},
        }
        flows = _code_flows(f.routes, artifacts, names, sources, words=self.words)
        if flows:
            result["codeFlows"] = flows
        related = _related(f, primary, artifacts, sources, names, self.words)
        if related:
            result["relatedLocations"] = related
        if match is not None:
            accepted = match.suppressed.get(index)
            result["suppressions"] = ([] if accepted is None
                                      else [_suppression(match, accepted, artifacts, self.baseline_uri)])
        properties: dict[str, Any] = {
            "message_en": f.message,
            "severity": f.severity.value,
            "consignor": f.consignor,
            "handler": f.handler,
            "entrustment": f.entrustment,
            "conduct_date": f.conduct_date,
            "legal_references": [{"id": b.id, "ja": b.ja, "ref": b.ref} for b in f.legal_references],
            "evidence_unknown": f.evidence_unknown,
        }
        if f.handlers:
            properties["handlers"] = f.handlers
        when = windows_ja(f)
        if when:
            properties["windows_ja"] = when
        result["properties"] = properties
        return result


# stands for the results while the rest of a log is written (never a value of a log)
_RESULTS = "\x00results\x00"


def analysis_sarif(analysis: Analysis, chain: ChainFile, sources: SourceLines | None = None,
                   match: BaselineMatch | None = None) -> dict:
    """The SARIF log of an analysis (every finding, those ``match`` suppresses with their
    suppressions). ``sources``: the chain file's lines (:meth:`SourceLines.read`)."""
    log = _AnalysisLog(analysis, chain, sources, match)
    head = log.head()
    head["runs"][0]["results"] = list(log.results())
    return head


def write_analysis_sarif(out: IO[str], analysis: Analysis, chain: ChainFile, sources: SourceLines | None = None,
                         match: BaselineMatch | None = None) -> None:
    """Write :func:`analysis_sarif` as :func:`to_text` would, one result at a time, without
    holding the log (a result is a few kilobytes; a large chain has millions of findings)."""
    log = _AnalysisLog(analysis, chain, sources, match)
    before, after = to_text(log.head()).split(json.dumps(_RESULTS), 1)
    line = before.rsplit("\n", 1)[-1]
    indent = line[: len(line) - len(line.lstrip())] + "  "
    out.write(before)
    first = True
    for result in log.results():
        out.write(("[\n" if first else ",\n") + indent)
        out.write(json.dumps(result, ensure_ascii=False, indent=2).replace("\n", "\n" + indent))
        first = False
    out.write("[]" if first else "\n" + indent[:-2] + "]")
    out.write(after)


def _suppression(match: BaselineMatch, index: int, artifacts: _Artifacts, baseline_uri: str | None) -> dict:
    """SARIF's record of a finding the baseline's entry ``index`` accepts."""
    entry = match.baseline.entries[index]
    out: dict[str, Any] = {"kind": "external", "status": "accepted", "justification": entry.reason}
    physical = artifacts.physical(baseline_uri, match.baseline.line(index))
    if physical is not None:
        out["location"] = {"physicalLocation": physical}
    properties = {"accepted_by": entry.accepted_by, "accepted_on": entry.accepted_on.isoformat()}
    if entry.expires is not None:
        properties["expires"] = entry.expires.isoformat()
    out["properties"] = properties
    return out


def _invocation(analysis: Analysis, match: BaselineMatch | None, artifacts: _Artifacts,
                baseline_uri: str | None) -> dict:
    """The run went through; what it warned of: routes beyond the step bound, stale and expired
    acceptances (as the CLI prints them)."""
    notes = []
    bound = analysis.summary.get("step_bound")
    if bound and bound["truncated"]:
        notes.append({"level": "warning", "message": {"text": (
            f"{len(bound['truncated'])} route(s) pass data on beyond {bound['max_steps']} steps, which are not "
            "followed: " + ", ".join(f"{x['consignor']} by {x['route']}" for x in bound["truncated"]))}})
    if match is not None:
        for text in match.warnings():
            notes.append({"level": "warning", "message": {"text": text.removeprefix("warning: ")}})
    out: dict[str, Any] = {"executionSuccessful": True}
    if notes:
        out["toolExecutionNotifications"] = notes
    return out


# ---------------------------------------------------------------------------------------------
# chain check


def gained_rule(g: GainedHandler) -> str:
    """The rule a gained handler would be a finding of once signed: undisclosed when someone must
    inform the consignor, unapproved when it must only approve; :data:`GAINED_HANDLER` when
    nothing is to be done."""
    types = {a.type for a in g.actions}
    if "inform" in types:
        return "undisclosed_subcontracting"
    if "approve" in types:
        return "unapproved_subcontracting"
    return GAINED_HANDLER


def gained_message_ja(g: GainedHandler) -> str:
    routes = "、".join(r.id for r in g.routes)
    status = []
    if not g.disclosed:
        status.append("説明を受けていない")
    if not g.approved:
        status.append("承認していない")
    head = (f"提案により、{g.handler_name}（{g.handler}）が{g.consignor_name}（{g.consignor}）のデータを取り扱う"
            f"ことになる（経路：{routes}）。")
    if not g.actions:
        return head + f"{g.consignor_name}は説明を受け、必要な承認をしている。"
    return head + f"{g.consignor_name}は" + "・".join(status or ["確認を要する"]) + "。契約前に：" + \
        "".join(a.text_ja for a in g.actions)


def gained_message_en(g: GainedHandler) -> str:
    routes = ", ".join(r.id for r in g.routes)
    head = (f"The proposal gives {g.consignor_name} ({g.consignor})'s data to {g.handler_name} ({g.handler}) "
            f"(routes: {routes}): ")
    if not g.actions:
        return head + "told and approved; nothing to do."
    status = ["told" if g.disclosed else "NOT TOLD", "approved" if g.approved else "NOT APPROVED"]
    return head + ", ".join(status) + ". Before signing: " + " ".join(a.text for a in g.actions)


def _check_hash(rule_id: str, consignor: str, handler: str) -> str:
    if rule_id in RULES:
        return fingerprint(rule_id, consignor, handler, None)
    return hashlib.sha256("\x1f".join((rule_id, consignor, handler)).encode("utf-8")).hexdigest()


def check_sarif(result: CheckResult, sources: SourceLines | None = None,
                proposal: SourceLines | None = None) -> dict:
    """The SARIF log of ``chain check``: one result per gained (consignor, handler), an error when
    something must be done before signing (its rule: :func:`gained_rule`), else a note. Each is
    located at the element of the proposal that brings the handler in (``proposal``: the
    proposal's lines), else in the chain file (``sources``)."""
    names = {**(sources.names if sources else {}), **(proposal.names if proposal else {})}
    for g in result.gained:
        names[g.consignor], names[g.handler] = g.consignor_name, g.handler_name
    artifacts = _Artifacts()
    artifacts.add(sources.uri if sources else None, "analysisTarget")
    artifacts.add(proposal.uri if proposal else None, "analysisTarget")
    rules = [rule_descriptor(r) for r in RULES.values()] + [_gained_descriptor()]
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for g in result.gained:
        rule_id = gained_rule(g)
        first = g.routes[0]
        section, key = step_place(first.path[-1]) if first.path else ("organizations", g.handler)
        logical = [_org(g.consignor, g.consignor_name), _org(g.handler, g.handler_name)]
        entry: dict[str, Any] = {
            "ruleId": rule_id,
            "ruleIndex": index[rule_id],
            "level": "error" if g.actions else "note",
            "message": {"text": gained_message_ja(g)},
            "locations": [_location(artifacts, section, key, proposal, sources, logical=logical)],
            "partialFingerprints": {FINGERPRINT: _check_hash(rule_id, g.consignor, g.handler)},
        }
        flows = _code_flows(g.routes, artifacts, names, proposal, sources)
        if flows:
            entry["codeFlows"] = flows
        entry["properties"] = {
            "message_en": gained_message_en(g),
            "consignor": g.consignor,
            "handler": g.handler,
            "disclosed": g.disclosed,
            "approved": g.approved,
            "routes": [{"kind": r.kind, "id": r.id, "signer": r.signer, "disclosed": r.disclosed,
                        "approved": r.approved, "restricted": r.restricted} for r in g.routes],
            "actions": [a.model_dump(mode="json") for a in g.actions],
        }
        results.append(entry)
    run: dict[str, Any] = {
        "tool": {"driver": _driver(rules)},
        "invocations": [{"executionSuccessful": True}],
        "language": LANGUAGE,
        "artifacts": artifacts.items,
        "results": results,
        "properties": {"consignors_affected": result.consignors_affected},
    }
    if not artifacts.items:
        del run["artifacts"]
    return _log(run)

