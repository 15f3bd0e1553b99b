"""The README's Python example runs as printed."""
import os
import re
import subprocess
import sys

from conftest import ROOT


def test_readme_python_example_runs():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("69 bs ")
    assert lines[2] == "82"
    assert "already has maintenance access" in lines[3]


def test_readme_check_example_runs_as_written():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"^(chain check fixtures/\S+ --add \S+)$", text, re.M).group(1)
    # the table's language follows the locale (cli.common.language): the README shows it in English
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")} | {"LANG": "C"}
    result = subprocess.run([sys.executable, "-m", "entrustment_chain.cli.main", *command.split()[1:]],
                            cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("69 consignor(s) would gain a handler")
    assert "(procx) must inform" in result.stdout
