"""The text every analysis step reads: raw lines, repaired where the source is OCR-damaged.

Line i of :func:`analysis_lines` corresponds to raw line i + 1 of the file, so
line numbers stay those of data/raw whatever the repair does. The repair runs
once per document and process, and its result is kept in the cache of derived
artefacts (:mod:`lib.core.cache`) until the raw lines, the repair's model or its code change.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from lib.core.schemas import Column, Schema
from lib.sources import corpus


@cache
def _repair(raw_dir: str, doc_id: str) -> tuple[tuple[str, ...], list[tuple]]:
    """Repair an OCR'd document: its lines, and its changes as (line, before, after, reason)."""
    from lib.text import ocr

    lines, changes = ocr.repair_with_log(corpus.load(Path(raw_dir)).raw_lines(doc_id))
    return tuple(lines), [(c.line, c.before, c.after, c.reason) for c in changes]


def _cached(part: int, raw_dir: str, doc_id: str) -> tuple:
    """The repaired lines (part 0) or changes (part 1) of a document, from the cache when
    its raw lines, the repair's model and code are unchanged. The two are cached apart:
    most readers want only the lines."""
    from lib.core import cache, fingerprint
    from lib.text import ocr_candidates

    raw = corpus.load(Path(raw_dir)).raw_lines(doc_id)
    key = cache.key(
        "repair",
        doc_id,
        fingerprint.digest(raw),
        ocr_candidates.model_key(),
        modules=("lib.text.repaired",),
    )
    kind = ("repaired-lines", "repair-changes")[part]
    return tuple(cache.memo(kind, key, lambda: _repair(raw_dir, doc_id)[part]))


@cache
def _lines(raw_dir: str, doc_id: str) -> tuple[str, ...]:
    return _cached(0, raw_dir, doc_id)


@cache
def _changes(raw_dir: str, doc_id: str) -> pd.DataFrame:
    from lib.text import ocr

    return ocr.changes_frame([ocr.Change(*c) for c in _cached(1, raw_dir, doc_id)], doc_id)


def analysis_lines(c: corpus.Corpus, doc_id: str) -> list[str]:
    """A document's lines for analysis: repaired text for OCR'd documents, else the raw text."""
    if c.document(doc_id).text_quality != "ocr":
        return c.raw_lines(doc_id)
    return list(_lines(str(c.raw_dir), doc_id))


def repair_changes(c: corpus.Corpus, doc_id: str) -> pd.DataFrame:
    """The change log of a document's repair (empty for clean documents)."""
    from lib.text import ocr

    if c.document(doc_id).text_quality != "ocr":
        return ocr.changes_frame([], doc_id)
    return _changes(str(c.raw_dir), doc_id).copy()


_S, _I = "string", "int64"

SCHEMAS: dict[str, Schema] = {
    "ocr_changes": Schema(
        columns={
            "doc_id": Column(_S, "Document id (OCR'd documents only)"),
            "line": Column(_I, "Raw 1-based line number of the change"),
            "before": Column(_S, "Token as in the raw OCR text"),
            "after": Column(_S, "Token in the repaired text"),
            "reason": Column(_S, "Rule or score that decided the change (lib/text/ocr.py)"),
        },
    ),
}
