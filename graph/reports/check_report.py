"""The report of ``chain check`` (what a proposed vendor or access grant would change, before it
is signed), as a terminal listing or markdown, in Japanese or English.

Sentences name organisations, systems and entrustments by their names (:class:`Words`), with
the id in parentheses where a reader needs it to find the line in the file; paths by names with
the kind of each step. Each consignor that would gain a handler is listed with the handler,
whether it was told of and approved it (説明あり/説明なし, 承認あり/承認なし), every route by which the
handler would reach its data, and what must be done before signing; the legal bases follow, per
kind of consignor, as the law stands on the day the proposal is judged (today, or ``--as-of``).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from pydantic import ValidationError

from entrustment_chain.graph.analysis.legal import LegalBasis, legal_bases
from entrustment_chain.graph.analysis.messages import Words
from entrustment_chain.graph.analysis.onboarding import Action, CheckResult, GainedHandler, GainedRoute, Proposal
from entrustment_chain.graph.analysis.registry import RULES
from entrustment_chain.graph.model.chain import KIND_JA, ChainFile, Organization, OrgKind
from entrustment_chain.graph.reports.render import KIND_COUNTER, day_ja, md

Lang = Literal["ja", "en"]
KINDS = ("private", "local_government", "public_agency")
KIND_EN = {"private": "businesses", "local_government": "local governments", "public_agency": "public agencies"}
# The rule a gained handler would be a finding of once signed, by the action it asks for.
RULE_OF_ACTION = {"inform": "undisclosed_subcontracting", "approve": "unapproved_subcontracting"}


def with_proposal(chain: ChainFile, proposal: Proposal | Mapping[str, Any] | None) -> ChainFile:
    """The chain with the proposal's organisations, systems, entrustments and access added, for
    their names only (:func:`~entrustment_chain.graph.analysis.onboarding.check` has validated
    the merge; nothing is validated again). The chain itself when the proposal cannot be read
    as one (its names are then the ids, or those the result carries)."""
    if proposal is None:
        return chain
    try:
        p = proposal if isinstance(proposal, Proposal) else Proposal.model_validate(dict(proposal))
    except (ValidationError, TypeError, ValueError):
        return chain
    fields = {name: getattr(chain, name) for name in ChainFile.model_fields}  # not what it has cached
    return ChainFile.model_construct(
        **{**fields, "organizations": [*chain.organizations, *p.organizations],
           "systems": [*chain.systems, *p.systems], "entrustments": [*chain.entrustments, *p.entrustments],
           "access": [*chain.access, *p.access]})


def _names_only(result: CheckResult) -> ChainFile:
    """A chain of the result's organisations, by their names, for a caller without the chain."""
    orgs: dict[str, str] = {}
    for g in result.gained:
        orgs.setdefault(g.consignor, g.consignor_name)
        orgs.setdefault(g.handler, g.handler_name)
    return ChainFile.model_construct(
        organizations=[Organization.model_construct(id=i, name=n) for i, n in orgs.items()],
        systems=[], entrustments=[], access=[])


def check_text(result: CheckResult, markdown: bool = False, lang: Lang | None = None,
               chain: ChainFile | None = None, as_of: date | None = None) -> str:
    """The report of ``result``: markdown (``markdown``) or a terminal listing, in ``lang``
    (default: Japanese for markdown, English for the listing). ``chain`` is the chain with the
    proposal (:func:`with_proposal`): names come from it, and the legal bases by the consignors'
    kinds, as the law stands on ``as_of`` (default: today). Without it, organisations are named
    as the result names them, systems and entrustments by their ids, and no basis is given."""
    lang = lang or ("ja" if markdown else "en")
    return _Report(result, markdown, lang, chain, as_of).text()


class _Report:
    def __init__(self, result: CheckResult, markdown: bool, lang: Lang, chain: ChainFile | None,
                 as_of: date | None):
        self.result, self.markdown, self.lang, self.as_of = result, markdown, lang, as_of
        self.ja = lang == "ja"
        self.chain = chain
        self.words = Words(chain if chain is not None else _names_only(result))
        self.t = md if markdown else str  # names, ids and paths as text in markdown

    # -- words ---------------------------------------------------------------------------------

    def org(self, org_id: str) -> str:
        """B社（b） / B社 (b)."""
        name = self.words.org(org_id)
        if not name or name == org_id:  # no name but the id: the id alone
            return self.t(org_id)
        return self.t(f"{name}（{org_id}）" if self.ja else f"{name} ({org_id})")

    def route(self, r: GainedRoute) -> str:
        return self.t(self.words.route(r.kind, r.id, self.lang))

    def marks(self, disclosed: bool, approved: bool, restricted: bool | None = None) -> str:
        if self.ja:
            told = "説明あり" if disclosed else "説明なし"
            ok = "承認あり" if approved else "承認なし" + ("（再委託の制限がなく不要）" if restricted is False else "")
            return f"{told}、{ok}"
        told = "told" if disclosed else "NOT TOLD"
        ok = "approved" if approved else "NOT APPROVED" + (" (not needed: no restriction)" if restricted is False else "")
        return f"{told}, {ok}"

    def action(self, a: Action, routes: dict[str, GainedRoute]) -> str:
        route = routes.get(a.route)
        if route is not None:
            on = self.words.route(route.kind, route.id, self.lang)
        else:
            on = f"{a.route}" if self.ja else a.route
        by, to, about = self.org(a.by), self.org(a.to), self.org(a.about)
        t = self.t
        if self.ja:
            data = t(on if route is not None and route.kind == "system" else on + "のデータ")
            if a.type == "inform":
                return f"{by}は、{about}が{data}を取り扱うことを、{to}に説明する。"
            check = "" if a.required else "。この委託が再委託を制限しているかを確認し、制限しているときに要する"
            return f"{by}は、{t(on)}について{about}を承認する（{to}が承認を求める{check}）。"
        data = t(on if route is not None and route.kind == "system" else "its data on " + on)
        if a.type == "inform":
            return f"{by} must inform {to} that {about} will handle {data}."
        check = "." if a.required else ", if that contract restricts re-entrustment (check it)."
        return f"{by} must approve {about} for {t(on)}, asked by {to}{check}"

    # -- the report ----------------------------------------------------------------------------

    def head(self) -> str:
        r = self.result
        if not r.gained:
            return ("提案により新たな取扱者にデータが渡る委託元はない。" if self.ja
                    else "The proposal gives no consignor's data to a new handler.")
        if r.blocking:
            n = len(r.consignors_affected)
            return (f"提案により、委託元 {n} 者が、説明を受けていない又は承認していない取扱者を新たに持つことになる。"
                    "契約の前に、下の対応を要する。" if self.ja
                    else f"{n} consignor(s) would gain a handler they were not told of or did not approve.")
        return ("新たな取扱者は、いずれも委託元に説明され、承認されている。" if self.ja
                else "Every new handler is disclosed to and approved by its consignor.")

    def gained(self, g: GainedHandler) -> list[str]:
        bullet, sub = ("- ", "  - ") if self.markdown else ("  ", "      ")
        marks = self.marks(g.disclosed, g.approved)
        if self.ja:
            out = [f"{bullet}{self.org(g.consignor)}：{self.org(g.handler)}が新たな取扱者になる（{marks}）"]
        else:
            out = [f"{bullet}{self.org(g.consignor)} ← {self.org(g.handler)}: {marks}"]
        for r in g.routes:
            path = self.t(self.words.path(r.path, self.lang))
            marks = self.marks(r.disclosed, r.approved, r.restricted)
            if self.ja:
                out.append(f"{sub}経路：{self.route(r)}（{marks}。取扱者を入れるのは{self.org(r.signer)}）：{path}")
            else:
                out.append(f"{sub}via {self.route(r)} ({marks.lower()}; brought in by {self.org(r.signer)}): {path}")
        routes = {r.id: r for r in g.routes}
        for a in g.actions:
            out.append(f"{sub}{'対応：' if self.ja else 'to do: '}{self.action(a, routes)}")
        return out

    def bases(self) -> list[str]:
        """The legal bases of the actions, per kind of consignor (the same within a kind)."""
        if self.chain is None:
            return []
        orgs = self.chain.organizations_by_id
        by_kind: dict[str, dict[str, LegalBasis]] = {}
        counts: dict[str, set[str]] = {}
        for g in self.result.blocking:
            org = orgs.get(g.consignor)
            if org is None:
                continue
            kind = OrgKind(org.kind).value
            counts.setdefault(kind, set()).add(g.consignor)
            found = by_kind.setdefault(kind, {})
            for rule in dict.fromkeys(RULE_OF_ACTION[a.type] for a in g.actions):
                for b in legal_bases(RULES[rule], OrgKind(kind), self.as_of):
                    found.setdefault(b.id, b)
        if not by_kind:
            return []
        day = self.as_of
        if self.ja:
            when = f"（{day_ja(day.isoformat())}時点の法令）" if day else "（現行法令）"
            out = ["", f"{'## ' if self.markdown else ''}根拠{when}", ""]
        else:
            when = f" (the law as of {day.isoformat()})" if day else " (the law in force today)"
            out = ["", f"{'## ' if self.markdown else ''}Legal basis{when}", ""]
        bullet = "- " if self.markdown else "  "
        for kind in KINDS:
            if kind not in by_kind:
                continue
            n = len(counts[kind])
            who = (f"{KIND_JA[kind]}の委託元 {n} {KIND_COUNTER[kind]}" if self.ja
                   else f"consignors that are {KIND_EN[kind]} ({n})")
            cited = list(by_kind[kind].values())
            if self.markdown:
                text = ("、" if self.ja else "; ").join(
                    f"[{md(b.ja if self.ja else b.text)}]({b.ref})" for b in cited)
                out.append(f"{bullet}{who}：{text}" if self.ja else f"{bullet}{who}: {text}")
            else:
                out.append(f"{bullet}{who}{'：' if self.ja else ':'}")
                out += [f"    {b.ja if self.ja else b.text}  {b.ref}" for b in cited]
        return out

    def text(self) -> str:
        title = "事前確認：提案により新たに取扱者となる者" if self.ja else "Before signing: the new handlers of a proposal"
        out = [f"# {title}", ""] if self.markdown else []
        out += [self.head()]
        if not self.result.gained:
            return "\n".join(out) + "\n"
        out.append("")
        for g in self.result.gained:
            out += self.gained(g)
        out += self.bases()
        return "\n".join(out) + "\n"
