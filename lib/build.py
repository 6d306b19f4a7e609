"""Build every processed table from data/raw in one step (``python -m lib build``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lib import corpus, paths, schemas, store, text


def repaired_texts(c: corpus.Corpus) -> dict[str, str]:
    """The repaired text of each OCR'd report, line-aligned with its raw file."""
    out = {}
    for doc in c.documents:
        if doc.text_quality == "ocr":
            lines = text.analysis_lines(c, doc.doc_id)
            out[f"repaired/{doc.file}"] = "".join(f"{line}\n" for line in lines)
    return out


def build_tables(c: corpus.Corpus) -> dict[str, pd.DataFrame]:
    """Compute all processed tables from a loaded corpus, in memory."""
    from lib import indicators, quantities, structure, themes

    tables = {
        "documents": c.parts_frame(),
        "areas": c.areas_frame(),
        "ocr_changes": pd.concat([text.repair_changes(c, d) for d in c.doc_ids],
                                 ignore_index=True),
    }
    tables.update(quantities.tables(c))
    tables.update(structure.tables(c))
    tables.update(themes.tables(c))
    tables.update(indicators.tables(c, tables["quantities"]))
    return tables


def build(raw_dir: Path | None = None, out_dir: Path = paths.PROCESSED_DIR) -> list[Path]:
    """Load and verify the raw corpus, build all outputs and write them atomically."""
    c = corpus.load(raw_dir)
    from lib import export, publish

    tables = build_tables(c)
    files: dict[str, str | bytes] = dict(repaired_texts(c))
    files["observations.xlsx"] = export.workbook_bytes(tables["observations"])
    files["README.md"] = schemas.data_dictionary(list(tables))
    files.update(publish.files(tables, c))  # rapporter.sqlite, datapackage.json
    return store.write_tables(tables, out_dir, files=files)
