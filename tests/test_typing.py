"""The library types itself: a consumer's mypy sees the installed package as typed (py.typed),
the public API as its modules declare it, rule ids as a RuleId, and a typed Proposal for check.

The package is type-checked as a wheel installs it. An editable install (``pip install -e .``,
what the tests use) maps ``entrustment_chain.graph`` to ``graph/`` with an import hook, which
mypy cannot follow (it never runs code): it does not find the package at all. So the module
builds the installed layout with setuptools' ``build_py`` from pyproject.toml (the folder a
wheel zips) and puts it on mypy's path, where PEP 561 applies: without ``py.typed`` the package
would be untyped.
"""
from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import entrustment_chain
from entrustment_chain import graph
from entrustment_chain.graph import InputError, Organization, Proposal, RuleId, UnknownRule, check, load_chain
from entrustment_chain.graph.analysis.registry import RULES, rule

ROOT = Path(__file__).resolve().parent.parent
TYPING = ROOT / "tests" / "typing"
FIXTURES = ROOT / "fixtures"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packages as a wheel would install them, in a fresh folder: build_py reads
    pyproject.toml (package-dir, packages, package-data) and copies what a wheel holds."""
    out = tmp_path_factory.mktemp("site-packages")
    subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py", "-d", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def mypy(installed: Path, tmp_path_factory: pytest.TempPathFactory):
    """Run mypy as a consumer would (tests/typing/mypy.ini: strict, with pydantic's plugin), the
    package found only where it is installed; from a folder that holds no package."""
    cache = tmp_path_factory.mktemp("mypy-cache")
    elsewhere = tmp_path_factory.mktemp("consumer")

    def run(*files: Path, site: Path = installed) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(site)}
        env.pop("MYPYPATH", None)
        return subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(TYPING / "mypy.ini"),
                               "--cache-dir", str(cache if site == installed else elsewhere / ".cache"),
                               "--no-color-output", *map(str, files)],
                              cwd=elsewhere, env=env, capture_output=True, text=True)

    return run


def errors(output: str) -> set[tuple[int, str]]:
    """(line, error code) of each error mypy reports."""
    return {(int(m[1]), m[2]) for m in re.finditer(r"^[^:\n]+:(\d+): error: .*\[([a-z-]+)\]$", output, re.M)}


def test_the_wheel_layout_ships_py_typed(installed):
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["entrustment_chain"]
    assert (installed / "entrustment_chain" / "py.typed").is_file()
    for package in config["tool"]["setuptools"]["packages"]:
        assert (installed / package.replace(".", "/")).is_dir(), package


def test_a_consumer_of_the_public_api_type_checks(mypy):
    result = mypy(TYPING / "consumer.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_the_consumer_runs_as_it_is_typed():
    result = subprocess.run([sys.executable, str(TYPING / "consumer.py"), str(FIXTURES)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:3] == ["69 69 high True", "69", "undisclosed_subcontracting"]


def test_misuses_are_reported_each_where_marked(mypy):
    """Every line marked ``# E: code`` is an error of that code, and nothing else is."""
    text = (TYPING / "misuse.py").read_text(encoding="utf-8")
    expected = {(number, m[1]) for number, line in enumerate(text.splitlines(), 1)
                for m in [re.search(r"# E: ([a-z-]+)$", line)] if m}
    assert len(expected) >= 10
    result = mypy(TYPING / "misuse.py")
    assert result.returncode == 1, result.stdout + result.stderr
    assert errors(result.stdout) == expected, result.stdout


def test_without_py_typed_the_package_is_untyped(installed, mypy, tmp_path):
    """The check above rests on the marker: the same package without it is not typed for mypy."""
    bare = tmp_path / "site"
    shutil.copytree(installed / "entrustment_chain", bare / "entrustment_chain")
    (bare / "entrustment_chain" / "py.typed").unlink()
    script = tmp_path / "use.py"
    script.write_text("import entrustment_chain\n", encoding="utf-8")
    result = mypy(script, site=bare)
    assert (1, "import-untyped") in errors(result.stdout), result.stdout


# --- the public API, declared alike for type checkers and at run time ---


def test_the_public_api_is_declared_alike():
    """``_EXPORTS`` (run time), the ``TYPE_CHECKING`` imports (type checkers) and ``__all__``
    name the same things from the same modules."""
    tree = ast.parse(Path(graph.__file__).read_text(encoding="utf-8"))
    [block] = [node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"]
    declared = {alias.asname or alias.name: node.module.removeprefix("entrustment_chain.graph.")
                for node in block.body if isinstance(node, ast.ImportFrom) and node.module
                for alias in node.names}
    assert declared == graph._EXPORTS
    assert graph.__all__ == sorted(graph._EXPORTS)
    for name in graph.__all__:
        assert getattr(entrustment_chain, name) is getattr(graph, name)
        assert getattr(graph, name).__module__ == f"entrustment_chain.graph.{graph._EXPORTS[name]}"


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="load_chian"):
        getattr(graph, "load_chian")
    with pytest.raises(AttributeError, match="load_chian"):
        getattr(entrustment_chain, "load_chian")


# --- rule ids ---


def test_rule_ids_are_the_registry_s_in_its_order():
    assert [r.value for r in RuleId] == list(RULES)
    assert RuleId.UNDISCLOSED_SUBCONTRACTING == "undisclosed_subcontracting"
    assert all(r.name == r.value.upper() for r in RuleId)


def test_by_rule_takes_a_rule_id_or_its_string(procx_analysis):
    by_id = procx_analysis.by_rule(RuleId.COULD_NOT_SUPERVISE)
    assert len(by_id) == 69 and by_id == procx_analysis.by_rule("could_not_supervise")
    assert rule(RuleId.NO_SUPERVISION) is rule("no_supervision")


@pytest.mark.parametrize("typo", ["undisclosed_subcontractin", "UNDISCLOSED_SUBCONTRACTING"])
def test_an_unknown_rule_is_named_plainly_with_the_closest(procx_analysis, typo):
    with pytest.raises(UnknownRule) as raised:
        procx_analysis.by_rule(typo)
    error = raised.value
    assert isinstance(error, ValueError) and isinstance(error, KeyError)  # callers catching KeyError still do
    assert error.suggestion == "undisclosed_subcontracting" and error.rule_id == typo
    assert str(error).startswith(f"'{typo}' is not a rule (did you mean 'undisclosed_subcontracting'?); "
                                 "the rules are: undisclosed_subcontracting, ")
    assert not str(error).startswith('"')  # not KeyError's repr of the message


def test_an_id_close_to_no_rule_gets_no_suggestion():
    with pytest.raises(UnknownRule, match=r"^'typo' is not a rule; the rules are: ") as raised:
        rule("typo")
    assert raised.value.suggestion is None
    with pytest.raises(UnknownRule, match=r"^42 is not a rule; "):
        rule(42)  # type: ignore[arg-type]


# --- check with a typed proposal ---


@pytest.fixture(scope="module")
def without_bs():
    return load_chain(FIXTURES / "procx-2024" / "chain-without-bs.yaml")


def test_a_proposal_typed_or_as_data_gives_one_result(without_bs):
    path = FIXTURES / "procx-2024" / "proposal-bs.yaml"
    typed = Proposal.read(str(path))
    assert typed.name == str(path) and [o.id for o in typed.organizations] == ["bs"]
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert check(without_bs, typed) == check(without_bs, data) == check(without_bs, Proposal.model_validate(data))
    assert len(check(without_bs, typed).consignors_affected) == 69
    # models inside plain data are taken as the chain file writes them
    mixed = {**data, "organizations": [Organization(id="bs", name="NTTビジネスソリューションズ株式会社")]}
    assert check(without_bs, mixed) == check(without_bs, typed)


def test_a_proposal_read_from_a_file_names_its_lines(tmp_path, without_bs):
    path = tmp_path / "proposal.yaml"
    path.write_text("organizations:\n  - {id: v, name: V, bogus: 1}\naccess:\n  - {organization: v}\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as raised:
        Proposal.read(str(path))
    assert [(p.file, p.line, p.field) for p in raised.value.problems] == [
        (str(path), 2, "organizations[0].bogus"), (str(path), 4, "access[0].system")]
    # valid on its own, wrong against the chain: check names the proposal's line
    path.write_text("organizations:\n  - {id: v, name: V}\n\naccess:\n  - {organization: v, system: nosuch}\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as raised:
        check(without_bs, Proposal.read(str(path)))
    assert [(p.file, p.line, p.field) for p in raised.value.problems] == [(str(path), 5, "access[0].system")]


def test_an_inline_proposal_and_one_built_in_code(without_bs):
    with pytest.raises(InputError) as raised:
        Proposal.read("{organizations: [{id: v}]}")
    assert [(p.file, p.line, p.field) for p in raised.value.problems] == [("--add", 1, "organizations[0].name")]
    built = Proposal(organizations=[Organization(id="v", name="V")])
    assert built.name == "<proposal>" and check(without_bs, built).gained == []
