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
import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import pyarrow as pa
import sqlite_utils

from lib.core.schemas import Column, Schema
from lib.errors import DataError
from lib.publish import registry
from lib.publish.registry import validate
from lib.publish.swedish_tables import (  # the tables for people; re-exported here
    SCHEMAS,
    VIEWS,
    kallrader,
    observationer,
    rapporter,
    raw_lines,
    source_label,
    texts,
    uppgift,
)
from lib.sources import corpus as corpus_mod

__all__ = ["SCHEMAS", "VIEWS", "raw_lines", "rapporter", "source_label", "texts", "uppgift"]
DATABASE = "rapporter.sqlite"
DESCRIPTOR = "datapackage.json"
# Columns people filter by: indexed wherever a table has them.
INDEXED = ("doc_id", "theme", "indicator", "period", "geography")
FTS = "passages_fts"  # full-text index that keeps å, ä, ö
FTS_FOLD = "passages_fts_fold"  # full-text index that folds them (å, ä -> a; ö -> o)
TOKENIZE = "unicode61 remove_diacritics 0"
TOKENIZE_FOLD = "unicode61 remove_diacritics 2"
_SQL_TYPES = {"string": str, "int64": int, "float64": float, "bool": int}


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
        cited = ("observations", "discrepancies", "documents", "indicators")
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
