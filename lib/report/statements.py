"""The strongest statements of a theme in the reports' text, and keyword in context over
the processed passages, each with its source line.
"""

from __future__ import annotations

import re

import pandas as pd

from lib.core import formats
from lib.report import processed
from lib.report.selection import area, city
from lib.text.themes import check_theme

# ----------------------------------------------------------------------------- statements

THEME_TERMS: dict[str, tuple[str, ...]] = {
    "hemloshet": (
        "hemlös",
        "socialt boende",
        "korttidsboende",
        "nödbistånd",
        "vräkning",
        "bostad först",
        "boendedygn",
        "härbärge",
        "övernatt",
    ),
    "vald_i_nara_relation": (
        "våld",
        "skyddat boende",
        "skyddade boende",
        "kriscentrum",
        "heder",
        "kvinnojour",
        "barnahus",
        "våldsutsatt",
    ),
    "forsorjningsstod": (
        "försörjningsstöd",
        "ekonomiskt bistånd",
        "hushåll",
        "långvarigt",
        "etableringsenhet",
        "självförsörj",
    ),
}
_CHANGE_WORDS = re.compile(
    r"\b(?:ökat|ökade|ökar|ökning\w*|minskat|minskade|minskar|minskning\w*|fördubbl\w*|"
    r"halver\w*|högre|lägre|fler|färre)\b",
    re.IGNORECASE,
)
_STRONG_WORDS = re.compile(
    r"\b(?:kraftig\w*|markant\w*|betydande|betydligt|tydlig\w*|rekord\w*|stor\w*|allvarlig\w*|"
    r"fortsatt|ansträngd\w*|utmaning\w*|brist\w*)\b",
    re.IGNORECASE,
)
KWIC_COLUMNS = (
    "left",
    "match",
    "right",
    "source",
    "source_file",
    "line",
    "doc_id",
    "section",
    "score",
)


_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
_NUMERIC = re.compile(r"[-+−–]?[\d\s.,%]*\d[\d\s.,%]*(?:%|st|kr|tkr|mnkr)?")
_PUNCT = re.compile(r"[.,;:]+")
_THOUSANDS = re.compile(r"(?<=\d)[\s\u00a0\u202f](?=\d{3}\b)")
_END = re.compile(r"[.!?:;)»”\"]$")


def is_sentence(text: str, list_item: bool = False) -> bool:
    """Whether ``text`` reads as prose, not a table row, page furniture or OCR debris.

    At least five words of letters; at most a third of the tokens numbers or bare
    punctuation, and at most one bare punctuation token (``. .``); no two figures side by
    side (``20% 2,7 %``: the cells of a table row); no word repeated next to itself
    (``perioden perioden``: a flattened table); a sentence (not a list item) ends with
    punctuation, so a table row ending in its figure (``… Centrum 106``) is left out.
    """
    tokens = _THOUSANDS.sub("", text).split()  # 2 112 657 is one number
    words = _LETTER_WORD.findall(text)
    if len(words) < 5:
        return False
    numbers = [bool(_NUMERIC.fullmatch(t)) for t in tokens]
    bare = sum(bool(_PUNCT.fullmatch(t)) for t in tokens)
    if (sum(numbers) + bare) > len(tokens) / 3 or bare > 1:
        return False
    if any(a and b for a, b in zip(numbers, numbers[1:], strict=False)):
        return False  # two figures side by side: the cells of a table row ("20% 2,7 %")
    low = [t.lower() for t in tokens]
    if any(a == b and _LETTER_WORD.fullmatch(a) for a, b in zip(low, low[1:], strict=False)):
        return False
    return list_item or bool(_END.search(text.rstrip()))


def _term_regex(terms: tuple[str, ...]) -> re.Pattern[str]:
    from lib.text.themes import compile_pattern

    return re.compile("|".join(f"(?:{compile_pattern(t, prefix=True).pattern})" for t in terms))


def _passage_start(line: str, passage: str) -> int:
    """Where in ``line`` (folded) the passage (folded) begins; 0 if not found."""
    flat = " ".join(passage.split())
    for i in range(len(line)):
        if i and line[i - 1].isalnum():
            continue
        rest = " ".join(line[i:].split())
        if rest and (flat.startswith(rest) or rest.startswith(flat)):
            return i
    return 0


def _match_line(doc_id: str, start: int, end: int, text: str, s: int, e: int) -> int:
    """The raw line in [start, end] holding ``text[s:e]`` of a passage spanning those lines.

    The match is the k-th occurrence of its word in the passage; the lines are walked in
    order counting occurrences (the first line from where the passage starts). A word
    broken across lines (hyphenation) falls back to the line holding its first half.
    """
    from lib.text.themes import fold

    lines = processed.analysis_lines(doc_id)
    folded = fold(text)
    word = folded[s:e]
    k = folded[:s].count(word)
    for n in range(start, end + 1):
        lt = fold(lines[n - 1])
        if n == start:
            lt = lt[_passage_start(lt, folded) :]
        c = lt.count(word)
        if k < c:
            return n
        k -= c
    head = word[: max(3, len(word) // 2)]
    for n in range(start, end + 1):
        if fold(lines[n - 1]).rstrip("-\u00ad ").endswith(head):
            return n
    return start


def _passages(theme: str, year: int, district: str) -> pd.DataFrame:
    docs = processed.load("documents")
    pas = processed.load("passages")
    # The OCR twin of a clean report would repeat every sentence: keep the clean one.
    twins = docs[(docs.text_quality == "ocr") & docs.same_report_as.notna()].doc_id
    docs = docs[(docs.year == year) & ~docs.doc_id.isin(twins)]
    pas = pas.merge(docs[["doc_id", "part_id", "district", "file"]], on=["doc_id", "part_id"])
    pas = pas[
        pas.themes.str.split(";").map(lambda ts: theme in ts)
        & pas.kind.isin(["sentence", "list_item"])
    ]
    if district != city():
        named = pas.text.str.contains(rf"\b{district}\b", regex=True)
        pas = pas[(pas.district == district) | named]
    return pas


def statements(
    theme: str, year: int, district: str | None = None, n: int = 8, width: int = 70
) -> pd.DataFrame:
    """The strongest statements of the year on a theme, as keyword-in-context rows.

    Candidates are sentences and list items tagged with the theme in the year's reports
    (the district's own reports and sentences naming the district, for a district) that
    read as prose (:func:`is_sentence`: no table rows, page furniture or OCR debris). A
    sentence scores 2 for a number, 2 for a word of change (ökat, minskat, fler, …) and 1
    for a word of strength (kraftig, markant, ansträngd, …); the ``n`` best are kept (ties
    in document order; repeated sentences once). The keyword is the first theme term
    (:data:`THEME_TERMS`) in the sentence; ``line`` is the raw line holding it.
    """
    from lib.text.themes import fold

    regex = _term_regex(THEME_TERMS[check_theme(theme)])
    pas = _passages(theme, year, area(district)).drop_duplicates("text")
    rows = []
    for p in pas.itertuples():
        if not is_sentence(p.text, list_item=p.kind == "list_item"):
            continue
        m = regex.search(fold(p.text))
        if m is None:
            continue
        score = (
            2 * bool(re.search(r"\d", p.text))
            + 2 * bool(_CHANGE_WORDS.search(p.text))
            + bool(_STRONG_WORDS.search(p.text))
        )
        s, e = m.span()
        rest = p.text[e:]
        word_end = e + len(rest) - len(re.sub(r"^\w*", "", rest))  # to the end of the word
        line = _match_line(p.doc_id, p.line_start, p.line_end, p.text, s, word_end)
        rows.append(
            {
                "left": ("…" if s > width else "") + p.text[max(0, s - width) : s],
                "match": p.text[s:word_end],
                "right": p.text[word_end : word_end + width]
                + ("…" if len(p.text) > word_end + width else ""),
                "source": formats.source(p.file, line),
                "source_file": p.file,
                "line": line,
                "doc_id": p.doc_id,
                "section": p.section,
                "score": score,
                "_order": (p.doc_id, p.line_start),
            }
        )
    out = pd.DataFrame(rows, columns=[*KWIC_COLUMNS, "_order"])
    if out.empty:
        return out.drop(columns="_order")
    out = out.assign(_neg=-out.score).sort_values(["_neg", "_order"], kind="stable").head(n)
    return out.drop(columns=["_neg", "_order"]).reset_index(drop=True)


def kwic(
    term: str,
    theme: str | None = None,
    doc_id: str | None = None,
    width: int = 60,
    passages: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Keyword in context over the processed passages (fast; same matching as
    :func:`lib.text.mentions.kwic`).

    ``term`` (a word or a phrase) matches Swedish word forms: each word matches a word
    that starts with its stem (:func:`lib.text.stems.search_regex`: "skyddat boende" finds
    "skyddade boendet"), case- and diacritic-insensitively; ``theme`` restricts to
    passages tagged with the theme; ``passages`` (rows of the passages table) replaces the
    whole table.
    Columns: term, left, match, right, doc_id, part_id, line, section, passage_id.
    """
    from lib.text.stems import search_regex
    from lib.text.themes import fold

    regex = search_regex(term)
    pas = processed.load("passages") if passages is None else passages
    if doc_id is not None:
        pas = pas[pas.doc_id == doc_id]
    if theme is not None:
        pas = pas[pas.themes.str.split(";").map(lambda ts: check_theme(theme) in ts)]
    rows = []
    for p in pas.itertuples():
        for m in regex.finditer(fold(p.text)):
            s, e = m.span()
            rows.append(
                {
                    "term": term,
                    "left": p.text[max(0, s - width) : s],
                    "match": p.text[s:e],
                    "right": p.text[e : e + width],
                    "doc_id": p.doc_id,
                    "part_id": p.part_id,
                    "line": _match_line(p.doc_id, p.line_start, p.line_end, p.text, s, e),
                    "section": p.section,
                    "passage_id": p.passage_id,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "term",
            "left",
            "match",
            "right",
            "doc_id",
            "part_id",
            "line",
            "section",
            "passage_id",
        ],
    )
