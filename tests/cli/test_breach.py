"""`chain breach`: the ProCX leak in every format and both languages (2023-10-17 is an example of
the day BS's leak was known), both teaching cases, wareki dates, the table's columns by display
width, the language by default (markdown Japanese, the table by the locale) and by --lang, bad
input (exit 2, the option named, nothing written; a day known that names no day), and the same
JSON from Neo4j."""
import pytest

from .conftest import PROCX, run, teaching
from .test_survey import C_LOCALE, JA_LOCALE, spans

PROCX_ARGS = ("--handler", "bs", "--from", "2013-07", "--to", "2023-10", "--known", "2023-10-17",
              "--intent", "wrongful")


@pytest.mark.parametrize("fmt, lang, name", [("markdown", "ja", "breach-procx.md"), ("markdown", "en", "breach-procx.en.md"),
                                             ("json", None, "breach-procx.json"), ("csv", None, "breach-procx.csv"),
                                             ("table", "en", "breach-procx.en.table.txt"),
                                             ("table", "ja", "breach-procx.ja.table.txt")])
def test_procx(golden, fmt, lang, name):
    result = run("breach", PROCX, *PROCX_ARGS, "--format", fmt, *(["--lang", lang] if lang else []))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden(name, result.stdout_bytes)


@pytest.mark.parametrize("env, args, name", [
    (C_LOCALE, (), "breach-procx.md"),                                   # markdown: Japanese by default
    (C_LOCALE, ("--format", "table"), "breach-procx.en.table.txt"),     # a table: the locale's language
    (JA_LOCALE, ("--format", "table"), "breach-procx.ja.table.txt"),
    ({"LANG": "C", "LC_ALL": "ja_JP.UTF-8", "LC_MESSAGES": None}, ("--format", "table"), "breach-procx.ja.table.txt"),
    ({"LANG": None, "LC_ALL": None, "LC_MESSAGES": None}, ("--format", "table"), "breach-procx.en.table.txt"),
    (JA_LOCALE, ("--format", "table", "--lang", "en"), "breach-procx.en.table.txt"),  # --lang overrides
    (C_LOCALE, ("--format", "table", "--lang", "ja"), "breach-procx.ja.table.txt"),
    (JA_LOCALE, ("--lang", "en"), "breach-procx.en.md"),
    (C_LOCALE, ("--format", "csv", "--lang", "en"), "breach-procx.csv"),  # CSV: Japanese whatever --lang says
    (JA_LOCALE, ("--format", "csv"), "breach-procx.csv"),
])
def test_the_language_by_default_and_by_lang(golden, env, args, name):
    result = run("breach", PROCX, *PROCX_ARGS, *args, env=env)
    assert result.exit_code == 0, result.output
    golden.reference(golden_path(name), result.stdout_bytes)


def test_procx_markdown_is_the_default_and_says_what_the_issue_asks(golden):
    result = run("breach", PROCX, *PROCX_ARGS)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "影響を受ける組織：70 者（委託元 69 者（民間事業者 30 社、地方公共団体 38 団体、行政機関等 1 機関）、中間の受託者 1 者）" in text
    assert "取扱いの時期：確実 18 者、可能性 0 者、期間不明のため可能性 52 者" in text
    assert "通知する相手：委託元 69 者" in text
    assert "NTTビジネスソリューションズ株式会社は、株式会社NTTマーケティングアクトProCXに通知する" in text
    assert "## 取扱者自身の義務：NTTビジネスソリューションズ株式会社" in text
    # 60 days from 2023-10-17 end on a Saturday: the next open day
    assert "令和 5 年 12 月 18 日（月）まで（60 日。満了日の令和 5 年 12 月 16 日（土）が休日のため翌開庁日）" in text
    golden("breach-procx.md", result.stdout_bytes)


def test_wareki_dates_give_the_same_report(golden):
    result = run("breach", PROCX, "--handler", "bs", "--from", "H25.7", "--to", "令和5年10月", "--known", "R5.10.17",
                 "--intent", "wrongful", "--format", "json")
    assert result.exit_code == 0, result.output
    golden.reference(golden_path("breach-procx.json"), result.stdout_bytes)


def golden_path(name):
    from .conftest import EXPECTED

    return EXPECTED / name


def test_procx_csv_is_utf8_with_a_bom_one_row_per_organisation_and_role():
    result = run("breach", PROCX, *PROCX_ARGS, "--format", "csv")
    data = result.stdout_bytes
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 1 + 70  # the header, the handler, 70 organisations
    assert lines[1].startswith("bs,NTTビジネスソリューションズ株式会社,民間事業者,取扱者,")


@pytest.mark.parametrize("lang, names", [
    ("en", ["organisation", "kind", "role", "status", "people", "reporting", "preliminary", "final", "duty"]),
    ("ja", ["組織", "種別", "役割", "時期", "本人数", "報告対象事態", "速報", "確報", "義務"]),
])
def test_table_columns_line_up_by_display_width(lang, names):
    """Each column is as wide as its widest cell as a terminal shows it (a kanji takes two
    columns): every cell starts where its header does, the people column ends where its header
    does, and two spaces at least stand between cells."""
    result = run("breach", PROCX, *PROCX_ARGS, "--format", "table", "--lang", lang)
    lines = result.stdout.splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith(names[0]))
    header = spans(lines[header_at])
    assert [c[2] for c in header] == names
    rows = [line for line in lines[header_at + 1:] if line and not line.startswith(" ")]
    rows = rows[:rows.index("根拠：" if lang == "ja" else "legal bases:")]
    assert len(rows) == 71  # the handler and the 70 organisations affected
    for line in rows:
        cells = spans(line)
        people = next(c for c in cells if c[0] > header[3][0] and c[1] == header[4][1])  # right-aligned
        starts = {c[0] for c in cells}
        for index, column in enumerate(header):
            if index != 4:
                assert column[0] in starts, (column[2], line)
        assert people[2] in ("-", "－", "不明", "unknown") or people[2][-1].isdigit() or people[2].endswith("人"), line


def test_japanese_table_names_organisations_with_their_ids():
    text = run("breach", PROCX, *PROCX_ARGS, "--format", "table", "--lang", "ja").stdout
    assert text.startswith("漏えい等の影響範囲：NTTビジネスソリューションズ株式会社（bs）、期間 平成 25 年 7 月～令和 5 年 10 月、"
                           "事態を知った日 令和 5 年 10 月 17 日、不正の目的 あり（`--intent wrongful`）\n")
    assert "本人数（委託元の合計）：約 584,000 人（ほか本人数不明の委託元 52 者）" in text
    assert "通知する相手 69 者：B社（b）、C社（c）、D社（d）、E社（e）、F社（f）、G社（g）、H社（h）、I社（i） ほか 61 者" in text
    assert "令和 5 年 12 月 18 日（月）（60 日目の令和 5 年 12 月 16 日（土）は休日）" in text
    assert "  個人情報保護法第26条第1項（漏えい等の報告）  https://laws.e-gov.go.jp/law/415AC0000000057#Mp-At_26" in text


def test_procx_to_a_file(golden, tmp_path):
    target = tmp_path / "breach.md"
    result = run("breach", PROCX, *PROCX_ARGS, "-o", target)
    assert result.exit_code == 0 and result.output == ""
    golden.reference(golden_path("breach-procx.md"), target.read_bytes())


@pytest.mark.parametrize("case, args", [
    ("breach-four-levels", ("--handler", "maint", "--known", "2022-11-15", "--intent", "wrongful")),
    ("breach-two-routes", ("--handler", "ship", "--known", "2024-06-03", "--intent", "accidental")),
])
def test_teaching(golden, case, args):
    for lang, name in (("ja", f"{case}.md"), ("en", f"{case}.en.md")):
        result = run("breach", teaching(case), *args, "--lang", lang)
        assert result.exit_code == 0, result.output
        assert result.stderr == ""
        golden(name, result.stdout_bytes)


@pytest.mark.parametrize("args, option", [
    (("--handler", "nobody"), "--handler"),
    (("--handler", "bs", "--systems", "procx-cc", "--systems", "no-such-system"), "--systems"),
    (("--handler", "bs", "--from", "2023-10", "--to", "2013-07"), "--from"),
    (("--handler", "bs", "--from", ""), "--from"),
    (("--handler", "bs", "--known", ""), "--known"),
    (("--handler", "bs", "--to", "令和元年4月"), "--to"),
    (("--handler", "bs", "--known", "2023-10"), "--known"),
    (("--handler", "bs", "--known", "令和5年"), "--known"),
])
def test_bad_input_is_exit_2_naming_the_option_and_writes_nothing(tmp_path, args, option):
    target = tmp_path / "out.md"
    result = run("breach", PROCX, *args, "-o", target)
    assert result.exit_code == 2, result.output
    assert option in result.stderr and "Traceback" not in result.output
    assert result.stdout == ""
    assert not target.exists()


def test_bad_input_is_exit_2_before_any_database_is_dialled(tmp_path):
    """With --backend neo4j, an unknown handler is found before connecting (a URI nobody listens on)."""
    result = run("breach", PROCX, "--handler", "nobody", "--backend", "neo4j", env={"NEO4J_URI": "bolt://127.0.0.1:9"})
    assert result.exit_code == 2 and "--handler" in result.stderr


@pytest.mark.neo4j
def test_procx_on_neo4j_gives_the_same_json(golden, dataset, neo4j_settings):
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_DATABASE": neo4j_settings.database}
    result = run("breach", PROCX, *PROCX_ARGS, "--format", "json", "--backend", "neo4j", "--dataset", dataset, env=env)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden.reference(golden_path("breach-procx.json"), result.stdout_bytes)


def test_a_day_known_that_names_no_day_says_what_to_give():
    result = run("breach", PROCX, "--handler", "bs", "--known", "2023-10")
    assert result.exit_code == 2
    assert "--known" in result.stderr and "give the day the leak became known, e.g. 2023-10-17" in result.stderr
