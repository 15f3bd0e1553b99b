"""The console script ends the process without freeing what a command built (cli/main.py run):
its output and exit codes must be those of main(), whatever the command wrote or raised."""
from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from entrustment_chain.cli.main import main

from conftest import ROOT

PROCX = "fixtures/procx-2024/chain.yaml"


def console(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "entrustment_chain", *args], cwd=ROOT, capture_output=True,
                          timeout=120, **kw)


def test_output_and_exit_codes_are_mains():
    for args, code in [(("analyze", PROCX, "--format", "json"), 0), (("analyze", PROCX, "--fail-on", "high"), 1),
                       (("analyze", "no-such.yaml"), 2), (("analyze", PROCX, "--limit", "-1"), 2),
                       (("--version",), 0)]:
        done = console(*args)
        expected = CliRunner().invoke(main, list(args), prog_name="chain")
        assert done.returncode == expected.exit_code == code, (args, done.stderr)
        assert done.stdout == expected.stdout_bytes, args
        assert done.stderr.decode() == expected.stderr, args


def test_a_file_written_with_o_is_whole(tmp_path):
    out = tmp_path / "out.jsonl"
    done = console("analyze", PROCX, "--format", "jsonl", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == CliRunner().invoke(main, ["analyze", PROCX, "--format", "jsonl"]).stdout_bytes
    assert not [p for p in tmp_path.iterdir() if p != out]  # no temporary file left


def test_a_reader_that_goes_away_is_not_a_traceback():
    reader = subprocess.Popen([sys.executable, "-m", "entrustment_chain", "analyze", PROCX, "--format", "json",
                               "--messages"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.read(10)
    reader.stdout.close()  # as `| head -c 10` does
    err = reader.stderr.read().decode()
    reader.wait(timeout=60)
    assert "Traceback" not in err
    assert reader.returncode != 0 or err == ""
