"""The text every analysis step reads: raw lines, repaired where the source is OCR-damaged.

Line i of :func:`analysis_lines` corresponds to raw line i + 1 of the file, so
line numbers stay those of data/raw whatever the repair does.
"""

from __future__ import annotations

from functools import cache

from lib import corpus


@cache
def _repaired(doc_id: str, raw_dir: str) -> tuple[str, ...]:
    from lib import ocr

    c = corpus.load(None if raw_dir == "" else raw_dir)
    return tuple(ocr.repair_lines(c.raw_lines(doc_id)))


def analysis_lines(c: corpus.Corpus, doc_id: str) -> list[str]:
    """A document's lines for analysis: repaired text for OCR'd documents, else the raw text."""
    doc = c.document(doc_id)
    if doc.text_quality != "ocr":
        return c.raw_lines(doc_id)
    try:
        from lib import ocr  # noqa: F401
    except ImportError:  # the repair module is being built; fall back to the raw text
        return c.raw_lines(doc_id)
    return list(_repaired(doc_id, str(c.raw_dir)))
