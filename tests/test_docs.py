"""The README and docs/ stay true: their links, paths and names lead somewhere real.

The README is the short page a newcomer reads; the manual is in docs/. Every relative
link resolves to a file (and a heading, where it names one), every ``lib/…`` path and
``lib.…`` name they mention exists, and every benchmark target has its figures.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from lib import paths

PAGES = [paths.ROOT / "README.md", *sorted((paths.ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
LIB_PATH = re.compile(r"(?<![\w/.])(lib/[\w/]+\.(?:py|yml|tsv)|lib/[\w/]+/)")
LIB_NAME = re.compile(r"`(lib(?:\.\w+)+)(?:\(\))?`")


def _slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    return {_slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def test_the_pages_are_found():
    names = {p.name for p in PAGES}
    assert {
        "README.md",
        "architecture.md",
        "data.md",
        "adding-a-report.md",
        "browsing.md",
        "notebooks.md",
        "benchmarks.md",
        "development.md",
    } <= names


def test_the_readme_is_a_short_page():
    assert len((paths.ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 200


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves(page: Path):
    found = 0
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        file, _, anchor = target.partition("#")
        path = (page.parent / file).resolve() if file else page
        assert path.exists(), f"{page.name}: {target} does not exist"
        if anchor and path.suffix == ".md":
            assert anchor in _anchors(path), f"{page.name}: no heading #{anchor} in {file}"
        found += 1
    if page.name in ("README.md", "development.md"):
        assert found >= 5


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_lib_path_and_name_exists(page: Path):
    text = page.read_text(encoding="utf-8")
    for rel in set(LIB_PATH.findall(text)):
        assert (paths.ROOT / rel).exists(), f"{page.name}: {rel} does not exist"
    for name in set(LIB_NAME.findall(text)):
        parts = name.split(".")
        for i in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:i]))
            except ModuleNotFoundError:
                continue
            for attr in parts[i:]:
                assert hasattr(obj, attr), f"{page.name}: {name} does not exist"
                obj = getattr(obj, attr)
            break
        else:
            pytest.fail(f"{page.name}: {name} does not exist")


def test_every_benchmark_target_has_its_figures():
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    targets = sorted(set(re.findall(r"^(bench-[\w-]+):", makefile, flags=re.MULTILINE)))
    assert len(targets) >= 6
    bench = (paths.ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    for target in targets:
        assert f"make {target}" in bench, f"docs/benchmarks.md has no figures of {target}"
