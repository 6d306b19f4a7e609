"""Build every processed table from data/raw in one step (``python -m lib build``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lib import corpus, paths, store


def build_tables(c: corpus.Corpus) -> dict[str, pd.DataFrame]:
    """Compute all processed tables from a loaded corpus, in memory."""
    from lib import quantities

    tables = {"documents": c.parts_frame()}
    tables.update(quantities.tables(c))
    return tables


def build(raw_dir: Path | None = None, out_dir: Path = paths.PROCESSED_DIR) -> list[Path]:
    """Load and verify the raw corpus, build the tables and write them atomically."""
    c = corpus.load(raw_dir)
    return store.write_tables(build_tables(c), out_dir)
