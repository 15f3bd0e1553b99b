"""Hostile paths (issue 17): what a command reads and what its `-o` writes.

Reads: a regular file, or `-` for standard input, never more than the byte limit (a device, a
pipe, a folder, a missing file: exit 2 naming it). Writes: never an input (also through another
path, a hard link or a symbolic link), a device or a folder; an existing file keeps its mode, a
private input makes a private output; any error while writing is exit 2 naming the path and leaves
nothing behind. Every bad case: exit 2, no traceback, no "internal error".
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from entrustment_chain.cli.main import main

from conftest import FIXTURES, PROCX, ROOT

WITHOUT_BS = FIXTURES / "procx-2024" / "chain-without-bs.yaml"
PROPOSAL = FIXTURES / "procx-2024" / "proposal-bs.yaml"
SMALL = FIXTURES / "teaching" / "own-system" / "chain.yaml"


def run(*args, input=None, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, env=env)


def refused(result, *names):
    """Exit 2, a message naming each of ``names``, and no trace of a crash."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    for name in names:
        assert str(name) in result.output, (name, result.output)
    return result


def refused_process(proc, *names):
    out = proc.stdout + proc.stderr
    out = out.decode("utf-8", "replace") if isinstance(out, bytes) else out
    assert proc.returncode == 2, (proc.returncode, out)
    assert "Traceback" not in out and "internal error" not in out, out
    for name in names:
        assert str(name) in out, (name, out)
    return out


def chain_cmd(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "entrustment_chain.cli.main", *map(str, args)],
                          capture_output=True, cwd=ROOT, **kwargs)


# --- the commands with -o, each given a chain file it reads (the proposal too, for check) ------

def commands(chain: Path, proposal: Path | None = None):
    """name → the arguments of each command that has -o (without -o); generate reads nothing."""
    return {
        "analyze": ["analyze", chain, "--format", "markdown"],
        "analyze-json": ["analyze", chain, "--format", "json"],
        "survey": ["survey", chain, "--contractor", "procx"],
        "check": ["check", chain, "--add", proposal or PROPOSAL],
        "export": ["export", chain, "--format", "dot"],
        "generate": ["generate", "--consignors", "2"],
    }


WITH_INPUT = ["analyze", "analyze-json", "survey", "check", "export"]
ALL = WITH_INPUT + ["generate"]


@pytest.fixture
def work(tmp_path):
    chain = tmp_path / "chain.yaml"
    shutil.copyfile(WITHOUT_BS, chain)
    proposal = tmp_path / "proposal.yaml"
    shutil.copyfile(PROPOSAL, proposal)
    return tmp_path, chain, proposal


@pytest.mark.parametrize("command", WITH_INPUT)
def test_output_equal_to_the_input_is_refused_and_the_input_is_untouched(work, command):
    tmp_path, chain, proposal = work
    before = chain.read_bytes()
    args = commands(chain, proposal)[command]
    refused(run(*args, "-o", chain), chain, "is the input file")
    assert chain.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chain.yaml", "proposal.yaml"]


@pytest.mark.parametrize("via", ["dot-path", "relative", "symlink", "hardlink"])
@pytest.mark.parametrize("command", WITH_INPUT)
def test_output_reaching_the_input_by_another_name_is_refused(work, command, via, monkeypatch):
    tmp_path, chain, proposal = work
    before = chain.read_bytes()
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    if via == "dot-path":
        target = tmp_path / "sub" / ".." / "." / "chain.yaml"
    elif via == "relative":
        target = Path("..") / "chain.yaml"
    elif via == "symlink":
        target = tmp_path / "sub" / "link.yaml"
        target.symlink_to(chain)
    else:
        target = tmp_path / "sub" / "hard.yaml"
        os.link(chain, target)
    refused(run(*commands(chain, proposal)[command], "-o", target), target, "is the input file")
    assert chain.read_bytes() == before
    assert not [p for p in tmp_path.rglob(".*") if p.is_file()]  # no temporary file left


def test_check_refuses_to_write_over_its_proposal(work):
    tmp_path, chain, proposal = work
    before = proposal.read_bytes()
    refused(run("check", chain, "--add", proposal, "-o", proposal), proposal, "is the input file")
    assert proposal.read_bytes() == before


def test_output_equal_to_standard_input_is_refused(work):
    """`chain analyze - -o chain.yaml < chain.yaml`: the same file, reached through fd 0."""
    tmp_path, chain, _ = work
    before = chain.read_bytes()
    with open(chain, "rb") as stdin:
        proc = chain_cmd("analyze", "-", "-o", chain, stdin=stdin, timeout=120)
    out = refused_process(proc, chain, "standard input")
    assert chain.read_bytes() == before, out


@pytest.mark.parametrize("command", ALL)
def test_a_device_is_refused_and_stays_a_device(work, command):
    tmp_path, chain, proposal = work
    refused(run(*commands(chain, proposal)[command], "-o", "/dev/null"), "/dev/null", "character device")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("command", ALL)
def test_a_folder_is_refused(work, command):
    tmp_path, chain, proposal = work
    folder = tmp_path / "out"
    folder.mkdir()
    refused(run(*commands(chain, proposal)[command], "-o", folder), folder, "folder")
    refused(run(*commands(chain, proposal)[command], "-o", f"{tmp_path / 'new'}/"), "new/", "folder")
    assert list(folder.iterdir()) == [] and not (tmp_path / "new").exists()


@pytest.mark.parametrize("command", ALL)
def test_a_missing_folder_is_refused_and_nothing_is_created(work, command):
    tmp_path, chain, proposal = work
    target = tmp_path / "missing" / "out.txt"
    refused(run(*commands(chain, proposal)[command], "-o", target), target, "does not exist")
    assert not (tmp_path / "missing").exists()


def test_a_file_as_folder_is_refused(work):
    tmp_path, chain, _ = work
    refused(run("analyze", chain, "-o", tmp_path / "proposal.yaml" / "out.md"), "out.md", "not a folder")


def test_an_unwritable_folder_is_refused(work):
    tmp_path, chain, _ = work
    if os.geteuid() == 0:
        target = Path("/proc/chain-report.md")  # even root cannot create a file in /proc
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "report.md"
    refused(run("analyze", chain, "-o", target), target, "cannot write")
    assert not target.exists()


def test_a_full_disk_is_exit_2_and_leaves_nothing(tmp_path):
    """A file-size limit (RLIMIT_FSIZE; Python ignores SIGXFSZ) makes the write fail with EFBIG
    half way, as a full disk fails it with ENOSPC: the existing output stays as it was, and no
    temporary file is left."""
    import resource

    target = tmp_path / "big.json"
    target.write_text("old\n", encoding="utf-8")

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    proc = chain_cmd("generate", "--consignors", "50", "-o", target, preexec_fn=limit, timeout=120)
    refused_process(proc, target, "cannot write")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["big.json"]


def test_standard_output_that_fails_is_exit_2():
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([sys.executable, "-m", "entrustment_chain.cli.main", "analyze", str(SMALL)],
                              stdout=full, stderr=subprocess.PIPE, timeout=120)
    assert proc.returncode == 2 and b"<stdout>" in proc.stderr and b"Traceback" not in proc.stderr


def test_an_error_while_writing_removes_the_temporary_file(tmp_path, monkeypatch):
    from entrustment_chain.graph.errors import InputError
    from entrustment_chain.graph.io.output import write_output

    target = tmp_path / "out.txt"
    target.write_text("before", encoding="utf-8")

    def write(handle):
        handle.write("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(InputError) as error:
        write_output(write, str(target))
    assert error.value.problems[0].file == str(target) and "No space left" in error.value.problems[0].message
    assert target.read_text(encoding="utf-8") == "before"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.parametrize("command", ALL)
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604])
def test_an_existing_output_keeps_its_mode(work, command, mode):
    tmp_path, chain, proposal = work
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    target.chmod(mode)
    result = run(*commands(chain, proposal)[command], "-o", target)
    assert result.exit_code in (0, 1), result.output
    assert target.read_text(encoding="utf-8") != "old"
    assert stat.S_IMODE(target.stat().st_mode) == mode


@pytest.mark.parametrize("command", WITH_INPUT)
def test_a_private_input_makes_a_private_output(work, command):
    tmp_path, chain, proposal = work
    old = os.umask(0o022)
    try:
        chain.chmod(0o600)
        private, public = tmp_path / "private.txt", tmp_path / "public.txt"
        assert run(*commands(chain, proposal)[command], "-o", private).exit_code in (0, 1)
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
        chain.chmod(0o644)
        assert run(*commands(chain, proposal)[command], "-o", public).exit_code in (0, 1)
        assert stat.S_IMODE(public.stat().st_mode) == 0o644  # the umask's default
    finally:
        os.umask(old)


def test_a_private_proposal_makes_a_private_output(work):
    tmp_path, chain, proposal = work
    old = os.umask(0o022)
    try:
        proposal.chmod(0o600)
        assert run("check", chain, "--add", proposal, "-o", tmp_path / "out.txt").exit_code == 1
        assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_a_symbolic_link_is_written_through(work):
    tmp_path, chain, _ = work
    real = tmp_path / "real.md"
    real.write_text("old", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert run("analyze", chain, "--format", "markdown", "-o", link).exit_code == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("#")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_dash_is_standard_output(work):
    tmp_path, chain, _ = work
    result = run("analyze", chain, "--format", "json", "-o", "-")
    assert result.exit_code == 0 and json.loads(result.stdout)["summary"]["findings"] > 0
    assert not (tmp_path / "-").exists() and not Path("-").exists()


def test_bad_output_is_refused_before_the_work(work):
    """The target is checked first: a refused -o does not wait for the analysis."""
    tmp_path, chain, _ = work
    result = run("analyze", "/no/such/chain.yaml", "-o", "/dev/null")
    refused(result, "/dev/null")
    assert "/no/such/chain.yaml" not in result.output


# --- reads -----------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["validate", "analyze", "survey", "export", "check", "load"])
def test_missing_folder_and_device_inputs_are_refused(tmp_path, command):
    extra = {"survey": ["--contractor", "x"], "export": ["--format", "dot"], "check": ["--add", PROPOSAL],
             "load": ["--uri", "bolt://127.0.0.1:1"]}.get(command, [])
    for path, says in ((tmp_path / "nope.yaml", "No such file"), ("/dev/zero", "character device"),
                       (tmp_path, "")):
        refused(run(command, path, *extra), path, says)


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "chain.yaml"
    os.mkfifo(fifo)
    start = time.monotonic()
    proc = chain_cmd("validate", fifo, timeout=60)
    refused_process(proc, fifo, "named pipe")
    assert time.monotonic() - start < 30


def test_dev_stdin_that_is_a_pipe_is_refused_and_dash_reads_it():
    text = SMALL.read_bytes()
    proc = chain_cmd("validate", "/dev/stdin", input=text, timeout=60)
    refused_process(proc, "/dev/stdin", "'-'")
    proc = chain_cmd("validate", "-", input=text, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith(b"<stdin>: valid"), proc.stderr


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_standard_input_is_read_as_a_file_is(tmp_path, fmt):
    chain = tmp_path / f"chain.{fmt}"
    assert run("generate", "--consignors", "3", "--format", fmt, "-o", chain).exit_code == 0
    from_file = run("analyze", chain, "--format", "json")
    from_stdin = run("analyze", "-", "--format", "json", input=chain.read_bytes())
    assert from_stdin.exit_code == from_file.exit_code == 0, from_stdin.output
    strip = lambda out: {k: v for k, v in json.loads(out).items() if k != "source"}  # noqa: E731
    assert strip(from_stdin.stdout) == strip(from_file.stdout)
    assert json.loads(from_stdin.stdout)["source"] == "<stdin>"


def test_bad_standard_input_names_stdin_with_its_line():
    result = run("validate", "-", input=(ROOT / "tests" / "bad" / "bidi-name.yaml").read_bytes())
    refused(result, "<stdin>:")


@pytest.mark.parametrize("text", [b"schema: x\n" + b"#" * 5000, b'{"schema": "x", "pad": "' + b"x" * 5000 + b'"}'])
def test_standard_input_has_the_byte_limit(text):
    result = run("validate", "-", input=text, env={"ENTRUSTMENT_CHAIN_MAX_BYTES": "1000"})
    refused(result, "<stdin>", "over the limit of 1,000 bytes")


def test_the_limit_holds_for_a_regular_file_of_each_format(tmp_path):
    for name, text in (("c.yaml", "schema: x\n" + "#" * 5000), ("c.json", '{"pad": "' + "x" * 5000 + '"}')):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        refused(run("validate", path, env={"ENTRUSTMENT_CHAIN_MAX_BYTES": "1000"}), path, "over the limit")


def test_a_bad_limit_setting_is_exit_2():
    refused(run("validate", SMALL, env={"ENTRUSTMENT_CHAIN_MAX_BYTES": "lots"}), "ENTRUSTMENT_CHAIN_MAX_BYTES")


def test_the_yaml_limit_is_2_mib_and_json_2_gib():
    from entrustment_chain.graph.io.loader import DEFAULT_MAX_BYTES

    assert DEFAULT_MAX_BYTES == {"yaml": 2 << 20, "json": 2 << 30}


def _peak_kib(args, stdin=None, timeout=60):
    """Run `chain ARGS` in a child of a small Python wrapper, which reports the child's peak RSS:
    the one child of a fresh process, so the figure is the command's own."""
    code = ("import resource, subprocess, sys\n"
            "p = subprocess.run([sys.executable, '-m', 'entrustment_chain.cli.main', *sys.argv[1:]],"
            " capture_output=True)\n"
            "sys.stderr.buffer.write(p.stdout + p.stderr)\n"
            "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code, *map(str, args)], stdin=stdin, capture_output=True,
                          timeout=timeout, cwd=ROOT)
    code, peak = proc.stdout.split()
    return int(code), int(peak), proc.stderr.decode("utf-8", "replace"), time.monotonic() - start


def test_dev_zero_is_refused_at_once_with_bounded_memory():
    code, peak, out, took = _peak_kib(["validate", "/dev/zero"])
    assert code == 2 and "character device" in out and "Traceback" not in out, out
    assert peak < 300 * 1024 and took < 30, (peak, took)


def test_dev_zero_on_standard_input_stops_at_the_limit():
    with open("/dev/zero", "rb") as zero:
        code, peak, out, took = _peak_kib(["validate", "-"], stdin=zero)
    assert code == 2 and "over the limit" in out and "Traceback" not in out, out
    assert peak < 300 * 1024 and took < 30, (peak, took)


def test_an_endless_json_stream_stops_at_the_limit():
    """'{' then endless bytes: read as JSON (whose limit is 2 GiB) but never held in memory: standard
    input is kept in a temporary file, within the limit, and that file is gone afterwards."""
    feeder = subprocess.Popen([sys.executable, "-c",
                               "import sys\nsys.stdout.buffer.write(b'{\"a\": \"')\n"
                               "chunk = b'x' * (1 << 20)\n"
                               "try:\n    while True: sys.stdout.buffer.write(chunk)\n"
                               "except BrokenPipeError:\n    pass\n"], stdout=subprocess.PIPE)
    try:
        env = {**os.environ, "ENTRUSTMENT_CHAIN_MAX_BYTES": str(64 << 20)}
        proc = subprocess.run([sys.executable, "-c",
                               "import resource, subprocess, sys\n"
                               "p = subprocess.run([sys.executable, '-m', 'entrustment_chain.cli.main', "
                               "'validate', '-'], capture_output=True)\n"
                               "sys.stderr.buffer.write(p.stdout + p.stderr)\n"
                               "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"],
                              stdin=feeder.stdout, capture_output=True, timeout=60, env=env, cwd=ROOT)
    finally:
        feeder.stdout.close()
        feeder.kill()
        feeder.wait()
    code, peak = proc.stdout.split()
    out = proc.stderr.decode()
    assert int(code) == 2 and "over the limit of 67,108,864 bytes for JSON" in out, out
    assert int(peak) < 300 * 1024, peak


# --- proposals (check --add) -------------------------------------------------------------------

def test_a_folder_as_proposal_is_exit_2(tmp_path):
    refused(run("check", WITHOUT_BS, "--add", tmp_path), tmp_path, "folder")


def test_a_missing_proposal_file_is_named():
    refused(run("check", WITHOUT_BS, "--add", "no-such-proposal.yaml"), "no-such-proposal.yaml", "No such file")


def test_a_device_or_fifo_as_proposal_is_refused(tmp_path):
    refused(run("check", WITHOUT_BS, "--add", "/dev/zero"), "/dev/zero", "character device")
    fifo = tmp_path / "proposal.yaml"
    os.mkfifo(fifo)
    proc = chain_cmd("check", WITHOUT_BS, "--add", fifo, timeout=60)
    refused_process(proc, fifo, "named pipe")


def test_a_proposal_has_the_yaml_limit(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(PROPOSAL.read_bytes() + b"#" * 50_000)
    result = refused(run("check", WITHOUT_BS, "--add", big, env={"ENTRUSTMENT_CHAIN_MAX_BYTES": "40000"}),
                     big, "over the limit")
    assert str(WITHOUT_BS) not in result.output  # the chain, 36 kB, is within it


def test_a_proposal_from_standard_input(tmp_path):
    result = run("check", WITHOUT_BS, "--add", "-", "--format", "json", input=PROPOSAL.read_bytes())
    from_file = run("check", WITHOUT_BS, "--add", PROPOSAL, "--format", "json")
    assert result.exit_code == from_file.exit_code == 1
    assert result.stdout == from_file.stdout
    refused(run("check", "-", "--add", "-", input=b""), "standard input")


def test_inline_proposals_still_work():
    result = run("check", WITHOUT_BS, "--add", "{access: [{organization: procx, system: nowhere}]}")
    refused(result, "--add")
    assert "cannot read the file" not in result.output


def test_a_long_output_name_is_written(tmp_path):
    """A valid name near NAME_MAX: the temporary file beside it has a short name of its own."""
    from click.testing import CliRunner

    from entrustment_chain.cli.main import main

    target = tmp_path / ("r" * 250 + ".md")
    result = CliRunner().invoke(main, ["analyze", str(PROCX), "--format", "markdown", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("# 委託関係の分析結果")
