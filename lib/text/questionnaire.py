"""The safety-programme follow-up as a table: one row per question.

Documents with ``layout: questionnaire`` in the manifest are questionnaires: each question
with its plan, målområde, strategy, Ja/Nej answer and comment (:func:`questionnaire`).
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from lib.core.schemas import Column, Schema
from lib.sources import corpus as corpus_mod
from lib.text.layout import (
    BLANK,
    FURNITURE,
    HEADING,
    HEADING_CONT,
    TEXT,
    TOC,
    DocStructure,
    Para,
    clean,
    document_layout,
    section_label,
)

# --------------------------------------------------------------------------- questionnaire

_QUESTION_END_RE = re.compile(r"\?\s*(?:\([^)]*\))?\s*$")
_ANSWERS = ("Ja", "Nej")
_AREA_RE = re.compile(r"(?:Målområde|Fokusområde)\s*\d*", re.IGNORECASE)


def _blocks(ds: DocStructure, part: corpus_mod.Part) -> list[tuple[str, int, int, str]]:
    """Blocks of the questionnaire: (kind, first line, last line, text); kind heading|block.

    Blank lines and headings end a block; repeated table headers are skipped.
    """
    heads = {h.index: h for pid, h, _ in ds.headings if pid == part.part_id}
    out: list[tuple[str, int, int, str]] = []
    cur: Para | None = None

    def flush() -> None:
        nonlocal cur
        if cur is not None and cur.lines:
            out.append(("block", cur.lines[0], cur.lines[-1], cur.text))
        cur = None

    i = part.line_start - 1
    while i < part.line_end:
        role = ds.roles[i]
        if role == HEADING:
            flush()
            h = heads[i]
            out.append(("heading", h.index + 1, h.last + 1, section_label(h.number, h.title)))
            i = h.last + 1
            continue
        if role == BLANK:
            flush()
        elif role not in (FURNITURE, TOC, HEADING_CONT):
            cur = cur or Para(TEXT)
            cur.add(i + 1, clean(ds.lines[i]))
        i += 1
    flush()
    return out


@lru_cache(maxsize=8)
def _questionnaire_cached(c: corpus_mod.Corpus, doc_id: str) -> tuple[dict, ...]:
    ds = document_layout(c, doc_id)
    levels = {h.index + 1: level for _, h, level in ds.headings}
    rows: list[dict] = []
    plan = area = None
    level = 1
    for part in c.parts(doc_id):
        q: dict | None = None
        for kind, first, last, text in _blocks(ds, part):
            if kind == "heading":
                _close(q, rows)
                q = None
                level = levels[first]
                title = text.split(" ", 1)[1] if " " in text else text
                if level == 1:
                    plan, area = title, None
                elif _AREA_RE.match(title):
                    area = title
                continue
            if _QUESTION_END_RE.search(text):
                _close(q, rows)
                q = None
                q = {
                    "plan": plan,
                    "malomrade": area,
                    "question": text,
                    "strategy": [],
                    "answer": None,
                    "comment": [],
                    "line_start": first,
                    "line_end": last,
                    "level": level + 1,
                }
            elif q is None:
                continue
            elif q["answer"] is None and not q["comment"] and text in _ANSWERS:
                q["answer"], q["line_end"] = text, last
            elif q["answer"] is None:
                q["strategy"].append(text)
                q["line_end"] = last
            else:
                q["comment"].append(text)
                q["line_end"] = last
        _close(q, rows)
    return tuple(rows)


def _close(q: dict | None, rows: list[dict]) -> None:
    if q is not None:
        rows.append(
            {
                **q,
                "strategy": " ".join(q["strategy"]) or None,
                "comment": " ".join(q["comment"]) or None,
            }
        )
    return None


def questionnaire_rows(c: corpus_mod.Corpus, doc_id: str) -> list[dict]:
    return list(_questionnaire_cached(c, doc_id))


def questionnaire(c: corpus_mod.Corpus) -> pd.DataFrame:
    """One row per question of the questionnaires (manifest ``layout: questionnaire``).

    Columns: doc_id, question_no, plan, malomrade (målområde / fokusområde heading or
    None), strategy (Strategi / insats and expected result), question, answer (Ja, Nej
    or None), comment, line_start, line_end (raw lines of question through comment).
    """
    rows = [
        {
            "doc_id": doc.doc_id,
            "question_no": k,
            **{
                key: r[key]
                for key in (
                    "plan",
                    "malomrade",
                    "strategy",
                    "question",
                    "answer",
                    "comment",
                    "line_start",
                    "line_end",
                )
            },
        }
        for doc in c.documents
        if doc.layout == "questionnaire"
        for k, r in enumerate(questionnaire_rows(c, doc.doc_id), start=1)
    ]
    return pd.DataFrame(rows, columns=list(SCHEMAS["questionnaire"].columns)).astype(
        {"question_no": "int64", "line_start": "int64", "line_end": "int64"}
    )


_S, _I = "string", "int64"

SCHEMAS: dict[str, Schema] = {
    "questionnaire": Schema(
        key=("doc_id", "question_no"),
        columns={
            "doc_id": Column(_S, "Document id (the safety-programme follow-up)"),
            "question_no": Column(_I, "Running number of the question in the document"),
            "plan": Column(
                _S, "Programme or plan the question follows up (top heading)", nullable=True
            ),
            "malomrade": Column(
                _S, "Målområde / fokusområde heading; empty where the plan has none", nullable=True
            ),
            "strategy": Column(
                _S, "Strategi or insats text with its expected result", nullable=True
            ),
            "question": Column(_S, "Uppföljningsfråga"),
            "answer": Column(_S, "Svarsalternativ", nullable=True, allowed=("Ja", "Nej")),
            "comment": Column(_S, "Kommentar (the answer's free text)", nullable=True),
            "line_start": Column(_I, "Raw line where the question starts"),
            "line_end": Column(_I, "Raw line where the item (its comment) ends"),
        },
    ),
}
