"""The rules, declared once: one record per rule that everything else reads.

The networkx rules (:mod:`.rules`) and the Cypher rules (``cypher/rules/<id>.cypher``, which
must return the record's ``columns``) produce rows; :mod:`.findings` turns rows into findings
with the record's severity, messages and legal basis; the reports take titles from it; the
README's rule table and ``docs/rules.md`` are generated from it (``scripts/regen``), and a test
fails when they are out of date. Rule ids are a public contract: findings JSON carries them,
and :class:`RuleId` names them for type checkers (a test keeps it and the registry in step).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import Enum, StrEnum


class Severity(str, Enum):
    """How serious a rule's findings are: ``low``, ``medium`` or ``high`` (``order`` 1–3, so that
    ``--fail-on`` and :meth:`Analysis.worst` compare them)."""

    low = "low"
    medium = "medium"
    high = "high"

    @property
    def order(self) -> int:
        """1 for low, 2 for medium, 3 for high."""
        return {"low": 1, "medium": 2, "high": 3}[self.value]


class RuleId(StrEnum):
    """The id of each rule, as findings (``Finding.rule``), ``summary.by_rule`` and the Cypher
    rule files name it: ``RuleId.UNDISCLOSED_SUBCONTRACTING == "undisclosed_subcontracting"``.
    Members are strings, so either form is accepted where a rule id is (``Analysis.by_rule``,
    :func:`rule`); the members are the registry's rules, in report order (a test keeps them so)."""

    UNDISCLOSED_SUBCONTRACTING = "undisclosed_subcontracting"
    UNAPPROVED_SUBCONTRACTING = "unapproved_subcontracting"
    MY_NUMBER_WITHOUT_PERMISSION = "my_number_without_permission"
    CROSS_BORDER_HANDLING = "cross_border_handling"
    COULD_NOT_SUPERVISE = "could_not_supervise"
    MISCLASSIFIED_SUBCONTRACT = "misclassified_subcontract"
    NO_SAFEGUARD_CLAUSES = "no_safeguard_clauses"
    MISSING_SAFEGUARD_CLAUSE = "missing_safeguard_clause"
    NO_SUBCONTRACT_RESTRICTION = "no_subcontract_restriction"
    NO_SUPERVISION = "no_supervision"
    WEAK_SUPERVISION = "weak_supervision"
    SUBCONTRACTING_NOT_CHECKED = "subcontracting_not_checked"


class Per(str, Enum):
    """What one finding of a rule is about."""

    consignor_handler = "consignor × handler"
    consignor = "consignor"
    entrustment = "entrustment"


@dataclass(frozen=True)
class Rule:
    """One rule. Messages are format strings over the finding's names (never ids alone; see
    :class:`.messages.Words`): ``{consignor}``, ``{handler}``, ``{entrustment_en}`` /
    ``{entrustment_ja}`` (its parties, its id in parentheses), ``{path}`` / ``{path_ja}``,
    ``{count}``, ``{handlers}`` / ``{handlers_ja}``, ``{systems}`` / ``{systems_ja}``,
    ``{missing}`` and ``{missing_ja}``; a finding whose evidence is unknown gets
    the unknown-evidence note after the message when ``unknown_note`` is set."""

    id: str
    per: Per
    severity: Severity
    title_ja: str
    title_en: str
    when_en: str  # what makes it fire, for the README and docs/rules.md
    when_ja: str
    message_en: str
    message_ja: str
    example: str | None  # the PPC Guidelines 3-4-4 事例 it answers to (see .legal)
    columns: tuple[str, ...]  # the row columns both backends return
    detail: str | None = None  # the column that carries what the message needs beyond the ids
    unknown_note: bool = False
    # which law it applies (.legal): "supervision" (委託先の監督, by the consignor's kind and the
    # date), "my_number" (番号法 Art. 10), "cross_border" (provision to a third party abroad)
    law: str = "supervision"


_PATH_COLUMNS = ("consignor", "handler", "routes", "evidence_unknown")
_ENTRUSTMENT_COLUMNS = ("entrustment", "consignor", "handler", "missing")


def _entrustment_rule(rule_id: str, severity: Severity, title_ja: str, title_en: str, when_en: str,
                      when_ja: str, words_en: str, words_ja: str, example: str) -> Rule:
    return Rule(rule_id, Per.entrustment, severity, title_ja, title_en, when_en, when_ja,
                "{entrustment_en} " + words_en + ".",
                "{entrustment_ja}は" + words_ja + "。",
                example, _ENTRUSTMENT_COLUMNS, "missing")


# The order here is the order of reports.
RULES: dict[str, Rule] = {r.id: r for r in (
    Rule("undisclosed_subcontracting", Per.consignor_handler, Severity.high,
         "委託元に知らされていない再委託（取扱者）", "handler the consignor was never told of",
         "some route of the consignor's data (one of its entrustments, or a system holding its data) "
         "reaches a handler, through entrustments or access to a system, and the handler was not disclosed "
         "to the consignor for that route, while the data was there; lists those routes, each with "
         "its shortest path and when the handler could reach the data (certain / possible)",
         "委託元の個人データの経路（委託、又はそのデータを保存するシステム）のいずれかが取扱者に至り、"
         "その経路について取扱者の説明を受けていない。該当する経路ごとに最短の経路を示す",
         "{handler} handles {consignor}'s data ({path}{routes_en}), but {consignor} was never told of it "
         "there, so it could not supervise it.",
         "{handler}が{consignor}の{data_ja}を取り扱っている（{path_ja}{routes_ja}）が、{consignor}はその取扱いに"
         "ついて説明を受けておらず、監督できない。",
         "unknown_subcontract", _PATH_COLUMNS, unknown_note=True),
    Rule("unapproved_subcontracting", Per.consignor_handler, Severity.medium,
         "委託元の承認のない再委託（再委託制限条項あり）", "handler the consignor never approved",
         "some entrustment of the consignor that restricts re-entrustment reaches a handler the consignor "
         "did not approve for it; lists those routes, each with its windows",
         "再委託を制限する委託元の委託のいずれかが、その委託について委託元の承認のない取扱者に至る。該当する経路を示す",
         "{handler} handles {consignor}'s data without {consignor}'s approval, although "
         "{entrustment_en} restricts re-entrustment ({path}{routes_en}).",
         "{entrustment_ja}は再委託を制限しているが、{handler}は{consignor}の承認なく{consignor}の"
         "{data_ja}を取り扱っている（{path_ja}{routes_ja}）。",
         "no_conditions", ("consignor", "handler", "entrustment", "routes", "evidence_unknown")),
    Rule("my_number_without_permission", Per.consignor_handler, Severity.high,
         "最初の委託者の許諾のない特定個人情報の再委託", "My Number data re-entrusted without permission",
         "an entrustment of the consignor that carries My Number data (`data: [my_number]`) reaches a "
         "handler beyond its contractor that the consignor did not approve (permit) for it; lists those "
         "routes, each with its windows",
         "特定個人情報（`data` に `my_number`）を含む委託元の委託が、委託先より先の、委託元が許諾（承認）して"
         "いない取扱者に至る。該当する経路と期間を示す",
         "{handler} handles {consignor}'s My Number data beyond its contractor without {consignor}'s "
         "permission ({path}{routes_en}); re-entrustment needs the original consignor's permission.",
         "{handler}は、{consignor}の許諾なく{consignor}の特定個人情報を取り扱っている（{path_ja}{routes_ja}）。"
         "特定個人情報の再委託には最初の委託者の許諾が必要である。",
         None, ("consignor", "handler", "entrustment", "routes", "evidence_unknown"), law="my_number"),
    Rule("cross_border_handling", Per.consignor_handler, Severity.medium,
         "外国にある取扱者又はシステムによる取扱い", "handling abroad",
         "a handler of the consignor's data, or a system holding it on the handler's path, is in a country "
         "outside Japan, the EEA and the UK (`organizations[].country`, `systems[].location`); lists those "
         "routes, each with its windows",
         "委託元のデータの取扱者、又はその経路上でデータを保存するシステムが、日本・EEA・英国以外の国にある"
         "（`organizations[].country`、`systems[].location`）。該当する経路と期間を示す",
         "{handler} handles {consignor}'s data in {countries}, outside Japan, the EEA and the UK "
         "({path}{routes_en}): a provision to a third party in a foreign country, which needs consent or "
         "equivalent measures.",
         "{handler}は{consignor}の{data_ja}を日本・EEA・英国以外の国（{countries_ja}）で取り扱っている"
         "（{path_ja}{routes_ja}）。外国にある第三者への提供に当たり、本人の同意又は相当措置が必要である。",
         None, ("consignor", "handler", "routes", "countries"), "countries", law="cross_border"),
    Rule("could_not_supervise", Per.consignor, Severity.high,
         "監督できなかった委託元", "consignor that could not supervise",
         "the consignor has at least one undisclosed handler",
         "委託元に、説明を受けていない取扱者が1者以上いる",
         "{consignor} could not supervise {count} handler(s) of its data that it was never told of: "
         "{handlers}.",
         "{consignor}は、説明を受けていない取扱者{count}者（{handlers_ja}）を監督できなかった。",
         "unknown_subcontract", ("consignor", "handlers", "evidence_unknown"), "handlers", unknown_note=True),
    Rule("misclassified_subcontract", Per.entrustment, Severity.high,
         "個人データの取扱いなしとされた委託先のアクセス", "access under a contract marked as no personal data",
         "marked `personal_data: false`, but its contractor has access, granted under it (or, with no "
         "`under`, to a system the consignor operates), to a system holding personal data",
         "個人データの取扱いなし（`personal_data: false`）とされているが、委託先がこの委託に基づき（又は委託元の"
         "運用するシステムに）個人データを保存するシステムへのアクセス権限を持つ",
         "{entrustment_en} is marked as not handling personal data, but {handler} has "
         "access to {systems}, which holds personal data: it is likely a re-entrustment of personal data.",
         "{entrustment_ja}は個人データの取扱いなしとされているが、{handler}は個人データを保存する{systems_ja}に"
         "アクセスでき、個人データの取扱いの再委託に当たるおそれがある。",
         "unknown_subcontract", ("entrustment", "consignor", "handler", "systems"), "systems"),
    _entrustment_rule("no_safeguard_clauses", Severity.high, "安全管理条項が全てなし",
                      "no safety clause at all", "all of the three safety clauses are absent",
                      "3つの安全管理条項が全てない",
                      "has none of the three safety clauses", "安全管理条項が全てない", "no_instructions"),
    _entrustment_rule("missing_safeguard_clause", Severity.medium, "安全管理条項の一部なし",
                      "some safety clauses missing", "some of the three safety clauses are absent",
                      "3つの安全管理条項の一部がない",
                      "lacks safety clauses: {missing}", "安全管理条項の一部がない（{missing_ja}）", "no_instructions"),
    _entrustment_rule("no_subcontract_restriction", Severity.medium, "再委託の禁止又は制限に関する条項なし",
                      "re-entrustment not restricted", "re-entrustment is not restricted",
                      "再委託の禁止又は制限に関する条項がない",
                      "does not restrict re-entrustment", "再委託の禁止又は制限に関する条項がない", "no_conditions"),
    _entrustment_rule("no_supervision", Severity.high, "取扱状況の把握（監督）が全てなし",
                      "no supervision at all", "all of the three supervision measures are absent",
                      "3つの監督措置が全てない",
                      "has none of the three supervision measures", "取扱状況を把握する監督措置が全てない",
                      "not_monitored"),
    _entrustment_rule("weak_supervision", Severity.low, "取扱状況の把握（監督）の一部なし",
                      "some supervision missing", "some of the three supervision measures are absent",
                      "3つの監督措置の一部がない",
                      "lacks supervision measures: {missing}", "監督措置の一部がない（{missing_ja}）", "not_monitored"),
    _entrustment_rule("subcontracting_not_checked", Severity.medium, "再委託の有無の確認なし",
                      "re-entrustment never checked", "nobody checked whether the work was re-entrusted",
                      "再委託の有無を確認していない",
                      "never checked whether the work was re-entrusted", "再委託の有無を確認していない",
                      "no_conditions"),
)}

RULE_IDS = tuple(RULES)
RULE_INDEX = {rule: index for index, rule in enumerate(RULE_IDS)}

# Exposure is not a rule: it is the concentration of the analysis (how many consignors' data
# each handler can reach), on its own channel, with the columns both backends return.
EXPOSURE_COLUMNS = ("handler", "reached")  # reached: [{consignor, routes: [route ids]}]


class UnknownRule(ValueError, KeyError):
    """A rule id that is not one of the rules (:func:`rule`, :meth:`Analysis.by_rule`). Its
    message names the rules and the closest id, if one is close; ``rule_id`` is the id given
    and ``suggestion`` that closest id (or None). A :class:`ValueError`, and a :class:`KeyError`
    for code that caught the KeyError that unknown ids raised before."""

    def __init__(self, rule_id: object) -> None:
        self.rule_id = rule_id
        close = difflib.get_close_matches(str(rule_id).lower(), RULE_IDS, n=1, cutoff=0.6)
        self.suggestion: str | None = close[0] if close else None
        shown = repr(str(rule_id)) if isinstance(rule_id, str) else repr(rule_id)
        hint = f" (did you mean {self.suggestion!r}?)" if self.suggestion else ""
        super().__init__(f"{shown} is not a rule{hint}; the rules are: {', '.join(RULE_IDS)}")

    def __str__(self) -> str:  # the message as it is (KeyError would print its repr)
        return str(self.args[0])


def rule(rule_id: RuleId | str) -> Rule:
    """The rule with this id (a :class:`RuleId` or its string); :class:`UnknownRule`, naming the
    rules and the closest one, for an id that is not one."""
    try:
        return RULES[rule_id]
    except (KeyError, TypeError):
        raise UnknownRule(rule_id) from None
