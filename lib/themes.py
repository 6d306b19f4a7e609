"""Themes: lexicon matching, passage tagging, keyword in context and theme prominence.

The lexicons live in ``lib/data/themes.yml`` (terms, context conditions and
documented exclusions for false friends); see the comments there for the pattern
syntax. Matching is case- and diacritic-insensitive, so it works on repaired and
on damaged OCR text alike.

Typical use::

    from lib import themes
    themes.tag("Antalet hushåll med försörjningsstöd minskade.")   # ['forsorjningsstod']
    themes.kwic("hemlös", doc_id="gemensamma_verksamheter_2024")   # DataFrame
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from lib import corpus as corpus_mod
from lib import paths, yamlio
from lib.errors import DataError
from lib.schemas import Column, ForeignKey, Schema

LEXICON_PATH: Path = paths.PACKAGE_DATA_DIR / "themes.yml"

_FOLD = str.maketrans("åäáàâãöóòôøéèêëüÅÄÁÀÂÃÖÓÒÔØÉÈÊËÜ", "aaaaaaoooooeeeeuaaaaaaoooooeeeeu")
_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")


def fold(text: str) -> str:
    """Lower-case text without diacritics, one character per character (offsets kept)."""
    low = text.lower()
    if len(low) != len(text):  # rare characters whose lower case is longer
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return low.translate(_FOLD)


def compile_pattern(pattern: str, prefix: bool = False) -> re.Pattern[str]:
    """Regex (on folded text) for a lexicon pattern; ``prefix`` lets the last word run on.

    A word ending in ``*`` runs on to the end of the word; any other word must end there.
    """
    words = fold(pattern.strip()).split()
    if not words:
        raise DataError(f"{LEXICON_PATH.name}: empty pattern; remove it or give a word.")
    if prefix and not words[-1].endswith("*"):
        words[-1] += "*"
    parts = [re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else r"(?!\w)")
             for w in words]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts))


@dataclass(frozen=True)
class Term:
    """One lexicon entry (a term, or an exclusion when ``excluded`` is true)."""

    theme: str
    pattern: str
    regex: re.Pattern[str]
    requires: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    excluded: bool = False
    reason: str = ""

    head: str = ""  # the pattern's first word, folded, without * (a cheap pre-check)

    @property
    def literal(self) -> int:
        """Length of the pattern's literal text: the more specific pattern wins a tie."""
        return len(self.pattern.replace("*", ""))


@dataclass(frozen=True)
class Lexicon:
    """The parsed theme lexicon."""

    labels: dict[str, str]
    terms: tuple[Term, ...]
    contexts: dict[str, tuple[re.Pattern[str], ...]]
    any_regex: re.Pattern[str]


def _where(path: Path, what: str) -> str:
    return f"{path.name}: {what}"


def _parse_term(theme: str, row: object, excluded: bool, path: Path, contexts: dict) -> Term:
    if not isinstance(row, dict) or not isinstance(row.get("pattern"), str):
        raise DataError(_where(path, f"theme {theme}: each entry needs a 'pattern' string."))
    for key in ("requires", "unless"):
        for name in row.get(key) or ():
            if name not in contexts:
                raise DataError(_where(path, f"theme {theme}, pattern {row['pattern']!r}: "
                                             f"unknown context set {name!r} in {key}."))
    return Term(theme, row["pattern"], compile_pattern(row["pattern"]),
                tuple(row.get("requires") or ()), tuple(row.get("unless") or ()), excluded,
                str(row.get("reason") or row.get("note") or "").strip(),
                fold(row["pattern"]).split()[0].rstrip("*"))


def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Read and check the theme lexicon (raises DataError naming the file and entry)."""
    try:
        data = yamlio.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(_where(path, f"cannot read the theme lexicon ({exc.__class__.__name__}); "
                                     "restore lib/data/themes.yml.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
        raise DataError(_where(path, "expected top-level 'contexts:' and 'themes:'."))
    contexts = {name: tuple(compile_pattern(p) for p in pats)
                for name, pats in (data.get("contexts") or {}).items()}
    labels: dict[str, str] = {}
    terms: list[Term] = []
    for theme in data["themes"]:
        tid = theme.get("id") if isinstance(theme, dict) else None
        if not tid or not theme.get("label"):
            raise DataError(_where(path, "each theme needs an 'id' and a 'label'."))
        labels[tid] = str(theme["label"])
        terms += [_parse_term(tid, t, False, path, contexts) for t in theme.get("terms") or ()]
        terms += [_parse_term(tid, t, True, path, contexts) for t in theme.get("exclusions") or ()]
    heads = sorted({t.head for t in terms}, key=lambda h: (-len(h), h))
    any_regex = re.compile("|".join(re.escape(h) for h in heads))
    return Lexicon(labels, tuple(terms), contexts, any_regex)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The project's theme lexicon (cached)."""
    return load_lexicon()


def _context_ok(term: Term, folded_context: str, lex: Lexicon) -> bool:
    def hit(names: tuple[str, ...]) -> bool:
        return any(r.search(folded_context) for n in names for r in lex.contexts[n])

    if term.requires and not hit(term.requires):
        return False
    return not (term.unless and hit(term.unless))


@lru_cache(maxsize=65536)
def _candidates(text: str, context: str) -> tuple[tuple[Term, int, int], ...]:
    lex = lexicon()
    folded = fold(text)
    if not lex.any_regex.search(folded):
        return ()
    scope = f"{folded} \n {fold(context)}" if context else folded
    found = []
    for term in lex.terms:
        if term.head not in folded:
            continue
        matches = list(term.regex.finditer(folded))
        if matches and (term.excluded or _context_ok(term, scope, lex)):
            found += [(term, m.start(), m.end()) for m in matches]
    found.sort(key=lambda x: (x[1] - x[2], -x[0].literal, x[0].excluded, x[1], x[0].theme))
    kept: list[tuple[Term, int, int]] = []
    taken: list[tuple[int, int]] = []
    for term, s, e in found:
        if all(e <= a or s >= b for a, b in taken):
            kept.append((term, s, e))
            taken.append((s, e))
    return tuple(sorted(kept, key=lambda x: (x[1], x[2])))


def mentions(text: str, context: str = "") -> list[tuple[str, str, int, int]]:
    """Theme mentions in a text: (theme, lexicon pattern, start, end), in text order.

    ``context`` (e.g. the section heading) counts for the terms' context conditions
    but is not searched for mentions itself.
    """
    return [(t.theme, t.pattern, s, e) for t, s, e in _candidates(text, context) if not t.excluded]


def exclusions(text: str, context: str = "") -> list[tuple[str, str, int, int, str]]:
    """Exclusions (false friends) that won in a text: (theme, pattern, start, end, reason)."""
    return [(t.theme, t.pattern, s, e, t.reason)
            for t, s, e in _candidates(text, context) if t.excluded]


def tag(text: str, context: str = "") -> list[str]:
    """The sorted theme ids a text mentions (a text can have several themes)."""
    return sorted({m[0] for m in mentions(text, context)})


def theme_labels() -> dict[str, str]:
    """Every theme id with its Swedish label, in the order of lib/data/themes.yml.

    The one list of themes in the project: tables, catalogs, notebooks and the batch
    read it from here.
    """
    return dict(lexicon().labels)


def theme_ids() -> tuple[str, ...]:
    """The theme ids, in the order of lib/data/themes.yml."""
    return tuple(lexicon().labels)


def check_theme(theme: object) -> str:
    """The theme id if known, else a DataError listing the valid ones."""
    if theme not in lexicon().labels:
        raise DataError(f"unknown theme {theme!r}; valid: {', '.join(theme_ids())}.")
    return theme  # type: ignore[return-value]


def label(theme: str) -> str:
    """The Swedish label of a theme id."""
    return lexicon().labels[check_theme(theme)]


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

    ``term`` is matched at a word start, case- and diacritic-insensitively, and runs
    on to the end of the word (``"hemlös"`` finds hemlöshet, hemlösa). With ``theme``
    only passages tagged with that theme are searched; with ``theme`` and no term,
    every lexicon mention of the theme is listed. Columns: term, left, match, right,
    doc_id, part_id, line (raw line of the match), section.
    """
    from lib import structure

    if term is None and theme is None:
        raise DataError("kwic: give a term, a theme, or both.")
    if theme is not None:
        label(theme)
    if width < 0:
        raise DataError(f"kwic: width={width}; give a number of characters ≥ 0.")
    c = c or corpus_mod.load()
    regex = compile_pattern(term, prefix=True) if term else None
    rows = []
    for d in _doc_ids(c, doc_id):
        for p in structure.iter_passages(c, d):
            spans = _kwic_spans(p.text, p.context, regex, theme)
            for s, e in spans:
                rows.append({
                    "term": term if term else theme, "left": p.text[max(0, s - width):s],
                    "match": p.text[s:e], "right": p.text[e:e + width], "doc_id": p.doc_id,
                    "part_id": p.part_id, "line": p.line_at(s), "section": p.section,
                })
    return pd.DataFrame(rows, columns=KWIC_COLUMNS)


def _kwic_spans(text: str, context: str, regex: re.Pattern | None, theme: str | None):
    if theme is not None:
        found = [(s, e) for t, _, s, e in mentions(text, context) if t == theme]
        if regex is None or not found:
            return found
    return [m.span() for m in regex.finditer(fold(text))] if regex is not None else []


# --------------------------------------------------------------------------- prominence


def count_words(text: str) -> int:
    """Number of words (runs of letters, hyphenated compounds as one) in a text."""
    return len(_WORD_RE.findall(text))


def passage_mentions(c: corpus_mod.Corpus, doc_id: str) -> tuple[tuple[str, ...], ...]:
    """The theme of every mention in every passage of a document (:func:`mentions`, in the
    order of ``structure.iter_passages``), from the cache of derived artefacts when the
    corpus and the code and lexicon of this module are unchanged (:mod:`lib.cache`)."""
    return _passage_mentions(c, doc_id)


@lru_cache(maxsize=16)
def _passage_mentions(c: corpus_mod.Corpus, doc_id: str) -> tuple[tuple[str, ...], ...]:
    from lib import cache, structure

    def compute() -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(m[0] for m in mentions(p.text, p.context))
                     for p in structure.iter_passages(c, doc_id))

    key = cache.key("passage-mentions", doc_id, cache.corpus_digest(c), modules=("lib.themes",))
    return cache.memo("passage-mentions", key, compute)


def theme_prominence(c: corpus_mod.Corpus) -> pd.DataFrame:
    """Theme mentions per 1 000 words for every document part and theme (zeros included).

    Words and mentions are counted over the part's passages (page furniture and
    tables of contents excluded).
    """
    from lib import structure

    rows = []
    for d in c.doc_ids:
        words: dict[str, int] = {p.part_id: 0 for p in c.parts(d)}
        hits: dict[tuple[str, str], int] = {}
        for p, mentioned in zip(structure.iter_passages(c, d), passage_mentions(c, d),
                                strict=True):
            words[p.part_id] += count_words(p.text)
            for theme in mentioned:
                hits[(p.part_id, theme)] = hits.get((p.part_id, theme), 0) + 1
        for part_id, n in words.items():
            for theme in theme_ids():
                m = hits.get((part_id, theme), 0)
                rows.append({"doc_id": d, "part_id": part_id, "theme": theme,
                             "theme_label": label(theme), "mentions": m, "words": n,
                             "per_1000_words": round(1000 * m / n, 4) if n else 0.0})
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
            "theme_label": Column(_S, "Swedish label of the theme", allowed=(
                "Hemlöshet", "Våld i nära relation", "Försörjningsstöd")),
            "mentions": Column(_I, "Lexicon mentions of the theme in the part's passages"),
            "words": Column(_I, "Words in the part's passages (furniture and contents excluded)"),
            "per_1000_words": Column(_F, "Mentions per 1 000 words, rounded to 4 decimals",
                                     unit="mentions per 1 000 words"),
        },
    ),
}


def tables(c: corpus_mod.Corpus) -> dict[str, pd.DataFrame]:
    """The theme tables of the whole corpus: theme_prominence."""
    return {"theme_prominence": theme_prominence(c)}
