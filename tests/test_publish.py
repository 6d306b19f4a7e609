"""The published database (rapporter.sqlite) and data package (datapackage.json).

They are read from data/processed/ as `make test` builds it (the build writes them
beside the tables); fixtures that break a foreign key alter copies in temporary folders.
"""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from lib.errors import DataError
from lib.publish import database, registry
from lib.report import processed
from lib.sources import corpus

DELAR = "sn_centrum_delarsrapport_2024_08"
SQL_TYPES = {"string": "TEXT", "int64": "INTEGER", "float64": "REAL", "bool": "INTEGER"}
VALUE_TYPES = {"string": {"text"}, "int64": {"integer"}, "float64": {"real"}, "bool": {"integer"}}


@pytest.fixture(scope="module")
def db() -> sqlite3.Connection:
    path = processed.processed_dir() / database.DATABASE
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name: processed.load(name) for name in processed.TABLES}


def _plain(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return int(value)
    return value


@pytest.mark.parametrize("name", processed.TABLES)
def test_database_matches_parquet_row_for_row_and_type_for_type(db, tables, name):
    schema = registry.schemas()[name]
    declared = {row[1]: row[2] for row in db.execute(f"pragma table_info([{name}])")}
    assert declared == {c: SQL_TYPES[col.dtype] for c, col in schema.columns.items()}
    cols = ", ".join(f"[{c}]" for c in schema.columns)
    rows = db.execute(f"select {cols} from [{name}] order by rowid").fetchall()
    frame = tables[name][list(schema.columns)]
    expected = [tuple(_plain(v) for v in row) for row in frame.itertuples(index=False)]
    assert len(rows) == len(expected) > 0
    assert rows == expected
    for c, col in schema.columns.items():
        kinds = {k for (k,) in db.execute(f"select distinct typeof([{c}]) from [{name}]")}
        assert kinds - {"null"} <= VALUE_TYPES[col.dtype], (name, c, kinds)
        assert col.nullable or "null" not in kinds, (name, c)


def test_database_declares_keys_foreign_keys_and_indexes(db):
    pk = [
        r[1]
        for r in sorted(db.execute("pragma table_info(observations)"), key=lambda r: r[5])
        if r[5]
    ]
    assert pk == ["indicator", "period", "geography", "basis", "doc_id", "line"]
    fks = {(r[2], r[3], r[4]) for r in db.execute("pragma foreign_key_list(observations)")}
    assert fks == {
        ("indicators", "indicator", "id"),
        ("documents", "doc_id", "doc_id"),
        ("documents", "part_id", "part_id"),
    }
    assert db.execute("pragma foreign_key_check").fetchall() == []
    indexed = {
        (table, db.execute(f"pragma index_info([{idx}])").fetchone()[2])
        for (table,) in db.execute("select name from sqlite_master where type='table'")
        for _, idx, *_ in db.execute(f"pragma index_list([{table}])")
    }
    for table, column in [
        ("observations", "theme"),
        ("observations", "period"),
        ("observations", "geography"),
        ("observations", "indicator"),
        ("passages", "doc_id"),
        ("quantities", "doc_id"),
        ("observationer", "indikator"),
        ("observationer", "period"),
    ]:
        assert (table, column) in indexed


def test_database_is_what_the_tables_give_byte_for_byte(tables):
    """Built again from the Parquet tables: the same bytes as the build wrote."""
    lines = database.raw_lines(corpus.load())
    first = database.database_bytes(tables, lines)
    assert first == database.database_bytes(tables, lines)
    assert first == (processed.processed_dir() / database.DATABASE).read_bytes()


def test_fts_finds_a_repaired_ocr_word_and_ranks(db):
    hits = db.execute(
        "select p.line_start, p.text, bm25(passages_fts) from passages_fts "
        "join passages p on p.rowid = passages_fts.rowid "
        "where passages_fts match ? and p.doc_id = ? order by rank",
        ('"försörjningsstöd"', DELAR),
    ).fetchall()
    assert len(hits) >= 10
    scores = [h[2] for h in hits]
    assert scores == sorted(scores)  # best (most negative bm25) first
    raw = corpus.load().raw_lines(DELAR)
    repaired = [line for line, text, _ in hits if "försörjningsstöd" not in raw[line - 1]]
    assert repaired, "some hits exist only thanks to the OCR repair"
    line = repaired[0]
    assert (
        "försörjningsstöd"
        in db.execute(
            "select text from raw_lines where doc_id = ? and line = ?", (DELAR, line)
        ).fetchone()[0]
    )
    # the exact index keeps å, ä, ö apart; the folded one does not
    assert (
        db.execute(
            "select count(*) from passages_fts where passages_fts match 'forsorjningsstod'"
        ).fetchone()[0]
        == 0
    )
    folded = db.execute(
        "select count(*) from passages_fts_fold where passages_fts_fold match 'forsorjningsstod'"
    ).fetchone()[0]
    exact = db.execute(
        "select count(*) from passages_fts where passages_fts match 'försörjningsstöd'"
    ).fetchone()[0]
    assert folded == exact > 0


def test_observationer_link_each_figure_to_its_line_in_context(db, tables):
    obs = tables["observations"]
    rows = db.execute(
        "select o.källa, k.dokument, k.rad, k.text, k.sammanhang "
        "from observationer o join kallrader k on k.källa = o.källa "
        "order by o.nr"
    ).fetchall()
    assert len(rows) == len(obs)
    for (label, doc_id, line, text, context), o in zip(rows, obs.itertuples(), strict=True):
        assert (doc_id, line) == (o.doc_id, o.line)
        assert label.endswith(f", rad {o.line}")
        assert f"▶ {line}" in context and text in context
    row = db.execute(
        "select uppgift, källa from observationer where indikator = "
        "'fs_hushall_stadsomrade' and period = '2022' and källa like '%rad 121'"
    ).fetchone()
    assert row == ("1\u00a0470\u00a0hushåll", "Årsrapport 2022, rad 121")


def test_views_answer_the_common_questions(db, tables):
    obs = tables["observations"]
    cited = db.execute("select källfil, rad, citat from siffror_med_kallfil").fetchall()
    assert cited == list(zip(obs.source_file, obs.line, obs.quote, strict=True))
    series = db.execute(
        "select år, period, värde, källa from indikator_over_aren "
        "where indikator_id = 'fs_hushall_stadsomrade' and grund = 'utfall'"
    ).fetchall()
    assert [r[:3] for r in series] == [
        (2020, "2020", 1791),
        (2021, "2021", 1694),
        (2022, "2022", 1470),
    ]
    assert {r[3] for r in series} == {"Årsrapport 2022, rad 121"}


def test_a_broken_foreign_key_fails_the_database_with_one_line(tables):
    bad = dict(tables)
    obs = tables["observations"].copy()
    obs.loc[0, "indicator"] = "no_such_indicator"
    bad["observations"] = obs
    with pytest.raises(DataError, match="table observations: row 1 refers to a missing row"):
        database.database_bytes(bad, database.raw_lines(corpus.load()))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda df: pd.concat([df, df.iloc[:1]], ignore_index=True), "key .* is not unique"),
        (lambda df: df.drop(columns="quote"), r"missing columns \['quote'\]"),
        (lambda df: df.assign(period=None), "column period has empty values"),
    ],
)
def test_a_broken_table_fails_the_database_naming_the_fault(tables, change, message):
    bad = {**tables, "observations": change(tables["observations"].copy())}
    with pytest.raises(DataError, match=f"table observations: {message}"):
        database.database_bytes(bad, database.raw_lines(corpus.load()))


# --------------------------------------------------------------------------- data package


def test_descriptor_describes_every_table_column_and_key():
    desc = json.loads((processed.processed_dir() / database.DESCRIPTOR).read_text("utf-8"))
    resources = {r["name"]: r for r in desc["resources"]}
    assert set(resources) == set(processed.TABLES)
    for name, schema in registry.schemas().items():
        if name not in resources:
            continue
        fields = resources[name]["schema"]["fields"]
        assert [f["name"] for f in fields] == list(schema.columns)
        assert resources[name]["schema"].get("primaryKey", []) == list(schema.key)
        assert all(f["title"] and f["description"] for f in fields)
    obs = resources["observations"]["schema"]
    assert {
        "fields": ["indicator"],
        "reference": {"resource": "indicators", "fields": ["id"]},
    } in obs["foreignKeys"]
    assert next(f for f in obs["fields"] if f["name"] == "value")["unitField"] == "unit"
    assert desc["licenses"] and len(desc["sources"]) == len(corpus.load().documents)


def test_the_licence_note_points_to_a_heading_that_exists():
    # The descriptor names no licence id; its path must lead to the statement (docs/data.md).
    desc = json.loads((processed.processed_dir() / database.DESCRIPTOR).read_text("utf-8"))
    [licence] = desc["licenses"]
    file, _, anchor = licence["path"].partition("#")
    target = (processed.processed_dir() / file).resolve()
    headings = [
        re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in target.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    ]
    assert anchor in headings, (target, anchor)


def test_data_package_validates_with_frictionless():
    frictionless = pytest.importorskip("frictionless", reason="dev extra: pip install -e .[dev]")
    report = frictionless.validate(str(processed.processed_dir() / database.DESCRIPTOR))
    errors = [e.message for task in report.tasks for e in task.errors][:3]
    assert report.valid, errors
    rows = {task.name: task.stats["rows"] for task in report.tasks}
    assert rows == {name: len(processed.load(name)) for name in processed.TABLES}


def test_frictionless_catches_a_broken_foreign_key(tmp_path: Path):
    frictionless = pytest.importorskip("frictionless", reason="dev extra: pip install -e .[dev]")
    src = processed.processed_dir()
    desc = json.loads((src / database.DESCRIPTOR).read_text("utf-8"))
    desc["resources"] = [
        r for r in desc["resources"] if r["name"] in ("indicators", "discrepancies")
    ]
    for r in desc["resources"]:
        r["schema"]["foreignKeys"] = [
            fk
            for fk in r["schema"].get("foreignKeys", [])
            if fk["reference"]["resource"] == "indicators"
        ]
        shutil.copy(src / r["path"], tmp_path / r["path"])
    (tmp_path / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    assert frictionless.validate(str(tmp_path / "datapackage.json")).valid
    path = tmp_path / "discrepancies.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index("indicator")] = "no_such_indicator"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert [e.type for task in report.tasks for e in task.errors] == ["foreign-key"]


# --------------------------------------------------------------------------- Swedish texts


def test_every_published_column_has_a_swedish_description():
    missing = database.missing_texts()
    assert not missing, f"add Swedish descriptions to {database.TEXTS_PATH}: {missing}"
    untitled = [t for t in database.published_schemas() if "title" not in database.table_text(t)]
    assert not untitled, f"add Swedish titles to {database.TEXTS_PATH}: {untitled}"
    kinds = registry.schemas()["discrepancies"].columns["kind"].allowed_values()
    assert set(kinds) <= set(database.texts()["kinds"]), "name every kind of discrepancy"
