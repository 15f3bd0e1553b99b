"""The library's architecture, checked: layers import only downwards, no import hides inside a
function, generated files are fresh, and nothing in the repository points outside it."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from entrustment_chain.graph.neo4j import cyphergen

ROOT = Path(__file__).resolve().parent.parent
GRAPH = ROOT / "graph"

# The layers of graph/, lowest first: a module may import its own layer and those below it.
# The same order is in the README's layout section.
LAYERS = ("base", "model", "io", "schema", "analysis", "neo4j", "reports", "api")


def layer_of(module: str) -> str:
    """The layer of a module of entrustment_chain.graph, by its dotted path below graph."""
    parts = module.split(".")
    if parts[0] in ("errors", "gcpause"):
        return "base"
    if parts[0] == "schema":
        return "schema"
    if parts[0] == "__init__" or parts == [""]:
        return "api"
    return parts[0]


def graph_modules():
    for path in sorted(GRAPH.rglob("*.py")):
        relative = path.relative_to(GRAPH).with_suffix("")
        yield path, ".".join(relative.parts)


def project_imports(tree: ast.AST, module: str):
    """(line, imported module below graph, top level?) for every import of the library."""
    package = module.split(".")[:-1]
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.startswith("entrustment_chain.graph"):
                name = node.module[len("entrustment_chain.graph."):] if node.module != "entrustment_chain.graph" else ""
            else:
                continue
            targets = [f"{name}.{a.name}".strip(".") for a in node.names] if not name else [name]
            for target in targets:
                yield node.lineno, target, id(node) in top
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("entrustment_chain.graph."):
                    yield node.lineno, alias.name[len("entrustment_chain.graph."):], id(node) in top


@pytest.mark.parametrize("path,module", list(graph_modules()), ids=lambda x: str(x).rsplit("/", 1)[-1])
def test_imports_go_down_the_layers_and_stand_at_the_top(path, module):
    if module.endswith("__init__") and module != "__init__":
        module = module[: -len(".__init__")]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = LAYERS.index(layer_of(module))
    for line, target, at_top in project_imports(tree, module if not path.name == "__init__.py" else module + ".x"):
        if module == "__init__":
            continue  # the public API imports lazily, by name, from every layer
        assert at_top, f"{path.name}:{line} imports {target} inside a function or block"
        assert LAYERS.index(layer_of(target)) <= own, \
            f"{path.relative_to(ROOT)}:{line}: {layer_of(module)} may not import {target} ({layer_of(target)})"


def test_the_readme_states_the_same_order():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"Layers, lowest first: (.+)", readme)
    assert stated, "the README's layout section states the layer order"
    assert [w.strip(" `.") for w in stated[1].split("→")] == list(LAYERS)


def test_importing_the_library_has_no_cycle():
    """Each module imports on its own in a fresh interpreter (a cycle fails one of them)."""
    modules = ["entrustment_chain.graph." + m.replace(".__init__", "") for _, m in graph_modules() if m != "__init__"]
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n    " \
           "[sys.modules.pop(k) for k in list(sys.modules) if k.startswith('entrustment_chain')]"
    subprocess.run([sys.executable, "-c", code, *modules], check=True)


def test_generated_cypher_and_docs_are_fresh():
    """scripts/regen would change nothing: the Cypher made from the schema and the docs made
    from the rule registry are what is committed."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "regen"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_cypher_block_of_more_than_ten_lines_is_written_twice():
    """Repeated blocks live in generated fragments (cypherge n.FRAGMENTS), not in the files people
    write: outside generated blocks, no run of 11 lines appears in two places."""
    seen: dict[tuple, str] = {}
    for path in sorted((ROOT / "cypher").glob("*/*.cypher")):
        text = path.read_text(encoding="utf-8")
        relative = path.relative_to(ROOT / "cypher").as_posix()
        if relative in cyphergen.generated_files():
            continue
        lines = [line.strip() for line in cyphergen.without_generated(text).splitlines()
                 if line.strip() and not line.strip().startswith("//")]
        for i in range(len(lines) - 10):
            window = tuple(lines[i:i + 11])
            other = seen.setdefault(window, relative)
            assert other == relative, f"{relative} repeats 11 lines of {other}: {window[0]} …"


def test_generated_load_files_differ_only_in_the_schema():
    """The load files are the schema's: each relationship type's file names its own endpoints."""
    files = cyphergen.generated_files()
    assert "MATCH (a:System {dataset: $dataset, id: row[1]})" in files["load/accessible_by.cypher"]
    assert "CREATE (n:Organization {dataset: $dataset, id: row[0]," in files["load/new_organizations.cypher"]


def test_nothing_points_outside_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    offenders = []
    for name in tracked.splitlines():
        if name.startswith("tests/") or not (ROOT / name).is_file():
            continue
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if "../shared" in text:
            offenders.append(name)
    assert offenders == []
