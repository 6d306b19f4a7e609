"""Reading the processed tables of data/processed/ by name (for notebooks and analyses).

Tables are read from Parquet once per process and cached; :func:`load` returns a copy,
so callers may modify what they get. Nothing here builds data: a missing table is a
:class:`~lib.errors.DataError` telling the user to run ``make data``.

The directory is :data:`lib.paths.PROCESSED_DIR`; the environment variable
``GBG_PROCESSED_DIR`` overrides it (used by tests that alter a copy of the tables).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pandas as pd

from lib import paths
from lib.errors import DataError
from lib.sources import corpus

TABLES: tuple[str, ...] = (
    "areas",
    "discrepancies",
    "documents",
    "headlines",
    "indicators",
    "numeric_tokens",
    "observations",
    "ocr_changes",
    "passages",
    "quantities",
    "questionnaire",
    "sections",
    "theme_prominence",
)
ENV_VAR = "GBG_PROCESSED_DIR"


def processed_dir() -> Path:
    """The directory holding the processed tables (``GBG_PROCESSED_DIR`` or the default)."""
    override = os.environ.get(ENV_VAR)
    return Path(override) if override else paths.PROCESSED_DIR


@cache
def _read(directory: str, name: str) -> pd.DataFrame:
    path = Path(directory) / f"{name}.parquet"
    if not path.is_file():
        raise DataError(
            f"{path}: processed table {name!r} not found; "
            "run `make data` first (or `python -m lib build`)."
        )
    return pd.read_parquet(path)


def load(name: str) -> pd.DataFrame:
    """The processed table ``name`` (one of :data:`TABLES`), as a fresh copy."""
    if name not in TABLES:
        raise DataError(f"unknown processed table {name!r}; valid: {', '.join(TABLES)}.")
    return _read(str(processed_dir()), name).copy()


@cache
def _analysis_lines(directory: str, doc_id: str) -> tuple[str, ...]:
    docs = _read(directory, "documents")
    rows = docs[docs.doc_id == doc_id]
    if rows.empty:
        raise DataError(f"unknown doc_id {doc_id!r}; see data/processed/documents.csv.")
    row = rows.iloc[0]
    if row.text_quality == "ocr":
        path = Path(directory) / "repaired" / row.file
        if not path.is_file():
            raise DataError(f"{path}: repaired text not found; run `make data` first.")
    else:
        path = paths.RAW_DIR / row.file
        if not path.is_file():
            raise DataError(f"{path}: raw report missing; restore it from ../shared/reports.")
    return tuple(corpus.split_lines(corpus.decode_text(path.read_bytes(), path.name)))


def analysis_lines(doc_id: str) -> tuple[str, ...]:
    """A document's analysed text: repaired for OCR'd documents, else raw; index i = line i+1."""
    return _analysis_lines(str(processed_dir()), doc_id)


def clear_cache() -> None:
    """Forget the tables read so far (after a rebuild in the same process)."""
    _read.cache_clear()
    _analysis_lines.cache_clear()


def areas() -> tuple[str, ...]:
    """The city first, then its districts, as the manifest's vocabulary lists them."""
    a = load("areas").sort_values("sort_order")
    return tuple(a.area)


def city() -> str:
    """The area that stands for the whole city (``vocabulary.city`` in the manifest)."""
    a = load("areas")
    return str(a[a.kind == "stad"].area.iloc[0])
