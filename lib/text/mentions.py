"""Themes over the reports' passages: each passage's themes, keyword in context and
theme prominence.

The passages come from :mod:`lib.text.structure`, the matching from :mod:`lib.text.themes`.

Typical use::

    from lib.text import mentions
    mentions.kwic("hemlös", doc_id="gemensamma_verksamheter_2024")   # DataFrame
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from lib.core import cache
from lib.core.schemas import Column, ForeignKey, Schema
from lib.errors import DataError
from lib.sources import corpus as corpus_mod
from lib.text import structure
from lib.text.stems import search_regex
from lib.text.themes import count_words, fold, label, mentions, theme_ids

# --------------------------------------------------------------------------- kwic

KWIC_COLUMNS = ["term", "left", "match", "right", "doc_id", "part_id", "line", "section"]


def _doc_ids(c: corpus_mod.Corpus, doc_id: str | None) -> list[str]:
    if doc_id is None:
        return c.doc_ids
    c.document(doc_id)
    return [doc_id]


def kwic(
    term: str | None,
    c: corpus_mod.Corpus | None = None,
    width: int = 60,
    theme: str | None = None,
    doc_id: str | None = None,
) -> pd.DataFrame:
    """Keyword in context over the passages of the corpus (or of one document).

    ``term`` (a word or a phrase) matches Swedish word forms, case- and
    diacritic-insensitively: each word matches a word starting with its stem
    (:func:`lib.text.stems.search_regex`; ``"hemlös"`` finds hemlöshet, hemlösa;
    "skyddat boende" finds "skyddade boendet"). With ``theme``
    only passages tagged with that theme are searched; with ``theme`` and no term,
    every lexicon mention of the theme is listed. Columns: term, left, match, right,
    doc_id, part_id, line (raw line of the match), section.
    """
    if term is None and theme is None:
        raise DataError("kwic: give a term, a theme, or both.")
    if theme is not None:
        label(theme)
    if width < 0:
        raise DataError(f"kwic: width={width}; give a number of characters ≥ 0.")
    c = c or corpus_mod.load()
    regex = search_regex(term) if term else None
    rows = []
    for d in _doc_ids(c, doc_id):
        for p in structure.iter_passages(c, d):
            spans = _kwic_spans(p.text, p.context, regex, theme)
            for s, e in spans:
                rows.append(
                    {
                        "term": term if term else theme,
                        "left": p.text[max(0, s - width) : s],
                        "match": p.text[s:e],
                        "right": p.text[e : e + width],
                        "doc_id": p.doc_id,
                        "part_id": p.part_id,
                        "line": p.line_at(s),
                        "section": p.section,
                    }
                )
    return pd.DataFrame(rows, columns=KWIC_COLUMNS)


def _kwic_spans(text: str, context: str, regex: re.Pattern | None, theme: str | None):
    if theme is not None:
        found = [(s, e) for t, _, s, e in mentions(text, context) if t == theme]
        if regex is None or not found:
            return found
    return [m.span() for m in regex.finditer(fold(text))] if regex is not None else []


# --------------------------------------------------------------------------- prominence


def passage_mentions(c: corpus_mod.Corpus, doc_id: str) -> tuple[tuple[str, ...], ...]:
    """The theme of every mention in every passage of a document (:func:`mentions`, in the
    order of ``structure.iter_passages``), from the cache of derived artefacts when the
    corpus and the code and lexicon of this module are unchanged (:mod:`lib.core.cache`)."""
    return _passage_mentions(c, doc_id)


@lru_cache(maxsize=16)
def _passage_mentions(c: corpus_mod.Corpus, doc_id: str) -> tuple[tuple[str, ...], ...]:
    def compute() -> tuple[tuple[str, ...], ...]:
        return tuple(
            tuple(m[0] for m in mentions(p.text, p.context))
            for p in structure.iter_passages(c, doc_id)
        )

    key = cache.key(
        "passage-mentions", doc_id, cache.corpus_digest(c), modules=("lib.text.mentions",)
    )
    return cache.memo("passage-mentions", key, compute)


def passages(c: corpus_mod.Corpus, doc_id: str | None = None) -> pd.DataFrame:
    """Passages of one document (or all) with raw line spans and their themes."""
    rows = []
    for d in [doc_id] if doc_id else c.doc_ids:
        found = passage_mentions(c, d)
        for p, mentioned in zip(structure.iter_passages(c, d), found, strict=True):
            rows.append(
                {
                    "doc_id": p.doc_id,
                    "part_id": p.part_id,
                    "passage_id": p.passage_id,
                    "kind": p.kind,
                    "section": p.section,
                    "line_start": p.line_start,
                    "line_end": p.line_end,
                    "text": p.text,
                    "themes": ";".join(sorted(set(mentioned))),  # themes.tag of the passage
                }
            )
    return pd.DataFrame(rows, columns=list(structure.SCHEMAS["passages"].columns)).astype(
        {"passage_id": "int64", "line_start": "int64", "line_end": "int64"}
    )


def theme_prominence(c: corpus_mod.Corpus) -> pd.DataFrame:
    """Theme mentions per 1 000 words for every document part and theme (zeros included).

    Words and mentions are counted over the part's passages (page furniture and
    tables of contents excluded).
    """
    rows = []
    for d in c.doc_ids:
        words: dict[str, int] = {p.part_id: 0 for p in c.parts(d)}
        hits: dict[tuple[str, str], int] = {}
        for p, mentioned in zip(structure.iter_passages(c, d), passage_mentions(c, d), strict=True):
            words[p.part_id] += count_words(p.text)
            for theme in mentioned:
                hits[(p.part_id, theme)] = hits.get((p.part_id, theme), 0) + 1
        for part_id, n in words.items():
            for theme in theme_ids():
                m = hits.get((part_id, theme), 0)
                rows.append(
                    {
                        "doc_id": d,
                        "part_id": part_id,
                        "theme": theme,
                        "theme_label": label(theme),
                        "mentions": m,
                        "words": n,
                        "per_1000_words": round(1000 * m / n, 4) if n else 0.0,
                    }
                )
    return pd.DataFrame(rows, columns=list(SCHEMAS["theme_prominence"].columns))


_S, _I, _F = "string", "int64", "float64"

SCHEMAS: dict[str, Schema] = {
    "theme_prominence": Schema(
        key=("doc_id", "part_id", "theme"),
        foreign_keys=(ForeignKey(("doc_id", "part_id"), "documents", ("doc_id", "part_id")),),
        columns={
            "doc_id": Column(_S, "Document id"),
            "part_id": Column(_S, "Part id"),
            "theme": Column(_S, "Theme id (lib/data/themes.yml)", allowed=theme_ids),
            "theme_label": Column(
                _S,
                "Swedish label of the theme",
                allowed=("Hemlöshet", "Våld i nära relation", "Försörjningsstöd"),
            ),
            "mentions": Column(_I, "Lexicon mentions of the theme in the part's passages"),
            "words": Column(_I, "Words in the part's passages (furniture and contents excluded)"),
            "per_1000_words": Column(
                _F,
                "Mentions per 1 000 words, rounded to 4 decimals",
                unit="mentions per 1 000 words",
            ),
        },
    ),
}


def tables(c: corpus_mod.Corpus) -> dict[str, pd.DataFrame]:
    """The theme tables of the whole corpus: theme_prominence."""
    return {"theme_prominence": theme_prominence(c)}
