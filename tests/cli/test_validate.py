"""`chain validate`: the one-line summary of every valid fixture, every problem of a bad file."""
from .conftest import INPUTS, PROCX, TEACHING, run, teaching


def test_valid_fixtures(golden):
    out = ""
    for path in [PROCX, *map(teaching, TEACHING)]:
        result = run("validate", path)
        assert result.exit_code == 0, result.output
        assert result.stderr == ""
        out += result.stdout
    golden("validate-ok.txt", out)


def test_bad_file_reports_every_problem_and_exits_2(golden):
    result = run("validate", f"{INPUTS}/bad-several.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    golden("validate-bad.txt", result.stderr)
