"""Declared table schemas and their validation, checked before anything is written.

Each processed table is declared in the ``SCHEMAS`` dict of the module that builds it,
its columns documented next to their types; :mod:`lib.publish.registry` gathers them, and
the build writes them out as the data dictionary of data/processed/.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


def _coerce(df: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    # Nullable whole numbers use pandas' nullable Int64 (NaN is not an int64).
    return df.astype(
        {
            name: "Int64" if (col.dtype == "int64" and col.nullable) else col.dtype
            for name, col in schema.columns.items()
        }
    )


def validate(name: str, df: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Check table ``name`` against its declared schema; return it with the declared dtypes.

    Raises :class:`DataError` naming the table, column and offending values.
    """
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
                raise DataError(
                    f"table {name}: column {col_name} has values {bad} outside {list(allowed)}."
                )
    if schema.key and df.duplicated(list(schema.key)).any():
        dups = df[df.duplicated(list(schema.key), keep=False)][list(schema.key)].head(5)
        raise DataError(f"table {name}: key {schema.key} is not unique: {dups.values.tolist()}.")
    return df


def data_dictionary(schemas: Mapping[str, Schema]) -> str:
    """A Markdown data dictionary of the given tables (written beside them by the build)."""
    out = [
        "# data/processed — data dictionary",
        "",
        "Built by `make data` (`python -m lib build`) from data/raw; do not edit.",
        "Every table is written as CSV (UTF-8) and Parquet with the same content.",
        "",
    ]
    for name, schema in sorted(schemas.items()):
        out += [f"## {name}", ""]
        if schema.key:
            out += [f"Key: {', '.join(schema.key)}", ""]
        for fk in schema.foreign_keys:
            out += [
                f"References: {', '.join(fk.columns)} -> {fk.table} ({', '.join(fk.ref_columns)})",
                "",
            ]
        out += ["| column | type | null | description |", "|---|---|---|---|"]
        for col_name, col in schema.columns.items():
            values = col.allowed_values()
            allowed = f" Allowed: {', '.join(map(str, values))}." if values else ""
            unit = (
                f" Unit: {col.unit}."
                if col.unit
                else f" Unit: given in column {col.unit_column}."
                if col.unit_column
                else ""
            )
            null = "yes" if col.nullable else "no"
            text = f"{col.description}{allowed}{unit}".replace("|", "\\|")
            out.append(f"| {col_name} | {col.dtype} | {null} | {text} |")
        out.append("")
    return "\n".join(out)
