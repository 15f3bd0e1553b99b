"""The words of findings: path text, and each finding's message in English and Japanese, from
the templates of the rule registry."""
from __future__ import annotations

import functools
from typing import Any, Iterable, Literal

from entrustment_chain.graph import schema as S
from entrustment_chain.graph.analysis.registry import Rule
from entrustment_chain.graph.model.chain import ACCESS_KIND_JA, ChainFile, OrgKind

Lang = Literal["ja", "en"]

FIELD_JA = {
    "transfer_safety": "授受の安全管理", "storage_safety": "保管の安全管理", "disposal_safety": "廃棄の安全管理",
    "subcontract_restriction": "再委託の制限", "rules_confirmation": "規律の確認", "written_reports": "書面報告",
    "onsite_inspection": "実地確認", "subcontract_check": "再委託の確認",
}
UNKNOWN_EN = " Whether it was told is unknown: the entrustment records no informed subcontractors."
UNKNOWN_JA = "（説明の有無の記録がない委託があり、確認できない）"
# countries outside Japan, the EEA and the UK (where cross_border_handling finds handlers), as
# Japanese reports name them; a code not listed is written as it is
COUNTRY_JA = {
    "US": "米国", "CA": "カナダ", "MX": "メキシコ", "BR": "ブラジル", "AR": "アルゼンチン", "CL": "チリ",
    "CO": "コロンビア", "PE": "ペルー", "UY": "ウルグアイ", "CN": "中国", "HK": "香港", "MO": "マカオ",
    "TW": "台湾", "KR": "韓国", "MN": "モンゴル", "SG": "シンガポール", "MY": "マレーシア", "TH": "タイ",
    "VN": "ベトナム", "PH": "フィリピン", "ID": "インドネシア", "KH": "カンボジア", "MM": "ミャンマー",
    "LA": "ラオス", "BD": "バングラデシュ", "IN": "インド", "LK": "スリランカ", "PK": "パキスタン",
    "NP": "ネパール", "AU": "オーストラリア", "NZ": "ニュージーランド", "RU": "ロシア", "UA": "ウクライナ",
    "BY": "ベラルーシ", "RS": "セルビア", "CH": "スイス", "TR": "トルコ", "IL": "イスラエル",
    "AE": "アラブ首長国連邦", "SA": "サウジアラビア", "QA": "カタール", "EG": "エジプト", "MA": "モロッコ",
    "ZA": "南アフリカ", "NG": "ナイジェリア", "KE": "ケニア",
}


def path_text(path: Iterable[S.PathStep]) -> str:
    """b →(b-procx) procx …: a path by ids (systems as [system], access as →(access)), for where
    no chain is at hand to name them; reports with a chain write paths by :meth:`Words.path`.
    A path of a system route starts at the system."""
    steps = list(path)
    if not steps:
        return ""
    out = f"[{steps[0].source}]" if steps[0].type == S.ACCESSIBLE_BY else steps[0].source
    for step in steps:
        if step.type == S.ENTRUSTS:
            out += f" →({step.key}) {step.target}"
        elif step.type == S.PLACES_DATA_IN:
            out += f" →({step.entrustment}) [{step.target}]"
        else:
            out += f" →(access) {step.target}"
    return out


class Words:
    """How sentences name the parts of one chain, in Japanese or English: organisations and
    systems by their names, entrustments by their parties, paths by names and the kind of each
    step; ids only in parentheses, where a reader needs them to find the line in the file. Lists
    are joined with 、 in Japanese and with ", " in English."""

    def __init__(self, chain: ChainFile):
        self.orgs = {o.id: o.name for o in chain.organizations}
        self.systems = {x.id: x.name for x in chain.systems}
        self.entrustments = {e.id: (e.consignor, e.contractor) for e in chain.entrustments}
        self.access_kinds = {key: g.kind.value for key, g in zip(chain.grant_keys, chain.access)}
        self._paths: dict[tuple, str] = {}

    @functools.cached_property
    def contractors(self) -> frozenset[str]:
        """The organisations that are some entrustment's contractor (their own entrustments are 再委託)."""
        return frozenset(contractor for _, contractor in self.entrustments.values())

    def org(self, org_id: str | None) -> str:
        """An organisation's name (its id when the chain has no such organisation)."""
        return self.orgs.get(org_id, org_id) if org_id is not None else ""

    def system(self, system_id: str) -> str:
        return self.systems.get(system_id, system_id)

    @staticmethod
    def join(items: Iterable[str], lang: Lang) -> str:
        return ("、" if lang == "ja" else ", ").join(items)

    @staticmethod
    def with_id(name: str, ident: str, lang: Lang) -> str:
        """A name with its id in parentheses: 株式会社さくら通販（sakura） / 株式会社さくら通販 (sakura);
        the id alone when it is the name."""
        if not name or name == ident:
            return ident
        return f"{name}（{ident}）" if lang == "ja" else f"{name} ({ident})"

    def named(self, org_id: str | None, lang: Lang) -> str:
        """An organisation's name with its id in parentheses (:meth:`with_id`)."""
        return self.with_id(self.org(org_id), org_id, lang) if org_id is not None else ""

    def system_named(self, system_id: str, lang: Lang) -> str:
        """A system's name with its id in parentheses."""
        return self.with_id(self.system(system_id), system_id, lang)

    @staticmethod
    def countries(codes: Iterable[str], lang: Lang) -> str:
        """Countries by ISO 3166-1 code: 米国、シンガポール in Japanese (the code where the name is
        not known); the codes in English."""
        if lang == "ja":
            return "、".join(COUNTRY_JA.get(code, code) for code in codes)
        return ", ".join(codes)

    def entrustment(self, entrustment_id: str, lang: Lang) -> str:
        """株式会社さくら通販から株式会社つばき物流への委託（sakura-tsubaki） / 株式会社さくら通販's
        entrustment to 株式会社つばき物流 (sakura-tsubaki)."""
        consignor, contractor = self.entrustments.get(entrustment_id, (None, None))
        if consignor is None:
            return f"委託（{entrustment_id}）" if lang == "ja" else f"entrustment {entrustment_id}"
        if lang == "ja":
            return f"{self.org(consignor)}から{self.org(contractor)}への委託（{entrustment_id}）"
        return f"{self.org(consignor)}'s entrustment to {self.org(contractor)} ({entrustment_id})"

    def route(self, kind: str, route_id: str, lang: Lang) -> str:
        """A route of a consignor's data: its entrustment, or a system holding it."""
        if kind == "entrustment":
            return self.entrustment(route_id, lang)
        return (f"{self.system_named(route_id, 'ja')}のデータ" if lang == "ja"
                else f"the data in {self.system_named(route_id, 'en')}")

    def route_of(self, route_id: str, lang: Lang) -> str:
        """A route known by its id alone (an entrustment's, else a system's)."""
        return self.route("entrustment" if route_id in self.entrustments else "system", route_id, lang)

    @staticmethod
    def entrusts(first: bool, lang: Lang) -> str:
        """The arrow of an entrustment: 委託 (the consignor's own) or 再委託 (onward)."""
        if lang == "ja":
            return "委託" if first else "再委託"
        return "entrusts" if first else "re-entrusts"

    @staticmethod
    def places(lang: Lang) -> str:
        """The arrow from an entrustment to a system it places the data in."""
        return "データ格納" if lang == "ja" else "data in"

    @staticmethod
    def access(kind: str, lang: Lang) -> str:
        """The arrow of access to a system: アクセス・保守 / maintenance access."""
        return f"アクセス・{ACCESS_KIND_JA.get(kind, kind)}" if lang == "ja" else f"{kind} access"

    def step(self, step: S.PathStep, first: bool, lang: Lang) -> str:
        """The arrow of one step: 委託 / 再委託, データ格納, アクセス・保守 …"""
        if step.type == S.ENTRUSTS:
            return self.entrusts(first, lang)
        if step.type == S.PLACES_DATA_IN:
            return self.places(lang)
        return self.access(self.access_kinds.get(step.key, "other"), lang)

    def path(self, path: Iterable[S.PathStep], lang: Lang) -> str:
        """株式会社さくら通販 →（委託）株式会社つばき物流 →（再委託）株式会社あおい配送; a system as
        ［顧客対応システム］; a path of a system route starts at the system."""
        steps = tuple(path)
        key = (steps, lang)
        text = self._paths.get(key)
        if text is not None:
            return text
        if not steps:
            return ""
        ja = lang == "ja"

        def node(step: S.PathStep, end: str) -> str:
            if end == "target" and step.type == S.PLACES_DATA_IN or end == "source" and step.type == S.ACCESSIBLE_BY:
                name = self.system(getattr(step, end))
                return f"［{name}］" if ja else f"[{name}]"
            return self.org(getattr(step, end))

        out = node(steps[0], "source")
        for index, step in enumerate(steps):
            arrow = self.step(step, index == 0, lang)
            out += (f" →（{arrow}）" if ja else f" →({arrow}) ") + node(step, "target")
        if len(self._paths) < 1 << 16:  # findings read in order share their paths
            self._paths[key] = out
        return out


def messages(rule: Rule, words: Words, kind: OrgKind, r: Any) -> tuple[str, str]:
    """The English and Japanese message of one finding (a record of :mod:`.findings`) about a
    consignor of ``kind``, in ``words`` (names, never ids alone). A public body's data is
    保有個人情報, a business's 個人データ."""
    name = words.org
    others = r.routes[3::3]
    needs_path = "{path}" in rule.message_en
    entrustment = r.entrustment
    values = {
        "consignor": name(r.consignor), "handler": name(r.handler), "entrustment": entrustment,
        "entrustment_en": words.entrustment(entrustment, "en") if entrustment else "",
        "entrustment_ja": words.entrustment(entrustment, "ja") if entrustment else "",
        "path": words.path(r.path, "en") if needs_path else "",
        "path_ja": words.path(r.path, "ja") if needs_path else "",
        "routes_en": f"; also by {words.join((words.route(x.kind, x.id, 'en') for x in others), 'en')}"
                     if others else "",
        "routes_ja": f"。ほかに{words.join((words.route(x.kind, x.id, 'ja') for x in others), 'ja')}の経路"
                     if others else "",
        "data_ja": "個人データ" if kind is OrgKind.private else "保有個人情報",
        "count": len(r.handlers),
        "handlers": words.join((name(h) for h in r.handlers), "en"),
        "handlers_ja": words.join((name(h) for h in r.handlers), "ja"),
        "systems": words.join((words.system(x) for x in r.detail), "en"),
        "systems_ja": words.join((words.system(x) for x in r.detail), "ja"),
        "missing": ", ".join(r.detail), "countries": words.countries(r.detail, "en"),
        "countries_ja": words.countries(r.detail, "ja"),
        "missing_ja": "・".join(FIELD_JA.get(f, f) for f in r.detail),
    }
    en, ja = rule.message_en.format(**values), rule.message_ja.format(**values)
    if r.evidence_unknown and rule.unknown_note:
        en, ja = en + UNKNOWN_EN, ja + UNKNOWN_JA
    return en, ja
