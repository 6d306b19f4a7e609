"""Themes: the lexicons and matching a text against them.

The lexicons live in ``lib/data/themes.yml`` (terms, context conditions and
documented exclusions for false friends); see the comments there for the pattern
syntax. Matching is case- and diacritic-insensitive, so it works on repaired and
on damaged OCR text alike.

The themes of whole documents (each passage's themes, keyword in context, theme
prominence) are in :mod:`lib.text.mentions`.

Typical use::

    from lib.text import themes
    themes.tag("Antalet hushåll med försörjningsstöd minskade.")   # ['forsorjningsstod']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from lib import paths
from lib.core import yamlio
from lib.errors import DataError

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
    parts = [re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else r"(?!\w)") for w in words]
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
                raise DataError(
                    _where(
                        path,
                        f"theme {theme}, pattern {row['pattern']!r}: "
                        f"unknown context set {name!r} in {key}.",
                    )
                )
    return Term(
        theme,
        row["pattern"],
        compile_pattern(row["pattern"]),
        tuple(row.get("requires") or ()),
        tuple(row.get("unless") or ()),
        excluded,
        str(row.get("reason") or row.get("note") or "").strip(),
        fold(row["pattern"]).split()[0].rstrip("*"),
    )


def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Read and check the theme lexicon (raises DataError naming the file and entry)."""
    try:
        data = yamlio.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(
            _where(
                path,
                f"cannot read the theme lexicon ({exc.__class__.__name__}); "
                "restore lib/data/themes.yml.",
            )
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
        raise DataError(_where(path, "expected top-level 'contexts:' and 'themes:'."))
    contexts = {
        name: tuple(compile_pattern(p) for p in pats)
        for name, pats in (data.get("contexts") or {}).items()
    }
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
    return [
        (t.theme, t.pattern, s, e, t.reason) for t, s, e in _candidates(text, context) if t.excluded
    ]


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
    return theme


def label(theme: str) -> str:
    """The Swedish label of a theme id."""
    return lexicon().labels[check_theme(theme)]


def count_words(text: str) -> int:
    """Number of words (runs of letters, hyphenated compounds as one) in a text."""
    return len(_WORD_RE.findall(text))
