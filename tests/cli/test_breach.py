"""`chain breach`: the ProCX leak in every format (2023-10-17 is an example of the day BS's leak
was known), both teaching cases, wareki dates, the table's columns, bad input (exit 2, the option
named, nothing written; a day known that names no day), and the same JSON from Neo4j."""
import pytest

from .conftest import PROCX, run, teaching

PROCX_ARGS = ("--handler", "bs", "--from", "2013-07", "--to", "2023-10", "--known", "2023-10-17",
              "--intent", "wrongful")


@pytest.mark.parametrize("fmt, name", [("markdown", "breach-procx.md"), ("json", "breach-procx.json"),
                                       ("table", "breach-procx.table.txt"), ("csv", "breach-procx.csv")])
def test_procx(golden, fmt, name):
    result = run("breach", PROCX, *PROCX_ARGS, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden(name, result.stdout_bytes)


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


def test_table_columns_do_not_run_into_each_other():
    """Each column is as wide as its widest cell: every cell starts where its header does, and
    is followed by at least two spaces (the lone people column is right-aligned to its header)."""
    result = run("breach", PROCX, *PROCX_ARGS, "--format", "table")
    lines = result.stdout.splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("organisation"))
    header = lines[header_at]
    names = ["organisation", "kind", "role", "status", "people", "reporting", "preliminary", "final", "duty"]
    starts = [header.index(n) for n in names]
    ends = [header.index("people") + len("people")]
    for line in lines[header_at + 1:]:
        if line.startswith(" "):
            continue  # "notifies …" under a row
        for name, start in zip(names, starts):
            if name in ("organisation", "people"):
                continue
            assert line[start - 2:start] == "  " and line[start] != " ", (name, line)
        assert line[ends[0] - 1] != " " and line[ends[0]:ends[0] + 2] == "  ", line


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
    result = run("breach", teaching(case), *args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    golden(f"{case}.md", result.stdout_bytes)


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
