"""Incremental builds: each kind of input change runs exactly the stages that depend on it,
and the incremental result equals a full build's, byte for byte.

Every test works in a temporary copy of the repository (tests/repocopy.py) and runs
``python -m lib build`` as a real process. The copies share one cache of derived
artefacts, a copy of the repository's own (warm after ``make data``).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import repocopy

from lib import paths
from lib.build import runner, stages

ALL = {s.name for s in stages.STAGES}
RAW_STAGES = {s.name for s in stages.STAGES if stages.RAW in s.inputs}


@pytest.fixture
def repo(built_repo: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built repository (times of the outputs kept, so it is current)."""
    root = tmp_path / "repo"
    shutil.copytree(built_repo, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _set_sha(root: Path, file: str) -> None:
    """Record a raw file's new checksum in the copy's manifest (as the README says to)."""
    raw = root / "data" / "raw"
    manifest = raw / "manifest.yml"
    text = manifest.read_text(encoding="utf-8")
    entry = text.index(f"file: {file}")
    start = text.index("sha256: ", entry) + len("sha256: ")
    sha = hashlib.sha256((raw / file).read_bytes()).hexdigest()
    manifest.write_text(text[:start] + sha + text[start + 64 :], encoding="utf-8")


def _catalog(root: Path) -> Path:
    return root / paths.CATALOG_DIR.relative_to(paths.ROOT) / "hemloshet.yml"


def edit_manifest(root: Path) -> None:
    _edit(
        root / "data" / "raw" / "manifest.yml",
        "title: Årsrapport 2022, Socialnämnden Centrum",
        "title: Årsrapport för 2022, Socialnämnden Centrum",
    )


def edit_curated(root: Path) -> None:
    _edit(
        root / "data" / "curated" / "observations_hemloshet.yml",
        "note: Tabellens rad 'Socialt boende';",
        "note: Tabellraden 'Socialt boende';",
    )


def comment_curated(root: Path) -> None:
    path = root / "data" / "curated" / "observations_hemloshet.yml"
    path.write_text(
        path.read_text(encoding="utf-8") + "# a comment changes no figure\n", encoding="utf-8"
    )


def edit_catalog(root: Path) -> None:
    path = _catalog(root)
    text = path.read_text(encoding="utf-8")
    label = text[text.index("label: ") + len("label: ") :].split("\n", 1)[0]
    _edit(path, f"label: {label}", f"label: {label} (ändrad)")


def edit_lib_data(root: Path) -> None:
    path = root / "lib" / "data" / "quantities_units.yml"
    path.write_text(
        path.read_text(encoding="utf-8") + "# a comment changes no unit\n", encoding="utf-8"
    )


def edit_stage_code(root: Path) -> None:
    path = root / "lib" / "publish" / "excel.py"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n# a comment: no output changes\n", encoding="utf-8"
    )


# What each change must run. A stage runs when its own inputs or code changed, or when a
# table it needs came out different; a stage whose needed tables came out the same is
# skipped (the manifest title is not in the observations, so the export stays).
CASES: dict[str, tuple[Callable[[Path], None], set[str]]] = {
    "raw manifest": (edit_manifest, RAW_STAGES),
    "curated file": (edit_curated, {"indicators", "export", "publish"}),
    # The indicators run and give the same tables: publish, started before them (see
    # lib/build/stages.py), is stopped and its files removed; export does not run.
    "curated comment": (comment_curated, {"indicators"}),
    "indicator catalog": (edit_catalog, {"indicators", "export", "publish"}),
    # quantities_units.yml is named in lib/text/quantities.py, which
    # lib/curation/indicators.py imports and whose schemas the dictionary and the database
    # describe; the comment changes no table, so the export (which needs only the
    # observations) does not run.
    "lib data file": (edit_lib_data, {"quantities", "indicators", "dictionary", "publish"}),
    "stage code": (edit_stage_code, {"export"}),
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(CASES))
def test_change_runs_its_stages_and_equals_a_full_build(
    kind: str, repo: Path, shared_cache: Path, tmp_path: Path
) -> None:
    change, expected = CASES[kind]
    processed = repo / "data" / "processed"
    before = repocopy.outputs(processed)
    change(repo)
    result = repocopy.run(repo, shared_cache, "build")
    assert result.returncode == 0, result.stderr
    assert repocopy.ran(result.stdout) == expected, result.stdout
    incremental = repocopy.outputs(processed)
    assert incremental != before or kind in ("lib data file", "stage code", "curated comment")
    assert not repocopy.temporaries(processed)

    full = repocopy.run(repo, shared_cache, "build", "--full", "--out-dir", str(tmp_path / "full"))
    assert full.returncode == 0, full.stderr
    assert repocopy.ran(full.stdout) == ALL
    assert repocopy.outputs(tmp_path / "full") == incremental

    again = repocopy.run(repo, shared_cache, "build")
    assert repocopy.ran(again.stdout) == set()
    assert "build: up to date" in again.stdout


@pytest.mark.slow
def test_nothing_changed_runs_nothing_and_writes_nothing(repo: Path, shared_cache: Path) -> None:
    processed = repo / "data" / "processed"

    def stamps() -> dict[str, int]:  # outputs and the build's record (not its lock file)
        return {
            p.name: p.stat().st_mtime_ns
            for p in processed.rglob("*")
            if p.is_file() and p.name != runner.LOCK_FILE
        }

    before = stamps()
    result = repocopy.run(repo, shared_cache, "build")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"build: up to date ({len(ALL)} stages unchanged); data/processed"
    )
    assert stamps() == before


@pytest.mark.slow
def test_edited_output_is_rebuilt(repo: Path, shared_cache: Path) -> None:
    processed = repo / "data" / "processed"
    good = (processed / "observations.csv").read_bytes()
    (processed / "observations.csv").write_text("edited by hand\n", encoding="utf-8")
    result = repocopy.run(repo, shared_cache, "build")
    assert repocopy.ran(result.stdout) == {"indicators"}
    assert "indicators: running (outputs changed since the last build)" in result.stdout
    assert (processed / "observations.csv").read_bytes() == good


@pytest.mark.slow
def test_changed_raw_report_equals_a_build_from_scratch(
    repo: Path, shared_cache: Path, tmp_path: Path
) -> None:
    """A changed OCR'd report: the incremental build (cache warm) equals a full build with
    an empty cache, so no cached artefact of the old text survives."""
    name = "2024_sn_centrum_delarsrapport_augusti_ocr.txt"
    raw = repo / "data" / "raw" / name
    raw.write_text(
        raw.read_text(encoding="utf-8") + "\nTillagd rad: antalet arenden har okat med 12 procent.",
        encoding="utf-8",
    )
    _set_sha(repo, name)
    result = repocopy.run(repo, shared_cache, "build")
    assert result.returncode == 0, result.stderr
    assert repocopy.ran(result.stdout) == RAW_STAGES
    incremental = repocopy.outputs(repo / "data" / "processed")
    assert "har ökat med 12 procent" in incremental[f"repaired/{name}"].decode()

    scratch = repocopy.run(
        repo, tmp_path / "empty-cache", "build", "--out-dir", str(tmp_path / "scratch")
    )
    assert scratch.returncode == 0, scratch.stderr
    assert repocopy.outputs(tmp_path / "scratch") == incremental


def test_stage_dependencies_cover_the_lib_data_files_their_code_names() -> None:
    """The files of lib/data a stage's modules read are among its fingerprinted inputs."""
    parts = {
        s.name: runner.components(s, paths.RAW_DIR, _dummy_tables(), ()) for s in stages.STAGES
    }
    assert "lib/data/ocr_protected.tsv" in parts["ocr"]
    assert "lib/data/quantities_units.yml" in parts["quantities"]
    assert "lib/data/themes.yml" in parts["themes"]
    assert "curated/consistency.yml" in parts["indicators"]
    assert "curated/indicators/hemloshet.yml" in parts["indicators"]
    assert "lib/data/quantities_units.yml" not in parts["structure"]
    assert "library:wordfreq" in parts["ocr"] and "library:openpyxl" in parts["export"]
    assert any(k.startswith("curated/") for k in parts["indicators"])
    assert not any(k.startswith(("raw/", "curated/")) for k in parts["export"])


def _dummy_tables() -> dict[str, str]:
    return {t: "0" * 64 for s in stages.STAGES for t in s.tables}


def test_stages_describing_every_table_depend_on_every_schema_module() -> None:
    # The dictionary and the database describe every table: a changed schema (declared in
    # the module that builds the table) must rebuild them.
    from lib.core import fingerprint
    from lib.publish import registry

    builders = {m.__name__ for m in registry.BUILDERS}
    assert len(builders) == 7
    for stage in stages.STAGES:
        if stage.name in ("dictionary", "publish"):
            roots, _ = runner.code_roots(stage)
            assert builders <= set(fingerprint.closure(roots)), stage.name
    # and each stage writing a table depends on the module declaring it
    declared = {t: m.__name__ for m in registry.BUILDERS for t in m.SCHEMAS}
    for stage in stages.STAGES:
        roots, _ = runner.code_roots(stage)
        for table in stage.tables:
            assert declared[table] in fingerprint.closure(roots), (stage.name, table)
