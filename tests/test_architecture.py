"""The package's plan: stage packages whose imports go one way, and no import cycle.

Every ``import`` of a lib module is read from the source with :mod:`ast`, at the top of a
module or inside a function alike (a deferred import is still a dependency).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from lib import paths

# The stage packages in pipeline order: each may import those before it, never after.
LAYERS = ("core", "sources", "text", "curation", "publish", "report", "build")
TOP = ("paths", "errors")  # importable from anywhere


def _module_name(path: Path) -> str:
    rel = path.relative_to(paths.ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for p in sorted(paths.PACKAGE_DIR.rglob("*.py"))
        if "data" not in p.relative_to(paths.PACKAGE_DIR).parts
    }


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """The lib modules a module imports (``from lib.text import structure`` ->
    ``lib.text.structure``; ``from lib.text.structure import Passage`` -> the module)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "lib")
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{name}: relative import; import lib.… absolutely")
        elif (
            isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "lib"
        ):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in MODULES else node.module)
    return {m for m in out if m != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _layer(name: str) -> int | None:
    parts = name.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_the_graph_is_read():
    # The parser sees deferred imports too: the build's stages import every stage package.
    assert "lib.text.structure" in GRAPH["lib.build.stages"]
    assert {"lib.text.layout", "lib.sources.corpus"} <= GRAPH["lib.text.structure"]
    assert "lib.core.cache" in GRAPH["lib.text.layout"]  # imported inside a function
    assert len(MODULES) > 40


def test_every_import_names_an_existing_module():
    unknown = {(a, b) for a, deps in GRAPH.items() for b in deps if b not in MODULES}
    assert not unknown


def test_stage_packages_import_only_earlier_stages():
    backwards = []
    for name, deps in GRAPH.items():
        mine = _layer(name)
        for dep in deps:
            theirs = _layer(dep)
            if dep.split(".")[1] in TOP or theirs is None and dep == "lib":
                continue
            if name.endswith("__main__"):
                continue
            if mine is None or theirs is None or theirs > mine:
                backwards.append(f"{name} -> {dep}")
    assert not backwards, "imports against the pipeline order:\n" + "\n".join(backwards)


def test_top_level_modules_import_no_stage():
    for name in ("lib.paths", "lib.errors"):
        assert not GRAPH[name] - {"lib.paths", "lib.errors"}, name


def test_no_import_cycle():
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(GRAPH.get(node, ())):
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep) :] + [dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)


def test_each_stage_package_says_what_it_takes_and_gives():
    for layer in LAYERS:
        init = paths.PACKAGE_DIR / layer / "__init__.py"
        tree = ast.parse(init.read_text(encoding="utf-8"))
        doc = ast.get_docstring(tree)
        assert doc and "Takes" in doc and "Gives" in doc, layer
        assert len(tree.body) == 1, f"{layer}/__init__.py holds code; keep it a docstring"


def test_the_runtime_package_holds_no_benchmark_or_test_fixture():
    names = [n.rsplit(".", 1)[-1] for n in MODULES]
    assert not [n for n in names if n.startswith("bench") or "fixture" in n]
    for name, path in MODULES.items():
        source = path.read_text(encoding="utf-8")
        assert "import fpdf" not in source and "from fpdf" not in source, name


def test_notebooks_import_existing_modules():
    found = 0
    for nb in sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            for node in ast.walk(ast.parse("".join(cell["source"]))):
                if (
                    isinstance(node, ast.ImportFrom)
                    and node.module
                    and node.module.startswith("lib")
                ):
                    for alias in node.names:
                        full = f"{node.module}.{alias.name}"
                        named = full in MODULES or (
                            node.module in MODULES and MODULES[node.module].name != "__init__.py"
                        )
                        assert named, f"{nb.name}: from {node.module} import {alias.name}"
                        found += 1
    assert found >= 6


def test_the_build_fingerprint_sees_the_same_imports():
    # The build decides what to rebuild from the lib modules a stage's code imports, read
    # with regular expressions (lib/core/fingerprint.py); they must find what ast finds.
    from lib.core import fingerprint

    for name, path in MODULES.items():
        if path.name == "__init__.py" or name == "lib.__main__":
            continue
        expected = {m for m in GRAPH[name] if MODULES[m].name != "__init__.py"}
        assert fingerprint.imports_of(name) == expected, name
