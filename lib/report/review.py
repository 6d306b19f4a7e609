"""The review notebook's logic (notebooks/40_granska_forslag.ipynb): a report's proposed
observations, by section, with quote and confidence, in Swedish."""

from __future__ import annotations

import pandas as pd

from lib.core import formats
from lib.curation import propose
from lib.errors import DataError
from lib.report import processed


def validate_params(doc_id: object, exclude_curated: object, min_confidence: object) -> None:
    """Check the notebook's parameters against the data; one-line :class:`DataError`."""
    docs = sorted(set(processed.load("documents").doc_id))
    if not isinstance(doc_id, str) or doc_id not in docs:
        raise DataError(
            f"doc_id={doc_id!r}: okänd rapport / unknown report; välj / choose one "
            f"of {', '.join(docs)}."
        )
    if not isinstance(exclude_curated, bool):
        raise DataError(f"exclude_curated={exclude_curated!r}: skriv True eller False.")
    if (
        isinstance(min_confidence, bool)
        or not isinstance(min_confidence, int | float)
        or not 0 <= min_confidence <= 1
    ):
        raise DataError(f"min_confidence={min_confidence!r}: ett tal mellan 0 och 1.")


def proposals(doc_id: str, exclude_curated: bool) -> pd.DataFrame:
    """The proposals of a report, as ``python -m lib propose`` writes them."""
    tables = propose.load_tables(processed.processed_dir())
    return propose.propose(doc_id, exclude_curated=exclude_curated, tables=tables)


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """How many proposals, by confidence band, and how many name a known indicator."""
    bands = [
        ("minst 0,9", frame.confidence >= 0.9),
        ("0,5–0,9", (frame.confidence >= 0.5) & (frame.confidence < 0.9)),
        ("under 0,5", frame.confidence < 0.5),
    ]
    rows = [
        {
            "Konfidens": name,
            "Förslag": int(mask.sum()),
            "Med känd indikator": int((mask & (frame.new_indicator == "")).sum()),
        }
        for name, mask in bands
    ]
    rows.append(
        {
            "Konfidens": "alla",
            "Förslag": len(frame),
            "Med känd indikator": int((frame.new_indicator == "").sum()),
        }
    )
    return pd.DataFrame(rows)


def _quote(sentence: str, raw: str, width: int = 220) -> str:
    """The sentence, shortened around the raw text holding the figure."""
    text = " ".join(str(sentence).split())
    if len(text) <= width:
        return text
    at = max(text.find(" ".join(str(raw).split())[:20]), 0)
    start = max(0, at - width // 3)
    piece = text[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def by_section(frame: pd.DataFrame, min_confidence: float) -> list[tuple[str, pd.DataFrame]]:
    """Proposals at or above ``min_confidence``, grouped by section in document order."""
    keep = frame[frame.confidence >= min_confidence].copy()
    keep["section"] = keep.section.fillna("").replace("", "(utan rubrik)")
    first = keep.groupby("section").line.min().sort_values(kind="stable")
    out = []
    for section in first.index:
        part = keep[keep.section == section].sort_values(
            ["line", "confidence"], ascending=[True, False], kind="stable"
        )
        table = pd.DataFrame(
            {
                "Rad": part.line.astype(int),
                "Citat": [_quote(s, r) for s, r in zip(part.sentence, part.raw, strict=True)],
                "Värde": [
                    formats.qualified(v, q or None)
                    for v, q in zip(part.value, part.qualifier, strict=True)
                ],
                "Enhet": part.unit,
                "Period": [formats.period(p) for p in part.period],
                "Bas": part.basis,
                "Indikator": [
                    f"{i} (ny)" if n else i
                    for i, n in zip(part.indicator, part.new_indicator, strict=True)
                ],
                "Konfidens": [formats.number(c, 2) for c in part.confidence],
            }
        )
        out.append((section, table))
    return out
