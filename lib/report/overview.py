"""The corpus overview notebook's tables: documents and parts, text quality before and
after the OCR repair, theme prominence and coverage theme × year × source.
"""

from __future__ import annotations

import math

import pandas as pd

from lib import paths
from lib.core import formats
from lib.report import processed
from lib.report.selection import observations, report_years, years
from lib.text.themes import theme_labels

# ----------------------------------------------------------------------------- overview


def documents_overview() -> pd.DataFrame:
    """Documents and parts: title, district, type, period, year, text quality, lines."""
    d = processed.load("documents")
    cols = [
        "doc_id",
        "part_id",
        "part_title",
        "district",
        "report_type",
        "period_start",
        "period_end",
        "year",
        "text_quality",
        "line_start",
        "line_end",
        "n_lines",
    ]
    return d[cols].reset_index(drop=True)


def _span(years_: tuple[int, ...]) -> str:
    return str(years_[0]) if len(years_) == 1 else f"{years_[0]}–{years_[-1]}"


def corpus_summary() -> str:
    """One Swedish sentence on what the data holds: documents, parts, report years, figures."""
    docs = processed.load("documents")
    obs = observations()
    n_docs, n_parts = docs.doc_id.nunique(), len(docs)
    parts = f" ({n_parts} delar)" if n_parts != n_docs else ""
    return (
        f"Underlaget är {n_docs} dokument{parts} från åren {_span(report_years())}, med "
        f"{formats.number(len(obs))} uppgifter om teman för åren {_span(years())}."
    )


def documents_view(docs: pd.DataFrame, year: int) -> pd.DataFrame:
    """The documents overview for display: fewer, merged columns (Swedish headers)."""
    quality = {"clean": "ren", "ocr": "OCR-läst"}
    return pd.DataFrame(
        {
            "Del": docs.part_id.to_numpy(),
            "Titel": docs.part_title.to_numpy(),
            "Område": docs.district.to_numpy(),
            "Typ": docs.report_type.to_numpy(),
            "Period": [
                formats.period(f"{str(a)[:7]}/{str(b)[:7]}")
                for a, b in zip(docs.period_start, docs.period_end, strict=True)
            ],
            "Text": docs.text_quality.map(lambda q: quality.get(q, q)).to_numpy(),
            "Textrader": [f"{a}–{b}" for a, b in zip(docs.line_start, docs.line_end, strict=True)],
            f"År {year}": ["ja" if y == year else "" for y in docs.year],
        }
    )


def text_quality() -> pd.DataFrame:
    """OCR repair per OCR'd document: words, changes, lines changed and, where the report
    has a clean twin, the word overlap with it before and after repair (order ignored)."""
    from collections import Counter

    docs = processed.load("documents")
    changes = processed.load("ocr_changes")
    rows = []
    for d in docs[docs.text_quality == "ocr"].drop_duplicates("doc_id").itertuples():
        raw = _raw_lines(d.file)
        fixed = processed.analysis_lines(d.doc_id)
        ch = changes[changes.doc_id == d.doc_id]
        n_words = sum(len(x.split()) for x in raw)
        row = {
            "doc_id": d.doc_id,
            "file": d.file,
            "words": n_words,
            "changes": len(ch),
            "changed_pct": round(100 * len(ch) / n_words, 2),
            "lines_changed": ch.line.nunique(),
            "lines": len(raw),
            "overlap_before": math.nan,
            "overlap_after": math.nan,
        }
        if pd.notna(d.same_report_as):
            twin_doc, twin_part = d.same_report_as.split("/")
            t = docs[(docs.doc_id == twin_doc) & (docs.part_id == twin_part)].iloc[0]
            ref = Counter(_words(processed.analysis_lines(twin_doc)[t.line_start - 1 : t.line_end]))
            total = sum(ref.values())
            for key, lines in (("overlap_before", raw), ("overlap_after", fixed)):
                got = Counter(_words(lines))
                row[key] = round(100 * sum((got & ref).values()) / total, 1)
        rows.append(row)
    return pd.DataFrame(rows)


def _raw_lines(file: str) -> list[str]:
    from lib.sources import corpus

    path = paths.RAW_DIR / file
    return corpus.split_lines(corpus.decode_text(path.read_bytes(), file))


def _words(lines) -> list[str]:
    strip = "\"'()[]{}.,;:!?*•–—-/”“’‘«»…"
    return [w.strip(strip) for line in lines for w in line.split() if w.strip(strip)]


def prominence() -> pd.DataFrame:
    """Theme mentions per 1 000 words: rows document parts (short label), columns themes."""
    tp = processed.load("theme_prominence").rename(columns={"part_id": "part"})
    order = list(dict.fromkeys(tp.part))
    m = tp.pivot(index="part", columns="theme_label", values="per_1000_words")
    return m.loc[order, [t for t in theme_labels().values() if t in m.columns]]


def coverage() -> pd.DataFrame:
    """Number of curated figures (restatements excluded) per theme × source × year."""
    obs = observations()
    labels = theme_labels()
    obs = obs.assign(theme_label=obs.theme.map(labels))
    m = obs.pivot_table(
        index=["theme_label", "doc_id"],
        columns="year",
        values="value",
        aggfunc="size",
        fill_value=0,
    )
    order = [
        (t, d) for t in labels.values() for d in sorted(obs.doc_id.unique()) if (t, d) in m.index
    ]
    return m.loc[order].astype("int64")
