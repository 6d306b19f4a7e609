"""Proposed observations: every candidate figure of a report, with the indicator, period,
unit, basis and geography it most likely has, learned from how the other reports were curated.

``python -m lib propose DOC_ID`` writes a review sheet (:mod:`lib.sheet`); ``accept``
(:mod:`lib.accept`) merges the rows a person marked. Nothing here reads a report's own
curation when ``exclude_curated`` is set: the training set is the curation of every other
report, with the report's OCR/clean twin left out too (:func:`held_out`).

How a candidate is read:

* **candidates**: every figure of the quantities table in the document, plus digit tokens the
  quantities layer left unclassified, list captions read as section numbers
  (``11 GR-kommuner:``) and number words (``fem``, ``en person``);
* **context**: the clause before the figure (cut at an earlier figure or a clause end;
  ``A och B … X respektive Y`` gives each figure its own subject), the noun counted
  (``nio kranskommuner``), the paragraph's lead (``Etableringsenheten: …``), the sentence's
  first words, a table row's label with its continuation lines, the heading and the
  sentence before;
* **indicator**: the nearest curated figure of the other reports by TF-IDF of character
  n-grams over four channels (:data:`CHANNELS`), restricted to indicators of the same value
  type and unit class; a change is mapped to the change indicator of its nearest level
  (``X`` -> ``X_forandring``). Below a similarity threshold a new id and Swedish label are
  suggested. A figure with two coordinated subjects (``Antalet boendedygn och
  nettokostnaden har minskat med 12 procent``) gets a row per known indicator;
* **period, basis, unit, value type, geography**: general rules on the quantities layer's
  period and table header, the document's reporting period, words such as ``prognos`` and
  ``budget``, the unit written (or named by the row label), and the areas the curation
  uses (an area after ``exkl`` is left out);
* **confidence**: a logistic regression, trained on the other reports' candidates, of being
  a curated figure, from the similarity to curated figures, the themes around it, the unit
  and the kind of text it stands in.

Each report's candidates and each trained model are cached (:mod:`lib.cache`) by the
checksums of the tables, texts, manifest and code they come from; the TF-IDF and the
regression are fitted and applied with numpy and scipy (:class:`Tfidf`, :class:`Logistic`),
so a proposal never waits for scikit-learn to import.
"""


from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from lib import corpus, paths
from lib.cache import memo
from lib.errors import DataError

# The columns of a proposal sheet, in order (see README "Proposing and accepting figures").
SHEET_COLUMNS = (
    "accept", "confidence", "doc_id", "line", "raw", "value", "qualifier", "unit", "value_type",
    "basis", "period", "geography", "theme", "indicator", "label", "definition", "new_indicator",
    "match", "restatement_of", "curated", "section", "sentence", "note",
)

GEOGRAPHY_BONUS = 0.1  # a curated figure about the same area or service is a closer match
# Similarity (0-1) from which the nearest curated figure's indicator is proposed rather than
# a new id. Low on purpose: a reviewer corrects a wrong known id more easily than finding
# the right one among hundreds; the `match` column shows the similarity.
NAME_THRESHOLD = 0.3
_WINDOW_BEFORE, _WINDOW_AFTER = 6, 4
_WORD = r"[A-Za-zÅÄÖåäöÉéÜü]"


def fold(s: str) -> str:
    """Lower case without diacritics (the OCR'd reports lost å, ä, ö)."""
    s = s.lower().translate(_PLAIN)
    if s.isascii():
        return s
    return "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch))


# the usual Swedish letters without their diacritics (what NFD and dropping marks gives)
_PLAIN = str.maketrans("åäöéüàè", "aaoeuae")


# --------------------------------------------------------------------------- inputs


# The processed tables proposing reads: attribute -> table name in data/processed.
TABLES = {"quantities": "quantities", "tokens": "numeric_tokens", "passages": "passages",
          "sections": "sections", "documents": "documents", "observations": "observations",
          "indicators": "indicators"}
# What a document's candidate figures are computed from (the rest is the curation).
_CANDIDATE_TABLES = ("quantities", "tokens", "passages", "sections", "documents")


class Tables:
    """The processed tables proposing reads (``make data`` writes them), each read on first
    use, and the analysed text of every document (``lines``: repaired for OCR'd reports;
    ``raw_lines``: as in data/raw).

    Tables given as frames (``replace``) are used as they are and nothing computed from
    them is cached.
    """

    def __init__(self, processed_dir: Path = paths.PROCESSED_DIR,
                 c: corpus.Corpus | None = None) -> None:
        self.processed_dir = processed_dir
        self._corpus = c
        self._frames: dict[str, pd.DataFrame] = {}
        self._given: set[str] = set()
        self._digests: dict[tuple[str, ...], str] = {}
        self.lines = _Lines(self, repaired=True)
        self.raw_lines = _Lines(self, repaired=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise AttributeError(name)
        if name not in self._frames:
            self._frames[name] = _read(self.processed_dir, TABLES[name])
        return self._frames[name]

    @property
    def corpus(self) -> corpus.Corpus:
        if self._corpus is None:
            self._corpus = corpus.load()
        return self._corpus

    def replace(self, **frames: pd.DataFrame) -> Tables:
        """A copy with some tables replaced by the given frames."""
        unknown = set(frames) - set(TABLES)
        if unknown:
            raise TypeError(f"unknown tables: {', '.join(sorted(unknown))}")
        other = Tables(self.processed_dir, self._corpus)
        other._frames = {**self._frames, **frames}
        other._given = self._given | set(frames)
        other.lines, other.raw_lines = self.lines, self.raw_lines
        return other

    def digest(self, names: tuple[str, ...]) -> str | None:
        """A checksum of the named tables' files, the analysed texts, the manifest and the
        code of lib; None when one of them was given as a frame (then nothing is cached)."""
        if self._given & set(names):
            return None
        if names not in self._digests:
            self._digests[names] = self._checksum(names)
        return self._digests[names]

    def _checksum(self, names: tuple[str, ...]) -> str:
        files = [self.processed_dir / f"{TABLES[n]}.parquet" for n in names]
        files += sorted((self.processed_dir / "repaired").glob("*.txt"))
        files += [self.corpus.manifest_path]
        return _checksum(files, [_code_digest()])


class _Lines:
    """The lines of each document, read on first use."""

    def __init__(self, tables: Tables, repaired: bool) -> None:
        self._tables, self._repaired, self._lines = tables, repaired, {}

    def __getitem__(self, doc_id: str) -> list[str]:
        if doc_id not in self._lines:
            self._lines[doc_id] = self._read(doc_id)
        return self._lines[doc_id]

    def _read(self, doc_id: str) -> list[str]:
        c = self._tables.corpus
        doc = next((d for d in c.documents if d.doc_id == doc_id), None)
        if doc is None:
            raise DataError(f"doc_id {doc_id!r} is not in the manifest; choose one of "
                            f"{', '.join(sorted(c.doc_ids))}.")
        if not self._repaired or doc.text_quality != "ocr":
            return c.raw_lines(doc_id)
        repaired = self._tables.processed_dir / "repaired" / doc.file
        if not repaired.is_file():
            raise DataError(f"{repaired}: not found; run `make data` first.")
        return repaired.read_text(encoding="utf-8").split("\n")


def _checksum(files: list[Path], extra: list[str]) -> str:
    from lib import fingerprint

    h = hashlib.sha256()
    for path in files:
        try:
            h.update(f"{path.name}:{fingerprint.sha256_file(path)}".encode())
        except OSError as e:
            raise DataError(f"{path}: cannot be read ({e.strerror}); run `make data` "
                            "(python -m lib build) first.") from None
    for s in extra:
        h.update(s.encode())
    return h.hexdigest()


@cache
def _code_digest() -> str:
    """The code proposing runs (this module, the lib modules it imports and the lib/data
    files they name) and the versions of the libraries they use."""
    from lib import fingerprint

    return fingerprint.digest(fingerprint.code(("lib.propose",)))


def _read(processed_dir: Path, name: str) -> pd.DataFrame:
    path = processed_dir / f"{name}.parquet"
    if not path.is_file():
        raise DataError(f"{path}: not found; run `make data` (python -m lib build) first.")
    frame = pd.read_parquet(path)
    # plain Python objects (None for missing) keep the row-wise code below simple
    return frame.astype(object).where(frame.notna(), None)


def load_tables(processed_dir: Path = paths.PROCESSED_DIR,
                c: corpus.Corpus | None = None) -> Tables:
    """The processed tables and the analysed text of every document (read when used)."""
    return Tables(processed_dir, c)


def held_out(documents: pd.DataFrame, doc_id: str) -> tuple[set[str], set[tuple[str, str]]]:
    """The documents and (document, part) pairs that are the same report as ``doc_id``.

    The report itself, every part of it, and the twin rendering of any of its parts
    (``same_report_as``, in either direction) are held out together.
    """
    docs, parts = {doc_id}, set()
    rows = documents.to_dict("records")
    for r in rows:
        if r["doc_id"] == doc_id:
            parts.add((r["doc_id"], r["part_id"]))
    changed = True
    while changed:
        changed = False
        for r in rows:
            twin = r.get("same_report_as")
            if not twin:
                continue
            this = (r["doc_id"], r["part_id"])
            other = _parse_twin(twin, rows)
            if other is None:
                continue
            if (this in parts or r["doc_id"] in docs) and other not in parts:
                parts.add(other)
                changed = True
            if (other in parts or other[0] in docs) and this not in parts:
                parts.add(this)
                changed = True
    # a document all of whose parts are held out is held out as a whole
    for r in rows:
        if all((x["doc_id"], x["part_id"]) in parts for x in rows if x["doc_id"] == r["doc_id"]):
            docs.add(r["doc_id"])
    return docs, parts


def _parse_twin(value: str, rows: list[dict]) -> tuple[str, str] | None:
    """``same_report_as`` names a part (or a document) of the other rendering."""
    for r in rows:
        if value in (r["part_id"], r["doc_id"], f"{r['doc_id']}:{r['part_id']}",
                     f"{r['doc_id']}/{r['part_id']}"):
            return r["doc_id"], r["part_id"]
    return None


def training_observations(tables: Tables, doc_id: str | None) -> pd.DataFrame:
    """The curated observations proposing may learn from: all, or all but ``doc_id``'s report."""
    obs = tables.observations
    if doc_id is None:
        return obs
    docs, parts = held_out(tables.documents, doc_id)
    keep = [not (r["doc_id"] in docs or (r["doc_id"], r["part_id"]) in parts
                 or (r["ocr_doc_id"] in docs))
            for r in obs.to_dict("records")]
    return obs[keep].reset_index(drop=True)


# --------------------------------------------------------------------------- candidates


@cache
def _number_words() -> dict[str, float]:
    from lib import indicators

    return {fold(w): v for w, v in indicators._number_words().items()}


@cache
def _number_word_re() -> re.Pattern:
    """Number words as written or without diacritics (OCR), whole words only."""
    forms = set()
    for w in _number_words():
        forms |= {w, w.replace("a", "[aåä]").replace("o", "[oö]")}
    alts = "|".join(sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<!{_WORD})(?:{alts})(?!{_WORD})", re.IGNORECASE)


class _Index:
    """Interval look-ups of passages and sections for one document."""

    def __init__(self, tables: Tables, doc_id: str) -> None:
        p = tables.passages
        self.passages = sorted(
            (r for r in p[p.doc_id == doc_id].to_dict("records")),
            key=lambda r: (r["line_start"], r["line_end"]))
        s = tables.sections
        self.sections = sorted(
            (r for r in s[s.doc_id == doc_id].to_dict("records")),
            key=lambda r: (r["line_start"], -r["line_end"]))
        self.section_themes = self._section_themes()
        self._p_starts = [r["line_start"] for r in self.passages]
        self._s_starts = [r["line_start"] for r in self.sections]
        self.leads, self.previous = self._leads_and_previous()

    def passage(self, line: int, needle: str = "") -> dict | None:
        """The passage holding the line and, if given, the figure's text (a sentence or
        row rather than a heading)."""
        best = None
        k = bisect.bisect_right(self._p_starts, line)
        covering = [r for r in self.passages[max(0, k - 40):k] if r["line_end"] >= line]
        for r in covering:
            if best is None or r["kind"] != "heading":
                best = r
        flat = " ".join(needle.split())
        if flat:
            for r in covering:
                if flat in " ".join(str(r["text"]).split()):
                    return r
        return best

    def _leads_and_previous(self) -> tuple[dict[str, str], dict[str, str]]:
        """For each passage, the lead in force (``Etableringsenheten:``, ``Boende vuxna:``
        opening this or an earlier sentence of the section, until a heading or the next lead)
        and the sentence before it in the same section."""
        leads: dict[str, str] = {}
        previous: dict[str, str] = {}
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
_LEAD = re.compile(rf"^\s*({_WORD}[\w-]*(?:\s+[\w-]+){{0,3}})\s*:\s+\S")
_LEAD_SPAN = 6
_CLAUSE_WORDS = 8
_OPENING_WORDS = 4
# What ends the clause a figure stands in, looking back from the figure: a sentence end,
# a colon or semicolon, or an earlier figure with its unit.
_CLAUSE_END = re.compile(
    r"(?:[.!?]\s+(?=[A-ZÅÄÖ])|[:;]\s|\(|\)|"
    r"[-–]?\d[\d ,.]*\s*(?:%|procent(?:enheter)?|mnkr|tkr|kr|miljon(?:er)?\s+kronor)?)")


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
        return _conjunct(_words(last), 0), "pair"
    if re.search(r"\brespektive\s*$", last) and len(segments) >= 2:
        return _conjunct(_words(segments[-2]), 1), "pair"
    if re.match(r"^\s*,?\s*(?:och|samt)\s", last) and _content(_words(last)):
        return " ".join(_words(last)), "ellipsis"
    words: list[str] = []
    for k in range(len(segments) - 1, -1, -1):
        words = _words("".join(segments[k:]))
        if _content(words) >= 2:
            break
    # a clause of its own after an earlier figure of the sentence (``antalet boendedygn
    # ökat med 13 %, vilket medfört en nettokostnadsökning på``): role ``after``
    own = k == len(segments) - 1 and k > 0 and _NUMBER_END.search(before[:bounds[k]])
    return " ".join(words[-_CLAUSE_WORDS:]), "after" if own else ""


_NUMBER_END = re.compile(r"\d[\d ,.]*\s*(?:%|procent(?:enheter)?|mnkr|tkr|kr|miljon(?:er)?\s+"
                         r"kronor)?\s*,?\s*$")
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-ZÅÄÖ0-9])")
_FIRST_OF_PAIR = re.compile(r"^\s*(?:%|procent(?:enheter)?|mnkr|tkr|kr)?\s*,?\s*respektive\b")


def _words(text: str) -> list[str]:
    return re.findall(rf"{_WORD}[\w-]*", text)


def _content(words: list[str]) -> int:
    return sum(fold(w) not in _FUNCTION_WORDS for w in words)


def _conjunct(words: list[str], k: int) -> str:
    """The first (k = 0) or second (k = 1) of ``A och B …``; all words if there is no och."""
    folded = [fold(w) for w in words]
    if "och" not in folded:
        return " ".join(words)
    i = folded.index("och")
    return " ".join(words[:i] if k == 0 else words[i + 1:])


# Finite verbs after which a coordinated subject ends (``A och B har minskat med``).
_FINITE = frozenset(fold(w) for w in (
    "har", "hade", "är", "var", "blev", "ökade", "minskade", "ökar", "minskar", "steg",
    "sjönk", "uppgick", "uppgår", "låg", "ligger", "förväntas", "bedöms", "beräknas",
))


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
    a, b = words[:i], words[i + 1:verb]
    if not _content(a) or not _content(b) or any(w[:1].isupper() for w in a[1:] + b):
        return None
    if not _CHANGE_AFTER.match(" ".join(folded[verb:])):
        return None   # ``Vuxna och försörjningsstöd har ett överskott``: one name
    return " ".join(a), " ".join(b), " ".join(words[verb:])


# two measures that changed together: ``… har minskat med``, ``… förväntas öka``
_CHANGE_AFTER = re.compile(r"^\w+\s+(?:\w+\s+)?(?:okat|minskat|okade|minskade|oka|minska|"
                           r"stigit|sjunkit)\b")


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
                rows.append({**r, "clause": f"{subject} {tail}", "clause_role": "coord",
                             "variant_of": i})
    return _plain(pd.DataFrame(rows)) if rows else frame.assign(variant_of=None)


def _opening(text: str, lead: str) -> str:
    """The first content words of a sentence (after its lead), up to its first figure:
    what the sentence is about (``Vuxna och försörjningsstöd har ett överskott …``)."""
    if lead and text.startswith(lead):
        text = text[len(lead):].lstrip(" :")
    head = re.split(r"\d", text, maxsplit=1)[0]
    return " ".join([w for w in _words(head) if fold(w) not in _FUNCTION_WORDS][:_OPENING_WORDS])


def _raw_words(raw: str) -> str:
    """The words of a figure's own text besides the number (``nio kranskommuner``)."""
    words = _number_words()
    return " ".join(w for w in re.findall(rf"{_WORD}[\w-]*", raw) if fold(w) not in words)


def _noun_after(after: str) -> str:
    """The words right after a figure, up to punctuation (its unit or counted noun)."""
    head = re.split(r"[,.;:()]", after, maxsplit=1)[0]
    return " ".join(re.findall(rf"{_WORD}[\w-]*", head)[:2])


def _window(lines: list[str], line: int, start: int, end: int) -> tuple[str, str]:
    """Up to a few words before and after a figure (crossing one line break each way)."""
    text = lines[line - 1]
    before = (lines[line - 2] + " " if line >= 2 else "") + text[:start]
    after = text[end:] + (" " + lines[line] if line < len(lines) else "")
    wb = re.findall(rf"{_WORD}[\w%-]*|\d[\d ,]*", before)[-_WINDOW_BEFORE:]
    wa = re.findall(rf"{_WORD}[\w%-]*|\d[\d ,]*", after)[:_WINDOW_AFTER]
    return " ".join(wb), " ".join(wa)


def candidates(tables: Tables, doc_id: str) -> pd.DataFrame:
    """Every candidate figure of a document with its context (one row each); cached by
    the checksums of the tables, texts and code it is computed from."""
    key = tables.digest(_CANDIDATE_TABLES)
    if key is None:
        return _candidates(tables, doc_id)
    return memo("propose-candidates", f"{key[:40]}-{doc_id}",
                      lambda: _candidates(tables, doc_id), keep=64)


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
        value = float(m.group(1).replace(" ", "").replace("\u00a0", "")
                      + ("." + m.group(2) if m.group(2) else ""))
        rows.append(_extra(r["doc_id"], r["part_id"], r["line"], r["start"], r["end"], value,
                           r["token"], "token"))
        taken.add((r["line"], r["start"]))
    # number words the quantities layer did not take (``rekryterat fem``, ``en person``)
    words = _number_words()
    parts = _parts(tables, doc_id)
    for i, text in enumerate(lines, start=1):
        for m in _number_word_re().finditer(text):
            w = fold(m.group())
            if w not in words or (i, m.start()) in taken:
                continue
            if w in ("en", "ett") and not _counted_article(text, m.end(), lines, i):
                continue
            rows.append(_extra(doc_id, _part_of(parts, i), i, m.start(), m.end(), words[w],
                               m.group(), "word"))
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
        text_before = " ".join(lines[first - 1:r["line"] - 1] + [full[:r["start"]]])
        clause, role = _clause(text_before, full[r["end"]:])
        sentence_before = _SENTENCE_END.split(text_before)[-1]
        ctx.append({
            "clause": clause, "clause_role": role,
            "sentence_before": " ".join(sentence_before.split()),
            "conjuncts": None if role in ("pair", "ellipsis") else _coordinated(clause),
            "opening": (_opening(str(passage["text"]), index.leads.get(pid, "")) if passage
                        and passage["kind"] == "sentence" and not r["label"] else ""),
            "noun_after": _noun_after(_raw_words(str(r["raw"] or "")) + " " + full[r["end"]:]
                                      + (" " + lines[r["line"]] if r["line"] < len(lines)
                                         and not full[r["end"]:].strip() else "")),
            "lead": index.leads.get(pid, "") if pid else "",
            "prev_sentence": index.previous.get(pid, "") if pid else "",
            "row_text": (_row_text(passage) if passage and r["label"]
                         and passage["line_start"] == r["line"] else ""),
            "before": before, "after": after, "heading": heading or "",
            "passage_kind": passage["kind"] if passage else "",
            "passage_themes": (passage["themes"] or "") if passage else "",
            "section_themes": index.section_themes.get(sec_name or "", {}),
            "passage_text": (r["sentence"] or (passage["text"] if passage else
                                               lines[r["line"] - 1].strip())),
            "line_before": full[:r["start"]],
            # read here, once per document (cached), not at every proposal
            "qualifier_read": qualifier_of({**r, "line_before": full[:r["start"]]}),
            "snippet": _raw_snippet(raw[r["line"] - 1], r, len(full)),
        })
    frame = pd.concat([frame.reset_index(drop=True), pd.DataFrame(ctx)], axis=1)
    frame = frame.sort_values(["line", "start"], kind="stable").reset_index(drop=True)
    return _plain(frame)


def _row_text(passage: dict) -> str:
    """A table row's words without its figures: the label with its continuation lines
    (``Nettokostnad försörjningsstöd (exkl`` + ``etableringsenheten)``)."""
    text = re.sub(r"[-–]?\d[\d ,.]*\s*%?", " ", str(passage["text"]))
    return " ".join(text.split())


_COUNT_CAPTION = re.compile(rf"^\s*\d+\s+{_WORD}[\w-]*\s*[:;]\s*$")


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
    r"avtal|ramavtal|kommun|organisation|förfrågan|ansökan|beslut|utredning)", re.IGNORECASE)


def _counted_article(text: str, end: int, lines: list[str], line: int) -> bool:
    """``en``/``ett`` counted: followed by a countable noun (``en person``, ``ett ärende``)."""
    rest = text[end:]
    if not rest.strip() and line < len(lines):
        rest = " " + lines[line]
    return bool(_ARTICLE_NOUNS.match(rest)) or bool(
        re.match(r"^\s*(?:av|till)\s", rest) and re.search(r"\b(?:samt|och)\s*$", text[:end - 3]))


def _extra(doc_id: str, part_id: str, line: int, start: int, end: int, value: float,
           raw: str, source: str) -> dict:
    return {"quantity_id": f"{doc_id}:{line}:{start}", "doc_id": doc_id, "part_id": part_id,
            "line": line, "line_end": line, "start": start, "end": end, "value": value,
            "unit": "antal", "scale": 1.0, "approx": False, "qualifier": None, "change": False,
            "period": None,
            "base_period": None, "basis": None, "label": None, "column": None, "caption": None,
            "raw": raw, "sentence": None, "source": source}


def _parts(tables: Tables, doc_id: str) -> list[tuple[int, int, str]]:
    d = tables.documents
    return [(r["line_start"], r["line_end"], r["part_id"])
            for r in d[d.doc_id == doc_id].to_dict("records")]


def _part_of(parts: list[tuple[int, int, str]], line: int) -> str:
    for a, b, part in parts:
        if a <= line <= b:
            return part
    return parts[-1][2]


# --------------------------------------------------------------------------- rules

_MONEY = {"kr", "tkr", "mnkr", "mdkr"}
_UNIT_NAMES = frozenset({"kr", "tkr", "mnkr", "mdkr", "%", "procent", "procentenheter", "kronor",
                         "miljoner", "miljon", "miljarder", "st", "stycken"})
# Words that name no figure: function words, hedges and change verbs (folded).
_FUNCTION_WORDS = frozenset(fold(w) for w in (
    "och", "att", "som", "med", "för", "har", "hade", "ha", "det", "den", "de", "dessa",
    "till", "av", "på", "i", "om", "en", "ett", "är", "var", "vid", "under", "samt",
    "från", "än", "mot", "sig", "jämfört", "cirka", "ca", "drygt", "knappt", "ungefär",
    "nästan", "runt", "ökat", "ökade", "öka", "ökar", "ökning", "ökningen", "minskat",
    "minskade", "minska", "minskar", "minskning", "minskningen", "steg", "sjönk",
    "förändrats", "respektive", "bedöms", "beräknas", "förväntas", "totalt", "perioden",
    "period", "året", "år", "helår", "helåret", "procent", "kronor", "miljoner", "miljon",
    "vilket", "där", "detta", "även", "också", "så", "här", "långt",
))
@dataclass
class DocInfo:
    """What the manifest says about a document: its reporting period and district."""

    doc_id: str
    year: int
    period: str        # the report period: "2022" or "2024-01/2024-08"
    full_year: bool
    district: str | None
    title: str


def doc_info(tables: Tables, doc_id: str) -> DocInfo:
    d = tables.documents
    rows = d[d.doc_id == doc_id]
    if rows.empty:
        known = ", ".join(sorted(set(d.doc_id)))
        raise DataError(f"doc_id {doc_id!r} is not in data/processed/documents; choose one of "
                        f"{known}, or register the report and run `make data` first.")
    r = rows.iloc[0]
    start, end = pd.Timestamp(r.period_start), pd.Timestamp(r.period_end)
    full = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and \
        start.year == end.year
    period = str(end.year) if full else f"{start:%Y-%m}/{end:%Y-%m}"
    return DocInfo(doc_id, int(r.year), period, full, r.district, r.doc_title)


def _norm_period(p: str | None) -> str | None:
    """Quantities periods in the curated format (an ISO date interval becomes months)."""
    if not p:
        return None
    m = re.fullmatch(r"(\d{4}-\d{2})-\d{2}/(\d{4}-\d{2})-\d{2}", p)
    if m:
        return f"{m.group(1)}/{m.group(2)}"
    return p


def _year_of(p: str) -> int:
    return int(p[:4]) if p[-3:-2] != "-" else int(p.split("/")[-1][:4])


_MONTH_NAMES = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
                "september", "oktober", "november", "december")
_CHANGE_LABEL = re.compile(r"(utveckling|forandring|okning|minskning|diff)")
_CHANGE_VERB = re.compile(r"\b(okat|okade|oka|okar|minskat|minskade|minska|minskar|steg|sjonk|"
                          r"forandrats|okning(?:en)?|minskning(?:en)?)\b(?:\s+\w+){0,3}\s+"
                          r"(?:med|pa)?\s*(?:ca|cirka|drygt|knappt|nastan|ungefar)?\s*$")


def value_type_of(r: dict) -> str:
    """level, share or a kind of change, from the unit and the words that name the figure."""
    unit = r["unit"]
    if unit == "procentenheter":
        return "change_pp"
    before = fold(r.get("before") or "")
    change = bool(r["change"]) or bool(r["base_period"])
    if not change and re.search(r"\bfran\s*$", before):
        change = False
    elif not change:
        change = bool(_CHANGE_LABEL.search(fold(r.get("label") or ""))) or bool(
            _CHANGE_VERB.search(before))
    if unit == "procent":
        return "change_pct" if change else "share"
    return "change_abs" if change else "level"


def basis_of(r: dict, text: str) -> str:
    """utfall, prognos, budget or mal: the table column's basis, else words near the figure."""
    b = r["basis"]
    if b in ("utfall", "prognos", "budget"):
        return b
    if b == "mål":
        return "mal"
    if b == "avvikelse":
        return "utfall"
    t = fold(text)
    if re.search(r"prognos|\bbedom(?:s|er|t)?\b|\bberaknas|\bforvantas", t):
        return "prognos"
    if re.search(r"budget", t) and not re.search(
            r"(mot|overskrid\w*|avvik\w*|underskott|overskott|jamfort med)\s+budget", t):
        return "budget"
    if re.search(r"\bmal(?:et|varde|vardet|sattning)?\b", t):
        return "mal"
    return "utfall"


def _prior(period: str) -> str:
    """The same period a year earlier (2024 -> 2023, 2024-01/2024-06 -> 2023-01/2023-06)."""
    return re.sub(r"\d{4}", lambda m: str(int(m.group()) - 1), period)


def period_of(r: dict, info: DocInfo, value_type: str, basis: str) -> str:
    """The period in the curated format: a year, a change A/B, an interval or a date."""
    p, base = _norm_period(r["period"]), _norm_period(r["base_period"])
    before = fold(r.get("before") or "")
    label = fold(r.get("label") or "")
    if label in _MONTH_NAMES and not p or (p and len(p) == 4 and label in _MONTH_NAMES):
        month = _MONTH_NAMES.index(label) + 1
        year = p or str(info.year)
        return f"{year}-{month:02d}/{year}-{month:02d}"
    m = re.search(r"i slutet av (?:ar )?(\d{4})\D*$", before)
    if m and value_type == "level":
        return f"{m.group(1)}-12-31"
    if value_type.startswith("change"):
        if basis == "prognos" and not info.full_year and not (p and base and "/" not in p):
            return f"{info.year - 1}/{info.year}"
        if p and base:
            if "/" in p:      # a change between two intervals: the later interval
                return p
            return f"{base}/{p}"
        if p and "/" not in p and len(p) == 4:
            return f"{int(p) - 1}/{p}"
        if p:
            return p
        if basis in ("prognos", "budget") or info.full_year:
            return f"{info.year - 1}/{info.year}"
        return info.period
    current = p or (str(info.year) if basis in ("prognos", "budget") else info.period)
    if re.search(r"(\bfran|jamfort med|jmf med|mot)\s*(?:ca|cirka)?\s*$", before) and \
            not r.get("label") and (not p or _year_of(p) == info.year):
        return _prior(current)
    return current


def qualifier_of(r: dict) -> str:
    """≈ for an approximate figure, < > ≤ ≥ for a bound; empty when exact (as the build
    reads it: :func:`lib.quantities.qualifier_before`)."""
    from lib.quantities import qualifier_before

    if r.get("qualifier"):
        return str(r["qualifier"])
    if r["source"] != "quantity":
        return qualifier_before(r["line_before"]) or ""
    return ""


_UNIT_WORDS: dict[str, str] = {}


def unit_words() -> dict[str, str]:
    """Inflected forms of the catalog's count units (ärende -> ärenden) and their unit."""
    from lib import indicators

    if not _UNIT_WORDS:
        forms = {
            "ärenden": ["ärende", "ärenden", "ärendena"],
            "personer": ["person", "personer", "individ", "individer", "klient", "klienter",
                         "deltagare", "besökare"],
            "hushåll": ["hushåll", "hushållen"], "beslut": ["beslut", "besluten"],
            "förfrågningar": ["förfrågan", "förfrågningar"], "dygn": ["dygn", "dygnen"],
            "placeringar": ["placering", "placeringar"], "platser": ["plats", "platser"],
            "lägenheter": ["lägenhet", "lägenheter"], "besök": ["besök", "besöken"],
            "samtal": ["samtal", "samtalen"], "anmälningar": ["anmälan", "anmälningar"],
            "utredningar": ["utredning", "utredningar"], "barn": ["barn", "barnen"],
            "kvinnor": ["kvinna", "kvinnor"], "män": ["man", "män"],
            "månader": ["månad", "månader"], "årsarbetare": ["årsarbetare"],
        }
        for unit, words in forms.items():
            if unit in indicators.UNITS:
                for w in words:
                    _UNIT_WORDS[fold(w)] = unit
    return _UNIT_WORDS


def unit_from_words(text: str) -> str | None:
    """The count unit a label names: ``Antal hushåll med …`` -> hushåll,
    ``Antal boendedygn`` -> dygn (compounds end in the unit)."""
    words = unit_words()
    for token in re.findall(rf"{_WORD}+", fold(text))[:6]:
        if token in ("antal", "andel"):
            continue
        for form in sorted(words, key=len, reverse=True):
            if token == form or (len(token) > len(form) + 3 and token.endswith(form)
                                 and form not in ("man", "barn")):
                return words[form]
    return None


def unit_of(r: dict, learned: dict[str, str]) -> str:
    """A unit of the catalog vocabulary for a candidate (before its indicator is known)."""
    from lib import indicators

    unit = r["unit"]
    if unit in indicators.UNITS and unit != "antal":
        return unit
    if unit == "mdkr":
        return "mnkr"
    if unit in learned:
        return learned[unit]
    if unit != "antal":
        named = unit_from_words(unit)
        if named:
            return named
    for text in (r["label"], r["caption"], r["column"]):
        if text:
            named = unit_from_words(text)
            if named:
                return named
    if r["label"]:
        return "antal"
    # the noun after the figure (``608 pågående ärenden``, ``2397 deltagare``)
    for token in re.findall(rf"{_WORD}+", r.get("after") or "")[:3]:
        t = fold(token)
        if t in learned:
            return learned[t]
        if t in unit_words():
            return unit_words()[t]
    # else the nearest count noun before it (``förfrågningar, från 317 stycken``)
    for token in reversed(re.findall(rf"{_WORD}+", r.get("before") or "")[-6:]):
        t = fold(token)
        if t in learned:
            return learned[t]
        named = unit_from_words(token)
        if named:
            return named
    return "antal"


def geography_of(texts: list[str], info: DocInfo, known: list[str]) -> str:
    """The area or service a figure is about: a known geography named nearby (the row
    label first, then the words before the figure, the paragraph's lead, the heading;
    nearest first), else the document's district (Göteborg for city-wide reports).

    A name after ``exkl``/``utom`` excludes that area; the first part of a one-word
    compound name counts as the name (``Försörjningsstöd etablering`` names
    Etableringsenheten)."""
    for text in texts:
        hits = _geography_hits(fold(text or ""), tuple(known)) if text else []
        if hits:
            return hits[-1][1]
    return info.district if info.district else "Göteborg"


_EXCLUDING = re.compile(r"(?:exkl|exklusive|utom|forutom|utan)\.?\s*$")


def _geography_hits(text: str, known: tuple[str, ...]) -> list[tuple[int, str]]:
    pattern, names = _geography_re(known)
    hits = [(m.start(), names[m.group()]) for m in pattern.finditer(text)]
    singles = [f for f in names if " " not in f]
    for m in re.finditer(r"[a-z]{8,}", text):
        w = m.group()
        name = next((f for f in singles if f.startswith(w) and len(f) - len(w) >= 3), None)
        if name and not any(a == m.start() for a, _ in hits):
            hits.append((m.start(), names[name]))
    return sorted((a, g) for a, g in hits
                  if not _EXCLUDING.search(text[max(0, a - 12):a].rstrip("( ")))


@cache
def _geography_re(known: tuple[str, ...]) -> tuple[re.Pattern, dict[str, str]]:
    names = {fold(g): g for g in reversed(known)}
    alts = "|".join(re.escape(f) for f in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![a-z])(?:{alts})"), names


def signed(value: float, value_type: str, before: str, after: str) -> float:
    """A change written as a word (``minskat med 9 %``) is negative."""
    if value < 0 or not value_type.startswith("change"):
        return value
    words = list(_DIRECTION_WORDS.finditer(before[-80:]))
    if words and words[-1].group("down"):   # the last change word before the figure
        return -value
    return value


_DIRECTION_WORDS = re.compile(
    r"(?P<down>minsk|sänk|lägre|färre|minus|tapp|underskott|nedgång)|(?:ök|steg|stig|högre|fler)",
    re.IGNORECASE)


# --------------------------------------------------------------------------- context texts


def _near_text(r: dict) -> str:
    """What names the figure: the table row's label (with its continuation lines and a
    list's caption), else the clause before the figure and the noun after it; the lead of
    the paragraph (``Boende vuxna:``) in front. Function words and change verbs are left
    out (the value type carries the change)."""
    if r["label"]:
        text = f"{r['row_text'] or r['label']} {r['caption'] or ''}"
    else:
        text = f"{r['clause']} {r['noun_after']}"
    text = _EXCLUDED.sub(" ", f"{r['lead']} {text}")
    words = [w for w in re.findall(rf"{_WORD}[\w-]*", text) if fold(w) not in _FUNCTION_WORDS]
    return " ".join(words)


# ``exkl. Etableringsenheten``: an area left out is not what the figure is about
_EXCLUDED = re.compile(rf"\b(?:exkl|exklusive|utom|förutom)\.?\s+{_WORD}[\w-]*", re.IGNORECASE)


def _subject_text(r: dict) -> str:
    """What the sentence or row is about: the lead and the sentence's first words (prose),
    or the row's label (table)."""
    if r["label"]:
        text = r["row_text"] or r["label"]
    else:
        text = r["clause"] if r["clause_role"] else r["opening"]
    return _EXCLUDED.sub(" ", f"{r['lead']} {text or ''}")


def _noun_text(r: dict) -> str:
    """The counted noun written with a figure in prose (``nio kranskommuner``), units and
    function words left out; empty for table rows (their label says it)."""
    if r["label"]:
        return ""
    return " ".join(w for w in _words(r["noun_after"]) if fold(w) not in _FUNCTION_WORDS
                    and fold(w) not in _UNIT_NAMES)


def _wide_text(r: dict) -> str:
    """The setting: heading, lead, the sentence before (prose) and the figure's sentence."""
    prev = "" if r["label"] else r["prev_sentence"]
    return f"{r['heading']} {r['lead']} {r['column'] or ''} {prev} {r['passage_text'][:400]}"


def annotate(frame: pd.DataFrame, info: DocInfo, learned_units: dict[str, str],
             geographies: list[str]) -> pd.DataFrame:
    """Add the rule-based reading of each candidate: unit, value type, basis, period, …"""
    out: list[dict] = []
    prev: dict | None = None
    for r in frame.to_dict("records"):
        unit = unit_of(r, learned_units)
        vt = value_type_of({**r, "unit": unit})
        follows = (prev is not None and prev["line"] == r["line"] and prev["p_unit"] == unit
                   and (r["clause_role"] in ("pair", "ellipsis") or re.search(
                       r"\b(respektive|och|samt)\s+(\w+\s+)?$", r["before"] + " ")))
        if follows and prev["p_value_type"].startswith("change") and not vt.startswith("change"):
            vt = prev["p_value_type"]   # ``ökat med 18,6 procent respektive 15 procent``
        if info.full_year is not None and r["period"] and _year_of(_norm_period(r["period"])) \
                > info.year and not r["basis"]:
            r = {**r, "basis": "budget"}
        # the words before the figure in its sentence (a table row: its column and label)
        words = r["before"] if r["label"] else r["sentence_before"] or r["before"]
        basis = basis_of(r, f"{r['column'] or ''} {words} {r['label'] or ''}")
        if follows and r["clause_role"] and not r["basis"] and basis == "utfall":
            basis = prev["p_basis"]     # ``bedöms … minska med 5,6 procent och volymen 5,7``
        near = _near_text(r)
        out.append({
            "line": r["line"], "p_unit": unit, "p_value_type": vt, "p_basis": basis,
            "p_period": period_of(r, info, vt, basis),
            "p_value": signed(float(r["value"]), vt, r["sentence_before"] or r["before"],
                              r["after"]),
            "p_qualifier": r["qualifier_read"],
            "p_geography": geography_of(
                [r["row_text"] or r["label"], r["before"], r["caption"], r["line_before"],
                 r["lead"], r["heading"]], info, geographies),
            "near": fold(f"{near} u_{unit} v_{vt}"),
            "subject": fold(_subject_text(r)),
            "noun": fold(_noun_text(r)),
            "wide": fold(_wide_text(r)),
        })
        prev = out[-1]
    extra = pd.DataFrame(out).drop(columns="line")
    return pd.concat([frame.reset_index(drop=True), extra], axis=1)


# --------------------------------------------------------------------------- learning


def _label_positives(cands: pd.DataFrame, obs: pd.DataFrame) -> list[list[int]]:
    """For each candidate, the indices of the observations it states (same line, value)."""
    index: dict[tuple[str, int, float], list[int]] = {}
    for i, o in enumerate(obs.to_dict("records")):
        index.setdefault((o["doc_id"], int(o["line"]), abs(float(o["value"]))), []).append(i)
        if o.get("ocr_line") is not None and o.get("ocr_doc_id"):
            index.setdefault((o["ocr_doc_id"], int(o["ocr_line"]), abs(float(o["value"]))),
                             []).append(i)
    out = []
    for r in cands.to_dict("records"):
        hits: list[int] = []
        for line in range(int(r["line"]), int(r["line_end"]) + 1):
            hits += index.get((r["doc_id"], line, abs(float(r["value"]))), [])
        out.append(hits)
    return out


def _split_coordinated(cands: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    """A training figure with two coordinated subjects that was curated under two
    indicators becomes one row per subject, each with the indicator whose id shares most
    with the subject's words (``boendedygn`` -> ``hem_boendedygn_vuxna_forandring``)."""
    split = [bool(c) and len({obs.indicator.iat[k] for k in h}) >= 2
             for c, h in zip(cands.conjuncts, cands._hits, strict=True)]
    if not any(split):
        return cands
    rows = []
    for r in cands.to_dict("records"):
        ids = {obs.indicator.iat[k] for k in r["_hits"]}
        if not r["conjuncts"] or len(ids) < 2:
            rows.append(r)
            continue
        a, b, tail = r["conjuncts"]
        parts: dict[str, list[int]] = {a: [], b: []}
        for k in r["_hits"]:
            ident = obs.indicator.iat[k]
            parts[max((a, b), key=lambda s: _shared_grams(s, ident))].append(k)
        for subject, hits in parts.items():
            rows.append({**r, "clause": f"{subject} {tail}", "clause_role": "coord",
                         "_hits": hits})
    return _plain(pd.DataFrame(rows)) if rows else cands


def _shared_grams(text: str, ident: str, n: int = 4) -> int:
    """Character n-grams that words of ``text`` share with the words of an indicator id."""
    def grams(words: list[str]) -> set[str]:
        return {w[k:k + n] for w in words for k in range(max(1, len(w) - n + 1))}
    return len(grams(fold(text).split()) & grams(ident.split("_")))


@dataclass
class Model:
    """What proposing learned from the curated reports."""

    examples: pd.DataFrame        # one row per curated figure matched to a candidate
    negatives: pd.DataFrame       # candidates of curated reports that were not curated
    vectorizers: dict             # channel -> fitted TF-IDF vectorizer
    classifier: object
    learned_units: dict[str, str]
    geographies: list[str]
    catalog: dict[str, dict]      # known indicators: id -> catalog row
    prefixes: dict[str, str]      # theme -> id prefix (hem_, vnr_, fs_)
    threshold: float = 0.0        # similarity needed to name a known indicator
    cache: dict = field(default_factory=dict)   # TF-IDF vectors of frames, by frame
    matrices: dict = field(default_factory=dict)   # channel -> vectors of training candidates


# The text channels compared between a candidate and a curated figure, weighted equally
# in the similarity (README, "Proposing, leave one report out", shows other weightings).
CHANNELS = {"near": 0.25, "noun": 0.25, "subject": 0.25, "wide": 0.25}


def _fit_vectorizers(allc: pd.DataFrame) -> tuple[dict, dict]:
    """TF-IDF of character n-grams (Swedish compounds and inflections share n-grams) per
    channel, and the vectors of the training candidates."""
    vectorizers, matrices = {}, {}
    for c in CHANNELS:
        vectorizers[c] = Tfidf.fit(allc[c])
        matrices[c] = vectorizers[c].transform(allc[c])
    return vectorizers, matrices


NGRAMS = (3, 5)


@dataclass
class Tfidf:
    """TF-IDF of character n-grams within words, as scikit-learn's ``TfidfVectorizer(
    analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)`` computes it (smoothed idf,
    l2 norm); the tests check both give the same vocabulary, idf and vectors."""

    vocabulary: dict[str, int]
    idf: np.ndarray

    @classmethod
    def fit(cls, texts) -> Tfidf:
        """The vocabulary (every n-gram, in sorted order) and the smoothed inverse document
        frequencies ``ln((1 + n) / (1 + df)) + 1`` of the texts."""
        texts = list(texts)
        words = {w for text in texts for w in str(text).lower().split()}
        vocabulary = {g: j for j, g in enumerate(sorted({g for w in words for g in _grams(w)}))}
        counts = cls(vocabulary, np.ones(len(vocabulary)))._counts(texts)
        df = np.bincount(counts.indices, minlength=len(vocabulary))
        return cls(vocabulary, np.log((1 + len(texts)) / (1 + df)) + 1.0)

    def transform(self, texts) -> object:
        """The l2-normalised TF-IDF vectors of the texts (a sparse matrix, one row each)."""
        from scipy.sparse import diags

        x = self._counts(texts)
        x.data = (1.0 + np.log(x.data)) * self.idf[x.indices]
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        return (diags(1.0 / np.where(norms > 0, norms, 1.0)) @ x).tocsr()

    def _counts(self, texts) -> object:
        """How often each n-gram of the vocabulary occurs in each text."""
        from scipy.sparse import csr_matrix

        columns: dict[str, list[int]] = {}   # a word's n-grams in the vocabulary
        indices: list[int] = []
        indptr = [0]
        vocabulary = self.vocabulary
        for text in texts:
            for w in str(text).lower().split():
                cols = columns.get(w)
                if cols is None:
                    cols = columns[w] = [j for g in _grams(w)
                                         if (j := vocabulary.get(g)) is not None]
                indices += cols
            indptr.append(len(indices))
        x = csr_matrix((np.ones(len(indices)), np.array(indices, dtype=np.int32),
                        np.array(indptr)), shape=(len(indptr) - 1, len(self.idf)))
        x.sum_duplicates()
        return x


def _grams(word: str) -> list[str]:
    """The character n-grams of a word padded with spaces (as scikit-learn's ``char_wb``)."""
    w, lo, hi = f" {word} ", *NGRAMS
    out = []
    for n in range(lo, hi + 1):
        out += [w[k:k + n] for k in range(max(1, len(w) - n + 1))]
        if len(w) <= n:   # a short word counts once
            break
    return out


@dataclass
class Logistic:
    """A fitted binary logistic regression (coefficients and intercept)."""

    coef: np.ndarray
    intercept: float

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, c: float = 1.0) -> Logistic:
        """L2-regularised logistic regression with balanced class weights: minimises
        ``c * sum(weight * log-loss) + |coef|² / 2`` (intercept not penalised) by L-BFGS,
        the objective of scikit-learn's ``LogisticRegression(C=c, class_weight="balanced")``.
        """
        from scipy.optimize import minimize

        y = np.asarray(y, dtype=float)
        n, pos = len(y), y.sum()
        weight = np.where(y == 1, n / (2 * pos), n / (2 * (n - pos))) * c
        sign = 2 * y - 1

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            coef, b = theta[:-1], theta[-1]
            margin = sign * (x @ coef + b)
            g = -sign * weight / (1.0 + np.exp(margin))     # d loss / d z
            value = float(weight @ np.logaddexp(0.0, -margin) + 0.5 * coef @ coef)
            return value, np.append(x.T @ g + coef, g.sum())

        res = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B",
                       options={"maxiter": 2000, "gtol": 1e-4,   # scikit-learn's settings
                                "ftol": 64 * np.finfo(float).eps})
        return cls(res.x[:-1].copy(), float(res.x[-1]))

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-(x @ self.coef + self.intercept)))
        return np.column_stack([1.0 - p, p])


def _vectors(model: Model, frame: pd.DataFrame) -> dict:
    if "_row" in frame.columns:   # rows of the training candidates: vectors computed once
        rows = frame._row.to_numpy(dtype=int)
        return {c: m[rows] for c, m in model.matrices.items()}
    key = id(frame)
    hit = model.cache.get(key)
    if hit is None or hit[0] is not frame:
        hit = (frame, {c: v.transform(frame[c]) for c, v in model.vectorizers.items()})
        model.cache[key] = hit
    return hit[1]


def _similarity(model: Model, frame: pd.DataFrame, examples: pd.DataFrame) -> np.ndarray:
    if examples.empty or frame.empty:
        return np.zeros((len(frame), len(examples)))
    f, e = _vectors(model, frame), _vectors(model, examples)
    total = sum(w * (f[c] @ e[c].T) for c, w in CHANNELS.items()).toarray()
    # a channel empty on either side (no noun written) does not count against the pair
    weights = np.array(list(CHANNELS.values()))
    fa = np.column_stack([_nonempty(f[c]) for c in CHANNELS]) * weights
    ea = np.column_stack([_nonempty(e[c]) for c in CHANNELS])
    return total / np.maximum(fa @ ea.T, 1e-9)


def _nonempty(m) -> np.ndarray:
    return (np.diff(m.tocsr().indptr) > 0).astype(float)


_UNIT_CLASSES = ("procent", "money", "antal", "count")


def _features(model: Model, frame: pd.DataFrame, examples: pd.DataFrame,
              negatives: pd.DataFrame) -> np.ndarray:
    sim = _similarity(model, frame, examples)
    sim_neg = _similarity(model, frame, negatives)
    same_vt = (frame.p_value_type.to_numpy()[:, None] == examples.p_value_type.to_numpy()[None, :]
               if len(examples) else np.zeros_like(sim, dtype=bool))
    rows = []
    for i, r in enumerate(frame.to_dict("records")):
        unit = r["p_unit"]
        uclass = ("procent" if unit in ("procent", "procentenheter") else
                  "money" if unit in _MONEY else "antal" if unit == "antal" else "count")
        v = abs(float(r["value"]))
        themes = [t for t in r["passage_themes"].split(";") if t]
        sec = max(r["section_themes"].values()) if r["section_themes"] else 0.0
        rows.append([
            sim[i].max() if sim.shape[1] else 0.0,
            (sim[i] * same_vt[i]).max() if sim.shape[1] else 0.0,
            sim_neg[i].max() if sim_neg.shape[1] else 0.0,
            1.0 if themes else 0.0, sec,
            1.0 if r["label"] else 0.0,
            *[1.0 if uclass == c else 0.0 for c in _UNIT_CLASSES],
            1.0 if r["source"] == "word" else 0.0,
            1.0 if r["source"] == "token" else 0.0,
            1.0 if r["period"] else 0.0,
            1.0 if (float(v).is_integer() and 1990 <= v <= 2035) else 0.0,
            1.0 if r["approx"] else 0.0,
            1.0 if r["p_value_type"].startswith("change") else 0.0,
            np.log1p(v) / 10,
            1.0 if r["passage_kind"] == "heading" else 0.0,
        ])
    return np.asarray(rows, dtype=float)


def _catalog(tables: Tables, obs: pd.DataFrame) -> dict[str, dict]:
    """The indicators curated in the training observations, with their catalog entries."""
    ids = set(obs.indicator)
    return {r["id"]: r for r in tables.indicators.to_dict("records") if r["id"] in ids}


def _prefixes(tables: Tables) -> dict[str, str]:
    """Each theme's id prefix, as the catalog writes it (the part before the first _)."""
    out: dict[str, dict[str, int]] = {}
    for r in tables.indicators.to_dict("records"):
        p = r["id"].split("_")[0] + "_"
        out.setdefault(r["theme"], {})
        out[r["theme"]][p] = out[r["theme"]].get(p, 0) + 1
    return {t: max(c, key=c.get) for t, c in out.items()}


def train(tables: Tables, exclude: str | None) -> Model:
    """Learn from the curated reports (all but ``exclude``'s report when it is given); the
    model is cached by the checksums of the tables, texts and code it is learned from."""
    key = tables.digest(tuple(TABLES))
    if key is None:
        return _train(tables, exclude)
    return memo("propose-model", f"{key[:40]}-{exclude or 'all'}",
                      lambda: _train(tables, exclude), keep=16)


def _train(tables: Tables, exclude: str | None) -> Model:
    obs = training_observations(tables, exclude)
    docs_out, parts_out = held_out(tables.documents, exclude) if exclude else (set(), set())
    train_docs = sorted({d for d in set(obs.doc_id) | set(obs.ocr_doc_id.dropna())
                         if d not in docs_out})
    ex_rows = []
    units: dict[str, dict[str, int]] = {}
    geos: dict[str, int] = {}
    for o in obs.to_dict("records"):
        geos[o["geography"]] = geos.get(o["geography"], 0) + 1
    for doc in train_docs:
        cands = candidates(tables, doc)
        cands = cands[[(doc, p) not in parts_out for p in cands.part_id]]
        hits = _label_positives(cands, obs)
        for r, h in zip(cands.to_dict("records"), hits, strict=True):
            if r["unit"] not in ("antal",) and h:
                u = obs.iloc[h[0]].unit
                units.setdefault(r["unit"], {}).setdefault(u, 0)
                units[r["unit"]][u] += 1
        cands = _split_coordinated(cands.assign(_hits=hits), obs)
        ex_rows.append(cands)
    learned = {}
    for qunit, counts in units.items():
        best = max(counts, key=counts.get)
        if counts[best] >= 2 and counts[best] / sum(counts.values()) >= 0.6:
            learned[qunit] = best
    geographies = sorted(geos, key=lambda g: (-len(g), g))
    model = Model(pd.DataFrame(), pd.DataFrame(), {}, None, learned, geographies,
                  _catalog(tables, obs), _prefixes(tables), NAME_THRESHOLD)
    annotated = []
    for doc, cands in zip(train_docs, ex_rows, strict=True):
        annotated.append(annotate(cands, doc_info(tables, doc), learned, geographies))
    allc = pd.concat(annotated, ignore_index=True) if annotated else pd.DataFrame()
    allc["_row"] = range(len(allc))
    examples, negatives = [], []
    for r in allc.to_dict("records"):
        if r["_hits"]:
            for k in r["_hits"]:
                o = obs.iloc[k]
                examples.append({**r, "indicator": o.indicator, "theme": o.theme,
                                 "o_unit": o.unit, "o_value_type": o.value_type,
                                 "o_geography": o.geography})
        else:
            negatives.append(r)
    model.examples = pd.DataFrame(examples).reset_index(drop=True)
    model.negatives = pd.DataFrame(negatives).reset_index(drop=True)
    model.vectorizers, model.matrices = _fit_vectorizers(allc)
    # confidence: features of each training candidate against the examples of the
    # *other* reports, as at proposing time
    feats, labels = [], []
    groups = {doc: held_out(tables.documents, doc) for doc in train_docs}
    for doc in train_docs:
        grp_docs, grp_parts = groups[doc]
        mine = allc[allc.doc_id == doc].reset_index(drop=True)
        if mine.empty:
            continue
        others_ex = model.examples[~model.examples.doc_id.isin(grp_docs)
                                   & ~model.examples.part_id.isin({p for _, p in grp_parts})]
        others_neg = model.negatives[~model.negatives.doc_id.isin(grp_docs)]
        feats.append(_features(model, mine, others_ex.reset_index(drop=True),
                               others_neg.reset_index(drop=True)))
        labels.append(np.array([1 if h else 0 for h in mine._hits]))
    x, y = np.vstack(feats), np.concatenate(labels)
    model.classifier = Logistic.fit(x, y)
    return _compact(model)


def _compact(model: Model) -> Model:
    """Keep only what proposing reads: the columns of the curated figures and the vectors
    of the training candidates they and the uncurated ones refer to."""
    ex = model.examples[["doc_id", "part_id", "line", "_row", "p_value_type", "indicator",
                         "theme", "o_unit", "o_value_type", "o_geography"]]
    neg = model.negatives[["doc_id", "part_id", "_row", "p_value_type"]]
    rows = sorted(set(ex._row) | set(neg._row))
    position = {r: k for k, r in enumerate(rows)}
    model.examples = ex.assign(_row=[position[r] for r in ex._row])
    model.negatives = neg.assign(_row=[position[r] for r in neg._row])
    model.matrices = {c: m[rows] for c, m in model.matrices.items()}
    model.cache = {}
    return model


# --------------------------------------------------------------------------- proposing

_FAMILY = re.compile(r"_forandring(?:_[a-z]+)?$")
_STOP = {"och", "att", "som", "med", "för", "har", "det", "den", "till", "av", "på", "i", "om",
         "en", "ett", "är", "var", "vid", "under", "samt", "från", "de", "år", "totalt",
         "jämfört", "cirka", "ca", "drygt", "knappt", "ungefär", "än", "mot", "sig"}


def _unit_class(unit: str) -> str:
    if unit in ("procent", "procentenheter"):
        return unit
    return "money" if unit in _MONEY else "count"


def _choose_indicator(examples: pd.DataFrame, catalog: dict[str, dict], r: dict,
                      sims: np.ndarray, threshold: float) -> tuple[str | None, float]:
    """The known indicator of the most similar curated figure that fits the candidate
    (same value type, or the change indicator of the same family), if similar enough."""
    if not len(sims):
        return None, 0.0
    vt, uclass = r["p_value_type"], _unit_class(r["p_unit"])
    score_all = sims + GEOGRAPHY_BONUS * (examples.o_geography.to_numpy() == r["p_geography"])
    order = np.argsort(-score_all, kind="stable")[:25]
    for k in order:
        score = float(score_all[k])
        if score < threshold:
            break
        ind = examples.indicator.iat[k]
        entry = catalog.get(ind)
        if entry is None:
            continue
        if entry["value_type"] != vt:
            family = _FAMILY.sub("", ind)
            siblings = [i for i, e in catalog.items()
                        if _FAMILY.sub("", i) == family and e["value_type"] == vt
                        and _unit_class(e["unit"]) == uclass]
            if len(siblings) != 1:
                continue
            ind, entry = siblings[0], catalog[siblings[0]]
        if uclass == "money" and entry["unit"] != r["p_unit"]:
            continue   # tkr and mnkr are different indicators
        if _unit_class(entry["unit"]) != uclass and not (
                r["p_unit"] == "antal" and entry["unit"] in _MONEY and score >= 0.5):
            continue   # (a bare number in a table may be money whose header was lost)
        if uclass == "count" and r["p_unit"] not in ("antal", entry["unit"]):
            continue
        return ind, score
    return None, float(score_all[order[0]])


def _slug(text: str, n: int = 4) -> str:
    words = [w for w in re.findall(r"[a-z]+", fold(text)) if w not in
             {fold(s) for s in _STOP} and len(w) > 1][:n]
    return "_".join(words) or "uppgift"


def _new_indicator(model: Model, r: dict, theme: str, info: DocInfo) -> dict:
    """A suggested id, Swedish label and definition for a figure no known indicator fits."""
    vt, unit = r["p_value_type"], r["p_unit"]
    if r["label"]:
        phrase = str(r["label"]).strip()
    else:
        words = [w for w in r["before"].split() if not re.match(r"\d", w)][-5:]
        phrase = " ".join(words) or r["heading"]
    phrase = re.sub(r"\s+", " ", phrase).strip(" :,.-")
    suffix = {"change_pct": "_forandring", "change_pp": "_forandring_procentenheter",
              "change_abs": "_forandring_" + ("mnkr" if unit in _MONEY else "antal")}.get(vt, "")
    ident = model.prefixes.get(theme, "") + _slug(phrase) + suffix
    label = phrase[:1].upper() + phrase[1:]
    if vt.startswith("change"):
        label = f"Förändring: {label}" + (", procent" if vt == "change_pct" else "")
    definition = (f"Föreslagen från {info.title}, rad {r['line']}: "
                  f"{re.sub(chr(10), ' ', str(r['passage_text']))[:240]}")
    return {"indicator": ident, "label": label, "definition": definition}


def _theme_of(r: dict, model: Model, sims: np.ndarray, themes: list[str]) -> str:
    passage = [t for t in r["passage_themes"].split(";") if t]
    if passage:
        return passage[0]
    if r["section_themes"]:
        return max(r["section_themes"], key=r["section_themes"].get)
    if len(sims):
        return str(model.examples.theme.iat[int(np.argmax(sims))])
    return themes[0]


@lru_cache(maxsize=4096)
def _figure_re(value: float, word: str | None) -> re.Pattern:
    """A figure as the raw text may write it: the number word, or its digit forms."""
    from lib import indicators

    if word is not None:
        pattern = re.escape(word)
    else:
        forms = sorted(indicators.number_forms(value), key=len, reverse=True)
        pattern = "|".join(re.escape(f) for f in forms)
    return re.compile(rf"(?<![\d,.])(?:{pattern})(?!\d|,\d)")


def _raw_snippet(raw_line: str, r: dict, analysed_len: int) -> str:
    """A short exact piece of the raw line around the figure (the whole line if unsure)."""
    from lib import indicators

    value = abs(float(r["value"]))
    if "\t" in raw_line:          # a table row: the whole row, as curators quote it
        return raw_line.strip()
    word = str(r["raw"]) if r["source"] == "word" else None
    hits = list(_figure_re(value, word).finditer(raw_line))
    if not hits:
        return raw_line.strip()
    target = r["start"] / max(analysed_len, 1) * len(raw_line)
    m = min(hits, key=lambda m: abs(m.start() - target))
    left = [x.start() for x in re.finditer(r"\S+", raw_line[:m.start()])]
    a = left[-5] if len(left) >= 5 else 0
    right = [x.end() for x in re.finditer(r"\S+", raw_line[m.end():])]
    b = m.end() + (right[2] if len(right) >= 3 else len(raw_line) - m.end())
    snippet = raw_line[a:b].strip()
    if len(snippet) < 3 or not indicators.value_in_text(value, snippet):
        return raw_line.strip()
    return snippet


def propose(doc_id: str, exclude_curated: bool = False, tables: Tables | None = None,
            model: Model | None = None) -> pd.DataFrame:
    """The proposal sheet of a document: one row per candidate figure, by confidence."""
    tables = tables if tables is not None else load_tables()
    info = doc_info(tables, doc_id)
    if model is None:
        model = train(tables, doc_id if exclude_curated else None)
    cands = annotate(with_variants(candidates(tables, doc_id)), info, model.learned_units,
                     model.geographies)
    if cands.empty:
        return pd.DataFrame(columns=list(SHEET_COLUMNS))
    feats = _features(model, cands, model.examples, model.negatives)
    confidence = model.classifier.predict_proba(feats)[:, 1]
    sims = _similarity(model, cands, model.examples)
    themes = sorted(set(tables.indicators.theme))
    curated = {} if exclude_curated else _curated_at(tables, doc_id)
    rows = []
    named: dict[int, set[str]] = {}   # figure row -> indicators proposed for it
    for i, r in enumerate(cands.to_dict("records")):
        ind, match = _choose_indicator(model.examples, model.catalog, r, sims[i],
                                       model.threshold)
        main = None if r["variant_of"] is None else int(r["variant_of"])
        if main is not None:
            # a coordinated subject: a row of its own only for a known indicator that the
            # figure's row does not already name
            if ind is None or ind in named.setdefault(main, set()):
                continue
            confidence[i] = confidence[main]
        named.setdefault(i if main is None else main, set()).add(ind)
        if ind is not None:
            entry = model.catalog[ind]
            theme, unit, vt = entry["theme"], entry["unit"], entry["value_type"]
            label, definition, new = entry["label"], entry["definition"], ""
        else:
            theme = _theme_of(r, model, sims[i], themes)
            suggestion = _new_indicator(model, r, theme, info)
            ind, label, definition = (suggestion["indicator"], suggestion["label"],
                                      suggestion["definition"])
            unit, vt, new = r["p_unit"], r["p_value_type"], "ja"
            if unit == "antal" and len(sims[i]) and sims[i].max() >= model.threshold:
                near_unit = model.examples.o_unit.iat[int(np.argmax(sims[i]))]
                if _unit_class(near_unit) == "count":
                    unit = near_unit   # what the most similar curated figure counts
        value = r["p_value"]
        value = int(value) if float(value).is_integer() else value
        period = r["p_period"]
        if vt != r["p_value_type"]:
            period = period_of(r, info, vt, r["p_basis"])
        rows.append({
            "accept": "", "confidence": round(float(confidence[i]), 3), "doc_id": doc_id,
            "line": int(r["line"]),
            "raw": r["snippet"],
            "value": value, "qualifier": r["p_qualifier"], "unit": unit, "value_type": vt,
            "basis": r["p_basis"], "period": period, "geography": r["p_geography"],
            "theme": theme, "indicator": ind, "label": label, "definition": definition,
            "new_indicator": new, "match": round(min(match, 1.0), 2), "restatement_of": "",
            "curated": curated.get((int(r["line"]), abs(float(r["value"]))), ""),
            "section": r["heading"], "sentence": re.sub(r"\s+", " ", str(r["passage_text"])),
            "note": "", "_part": r["part_id"],
        })
    frame = pd.DataFrame(rows)   # in document order: a later repeat is the restatement,
    key = ["indicator", "period", "geography", "basis", "_part"]   # as the curators mark it
    frame.loc[frame.duplicated(key), "restatement_of"] = "same_figure"
    frame = frame.sort_values(["confidence", "line"], ascending=[False, True], kind="stable")
    return frame.drop(columns="_part").reset_index(drop=True)[list(SHEET_COLUMNS)]


def _curated_at(tables: Tables, doc_id: str) -> dict[tuple[int, float], str]:
    """Figures of the document already curated: (line, |value|) -> indicator ids."""
    out: dict[tuple[int, float], list[str]] = {}
    for o in tables.observations.to_dict("records"):
        for d, line in ((o["doc_id"], o["line"]), (o["ocr_doc_id"], o["ocr_line"])):
            if d == doc_id and line is not None:
                out.setdefault((int(line), abs(float(o["value"]))), []).append(o["indicator"])
    return {k: "; ".join(sorted(set(v))) for k, v in out.items()}
