"""Declared schemas of the processed tables, checked before anything is written.

Each table's columns are documented here, next to their types: this module is
the data dictionary of data/processed/.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from lib.errors import DataError


@dataclass(frozen=True)
class Column:
    """One column: pandas dtype kind, description, nullability and allowed values.

    ``allowed`` is a tuple, or a function returning one where the values are data (the
    themes of lib/data/themes.yml), read when a table is validated.
    """

    dtype: str  # "string" | "int64" | "float64" | "bool"
    description: str
    nullable: bool = False
    allowed: tuple | Callable[[], tuple] | None = None
    unit: str | None = None  # fixed unit of the values; None when there is none
    unit_column: str | None = None  # the column naming each row's unit, where it varies

    def allowed_values(self) -> tuple | None:
        """The allowed values (calling ``allowed`` if it is a function), or None."""
        return self.allowed() if callable(self.allowed) else self.allowed


@dataclass(frozen=True)
class ForeignKey:
    """Columns of a table that must match a key of another table (null skips the check)."""

    columns: tuple[str, ...]
    table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class Schema:
    """A table: its columns in order, its primary key and its foreign keys."""

    columns: dict[str, Column]
    key: tuple[str, ...] = field(default=())
    foreign_keys: tuple[ForeignKey, ...] = field(default=())


_S, _I = "string", "int64"

SCHEMAS: dict[str, Schema] = {
    "documents": Schema(
        key=("doc_id", "part_id"),
        columns={
            "doc_id": Column(_S, "Document id from data/raw/manifest.yml"),
            "part_id": Column(_S, "Part id; equals doc_id for a file without parts"),
            "file": Column(_S, "File name in data/raw/"),
            "doc_title": Column(_S, "Title of the document (file)"),
            "part_title": Column(_S, "Title of the part (report) within the file"),
            "unit": Column(_S, "Organisational home of the part"),
            "issuer": Column(_S, "Issuing nämnd / förvaltning"),
            "district": Column(_S, "District, or the city for a city-wide report (values: "
                                   "vocabulary in data/raw/manifest.yml)"),
            "report_type": Column(_S, "Report type (values: vocabulary in data/raw/manifest.yml)"),
            "period_start": Column(_S, "First day of the reporting period (ISO date)"),
            "period_end": Column(_S, "Last day of the reporting period (ISO date)"),
            "year": Column(_I, "Reporting year"),
            "text_quality": Column(_S, "clean, or ocr for OCR-damaged text",
                                   allowed=("clean", "ocr")),
            "line_start": Column(_I, "First raw line of the part (1-based, inclusive)"),
            "line_end": Column(_I, "Last raw line of the part (1-based, inclusive)"),
            "n_lines": Column(_I, "Number of raw lines in the part"),
            "same_report_as": Column(_S, "doc_id/part_id of the same report in another rendering",
                                     nullable=True),
            "sha256": Column(_S, "sha256 of the raw file"),
            "short_title": Column(_S, "Short Swedish name tables cite the report by "
                                      "(manifest short_title, else the title)"),
        },
    ),
    "areas": Schema(
        key=("area",),
        columns={
            "area": Column(_S, "The city or one of its districts (vocabulary in "
                               "data/raw/manifest.yml)"),
            "kind": Column(_S, "stad (the whole city) or stadsområde (a district)",
                           allowed=("stad", "stadsområde")),
            "sort_order": Column(_I, "Order in which tables and pages list the areas"),
        },
    ),
    "ocr_changes": Schema(
        columns={
            "doc_id": Column(_S, "Document id (OCR'd documents only)"),
            "line": Column(_I, "Raw 1-based line number of the change"),
            "before": Column(_S, "Token as in the raw OCR text"),
            "after": Column(_S, "Token in the repaired text"),
            "reason": Column(_S, "Rule or score that decided the change (lib/ocr.py)"),
        },
    ),
}


def _coerce(df: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    # Nullable whole numbers use pandas' nullable Int64 (NaN is not an int64).
    return df.astype({name: "Int64" if (col.dtype == "int64" and col.nullable) else col.dtype
                      for name, col in schema.columns.items()})


# Modules that declare the schemas of their own tables next to the code that builds them.
_SCHEMA_MODULES = ("lib.quantities", "lib.structure", "lib.themes", "lib.indicators")


def all_schemas() -> dict[str, Schema]:
    """Every declared table schema: the ones above and those of the table-building modules."""
    out = dict(SCHEMAS)
    for module_name in _SCHEMA_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        out.update(getattr(module, "SCHEMAS", {}))
    return out


def schema_of(name: str) -> Schema:
    """The declared schema of a table; an undeclared table is an error."""
    schemas = all_schemas()
    if name not in schemas:
        raise DataError(f"table {name!r} has no declared schema; declare it in lib/schemas.py "
                        "or in the SCHEMAS dict of the module that builds it.")
    return schemas[name]


def validate(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Check a table against its declared schema; return it with the declared dtypes.

    Raises :class:`DataError` naming the table, column and offending values.
    """
    schema = schema_of(name)
    missing = [c for c in schema.columns if c not in df.columns]
    extra = [c for c in df.columns if c not in schema.columns]
    if missing or extra:
        raise DataError(f"table {name}: missing columns {missing}, undeclared columns {extra}.")
    try:
        df = _coerce(df[list(schema.columns)], schema)
    except (TypeError, ValueError) as exc:
        raise DataError(f"table {name}: column types do not match the schema ({exc}).") from None
    for col_name, col in schema.columns.items():
        values = df[col_name]
        if not col.nullable and values.isna().any():
            rows = list(values[values.isna()].index[:5])
            raise DataError(f"table {name}: column {col_name} has empty values (rows {rows}).")
        allowed = col.allowed_values()
        if allowed is not None:
            bad = sorted(set(values.dropna()) - set(allowed))
            if bad:
                raise DataError(f"table {name}: column {col_name} has values {bad} "
                                f"outside {list(allowed)}.")
    if schema.key and df.duplicated(list(schema.key)).any():
        dups = df[df.duplicated(list(schema.key), keep=False)][list(schema.key)].head(5)
        raise DataError(f"table {name}: key {schema.key} is not unique: {dups.values.tolist()}.")
    return df


def data_dictionary(names: list[str]) -> str:
    """A Markdown data dictionary of the given tables (written beside them by the build)."""
    schemas = all_schemas()
    out = ["# data/processed — data dictionary", "",
           "Built by `make data` (`python -m lib build`) from data/raw; do not edit.",
           "Every table is written as CSV (UTF-8) and Parquet with the same content.", ""]
    for name in sorted(names):
        schema = schemas[name]
        out += [f"## {name}", ""]
        if schema.key:
            out += [f"Key: {', '.join(schema.key)}", ""]
        for fk in schema.foreign_keys:
            out += [f"References: {', '.join(fk.columns)} -> "
                    f"{fk.table} ({', '.join(fk.ref_columns)})", ""]
        out += ["| column | type | null | description |", "|---|---|---|---|"]
        for col_name, col in schema.columns.items():
            values = col.allowed_values()
            allowed = f" Allowed: {', '.join(map(str, values))}." if values else ""
            unit = (f" Unit: {col.unit}." if col.unit else
                    f" Unit: given in column {col.unit_column}." if col.unit_column else "")
            null = "yes" if col.nullable else "no"
            text = f"{col.description}{allowed}{unit}".replace("|", "\\|")
            out.append(f"| {col_name} | {col.dtype} | {null} | {text} |")
        out.append("")
    return "\n".join(out)
