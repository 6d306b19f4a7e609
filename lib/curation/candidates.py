"""Candidate figures of a report and the words around them, for proposing observations
(:mod:`lib.curation.propose`).

The inputs are the processed tables (:class:`Tables`, each read on first use) and the
analysed text of every document. A candidate is every figure of the quantities table, a
digit token the quantities layer left unclassified, a list caption it read as a section
number (``11 GR-kommuner:``) or a number word (``fem``, ``en person``); its context is the
clause before it (cut at an earlier figure or a clause end; ``A och B … X respektive Y``
gives each figure its subject, ``A och B har minskat med X`` two subjects), the noun it
counts, the paragraph's lead (``Etableringsenheten: …``), the sentence's first words, a
table row's label with its continuation lines, the heading and the sentence before.
Each document's candidates are cached (:mod:`lib.core.cache`) by checksums of the tables,
texts, manifest and code they come from (:mod:`lib.curation.proposal_inputs`).
"""

from __future__ import annotations

import bisect
import re
from functools import cache

import pandas as pd

from lib.core.cache import memo
from lib.curation.proposal_inputs import Tables
from lib.curation.snippets import qualifier_of, raw_snippet
from lib.curation.wording import FUNCTION_WORDS, WORD, fold, word_list
from lib.text.fractions import fractions
from lib.text.numbers import vocab

_WINDOW_BEFORE, _WINDOW_AFTER = 6, 4
NEAR_BEFORE, NEAR_AFTER = 60, 20  # lines around a figure whose passages set its theme
# What a document's candidate figures are computed from (the rest is the curation).
_CANDIDATE_TABLES = ("quantities", "tokens", "passages", "sections", "documents")


# --------------------------------------------------------------------------- candidates


@cache
def _number_words() -> dict[str, float]:
    from lib.curation import values

    return {fold(w): v for w, v in values._number_words().items()}


@cache
def _number_word_re() -> re.Pattern:
    """Number words as written or without diacritics (OCR), whole words only."""
    forms = set()
    for w in _number_words():
        forms |= {w, w.replace("a", "[aåä]").replace("o", "[oö]")}
    alts = "|".join(sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<!{WORD})(?:{alts})(?!{WORD})", re.IGNORECASE)


class _Index:
    """Interval look-ups of passages and sections for one document."""

    def __init__(self, tables: Tables, doc_id: str) -> None:
        p = tables.passages
        self.passages = sorted(
            (r for r in p[p.doc_id == doc_id].to_dict("records")),
            key=lambda r: (r["line_start"], r["line_end"]),
        )
        s = tables.sections
        self.sections = sorted(
            (r for r in s[s.doc_id == doc_id].to_dict("records")),
            key=lambda r: (r["line_start"], -r["line_end"]),
        )
        self.section_themes = self._section_themes()
        self._p_starts = [r["line_start"] for r in self.passages]
        self._s_starts = [r["line_start"] for r in self.sections]
        self.leads, self.previous = self._leads_and_previous()
        self.heading_themes = {
            r["line_start"]: r["themes"] or "" for r in self.passages if r["kind"] == "heading"
        }

    def passage(self, line: int, needle: str = "") -> dict | None:
        """The passage holding the line and, if given, the figure's text (a sentence or
        row rather than a heading)."""
        best = None
        k = bisect.bisect_right(self._p_starts, line)
        covering = [r for r in self.passages[max(0, k - 40) : k] if r["line_end"] >= line]
        for r in covering:
            if best is None or r["kind"] != "heading":
                best = r
        flat = " ".join(needle.split())
        if flat:
            for r in covering:
                if flat in " ".join(str(r["text"]).split()):
                    return r
        return best

    def _leads_and_previous(self) -> tuple[dict[int, str], dict[int, str]]:
        """For each passage, the lead in force (``Etableringsenheten:``, ``Boende vuxna:``
        opening this or an earlier sentence of the section, until a heading or the next lead)
        and the sentence before it in the same section."""
        leads: dict[int, str] = {}  # by passage_id
        previous: dict[int, str] = {}
        lead, since, prev, section = "", 0, "", None
        for r in self.passages:
            if r["kind"] == "heading" or r["section"] != section:
                lead, prev, section = "", "", r["section"]
                if r["kind"] == "heading":
                    continue
            m = _LEAD.match(str(r["text"]))
            if m:
                lead, since = m.group(1), 0
            since += 1
            if since > _LEAD_SPAN:
                lead = ""
            leads[r["passage_id"]] = lead
            previous[r["passage_id"]] = prev
            prev = str(r["text"]) if r["kind"] == "sentence" else ""
        return leads, previous

    def section(self, line: int) -> dict | None:
        """The innermost section holding the line."""
        best = None
        k = bisect.bisect_right(self._s_starts, line)
        for r in self.sections[:k]:
            if r["line_end"] >= line and (best is None or r["level"] >= best["level"]):
                best = r
        return best

    def near_themes(self, line: int) -> dict[str, float]:
        """The themes of the passages starting within NEAR_BEFORE lines before and
        NEAR_AFTER after the line, the nearer the more (weight 1 / (1 + distance / 10)):
        the figure's setting when its own passage names no theme (a generic sub-heading
        such as ``Arbete under året`` says nothing)."""
        lo = bisect.bisect_left(self._p_starts, line - NEAR_BEFORE)
        hi = bisect.bisect_right(self._p_starts, line + NEAR_AFTER)
        weights: dict[str, float] = {}
        for r in self.passages[lo:hi]:
            for theme in (r["themes"] or "").split(";"):
                if theme:
                    near = 1.0 / (1.0 + abs(r["line_start"] - line) / 10)
                    weights[theme] = round(weights.get(theme, 0.0) + near, 6)
        return weights

    def _section_themes(self) -> dict[str, dict[str, float]]:
        """Share of each section's passages tagged with each theme."""
        counts: dict[str, dict[str, int]] = {}
        totals: dict[str, int] = {}
        for r in self.passages:
            key = r["section"] or ""
            totals[key] = totals.get(key, 0) + 1
            for theme in (r["themes"] or "").split(";"):
                if theme:
                    counts.setdefault(key, {})
                    counts[key][theme] = counts[key].get(theme, 0) + 1
        return {k: {t: n / totals[k] for t, n in v.items()} for k, v in counts.items()}


# A sentence that opens with a short name and a colon names what the paragraph is about
# (``Stadsområdet: …``, ``Försörjningsstöd etablering: …``); it holds for a few sentences.
_LEAD = re.compile(rf"^\s*({WORD}[\w-]*(?:\s+[\w-]+){{0,3}})\s*:\s+\S")
_LEAD_SPAN = 6
_CLAUSE_WORDS = 8
_OPENING_WORDS = 4
# The unit written after a figure (``kronor`` whole: not ``kr`` and a stray ``onor``).
_UNIT_AFTER = r"(?:%|procent(?:enheter)?|(?:mn|t)?kr\b|(?:miljon(?:er)?\s+)?kronor)"
# What ends the clause a figure stands in, looking back from the figure: a sentence end,
# a colon or semicolon, or an earlier figure with its unit.
_CLAUSE_END = re.compile(
    r"(?:[.!?]\s+(?=[A-ZÅÄÖ])|[:;]\s|\(|\)|"
    rf"[-–]?\d[\d ,.]*\s*{_UNIT_AFTER}?)"
)


def _clause(before: str, after: str) -> tuple[str, str]:
    """The words of the clause before a figure and how the figure stands in it.

    The clause runs from the last clause end (``_CLAUSE_END``) to the figure; if that leaves
    fewer than two content words, the clause before it counts too (``från 355 till``).
    Coordinated figures get their own subject: in ``Nettokostnaden och antal hushåll har
    minskat med 18,6 procent respektive 15 procent`` the first figure is about the first
    subject, the second about the second (role ``pair``); in ``nettokostnaden minska med
    7 procent och antalet boendedygn med 9 procent`` the second figure's clause is
    ``och antalet boendedygn med`` (role ``ellipsis``)."""
    bounds = [0] + [m.end() for m in _CLAUSE_END.finditer(before)]
    segments = [before[a:b] for a, b in zip(bounds, bounds[1:] + [len(before)], strict=True)]
    last = segments[-1]
    if _FIRST_OF_PAIR.match(after):
        return _conjunct(word_list(last), 0), "pair"
    if re.search(r"\brespektive\s*$", last) and len(segments) >= 2:
        return _conjunct(word_list(segments[-2]), 1), "pair"
    if re.match(r"^\s*,?\s*(?:och|samt)\s", last) and _content(word_list(last)):
        return " ".join(word_list(last)), "ellipsis"
    words: list[str] = []
    for k in range(len(segments) - 1, -1, -1):
        words = word_list("".join(segments[k:]))
        if _content(words) >= 2:
            break
    # a clause of its own after an earlier figure of the sentence (``antalet boendedygn
    # ökat med 13 %, vilket medfört en nettokostnadsökning på``): role ``after``
    own = k == len(segments) - 1 and k > 0 and _NUMBER_END.search(before[: bounds[k]])
    return " ".join(words[-_CLAUSE_WORDS:]), "after" if own else ""


_NUMBER_END = re.compile(rf"\d[\d ,.]*\s*{_UNIT_AFTER}?\s*,?\s*$")
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-ZÅÄÖ0-9])")
_FIRST_OF_PAIR = re.compile(r"^\s*(?:%|procent(?:enheter)?|mnkr|tkr|kr)?\s*,?\s*respektive\b")


def _content(words: list[str]) -> int:
    return sum(fold(w) not in FUNCTION_WORDS for w in words)


def _conjunct(words: list[str], k: int) -> str:
    """The first (k = 0) or second (k = 1) of ``A och B …``; all words if there is no och."""
    folded = [fold(w) for w in words]
    if "och" not in folded:
        return " ".join(words)
    i = folded.index("och")
    return " ".join(words[:i] if k == 0 else words[i + 1 :])


# Finite verbs after which a coordinated subject ends (``A och B har minskat med``).
_FINITE = frozenset(
    fold(w)
    for w in (
        "har",
        "hade",
        "är",
        "var",
        "blev",
        "ökade",
        "minskade",
        "ökar",
        "minskar",
        "steg",
        "sjönk",
        "uppgick",
        "uppgår",
        "låg",
        "ligger",
        "förväntas",
        "bedöms",
        "beräknas",
    )
)


def _coordinated(clause: str) -> tuple[str, str, str] | None:
    """``Antalet boendedygn och nettokostnaden har minskat med`` -> (``Antalet boendedygn``,
    ``nettokostnaden``, ``har minskat med``): two subjects of one figure, or None."""
    words = clause.split()
    folded = [fold(w) for w in words]
    if "och" not in folded[1:]:
        return None
    i = folded.index("och", 1)
    verb = next((k for k in range(i + 2, len(words)) if folded[k] in _FINITE), None)
    if verb is None or any(f in _FINITE for f in folded[:i]):
        return None
    a, b = words[:i], words[i + 1 : verb]
    if not _content(a) or not _content(b) or any(w[:1].isupper() for w in a[1:] + b):
        return None
    if not _CHANGE_AFTER.match(" ".join(folded[verb:])):
        return None  # ``Vuxna och försörjningsstöd har ett överskott``: one name
    return " ".join(a), " ".join(b), " ".join(words[verb:])


# two measures that changed together: ``… har minskat med``, ``… förväntas öka``
_CHANGE_AFTER = re.compile(
    r"^\w+\s+(?:\w+\s+)?(?:okat|minskat|okade|minskade|oka|minska|"
    r"stigit|sjunkit)\b"
)


def with_variants(frame: pd.DataFrame) -> pd.DataFrame:
    """Add, after each figure with two coordinated subjects, one row per subject (clause
    role ``coord``, ``variant_of`` = the figure's row): ``Antalet boendedygn och
    nettokostnaden har minskat med 12 procent`` states two figures."""
    rows = []
    for i, r in enumerate(frame.to_dict("records")):
        rows.append({**r, "variant_of": None})
        if r.get("conjuncts"):
            a, b, tail = r["conjuncts"]
            for subject in (a, b):
                rows.append(
                    {**r, "clause": f"{subject} {tail}", "clause_role": "coord", "variant_of": i}
                )
    return _plain(pd.DataFrame(rows)) if rows else frame.assign(variant_of=None)


def _opening(text: str, lead: str) -> str:
    """The first content words of a sentence (after its lead), up to its first figure:
    what the sentence is about (``Vuxna och försörjningsstöd har ett överskott …``)."""
    if lead and text.startswith(lead):
        text = text[len(lead) :].lstrip(" :")
    head = re.split(r"\d", text, maxsplit=1)[0]
    return " ".join([w for w in word_list(head) if fold(w) not in FUNCTION_WORDS][:_OPENING_WORDS])


def _raw_words(raw: str) -> str:
    """The words of a figure's own text besides the number (``nio kranskommuner``)."""
    words = _number_words()
    return " ".join(w for w in re.findall(rf"{WORD}[\w-]*", raw) if fold(w) not in words)


def _noun_after(after: str) -> str:
    """The words right after a figure, up to punctuation (its unit or counted noun)."""
    head = re.split(r"[,.;:()]", after, maxsplit=1)[0]
    return " ".join(re.findall(rf"{WORD}[\w-]*", head)[:2])


def _window(lines: list[str], line: int, start: int, end: int) -> tuple[str, str]:
    """Up to a few words before and after a figure (crossing one line break each way)."""
    text = lines[line - 1]
    before = (lines[line - 2] + " " if line >= 2 else "") + text[:start]
    after = text[end:] + (" " + lines[line] if line < len(lines) else "")
    wb = re.findall(rf"{WORD}[\w%-]*|\d[\d ,]*", before)[-_WINDOW_BEFORE:]
    wa = re.findall(rf"{WORD}[\w%-]*|\d[\d ,]*", after)[:_WINDOW_AFTER]
    return " ".join(wb), " ".join(wa)


def candidates(tables: Tables, doc_id: str) -> pd.DataFrame:
    """Every candidate figure of a document with its context (one row each); cached by
    the checksums of the tables, texts and code it is computed from."""
    key = tables.digest(_CANDIDATE_TABLES)
    if key is None:
        return _candidates(tables, doc_id)
    return memo(
        "propose-candidates", f"{key[:40]}-{doc_id}", lambda: _candidates(tables, doc_id), keep=64
    )


def _candidates(tables: Tables, doc_id: str) -> pd.DataFrame:
    q = tables.quantities
    q = q[q.doc_id == doc_id]
    lines, raw = tables.lines[doc_id], tables.raw_lines[doc_id]
    index = _Index(tables, doc_id)
    rows = []
    taken: set[tuple[int, int]] = set()
    for r in q.to_dict("records"):
        rows.append({**r, "source": "quantity", "caption": None})
        taken.add((r["line"], r["start"]))
    # digit tokens the quantities layer classified as other (e.g. "11 GR-kommuner:") or as
    # a date where a month name labels a count ("Juli 23")
    t = tables.tokens
    t = t[(t.doc_id == doc_id) & t.kind.isin(["other", "date", "section"])]
    for r in t.to_dict("records"):
        m = re.fullmatch(r"\(?(\d{1,3}(?:[ \u00a0]\d{3})*|\d+)(?:,(\d+))?[):.,%]*", r["token"])
        if not m or (r["line"], r["start"]) in taken:
            continue
        if r["kind"] == "date" and not re.fullmatch(r"\d{1,4}", r["token"]):
            continue
        # a number read as a section number that is a list's caption (``11 GR-kommuner:``)
        if r["kind"] == "section" and not _COUNT_CAPTION.match(lines[r["line"] - 1]):
            continue
        value = float(
            m.group(1).replace(" ", "").replace("\u00a0", "")
            + ("." + m.group(2) if m.group(2) else "")
        )
        rows.append(
            _extra(
                r["doc_id"],
                r["part_id"],
                r["line"],
                r["start"],
                r["end"],
                value,
                r["token"],
                "token",
            )
        )
        taken.add((r["line"], r["start"]))
    # number words the quantities layer did not take (``rekryterat fem``, ``en person``),
    # unless part of a fraction (``två tredjedelar``, below)
    words = _number_words()
    parts = _parts(tables, doc_id)
    shares = {i: found for i, text in enumerate(lines, start=1) if (found := fractions(text))}
    for i, text in enumerate(lines, start=1):
        for m in _number_word_re().finditer(text):
            w = fold(m.group())
            if w not in words or (i, m.start()) in taken:
                continue
            if any(a <= m.start() < b for a, b, _, _ in shares.get(i, ())):
                continue
            if w in ("en", "ett") and not _counted_article(text, m.end(), lines, i):
                continue
            if w in _noun_number_words() and not _counted_noun(text, m.end(), lines, i):
                continue
            row = _extra(
                doc_id, _part_of(parts, i), i, m.start(), m.end(), words[w], m.group(), "word"
            )
            rows.append({**row, "unit": _money_after(text, m.end(), lines, i) or "antal"})
    for i, found in shares.items():
        for start, end, value, raw_words in found:
            if (i, start) in taken:
                continue
            row = _extra(doc_id, _part_of(parts, i), i, start, end, value, raw_words, "fraction")
            rows.append({**row, "unit": "procent"})
            taken.update((i, k) for k in range(start, end))
    furniture = _furniture_lines(tables, doc_id)
    rows = [r for r in rows if r["line"] not in furniture]
    frame = _plain(pd.DataFrame(rows))
    _label_lists(frame, lines)
    ctx = []
    for r in frame.to_dict("records"):
        before, after = _window(lines, r["line"], r["start"], r["end"])
        passage = index.passage(r["line"], str(r["raw"] or ""))
        section = index.section(r["line"])
        heading = section["heading"] if section else ""
        sec_name = passage["section"] if passage and passage["section"] else heading
        full = lines[r["line"] - 1]
        first = max(passage["line_start"] if passage else r["line"], r["line"] - 4)
        pid = passage["passage_id"] if passage else None
        text_before = " ".join(lines[first - 1 : r["line"] - 1] + [full[: r["start"]]])
        clause, role = _clause(text_before, full[r["end"] :])
        sentence_before = _SENTENCE_END.split(text_before)[-1]
        ctx.append(
            {
                "clause": clause,
                "clause_role": role,
                "sentence_before": " ".join(sentence_before.split()),
                "conjuncts": None if role in ("pair", "ellipsis") else _coordinated(clause),
                "opening": (
                    _opening(str(passage["text"]), index.leads.get(pid, "") if pid else "")
                    if passage and passage["kind"] == "sentence" and not r["label"]
                    else ""
                ),
                "noun_after": _noun_after(
                    _raw_words(str(r["raw"] or ""))
                    + " "
                    + full[r["end"] :]
                    + (
                        " " + lines[r["line"]]
                        if r["line"] < len(lines) and not full[r["end"] :].strip()
                        else ""
                    )
                ),
                "lead": index.leads.get(pid, "") if pid else "",
                "prev_sentence": index.previous.get(pid, "") if pid else "",
                "row_text": (
                    _row_text(passage)
                    if passage and r["label"] and passage["line_start"] == r["line"]
                    else ""
                ),
                "before": before,
                "after": after,
                "heading": heading or "",
                "passage_kind": passage["kind"] if passage else "",
                "passage_themes": (passage["themes"] or "") if passage else "",
                "section_themes": index.section_themes.get(sec_name or "", {}),
                "near_themes": index.near_themes(r["line"]),
                "heading_themes": index.heading_themes.get(section["line_start"], "")
                if section
                else "",
                "passage_text": (
                    r["sentence"] or (passage["text"] if passage else lines[r["line"] - 1].strip())
                ),
                "line_before": full[: r["start"]],
                # read here, once per document (cached), not at every proposal
                "qualifier_read": qualifier_of({**r, "line_before": full[: r["start"]]}),
                "snippet": raw_snippet(raw[r["line"] - 1], r, len(full)),
            }
        )
    frame = pd.concat([frame.reset_index(drop=True), pd.DataFrame(ctx)], axis=1)
    frame = frame.sort_values(["line", "start"], kind="stable").reset_index(drop=True)
    return _plain(frame)


def _furniture_lines(tables: Tables, doc_id: str) -> set[int]:
    """1-based lines of page furniture (page numbers, running headers and footers, stamps,
    repeated document numbers: :func:`lib.text.layout.furniture`): never a figure."""
    from lib.text import layout

    return {i + 1 for i in layout.furniture(tables.lines[doc_id])}


def _row_text(passage: dict) -> str:
    """A table row's words without its figures: the label with its continuation lines
    (``Nettokostnad försörjningsstöd (exkl`` + ``etableringsenheten)``)."""
    text = re.sub(r"[-–]?\d[\d ,.]*\s*%?", " ", str(passage["text"]))
    return " ".join(text.split())


_COUNT_CAPTION = re.compile(rf"^\s*\d+\s+{WORD}[\w-]*\s*[:;]\s*$")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns with None for missing values (NaN would read as a float)."""
    frame = frame.astype(object)
    return frame.where(frame.notna(), None)


_LABEL_LINE = re.compile(r"^\s*([^\d\t]{2,60}?)\s+\(?[-–]?\d[\d ,]*\)?\s*%?\s*$")


def _label_lists(frame: pd.DataFrame, lines: list[str]) -> None:
    """Lines of the form ``Centrum 106`` under a caption (``Antal ärenden gällande …``):
    the line's words are the row label, the caption the column, as in a table."""
    for i, r in frame.iterrows():
        if r["label"]:
            continue
        m = _LABEL_LINE.match(lines[r["line"] - 1])
        if not m:
            continue
        caption = None
        for k in range(r["line"] - 2, max(r["line"] - 14, -1), -1):
            text = lines[k].strip()
            if not text or _LABEL_LINE.match(lines[k]):
                continue
            if not re.search(r"\d", text):
                caption = text
            break
        if caption:
            frame.at[i, "label"] = m.group(1).strip()
            frame.at[i, "caption"] = caption


_ARTICLE_NOUNS = re.compile(
    r"^\s*(?:[a-zåäöé]+(?:a|e|ande|ende|ig|isk|ad|d)\s+)?"
    r"(person|ärende|leverantör|medarbetare|socialsekreterare|samordnare|vaktmästare|"
    r"funktion|tjänst|heltid|årsarbetare|anställd|plats|boende|familj|barn|hushåll|"
    r"avtal|ramavtal|kommun|organisation|förfrågan|ansökan|beslut|utredning)",
    re.IGNORECASE,
)


@cache
def _noun_number_words() -> frozenset[str]:
    from lib.text import numbers

    return frozenset(fold(w) for w in numbers.vocab().number_words_also_nouns)


def _rest_after(text: str, end: int, lines: list[str], line: int) -> str:
    """The text after a word, or the next line when the word ends its line (1-based)."""
    rest = text[end:]
    if not rest.strip() and line < len(lines):
        rest = " " + lines[line]
    return rest


def _counted_noun(text: str, end: int, lines: list[str], line: int) -> bool:
    """A number word that is also a noun (``sex``) counts only before a counted word
    (``sex platser``), not before a conjunction, a preposition or punctuation (``köpt sex
    och/eller …``)."""
    rest = _rest_after(text, end, lines, line)
    word = re.match(rf"\s+({WORD}[\w-]*)", rest)
    return word is not None and fold(word.group(1)) not in FUNCTION_WORDS


def _money_after(text: str, end: int, lines: list[str], line: int) -> str | None:
    """The money unit written right after a number word (``en halv miljon kronor``: mnkr)."""
    rest = _rest_after(text, end, lines, line)
    v = vocab()
    m = v.unit_re.match(rest.lstrip())
    unit = v.unit_of.get(" ".join(m.group().lower().split())) if m else None
    return unit if unit in v.scales or unit == "kr" else None


def _counted_article(text: str, end: int, lines: list[str], line: int) -> bool:
    """``en``/``ett`` counted: followed by a countable noun (``en person``, ``ett ärende``)."""
    rest = _rest_after(text, end, lines, line)
    return bool(_ARTICLE_NOUNS.match(rest)) or bool(
        re.match(r"^\s*(?:av|till)\s", rest) and re.search(r"\b(?:samt|och)\s*$", text[: end - 3])
    )


def _extra(
    doc_id: str, part_id: str, line: int, start: int, end: int, value: float, raw: str, source: str
) -> dict:
    return {
        "quantity_id": f"{doc_id}:{line}:{start}",
        "doc_id": doc_id,
        "part_id": part_id,
        "line": line,
        "line_end": line,
        "start": start,
        "end": end,
        "value": value,
        "unit": "antal",
        "scale": 1.0,
        "approx": False,
        "qualifier": None,
        "change": False,
        "period": None,
        "base_period": None,
        "basis": None,
        "label": None,
        "column": None,
        "caption": None,
        "raw": raw,
        "sentence": None,
        "source": source,
    }


def _parts(tables: Tables, doc_id: str) -> list[tuple[int, int, str]]:
    d = tables.documents
    return [
        (r["line_start"], r["line_end"], r["part_id"])
        for r in d[d.doc_id == doc_id].to_dict("records")
    ]


def _part_of(parts: list[tuple[int, int, str]], line: int) -> str:
    for a, b, part in parts:
        if a <= line <= b:
            return part
    return parts[-1][2]
