"""The build: documents table content, schema validation, determinism and atomicity."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from lib.build import forked, runner, stages
from lib.core import store
from lib.errors import DataError


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("processed")
    runner.build(out_dir=out)
    return out


@pytest.mark.slow
def test_documents_has_one_row_per_part(built):
    docs = pd.read_csv(built / "documents.csv")
    assert len(docs) == 11
    assert docs.part_id.is_unique
    row = docs.set_index("part_id").loc["gv_boende_hemloshet"]
    assert (row.line_start, row.line_end, row.unit) == (3396, 3741, "Socialförvaltningen Sydväst")
    assert row.district == "Göteborg" and row.year == 2024


@pytest.mark.slow
def test_parquet_and_csv_hold_the_same_table(built):
    csv = pd.read_csv(built / "documents.csv", keep_default_na=False, na_values=[""])
    parquet = pd.read_parquet(built / "documents.parquet")
    pd.testing.assert_frame_equal(
        csv.astype(str).replace("nan", ""), parquet.astype(str).replace(["<NA>", "None"], "")
    )


@pytest.mark.slow
def test_build_is_byte_identical(built, tmp_path):
    runner.build(out_dir=tmp_path)
    first, second = _snapshot(built), _snapshot(tmp_path)
    assert "documents.parquet" in first and "quantities.csv" in first
    assert "rapporter.sqlite" in first and "datapackage.json" in first
    assert first == second


@pytest.mark.slow
def test_outputs_do_not_depend_on_where_stages_run(built, tmp_path, monkeypatch):
    """Every stage in the build's own process, in order (as where processes cannot be
    forked): the same bytes as the build with forked and early-started stages."""
    monkeypatch.setattr(forked, "AVAILABLE", False)
    outcome = runner.build(out_dir=tmp_path, full=True)
    assert [name for name, _, _ in outcome.ran] == [s.name for s in stages.STAGES]
    assert _snapshot(tmp_path) == _snapshot(built)


@pytest.mark.slow
def test_repaired_texts_are_line_aligned_with_raw(built):
    from lib.sources import corpus

    c = corpus.load()
    for doc in c.documents:
        if doc.text_quality == "ocr":
            repaired = (built / "repaired" / doc.file).read_text(encoding="utf-8")
            assert repaired.count("\n") == len(c.raw_lines(doc.doc_id))
    changes = pd.read_csv(built / "ocr_changes.csv")
    assert set(changes.doc_id) == {
        "sf_centrum_stadengemensam_2024",
        "sn_centrum_delarsrapport_2024_08",
    }


def _snapshot(directory):
    """Every output file's bytes (the build's hidden state and lock files left out)."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def _with_documents(monkeypatch, **changes):
    """Make the documents stage return its table with columns changed."""

    def altered(ctx):
        return {
            "documents": ctx.corpus.parts_frame().assign(**changes),
            "areas": ctx.corpus.areas_frame(),
        }

    monkeypatch.setattr(
        stages,
        "STAGES",
        tuple(
            dataclasses.replace(s, run=altered) if s.name == "documents" else s
            for s in stages.STAGES
        ),
    )


@pytest.mark.slow
def test_invalid_table_leaves_previous_tables_intact(built, tmp_path, monkeypatch):
    runner.build(out_dir=tmp_path)
    before = _snapshot(tmp_path)
    _with_documents(monkeypatch, text_quality="skannad")
    with pytest.raises(DataError, match="text_quality.*skannad"):
        runner.build(out_dir=tmp_path, full=True)
    assert _snapshot(tmp_path) == before
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.slow
def test_failed_write_leaves_previous_tables_intact(built, tmp_path, monkeypatch):
    runner.build(out_dir=tmp_path)
    before = _snapshot(tmp_path)
    _with_documents(monkeypatch, unit="ändrad")

    def disk_full(df, path):
        raise OSError("No space left on device")

    monkeypatch.setattr(store, "_write_parquet", disk_full)
    with pytest.raises(OSError):
        runner.build(out_dir=tmp_path, full=True)
    assert _snapshot(tmp_path) == before  # the CSV written first was not renamed into place
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.slow
@pytest.mark.parametrize("failing", ["themes", "publish"])
def test_failed_forked_stage_fails_the_build_with_its_error(built, tmp_path, monkeypatch, failing):
    """A stage run in a forked process raises (themes, forked with the others that read
    the reports; publish, started early, before its tables exist): the build raises the
    same one-line error, the other forked stages are stopped, nothing is written or left."""
    runner.build(out_dir=tmp_path)
    before = _snapshot(tmp_path)

    def broken(ctx):
        raise DataError(f"{failing}: a broken stage")

    assert failing in [s.name for s in stages.STAGES if s.parallel]
    monkeypatch.setattr(
        stages,
        "STAGES",
        tuple(
            dataclasses.replace(s, run=broken) if s.name == failing else s for s in stages.STAGES
        ),
    )
    with pytest.raises(DataError, match=f"^{failing}: a broken stage$"):
        runner.build(out_dir=tmp_path, full=True)
    assert _snapshot(tmp_path) == before
    assert not list(tmp_path.rglob("*.tmp"))


def test_schema_rejects_duplicate_keys(tmp_path):
    from lib.publish import registry
    from lib.sources import corpus

    table = corpus.load().parts_frame()
    with pytest.raises(DataError, match="not unique"):
        store.write_tables(
            {"documents": pd.concat([table, table.head(1)])}, registry.schemas(), out_dir=tmp_path
        )


@pytest.mark.slow
@pytest.mark.parametrize("parallel", [False, True])
def test_a_new_stage_is_one_record(built, tmp_path, monkeypatch, parallel):
    """A stage added at the end: it reads every table, writes a file of its own making, runs
    once, and is skipped while nothing changes; the same in a forked process."""

    def summarise(ctx):
        rows = {name: len(ctx.table(name)) for name in ctx.table_names}
        path = ctx.scratch() / "summary.txt"
        path.write_text("".join(f"{k} {v}\n" for k, v in sorted(rows.items())), "utf-8")
        return {"summary.txt": path}

    extra = stages.Stage(
        "summary", summarise, needs=(stages.ALL_TABLES,), files=("summary.txt",), parallel=parallel
    )
    monkeypatch.setattr(stages, "STAGES", (*stages.STAGES, extra))
    first = runner.build(out_dir=tmp_path)
    assert [name for name, _, _ in first.ran][-1] == "summary"
    summary = (tmp_path / "summary.txt").read_text("utf-8")
    assert "observations " in summary and "documents 11\n" in summary
    again = runner.build(out_dir=tmp_path)
    assert again.ran == [] and "summary" in again.skipped
    assert not list(tmp_path.glob(".*.tmp"))


def test_stage_list_is_checked():
    runner.check_stages(stages.STAGES)
    first = stages.STAGES[0]
    with pytest.raises(RuntimeError, match="two stages are named 'documents'"):
        runner.check_stages((first, first))
    needy = dataclasses.replace(first, name="early", needs=("observations",))
    with pytest.raises(RuntimeError, match="needs \\['observations'\\], which no stage"):
        runner.check_stages((needy, *stages.STAGES))
