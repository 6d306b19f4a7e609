"""The text every analysis step reads: raw lines, repaired where the source is OCR-damaged.

Line i of :func:`analysis_lines` corresponds to raw line i + 1 of the file, so
line numbers stay those of data/raw whatever the repair does. The repair runs
once per document and process (cached).
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from lib import corpus


@cache
def _repair(raw_dir: str, doc_id: str) -> tuple[tuple[str, ...], pd.DataFrame]:
    from lib import ocr

    lines, changes = ocr.repair_document(corpus.load(raw_dir), doc_id)
    return tuple(lines), changes


def analysis_lines(c: corpus.Corpus, doc_id: str) -> list[str]:
    """A document's lines for analysis: repaired text for OCR'd documents, else the raw text."""
    if c.document(doc_id).text_quality != "ocr":
        return c.raw_lines(doc_id)
    return list(_repair(str(c.raw_dir), doc_id)[0])


def repair_changes(c: corpus.Corpus, doc_id: str) -> pd.DataFrame:
    """The change log of a document's repair (empty for clean documents)."""
    from lib import ocr

    if c.document(doc_id).text_quality != "ocr":
        return ocr.changes_frame([], doc_id)
    return _repair(str(c.raw_dir), doc_id)[1].copy()
