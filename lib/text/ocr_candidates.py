"""The readings of one OCR token, for the repair in :mod:`lib.text.ocr`.

Every word token gets candidates from the confusion sets seen in the OCR'd reports
(dropped diacritics; é, &, @, 6, 0, d, i, t, g for å/ä/ö; two glyphs for one letter; a
leading I for l; | and 1 for the word i), each with the cost of its edits, checked against
the Swedish lexicon of :mod:`lib.text.lexicon` (:func:`options`). Words outside the lexicon
are read as compounds of known parts (with linking forms such as samhälls-, föräldra-, and
modifiers that begin many words preferred). The costs are the channel's prior; the repair
re-estimates them per document.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from lib import paths
from lib.text import lexicon

DIACRITICS = frozenset("åäöÅÄÖ")

# Channel costs (negative log-probabilities) of reading OCR char -> true char.
DIA = 0.6  # a -> å/ä, o -> ö in a text without diacritics
CLEAN_EXTRA = 9.0  # added to every substitution when the text keeps its diacritics
WILD = "¤"  # one OCR position standing for å, ä or ö (a collapsed pair or a lost letter)
SUBST: dict[str, dict[str, float]] = {
    "a": {"å": DIA, "ä": DIA},
    "o": {"ö": DIA},
    "é": {"ä": 1.0, "å": 1.2, "ö": 1.2},
    "è": {"ä": 1.5, "å": 1.5, "ö": 1.5},
    "&": {"ä": 0.7, "å": 0.9, "ö": 1.5},
    "@": {"ä": 1.0, "å": 1.5},
    "6": {"ö": 0.7},
    "0": {"ö": 1.0},
    "4": {"ä": 1.0, "å": 1.5},
    "1": {"l": 1.5},
    "d": {"ä": 2.2, "ö": 2.2, "å": 3.0},
    "i": {"ä": 2.5, "å": 3.5},
    "t": {"ä": 4.0},
    "g": {"ö": 3.5},
    WILD: {"ä": 0.0, "å": 0.0, "ö": 0.0},
}
_KEYCHAR = {"å": "@", "ä": "@", "ö": "#", "l": "l"}
# Two OCR characters read for one å/ä/ö (héndelser, moéta, stidrka) and their cost.
PAIR_CHARS = frozenset("aéèidoi&6")
PAIR_COST = 1.6
PAIR_COST_PLAIN = 2.6  # pairs without é or &, such as ia, do, dd
INSERT_COST = 4.0  # a lost å/ä/ö (stt -> sätt, kning -> ökning)
RARE = 1e-6  # tokens rarer than this are open to the costly edits above
COMPOUND_PENALTY = 3.0
PART_PENALTY = 2.0  # per non-final part of a compound
SHORT_HEAD = 3.0  # extra cost of a compound whose last part has three letters or fewer
MIN_PART = 3
PRODUCTIVE_MID = 5.0  # log of how many words a typical modifier begins
PRODUCTIVE_MAX = 2.0
COMPOUND_KEEP = 1  # compound readings kept per token
UNK_PLAIN = -23.0  # log-probability of an unknown word made of letters
UNK_GLYPH = -30.0  # ... and of one with é, &, digits or | (not Swedish as it stands)
MAX_COMBOS = 256
# Inflection endings a compound may add to its last known part (stadsområde|nas).
SUFFIXES = (
    "na",
    "nas",
    "ns",
    "s",
    "ts",
    "ets",
    "ens",
    "n",
    "t",
    "erna",
    "ernas",
    "arna",
    "arnas",
    "orna",
    "ornas",
)


@dataclass(frozen=True)
class Option:
    """A candidate reading of a token."""

    word: str  # lower case
    cost: float  # channel cost under the prior costs of SUBST
    reason: str
    uni: float | None = None  # unigram log-probability for words outside the lexicon
    edits: tuple[str, ...] = ()  # character substitutions "x→y", one per position
    extra: float = 0.0  # the part of ``cost`` not due to ``edits`` (pairs, lost letters, I→l)


# --------------------------------------------------------------------------- lexicon


def _read_list(name: str) -> list[str]:
    path = paths.PACKAGE_DATA_DIR / name
    out = []
    for raw in path.read_text(encoding="utf-8").split("\n"):
        line = raw.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


@lru_cache(maxsize=1)
def protected() -> frozenset[str]:
    """Tokens never changed (from lib/data/ocr_protected.tsv)."""
    return frozenset(_read_list("ocr_protected.tsv"))


@lru_cache(maxsize=1)
def names() -> dict[str, float]:
    """Lower-case proper names (lib/data/ocr_names.tsv) with the frequency they get."""
    return {w.lower(): 2e-6 for line in _read_list("ocr_names.tsv") for w in line.split()}


_EXCLUDE: tuple[tuple[str, int, int], ...] = ()


def set_exclusion(exclude: tuple[tuple[str, int, int], ...]) -> None:
    """Leave line ranges (doc_id, first, last) of clean reports out of the model (benchmark)."""
    global _EXCLUDE
    if exclude != _EXCLUDE:
        _EXCLUDE = exclude
        clear_caches()


def model_key() -> str:
    """Checksum of the repair's model: the lexicon's inputs, with the current exclusion."""
    return lexicon.model_key(_EXCLUDE)


def clear_caches() -> None:
    """Forget all cached candidates and n-gram scores (for timing a cold repair)."""
    for cached in (_candidates, _compound, options, fixed, _productivity):
        cached.cache_clear()
    lexicon.load(_EXCLUDE)._logp_cache.clear()


def get_lexicon() -> lexicon.Lexicon:
    """The cached lexicon (wordfreq + clean reports + proper names)."""
    lex = lexicon.load(_EXCLUDE)
    if not lex.names_added:
        for w, f in names().items():
            if lex.wordfreq.get(w, 0.0) < f:
                lex.wordfreq[w] = f
                lex.index.setdefault(lexicon.word_key(w), [])
                if w not in lex.index[lexicon.word_key(w)]:
                    lex.index[lexicon.word_key(w)].append(w)
        lex.names_added = True
    return lex


# --------------------------------------------------------------------------- candidates


@lru_cache(maxsize=4096)
def _key_options(ch: str) -> tuple[str, ...]:
    subs = SUBST.get(ch)
    keys = [lexicon.word_key(ch)] if ch in "aoåäö" else [] if ch == WILD else [ch]
    if subs:
        for target in subs:
            k = _KEYCHAR[target]
            if k not in keys:
                keys.append(k)
    return tuple(keys)


def _keys(token: str) -> list[str]:
    """All lookup keys of a lower-case OCR token (capped for very long tokens)."""
    options = [_key_options(c) for c in token]
    for drop in ("t", "g", "i", "d"):
        if math.prod(len(o) for o in options) <= MAX_COMBOS:
            break
        options = [(o[0],) if c == drop else o for c, o in zip(token, options, strict=True)]
    if math.prod(len(o) for o in options) > MAX_COMBOS:
        options = [o[:1] for o in options]
    return ["".join(p) for p in itertools.product(*options)]


def channel(token: str, word: str, clean: bool) -> tuple[float, tuple[str, ...]] | None:
    """Cost and substitutions of reading ``word`` as ``token`` (same length), or None."""
    cost, edits = 0.0, []
    for a, b in zip(token, word, strict=True):
        if a == b:
            continue
        c = SUBST.get(a, {}).get(b)
        if c is None:
            return None
        if clean and a not in "&6":
            c += CLEAN_EXTRA
        cost += c
        edits.append(f"{a}→{b}")
    return cost, tuple(edits)


def _describe(edits: tuple[str, ...]) -> str:
    return ",".join(dict.fromkeys(edits))


def _variants(token: str, rare: bool) -> list[tuple[str, float, str]]:
    """The token and, if it is rare, its forms with a pair collapsed or a letter restored."""
    out = [(token, 0.0, "")]
    if not rare:
        return out
    for i in range(len(token) - 1):
        pair = token[i : i + 2]
        if pair[0] in PAIR_CHARS and pair[1] in PAIR_CHARS:
            cost = PAIR_COST if ("é" in pair or "&" in pair) else PAIR_COST_PLAIN
            out.append((token[:i] + WILD + token[i + 2 :], cost, f"{pair}→"))
    if len(token) <= 12:
        for i in range(len(token) + 1):
            out.append((token[:i] + WILD + token[i:], INSERT_COST, "+"))
    return out


@lru_cache(maxsize=200_000)
def _candidates(token: str, clean: bool, costly: bool = False) -> tuple[Option, ...]:
    """Lexicon words an OCR token (lower case) may stand for, best first; the token first.

    ``costly`` adds the expensive edits (collapsed pairs, a lost letter).
    """
    lex = get_lexicon()
    found: dict[str, Option] = {}
    for form, extra, vreason in _variants(token, costly):
        for key in _keys(form):
            for word in lex.index.get(key, ()):
                ch = channel(form, word, clean)
                if ch is None:
                    continue
                fixed_cost = extra + (CLEAN_EXTRA if clean and extra else 0.0)
                edits = tuple(e for e in ch[1] if e[0] != WILD)
                reason = _describe(ch[1])
                if vreason.endswith("→") or vreason == "+":
                    reason = reason.replace(f"{WILD}→", vreason)
                cost = ch[0] + fixed_cost
                if word not in found or found[word].cost > cost:
                    found[word] = Option(
                        word, cost, reason, None, edits, fixed_cost + ch[0] - _prior(edits, clean)
                    )
    orig = found.pop(token, None) or Option(
        token, 0.0, "", None if lex.known(token) else _unknown_logp(token)
    )
    rest = sorted(found.values(), key=lambda o: (o.cost - lex.logp_uni(o.word), o.word))
    best = lex.logp_uni(rest[0].word) - rest[0].cost if rest else -math.inf
    kept = [o for o in rest if lex.logp_uni(o.word) - o.cost > best - 8.0][:6]
    return (orig, *kept)


def _prior(edits: tuple[str, ...], clean: bool) -> float:
    """The prior cost of substitutions (as in :func:`channel`)."""
    return sum(
        SUBST[e[0]][e[2]] + (CLEAN_EXTRA if clean and e[0] not in "&6" else 0.0) for e in edits
    )


def _unknown_logp(token: str) -> float:
    """Log-probability of a token outside the lexicon: lower if it holds OCR glyphs."""
    if all(c.isalpha() and c != "é" for c in token):
        return UNK_PLAIN
    return UNK_GLYPH


def _part_options(piece: str, clean: bool) -> list[Option]:
    lex = get_lexicon()
    return [
        o
        for o in _candidates(piece, clean)
        if o.uni is None and lex.freq(o.word) >= lexicon.MIN_PART_FREQ
    ]


def _lp(word: str) -> float:
    return get_lexicon().logp_uni(word)


@lru_cache(maxsize=100_000)
def _productivity(modifier: str) -> float:
    """A bonus for compound modifiers that begin many words (åter-, not äter-)."""
    n = get_lexicon().prefix_count(modifier)
    return min(PRODUCTIVE_MAX, max(-PRODUCTIVE_MAX, 0.5 * (math.log1p(n) - PRODUCTIVE_MID)))


def _modifier_options(piece: str, clean: bool) -> list[tuple[Option, str]]:
    """Readings of a compound's non-final part: a word, a word + linking s, a word less its e."""
    out = [(o, "") for o in _part_options(piece, clean)]
    if piece.endswith("s") and len(piece) > MIN_PART:
        out += [(o, "s") for o in _part_options(piece[:-1], clean)]
        out += [
            (replace(o, word=o.word[:-1], uni=_lp(o.word)), "s")
            for o in _part_options(piece[:-1] + "e", clean)
        ]
    out += [
        (replace(o, word=o.word[:-1], uni=_lp(o.word)), "")
        for o in _part_options(piece + "e", clean)
    ]
    # linking forms that change the word's ending: förälder -> föräldra-, kvinna -> kvinno-
    if piece.endswith("ra") and len(piece) > MIN_PART + 1:
        out += [
            (replace(o, word=o.word[:-2] + "ra", uni=_lp(o.word)), "")
            for o in _part_options(piece[:-2] + "er", clean)
            if o.word.endswith("er")
        ]
    if piece.endswith("o") and len(piece) > MIN_PART:
        out += [
            (replace(o, word=o.word[:-1] + "o", uni=_lp(o.word)), "")
            for o in _part_options(piece[:-1] + "a", clean)
            if o.word.endswith("a")
        ]
    return out


def _head_options(piece: str, clean: bool) -> list[tuple[Option, str]]:
    """Readings of a compound's final part: a word, or a word + an inflection ending."""
    out = [(o, "") for o in _part_options(piece, clean)]
    for suf in SUFFIXES:
        if piece.endswith(suf) and len(piece) - len(suf) >= MIN_PART:
            out += [(o, suf) for o in _part_options(piece[: -len(suf)], clean)]
    return out


@lru_cache(maxsize=50_000)
def _compound(token: str, clean: bool) -> tuple[Option, ...]:
    """The best readings of a token as a compound of known words (up to COMPOUND_KEEP,
    best first), so that a document's own substitution costs can still choose among them."""
    lex = get_lexicon()
    n = len(token)
    # best[i]: (score, parts, chosen part options, productivity bonus) for token[:i] read
    # as modifiers; the productivity bonus picks the split but stays out of the word's score
    best: dict[int, tuple[float, tuple[str, ...], tuple[Option, ...], float]] = {
        0: (0.0, (), (), 0.0)
    }
    for i in range(MIN_PART, n - MIN_PART + 1):
        for j in range(0, i - MIN_PART + 1):
            if j not in best:
                continue
            s0, parts, used, p0 = best[j]
            for o, link in _modifier_options(token[j:i], clean):
                lp = o.uni if o.uni is not None else lex.logp_uni(o.word)
                bonus = min(2.0, max(-3.0, 0.5 * (lp + 10.0)))
                prod = _productivity(o.word + link)
                score = s0 + bonus + prod - PART_PENALTY - (2.0 if i - j <= 3 else 0.0) - o.cost
                if i not in best or score > best[i][0]:
                    best[i] = (score, (*parts, o.word + link), (*used, o), p0 + prod)
    results: dict[str, tuple[float, Option]] = {}
    for j, (s0, parts, used, p0) in sorted(best.items()):
        if not parts or n - j < MIN_PART:
            continue
        c0 = sum(o.cost for o in used)
        heads = [(o, suf, 0) for o, suf in _head_options(token[j:], clean)]
        if token[j - 1] == token[j - 2] and token[j - 1] not in "aeiouyåäö":
            # three equal consonants lose one: process + stöd -> processtöd
            heads += [
                (o, suf, 1)
                for o, suf in _head_options(token[j - 1 :], clean)
                if o.word[0] == token[j - 1]
            ]
        for o, suf, shared in heads:
            uni = (
                lex.logp_uni(o.word)
                + s0
                - p0
                + c0
                - COMPOUND_PENALTY
                - (SHORT_HEAD if len(o.word) <= 3 else 0.0)
            )
            score = uni + p0 - c0 - o.cost
            word = "".join(parts) + o.word[shared:] + suf
            if word in results and results[word][0] >= score:
                continue
            all_used = (*used, o)
            reasons = ",".join(sorted({u.reason for u in all_used if u.reason}))
            results[word] = (
                score,
                Option(
                    word,
                    c0 + o.cost,
                    f"compound {'+'.join((*parts, o.word + suf))}"
                    + (f" ({reasons})" if reasons else ""),
                    uni,
                    tuple(e for u in all_used for e in u.edits),
                    sum(u.extra for u in all_used),
                ),
            )
    ranked = sorted(results.values(), key=lambda r: (-r[0], r[1].word))
    return tuple(o for _, o in ranked[:COMPOUND_KEEP])


# Letter pairs the OCR read for one å/ä/ö inside long compounds (samhaéllsvigledare, -édrenden).
_COMPOUND_PAIR_RE = re.compile(r"(?=([éè&][aéèidoi&]|[aidoi][éè&]|di|id))")


def _best_compounds(low: str, clean: bool) -> tuple[Option, ...]:
    """Compound readings of a token, also with one glyph pair read as one å/ä/ö; best first."""
    found = list(_compound(low, clean))
    if not clean:
        for m in list(_COMPOUND_PAIR_RE.finditer(low))[:3]:
            i = m.start()
            found += [
                replace(
                    o,
                    cost=o.cost + PAIR_COST,
                    extra=o.extra + PAIR_COST,
                    reason=o.reason.replace(WILD, m.group(1)),
                )
                for o in _compound(low[:i] + WILD + low[i + 2 :], clean)
            ]
    found.sort(key=lambda o: (o.cost - (o.uni or 0.0), o.word))  # compounds have their uni
    out: dict[str, Option] = {}
    for o in found:
        out.setdefault(o.word, o)
    return tuple(out.values())[:COMPOUND_KEEP]


@lru_cache(maxsize=200_000)
def options(token: str, clean: bool) -> tuple[Option, ...]:
    """Candidate readings of one surface token; the first is the token itself (lower case)."""
    low = token.lower()
    lex = get_lexicon()
    cands = _candidates(low, clean)
    if token[0] == "I" and len(token) > 2 and token[1:].islower():
        cands += tuple(
            Option(
                o.word,
                o.cost + 2.5,
                "I→l" + (f",{o.reason}" if o.reason else ""),
                None,
                o.edits,
                o.extra + 2.5,
            )
            for o in _candidates("l" + low[1:], clean)
            if o.uni is None
        )
    if any(o.uni is None and lex.freq(o.word) >= RARE for o in cands):
        return cands
    costly = _candidates(low, clean, True)[1:]
    cands += tuple(o for o in costly if all(o.word != c.word for c in cands))
    # a word of the lexicon (the token or a candidate) beats any compound reading
    if len(low) >= 2 * MIN_PART and not any(o.uni is None for o in cands):
        comps = _best_compounds(low, clean)
        if comps and comps[0].word == low and cands[0].uni is not None:
            cands = (replace(cands[0], uni=comps[0].uni), *cands[1:])
        cands += tuple(o for o in comps if o.word != low)
    return cands


@lru_cache(maxsize=200_000)
def fixed(token: str) -> bool:
    """Tokens left alone: numbers, abbreviations, protected words, tokens with other digits."""
    if token in protected() or not any(c.isalpha() for c in token):
        return True
    if sum(c.isupper() for c in token) >= 2:
        return True
    return len(token) < 2 or any(c.isdigit() and c not in "0146" for c in token)
