"""Publishing the processed tables for tools other than Python: SQLite and a data package.

The build writes, beside the CSV and Parquet tables of ``data/processed/``:

* ``rapporter.sqlite`` — every processed table with its declared column types, primary
  key, foreign keys and indexes on the columns people filter by; two full-text indexes
  over the passages (``passages_fts`` keeps å, ä and ö apart from a, o;
  ``passages_fts_fold`` ignores them, for text typed without them); and the tables and
  views for people, with Swedish names: ``rapporter``, ``observationer`` (every figure
  with its source as a link), ``kallrader`` (each cited line in its context),
  ``raw_lines`` (every line of every report) and ``indikator_over_aren``. It is built in
  memory with sqlite-utils and serialised after ``VACUUM``: the same tables give the same
  bytes.
* ``datapackage.json`` — a Frictionless Data Package describing the CSV tables: columns,
  types, units, primary and foreign keys, sources and licence.

Everything is generated from the declared schemas (:mod:`lib.core.schemas`) and the Swedish
texts of ``lib/data/publish.yml``, so a new column flows through without code changes.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import pandas as pd
import pyarrow as pa
import sqlite_utils

from lib import paths
from lib.core import formats
from lib.core.schemas import Column, ForeignKey, Schema
from lib.core.yamlio import load_yaml
from lib.errors import DataError
from lib.publish import registry
from lib.publish.registry import validate
from lib.sources import corpus as corpus_mod
from lib.text import repaired

DATABASE = "rapporter.sqlite"
DESCRIPTOR = "datapackage.json"
TEXTS_PATH = paths.PACKAGE_DATA_DIR / "publish.yml"
# Columns people filter by: indexed wherever a table has them.
INDEXED = ("doc_id", "theme", "indicator", "period", "geography")
CONTEXT_LINES = 5  # lines shown before and after a cited line
FTS = "passages_fts"  # full-text index that keeps å, ä, ö
FTS_FOLD = "passages_fts_fold"  # full-text index that folds them (å, ä -> a; ö -> o)
TOKENIZE = "unicode61 remove_diacritics 0"
TOKENIZE_FOLD = "unicode61 remove_diacritics 2"
_SQL_TYPES = {"string": str, "int64": int, "float64": float, "bool": int}
_S, _I, _N = "string", "int64", "float64"
_DOCS_FK = ForeignKey(("dokument",), "rapporter", ("dokument",))

# Tables of the database only (for people, with Swedish names), derived from the processed
# tables and the raw lines. ``värde`` of observationer is declared ANY (NUMERIC affinity):
# whole numbers are stored as integers, so 1470 is not shown as 1470.0.
SCHEMAS: dict[str, Schema] = {
    "raw_lines": Schema(
        key=("doc_id", "line"),
        foreign_keys=(ForeignKey(("doc_id",), "rapporter", ("dokument",)),),
        columns={
            "doc_id": Column(_S, "Document id"),
            "line": Column(_I, "Raw 1-based line number"),
            "text": Column(_S, "The analysed text of the line (repaired for OCR'd reports)"),
            "raw": Column(_S, "The line exactly as in data/raw"),
        },
    ),
    "rapporter": Schema(
        key=("dokument",),
        columns={
            "dokument": Column(_S, "Document id"),
            "rapport": Column(_S, "Short name of the report used in source references"),
            "titel": Column(_S, "Title"),
            "utgivare": Column(_S, "Issuer"),
            "område": Column(_S, "District, or Göteborg"),
            "typ": Column(_S, "Report type"),
            "år": Column(_I, "Reporting year"),
            "period": Column(_S, "Reporting period, first and last day"),
            "textkvalitet": Column(_S, "Text quality in Swedish"),
            "fil": Column(_S, "File name in data/raw/"),
        },
    ),
    "kallrader": Schema(
        key=("källa",),
        foreign_keys=(_DOCS_FK,),
        columns={
            "källa": Column(_S, "Report short name and line: the link text"),
            "rapport": Column(_S, "Report short name"),
            "dokument": Column(_S, "Document id"),
            "rad": Column(_I, "Raw 1-based line number"),
            "text": Column(_S, "The analysed text of the line"),
            "rå_text": Column(
                _S, "The raw line where it differs from the analysed text", nullable=True
            ),
            "sammanhang": Column(_S, "The line (marked) with the lines around it"),
        },
    ),
    "observationer": Schema(
        key=("nr",),
        foreign_keys=(
            ForeignKey(("indikator",), "indicators", ("id",)),
            ForeignKey(("källa",), "kallrader", ("källa",)),
            ForeignKey(("ocr_källa",), "kallrader", ("källa",)),
        ),
        columns={
            "nr": Column(_I, "Running number (the order of the observations table)"),
            "indikator": Column(_S, "Indicator id (a link showing its label)"),
            "område": Column(_S, "Geography"),
            "period": Column(_S, "Period"),
            "uppgift": Column(_S, "Value with unit in Swedish number format"),
            "källa": Column(_S, "Source: report and line (a link to the line in context)"),
            "citat": Column(_S, "Quote"),
            "grund": Column(_S, "Basis"),
            "teman": Column(
                _S,
                "Themes of the indicator, Swedish labels, as a JSON array "
                "(primary first; Datasette facets it element by element)",
            ),
            "år": Column(_I, "Year the period ends in"),
            "värde": Column(_N, "Value", unit_column="enhet"),
            "enhet": Column(_S, "Unit"),
            "metod": Column(_S, "auto or curated"),
            "anmärkning": Column(_S, "Note", nullable=True),
            "ocr_källa": Column(_S, "Line in the OCR rendering", nullable=True),
            "upprepning": Column(_S, "same_figure for a restatement", nullable=True),
        },
    ),
}
# Views for the common questions (SQL over the tables above).
VIEWS: dict[str, str] = {
    "siffror_med_kallfil": """
        select o.indicator as indikator, o.label as benämning, o.geography as område,
               o.period, o.basis as grund, o.qualifier as kvalificering, o.value as värde,
               o.unit as enhet, d.short_title as rapport, o.source_file as källfil,
               o.line as rad, o.quote as citat
        from observations o
        join documents d on d.doc_id = o.doc_id and d.part_id = o.part_id
        order by o.rowid""",
    "indikator_over_aren": """
        select i.label as indikator, o.område, o.grund, o.år, o.period, o.uppgift, o.värde,
               o.enhet, o.källa, o.citat, o.indikator as indikator_id
        from observationer o join indicators i on i.id = o.indikator
        where o.upprepning is null
        order by i.label, o.område, o.grund, o.år, o.period, o.källa""",
}


@cache
def texts() -> dict[str, Any]:
    """The Swedish texts of ``lib/data/publish.yml``."""
    data = load_yaml(TEXTS_PATH)
    if not isinstance(data, dict) or not all(k in data for k in ("package", "tables", "columns")):
        raise DataError(f"{TEXTS_PATH}: needs the sections package, tables and columns.")
    return data


def table_text(table: str) -> dict[str, Any]:
    """Swedish title and description of a table (empty dict when it has none)."""
    return texts()["tables"].get(table) or {}


def swedish_text(table: str, column: str) -> str | None:
    """The Swedish description of a column (its table's, else the shared one), or None."""
    return (table_text(table).get("columns") or {}).get(column) or texts()["columns"].get(column)


def column_text(table: str, column: str, schema: Schema | None = None) -> str:
    """Swedish description of a column; the English one when no Swedish is given."""
    text = swedish_text(table, column)
    if text:
        return text
    schema = schema or published_schemas()[table]
    return schema.columns[column].description


def missing_texts() -> list[str]:
    """``table.column`` of every published column without a Swedish description."""
    return [
        f"{table}.{column}"
        for table, schema in published_schemas().items()
        for column in schema.columns
        if not swedish_text(table, column)
    ]


def published_schemas() -> dict[str, Schema]:
    """Every table of the database: the processed tables, then those for people."""
    return {**registry.schemas(), **SCHEMAS}


# --------------------------------------------------------------------------- tables for people


def raw_lines(c: corpus_mod.Corpus) -> pd.DataFrame:
    """Every line of every report: raw, and as analysed (repaired for OCR'd reports)."""
    frames = []
    for doc_id in c.doc_ids:
        raw = c.raw_lines(doc_id)
        frames.append(
            pd.DataFrame(
                {
                    "doc_id": doc_id,
                    "line": range(1, len(raw) + 1),
                    "text": repaired.analysis_lines(c, doc_id),
                    "raw": raw,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def rapporter(documents: pd.DataFrame) -> pd.DataFrame:
    """One row per report (document) with its short name and metadata in Swedish."""
    quality = texts().get("quality", {})
    docs = documents.drop_duplicates("doc_id")
    return pd.DataFrame(
        {
            "dokument": docs.doc_id,
            "rapport": docs.short_title,
            "titel": docs.doc_title,
            "utgivare": docs.issuer,
            "område": docs.district,
            "typ": docs.report_type,
            "år": docs.year,
            "period": docs.period_start + " – " + docs.period_end,
            "textkvalitet": docs.text_quality.map(lambda q: quality.get(q, q)),
            "fil": docs.file,
        }
    ).reset_index(drop=True)


def source_label(report: str, line: int) -> str:
    """The text of a source link: ``Årsrapport 2022, rad 121``."""
    return f"{report}, rad {int(line)}"


def _cited(tables: Mapping[str, pd.DataFrame]) -> list[tuple[str, int]]:
    obs, disc = tables["observations"], tables["discrepancies"]
    pairs = [
        pair
        for docs, lines in (
            (obs.doc_id, obs.line),
            (obs.ocr_doc_id, obs.ocr_line),
            (disc.doc_id_a, disc.line_a),
            (disc.doc_id_b, disc.line_b),
        )
        for pair in zip(docs, lines, strict=True)
    ]
    return sorted({(str(d), int(n)) for d, n in pairs if not (pd.isna(d) or pd.isna(n))})


def kallrader(
    tables: Mapping[str, pd.DataFrame], lines: pd.DataFrame, reports: pd.DataFrame
) -> pd.DataFrame:
    """Each line that a figure or discrepancy cites, with the lines around it."""
    by_doc = {d: (g.text.tolist(), g.raw.tolist()) for d, g in lines.groupby("doc_id", sort=False)}
    name = dict(zip(reports.dokument, reports.rapport, strict=True))
    rows = []
    for doc_id, line in _cited(tables):
        analysed, raw = by_doc[doc_id]
        lo, hi = max(1, line - CONTEXT_LINES), min(len(analysed), line + CONTEXT_LINES)
        width = len(str(hi))
        context = "\n".join(
            f"{'▶' if n == line else ' '} {n:>{width}}  {analysed[n - 1]}"
            for n in range(lo, hi + 1)
        )
        here, here_raw = analysed[line - 1], raw[line - 1]
        rows.append(
            {
                "källa": source_label(name[doc_id], line),
                "rapport": name[doc_id],
                "dokument": doc_id,
                "rad": line,
                "text": here,
                "rå_text": here_raw if here_raw != here else None,
                "sammanhang": context,
            }
        )
    return pd.DataFrame(rows, columns=list(SCHEMAS["kallrader"].columns))


def uppgift(value: float, unit: str, value_type: str, qualifier: object = None) -> str:
    """A figure as read: ``1 470 hushåll``, ``+12,3 %``, ``448 mnkr`` (Swedish format)."""
    number = formats.number(value, sign=value_type.startswith("change"))
    unit_text = {"procent": "%", "antal": ""}.get(unit, unit)
    prefix = f"{qualifier} " if isinstance(qualifier, str) and qualifier else ""
    return f"{prefix}{number}{formats.NBSP if unit_text else ''}{unit_text}"


def observationer(tables: Mapping[str, pd.DataFrame], reports: pd.DataFrame) -> pd.DataFrame:
    """The observations for people: Swedish columns, figures as read, sources as links."""
    from lib.text import themes

    obs = tables["observations"]
    name = dict(zip(reports.dokument, reports.rapport, strict=True))
    qualifiers = obs["qualifier"] if "qualifier" in obs.columns else [None] * len(obs)
    ocr = [
        source_label(name[d], n) if not (pd.isna(d) or pd.isna(n)) else None
        for d, n in zip(obs.ocr_doc_id, obs.ocr_line, strict=True)
    ]
    return pd.DataFrame(
        {
            "nr": range(1, len(obs) + 1),
            "teman": obs.themes.map(
                lambda ts: json.dumps([themes.label(t) for t in ts.split(";")], ensure_ascii=False)
            ),
            "indikator": obs.indicator,
            "område": obs.geography,
            "period": obs.period,
            "år": obs.period.map(lambda p: int(re.findall(r"\d{4}", p)[-1])),
            "grund": obs.basis.replace({"mal": "mål"}),
            "uppgift": [
                uppgift(v, u, t, q)
                for v, u, t, q in zip(obs.value, obs.unit, obs.value_type, qualifiers, strict=True)
            ],
            "värde": obs.value,
            "enhet": obs.unit,
            "källa": [source_label(name[d], n) for d, n in zip(obs.doc_id, obs.line, strict=True)],
            "citat": obs.quote,
            "metod": obs.method,
            "anmärkning": obs.note,
            "ocr_källa": ocr,
            "upprepning": obs.restatement_of,
        }
    )


# --------------------------------------------------------------------------- SQLite


def _values(column: pd.Series) -> list:
    """A column as plain Python values; missing values as None (a float NaN binds as NULL)."""
    if column.dtype.kind == "f" or (column.dtype.kind in "iub" and not column.hasnans):
        return column.tolist()
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        return pa.array(column).to_pylist()  # the Arrow strings as they are: nulls are None
    return column.to_numpy(dtype=object, na_value=None).tolist()


def _rows(df: pd.DataFrame) -> list[tuple]:
    """Rows as tuples of plain Python values, as sqlite3 binds them."""
    return list(zip(*(_values(df[c]) for c in df.columns), strict=True))


def _create(db: sqlite_utils.Database, name: str, schema: Schema) -> None:
    """Create an empty table with its keys and indexes."""
    present = set(db.table_names())
    columns: dict[str, Any] = {c: _SQL_TYPES[col.dtype] for c, col in schema.columns.items()}
    if name == "observationer":
        columns["värde"] = "ANY"  # NUMERIC affinity: 1470.0 is stored as 1470
    fks = [
        (
            fk.columns if len(fk.columns) > 1 else fk.columns[0],
            fk.table,
            fk.ref_columns if len(fk.ref_columns) > 1 else fk.ref_columns[0],
        )
        for fk in schema.foreign_keys
        if fk.table in present or fk.table == name
    ]
    table = db.table(name)
    table.create(
        columns,
        pk=schema.key or None,
        foreign_keys=fks,
        not_null={c for c, col in schema.columns.items() if not col.nullable},
    )
    covered = {schema.key[0]} if schema.key else set()
    for fk in schema.foreign_keys:
        if fk.table in present and fk.columns[0] not in covered:
            table.create_index(list(fk.columns))
            covered.add(fk.columns[0])
    for column in INDEXED:
        if column in schema.columns and column not in covered:
            table.create_index([column])


def _insert(db: sqlite_utils.Database, name: str, schema: Schema, df: pd.DataFrame) -> None:
    """Add a table's rows (sqlite-utils' insert_all inspects every value and takes seconds
    here: one executemany instead)."""
    marks = ", ".join("?" * len(schema.columns))
    try:
        db.conn.executemany(
            f"insert into [{name}] values ({marks})", _rows(df[list(schema.columns)])
        )
    except (KeyError, sqlite3.IntegrityError) as exc:
        if name in registry.schemas():
            validate(name, df)  # names the column, key or rows at fault
        raise DataError(f"table {name}: {exc}; fix the code that builds it.") from None


def _derived(
    make: Callable[[], pd.DataFrame], tables: Mapping[str, pd.DataFrame], sources: tuple[str, ...]
) -> pd.DataFrame:
    """A table for people made from processed tables; if that fails, the schema of a broken
    source table names the fault."""
    try:
        return make()
    except Exception:
        for name in sources:
            validate(name, tables[name])
        raise


def _order(schemas: Mapping[str, Schema], names: list[str]) -> list[str]:
    """Table names with every referenced table before the tables referencing it."""
    done: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in done or name not in names:
            return
        if name in path:
            raise DataError(
                f"foreign keys form a cycle through {' -> '.join(path)}; "
                "fix the foreign_keys of these schemas."
            )
        for fk in schemas[name].foreign_keys:
            if fk.table != name:
                visit(fk.table, (*path, name))
        done.append(name)

    for name in sorted(names):
        visit(name, ())
    return done


def _check_references(conn: sqlite3.Connection) -> None:
    bad = conn.execute("pragma foreign_key_check").fetchall()
    if bad:
        table, rowid, parent, _ = bad[0]
        raise DataError(
            f"table {table}: row {rowid} refers to a missing row of {parent} "
            f"({len(bad)} such rows); fix the table that builds it."
        )


def database_bytes(tables: Mapping[str, pd.DataFrame], lines: pd.DataFrame) -> bytes:
    """The SQLite database of all tables, as bytes (same tables, same bytes).

    ``tables`` are the processed tables, ``lines`` is :func:`raw_lines`. Every table is
    created first, empty, in one fixed order; then the rows go in as the tables are read
    from ``tables``, in its order, the tables for people made from observations last. The
    build's mapping waits for tables still being made (:func:`lib.build.stages.publish`), so most
    of the database is built before the observations exist. ``VACUUM`` rewrites the file
    from its schema and rows, so the bytes do not depend on when the rows went in.

    SQLite checks the declared types' nulls, the primary keys and the foreign keys; a table
    that breaks them raises the DataError of :func:`lib.core.schemas.validate` or names the
    broken reference. (The build validates every table fully before writing anything.)
    """
    schemas = published_schemas()
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("pragma page_size = 4096")
        # Built once in memory: no rollback journal; VACUUM copies in memory, not a temp file.
        conn.execute("pragma journal_mode = off")
        conn.execute("pragma temp_store = memory")
        db = sqlite_utils.Database(conn, execute_plugins=False)  # the same, whatever is installed
        for name in _order(schemas, [*tables, *SCHEMAS]):
            _create(db, name, schemas[name])
        _insert(db, "raw_lines", schemas["raw_lines"], lines)
        for name in tables:
            _insert(db, name, schemas[name], tables[name])
            if name == "documents":
                reports = _derived(lambda: rapporter(tables["documents"]), tables, ("documents",))
                _insert(db, "rapporter", schemas["rapporter"], reports)
            if name == "passages":
                _full_text(db)
        cited = ("observations", "discrepancies", "documents")
        _insert(
            db,
            "kallrader",
            schemas["kallrader"],
            _derived(lambda: kallrader(tables, lines, reports), tables, cited),
        )
        _insert(
            db,
            "observationer",
            schemas["observationer"],
            _derived(lambda: observationer(tables, reports), tables, cited),
        )
        _check_references(conn)
        for name, sql in VIEWS.items():
            db.create_view(name, sql)
        conn.commit()
        conn.execute("analyze")
        conn.execute("vacuum")
        return conn.serialize()
    finally:
        conn.close()


def _full_text(db: sqlite_utils.Database) -> None:
    """The two full-text indexes over the passages (their rows are in)."""
    db.table("passages").enable_fts(["text"], tokenize=TOKENIZE)
    # sqlite-utils names the index <table>_fts; the folded one gets its own name.
    db.execute(
        f"create virtual table {FTS_FOLD} using fts5(text, tokenize='{TOKENIZE_FOLD}',"
        " content='passages')"
    )
    db.execute(f"insert into {FTS_FOLD}({FTS_FOLD}) values ('rebuild')")
    for fts in (FTS, FTS_FOLD):
        db.execute(f"insert into {fts}({fts}) values ('optimize')")


# --------------------------------------------------------------------------- data package

_FRICTIONLESS_TYPES = {
    "string": "string",
    "int64": "integer",
    "float64": "number",
    "bool": "boolean",
}


def _field(table: str, name: str, col: Column) -> dict[str, Any]:
    field: dict[str, Any] = {
        "name": name,
        "type": _FRICTIONLESS_TYPES[col.dtype],
        "description": col.description,
        "title": column_text(table, name),
    }
    constraints: dict[str, Any] = {}
    if not col.nullable:
        constraints["required"] = True
    allowed = col.allowed_values()
    if allowed is not None:
        constraints["enum"] = list(allowed)
    if constraints:
        field["constraints"] = constraints
    if col.dtype == "string" and not col.nullable:
        field["missingValues"] = []  # never null: an empty cell is an empty string
    if col.dtype == "bool":
        field.update(trueValues=["True"], falseValues=["False"])
    if col.unit:
        field["unit"] = col.unit
    if col.unit_column:
        field["unitField"] = col.unit_column
    return field


def _resource(name: str, schema: Schema) -> dict[str, Any]:
    sv = table_text(name)
    out: dict[str, Any] = {
        "name": name,
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": sv.get("title", name),
        "description": sv.get("description", ""),
        "dialect": {"delimiter": ",", "lineTerminator": "\n", "header": True},
        "schema": {
            "fields": [_field(name, c, col) for c, col in schema.columns.items()],
            "missingValues": [""],
        },
    }
    if schema.key:
        out["schema"]["primaryKey"] = list(schema.key)
    fks = [
        {
            "fields": list(fk.columns),
            "reference": {
                "resource": "" if fk.table == name else fk.table,
                "fields": list(fk.ref_columns),
            },
        }
        for fk in schema.foreign_keys
    ]
    if fks:
        out["schema"]["foreignKeys"] = fks
    return out


def descriptor(names: list[str], c: corpus_mod.Corpus) -> dict[str, Any]:
    """The Frictionless Data Package descriptor of the processed CSV tables ``names``."""
    package = texts()["package"]
    schemas = registry.schemas()
    return {
        "profile": "tabular-data-package",
        "name": "gbg-socialrapporter",
        "title": package["title"],
        "description": package["description"],
        # No licence id fits public documents whose text may still be protected: the
        # licence entry points to the statement in docs/data.md instead of naming one.
        "licenses": [
            {
                "path": "../../docs/data.md#data-sources-and-provenance",
                "title": " ".join(package["licence_title"].split()),
            }
        ],
        "sources": [
            {
                "title": doc.title,
                "path": f"../raw/{doc.file}",
                "description": f"{doc.issuer}. {' '.join(doc.source.split())} sha256 {doc.sha256}.",
            }
            for doc in c.documents
        ],
        "resources": [_resource(name, schemas[name]) for name in sorted(names)],
    }


def descriptor_bytes(names: list[str], c: corpus_mod.Corpus) -> bytes:
    """The descriptor as UTF-8 JSON (deterministic: fixed key order)."""
    return (json.dumps(descriptor(names, c), ensure_ascii=False, indent=2) + "\n").encode()


def files(tables: Mapping[str, pd.DataFrame], c: corpus_mod.Corpus) -> dict[str, bytes]:
    """The published files of a build, by name relative to data/processed/."""
    return {
        DATABASE: database_bytes(tables, raw_lines(c)),
        DESCRIPTOR: descriptor_bytes(list(tables), c),
    }
