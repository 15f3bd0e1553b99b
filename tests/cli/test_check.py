"""`chain check`: BS's maintenance contract (fixtures/procx-2024/proposal-bs.yaml) proposed to
ProCX's chain as it stood before BS, i.e. the ProCX fixture without BS."""
import json
import re

import pytest
import yaml

from .conftest import PROCX, PROPOSAL_BS, run
from .test_analyze import sarif_golden_text

# The committed ProCX chain without BS (scripts/regen writes it): SARIF and JUnit name the file
# and its lines, so the goldens read a file whose path is the same on every machine.
WITHOUT_BS = "fixtures/procx-2024/chain-without-bs.yaml"


@pytest.fixture
def procx_without_bs(tmp_path):
    """The ProCX chain without BS, its entrustment and its access; a temporary file, whose path
    appears in no output of `check` (the findings name the proposal, not the base)."""
    from entrustment_chain.graph.analysis.onboarding import dump_chain
    from entrustment_chain.graph.io.loader import load_chain

    data = dump_chain(load_chain(PROCX))
    data["organizations"] = [o for o in data["organizations"] if o["id"] != "bs"]
    data["entrustments"] = [e for e in data["entrustments"] if e["contractor"] != "bs"]
    data["access"] = [a for a in data["access"] if a["organization"] != "bs"]
    path = tmp_path / "procx-without-bs.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_bs_proposal_exits_1(golden, procx_without_bs):
    result = run("check", procx_without_bs, "--add", PROPOSAL_BS, "--format", "json")
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    golden("check-procx-bs.json", result.stdout)


# The locale as a terminal has it: LANG alone decides (LC_ALL and LC_MESSAGES unset).
C_LOCALE = {"LANG": "C", "LC_ALL": None, "LC_MESSAGES": None}
JA_LOCALE = {"LANG": "ja_JP.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("fmt, suffix", [("table", "txt"), ("markdown", "md")])
def test_bs_proposal_in_each_language(golden, fmt, suffix, lang):
    """Names with the id in parentheses, paths by names with the kind of each step, what to do
    before signing, and the legal bases per kind of consignor with their references."""
    result = run("check", WITHOUT_BS, "--add", PROPOSAL_BS, "--format", fmt, "--lang", lang)
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    golden(f"check-procx-bs.{lang}.{suffix}", result.stdout)


@pytest.mark.parametrize("env, args, lang", [
    (C_LOCALE, ("--format", "markdown"), "ja"),                  # markdown: Japanese whatever the locale
    (C_LOCALE, (), "en"),                                         # a table follows the locale
    (JA_LOCALE, (), "ja"),
    ({"LANG": "C", "LC_ALL": "ja_JP.UTF-8", "LC_MESSAGES": None}, (), "ja"),  # LC_ALL first
    ({"LANG": "ja_JP.UTF-8", "LC_ALL": None, "LC_MESSAGES": "C"}, (), "en"),  # then LC_MESSAGES
    ({"LANG": None, "LC_ALL": None, "LC_MESSAGES": None}, (), "en"),          # no locale
    (JA_LOCALE, ("--lang", "en"), "en"),                          # --lang overrides the locale
    (C_LOCALE, ("--lang", "ja"), "ja"),
    (C_LOCALE, ("--format", "markdown", "--lang", "en"), "en"),
])
def test_the_language_by_default_and_by_lang(golden, env, args, lang):
    result = run("check", WITHOUT_BS, "--add", PROPOSAL_BS, *args, env=env)
    assert result.exit_code == 1, result.output
    suffix = "md" if "markdown" in args else "txt"
    golden.reference(golden_path(f"check-procx-bs.{lang}.{suffix}"), result.stdout)


def golden_path(name):
    from .conftest import EXPECTED

    return EXPECTED / name


def test_japanese_check_says_it_in_japanese():
    text = run("check", WITHOUT_BS, "--add", PROPOSAL_BS, "--lang", "ja").stdout
    assert text.startswith("提案により、委託元 69 者が、説明を受けていない又は承認していない取扱者を新たに持つことになる。")
    assert "  B社（b）：NTTビジネスソリューションズ株式会社（bs）が新たな取扱者になる（説明なし、承認なし）\n" in text
    assert ("B社 →（データ格納）［コールセンターシステム］ →（アクセス・保守）NTTビジネスソリューションズ株式会社"
            in text)
    assert ("対応：株式会社NTTマーケティングアクトProCX（procx）は、NTTビジネスソリューションズ株式会社（bs）が"
            "B社から株式会社NTTマーケティングアクトProCXへの委託（b-procx）のデータを取り扱うことを、B社（b）に説明する。"
            in text)
    assert "民間事業者の委託元 30 社：\n    個人情報保護法第25条（委託先の監督）  https://laws.e-gov.go.jp/" in text


def test_bs_proposal_on_the_chain_that_has_bs_exits_2(golden):
    """BS is already in the ProCX fixture: the proposal's ids collide, and every collision is named."""
    result = run("check", PROCX, "--add", PROPOSAL_BS)
    assert result.exit_code == 2 and result.stdout == ""
    golden("check-procx-bs-duplicate.txt", result.stderr)


def test_told_and_approved_inline_proposal_exits_0(golden):
    """An inline proposal on a teaching case: a new consignor of B社 that is told of and approves
    its subcontractor C社 before signing."""
    proposal = ("{organizations: [{id: bank, name: D銀行}], entrustments: [{id: bank-crm, consignor: bank, "
                "contractor: crm, personal_data: true, informed_subcontractors: [mailer], "
                "approved_subcontractors: [mailer]}]}")
    for lang in ("en", "ja"):
        result = run("check", "fixtures/teaching/told-not-approved/chain.yaml", "--add", proposal, "--lang", lang)
        assert result.exit_code == 0, result.output
        assert result.stderr == ""
        golden(f"check-inline-approved.{lang}.txt", result.stdout)


def test_approval_where_the_contract_may_restrict_re_entrustment():
    """Told but not approved, on a contract that does not say whether it restricts
    re-entrustment: the approval is asked for, with what to check first (exit 1)."""
    proposal = ("{organizations: [{id: bank, name: D銀行}], entrustments: [{id: bank-crm, consignor: bank, "
                "contractor: crm, personal_data: true, informed_subcontractors: [mailer]}]}")
    chain = "fixtures/teaching/told-not-approved/chain.yaml"
    ja = run("check", chain, "--add", proposal, "--format", "markdown")
    assert ja.exit_code == 1, ja.output
    assert ("- 対応：D銀行（bank）は、D銀行からB社への委託（bank-crm）についてC社（mailer）を承認する（B社（crm）が"
            "承認を求める。この委託が再委託を制限しているかを確認し、制限しているときに要する）。") in ja.stdout
    en = run("check", chain, "--add", proposal, "--lang", "en")
    assert ("to do: D銀行 (bank) must approve C社 (mailer) for D銀行's entrustment to B社 (bank-crm), asked by "
            "B社 (crm), if that contract restricts re-entrustment (check it).") in en.stdout


def test_as_of_takes_the_chain_as_it_stood_before_the_proposal(procx_without_bs):
    """On 2014-01-01 fewer ProCX contracts had begun: fewer consignors would have gained BS."""
    counts = {}
    for day in (None, "2016-01-01", "2014-01-01"):
        result = run("check", procx_without_bs, "--add", PROPOSAL_BS, "--format", "json",
                     *(["--as-of", day] if day else []))
        assert result.exit_code == 1, result.output
        counts[day] = len(json.loads(result.stdout)["consignors_affected"])
    assert counts == {None: 69, "2016-01-01": 63, "2014-01-01": 53}


def test_bs_proposal_sarif(golden):
    result = run("check", WITHOUT_BS, "--add", PROPOSAL_BS, "--format", "sarif")
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    golden("check-procx-bs.sarif", sarif_golden_text(result.stdout))


def test_bs_proposal_junit(golden):
    result = run("check", WITHOUT_BS, "--add", PROPOSAL_BS, "--format", "junit")
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    golden("check-procx-bs.junit.xml", result.stdout)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_markdown_with_the_chain_shows_every_name_as_text(lang):
    """The report with the chain's names (systems and entrustments too) on the hostile chain of
    tests/test_report_escaping.py: only the writer's markup, every name back as text."""
    from entrustment_chain.graph.analysis.onboarding import check
    from entrustment_chain.graph.io.loader import chain_from_dict
    from entrustment_chain.graph.reports.check_report import check_text, with_proposal

    from test_report_escaping import DOT, HOSTILE, IMG, NAMES, PROPOSAL, check_markdown

    chain = chain_from_dict(HOSTILE)
    result = check(chain, PROPOSAL)
    assert result.blocking
    text = check_text(result, markdown=True, lang=lang, chain=with_proposal(chain, PROPOSAL))
    system = HOSTILE["systems"][0]["name"]
    # the legal bases are the writer's links, to e-Gov and the PPC: checked apart
    body, bases = text.split("\n## 根拠" if lang == "ja" else "\n## Legal basis", 1)
    check_markdown(body, [IMG, DOT, "@h", system, NAMES["b"]], fences=0)
    links = re.findall(r"\]\(([^)]*)\)", bases)
    assert links and all(re.match(r"https://(laws\.e-gov\.go\.jp|www\.ppc\.go\.jp)/", x) for x in links)
    assert "<" not in bases


def test_columns_are_padded_by_display_width():
    from entrustment_chain.graph.reports.columns import columns, pad, width

    assert width("株式会社NTT") == 11 and width("ｶﾅ") == 2 and width("e\u0301") == 1
    assert pad("甲社", 6) == "甲社  " and pad("12", 4, right=True) == "  12"
    assert columns([["名称", "数"], ["株式会社あおい", "1"], ["B", "20"]], right=(1,)) == [
        "名称            数", "株式会社あおい   1", "B               20"]
