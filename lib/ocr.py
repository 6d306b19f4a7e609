"""Repair of OCR-damaged Swedish text (lost å, ä, ö and misread letters), line by line.

A noisy-channel corrector: every word token gets candidates from the confusion
sets seen in the OCR'd reports (dropped diacritics; é, &, 6, 0, d, i, t, g for
å/ä/ö; a leading I for l; | and 1 for the word i), checked against the Swedish
lexicon of :mod:`lib.lexicon`; Swedish compounds are split into known parts. A
bigram model (clean reports + wordfreq) chooses among the candidates over the
whole text (Viterbi), which decides homographs such as för/for, är/år, här/har,
våld/vald from their context. Only the repaired tokens change: whitespace,
punctuation, numbers and abbreviations stay as they are, and output line i is
input line i.

Typical use::

    from lib import ocr
    fixed = ocr.repair_lines(["Vi har 6kat resurserna pa jouren."])
    fixed, changes = ocr.repair_with_log(lines)
"""

from __future__ import annotations

import itertools
import math
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from lib import lexicon, paths
from lib.errors import TextDecodeError

# A token: letters, digits and the glyphs & and | that stand for letters.
TOKEN_RE = re.compile(r"(?:[^\W_]|[&|])+")
DIACRITICS = frozenset("åäöÅÄÖ")
# Below this share of å/ä/ö among letters, a text is taken to have lost its diacritics
# (ordinary Swedish prose has about 4 %).
DAMAGED_SHARE = 0.005

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
PAIR_CHARS = frozenset("aéèidoi&")
PAIR_COST = 1.6
PAIR_COST_PLAIN = 2.6  # pairs without é or &, such as ia, do, dd
INSERT_COST = 4.0  # a lost å/ä/ö (stt -> sätt, kning -> ökning)
RARE = 1e-6  # tokens rarer than this are open to the costly edits above
COMPOUND_PENALTY = 3.0
PART_PENALTY = 2.0  # per non-final part of a compound
SHORT_HEAD = 3.0  # extra cost of a compound whose last part has three letters or fewer
MIN_PART = 3
UNK_PLAIN = -23.0  # log-probability of an unknown word made of letters
UNK_GLYPH = -30.0  # ... and of one with é, &, digits or | (not Swedish as it stands)
MAX_COMBOS = 256
# Inflection endings a compound may add to its last known part (stadsområde|nas).
SUFFIXES = ("na", "nas", "ns", "s", "ts", "ets", "ens", "n", "t", "erna", "ernas", "arna",
            "arnas", "orna", "ornas")


@dataclass(frozen=True)
class Change:
    """One repaired token: 1-based line, the token before and after, and why."""

    line: int
    before: str
    after: str
    reason: str


@dataclass(frozen=True)
class Option:
    """A candidate reading of a token."""

    word: str  # lower case
    cost: float  # channel cost
    reason: str
    uni: float | None = None  # unigram log-probability for words outside the lexicon


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
        for cached in (_candidates, _compound, options):
            cached.cache_clear()


def get_lexicon() -> lexicon.Lexicon:
    """The cached lexicon (wordfreq + clean reports + proper names)."""
    lex = lexicon.load(_EXCLUDE)
    if not getattr(lex, "_names_added", False):
        for w, f in names().items():
            if lex.wordfreq.get(w, 0.0) < f:
                lex.wordfreq[w] = f
                lex.index.setdefault(lexicon.word_key(w), [])
                if w not in lex.index[lexicon.word_key(w)]:
                    lex.index[lexicon.word_key(w)].append(w)
        lex._names_added = True
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


def _channel(token: str, word: str, clean: bool) -> tuple[float, str] | None:
    """Cost and description of reading ``word`` as ``token`` (same length), or None."""
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
        edit = f"{a}→{b}"
        if edit not in edits:
            edits.append(edit)
    return cost, ",".join(edits)


def _variants(token: str, rare: bool) -> list[tuple[str, float, str]]:
    """The token and, if it is rare, its forms with a pair collapsed or a letter restored."""
    out = [(token, 0.0, "")]
    if not rare:
        return out
    for i in range(len(token) - 1):
        pair = token[i:i + 2]
        if pair[0] in PAIR_CHARS and pair[1] in PAIR_CHARS:
            cost = PAIR_COST if ("é" in pair or "&" in pair) else PAIR_COST_PLAIN
            out.append((token[:i] + WILD + token[i + 2:], cost, f"{pair}→"))
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
                ch = _channel(form, word, clean)
                if ch is None:
                    continue
                cost = ch[0] + extra + (CLEAN_EXTRA if clean and extra else 0.0)
                reason = ch[1]
                if vreason.endswith("→") or vreason == "+":
                    reason = reason.replace(f"{WILD}→", vreason)
                if word not in found or found[word].cost > cost:
                    found[word] = Option(word, cost, reason)
    orig = found.pop(token, None) or Option(token, 0.0, "", None if lex.known(token) else
                                            _unknown_logp(token))
    rest = sorted(found.values(), key=lambda o: (o.cost - lex.logp_uni(o.word), o.word))
    best = lex.logp_uni(rest[0].word) - rest[0].cost if rest else -math.inf
    kept = [o for o in rest if lex.logp_uni(o.word) - o.cost > best - 8.0][:6]
    return (orig, *kept)


def _unknown_logp(token: str) -> float:
    """Log-probability of a token outside the lexicon: lower if it holds OCR glyphs."""
    if all(c.isalpha() and c != "é" for c in token):
        return UNK_PLAIN
    return UNK_GLYPH


def _part_options(piece: str, clean: bool) -> list[Option]:
    lex = get_lexicon()
    return [o for o in _candidates(piece, clean)
            if o.uni is None and lex.freq(o.word) >= lexicon.MIN_PART_FREQ]


def _modifier_options(piece: str, clean: bool) -> list[tuple[Option, str]]:
    """Readings of a compound's non-final part: a word, a word + linking s, a word less its e."""
    out = [(o, "") for o in _part_options(piece, clean)]
    if piece.endswith("s") and len(piece) > MIN_PART:
        out += [(o, "s") for o in _part_options(piece[:-1], clean)]
        out += [(Option(o.word[:-1], o.cost, o.reason), "s")
                for o in _part_options(piece[:-1] + "e", clean)]
    out += [(Option(o.word[:-1], o.cost, o.reason), "")
            for o in _part_options(piece + "e", clean)]
    return out


def _head_options(piece: str, clean: bool) -> list[tuple[Option, str]]:
    """Readings of a compound's final part: a word, or a word + an inflection ending."""
    out = [(o, "") for o in _part_options(piece, clean)]
    for suf in SUFFIXES:
        if piece.endswith(suf) and len(piece) - len(suf) >= MIN_PART:
            out += [(o, suf) for o in _part_options(piece[:-len(suf)], clean)]
    return out


@lru_cache(maxsize=50_000)
def _compound(token: str, clean: bool) -> Option | None:
    """The best reading of a token as a compound of known words."""
    lex = get_lexicon()
    n = len(token)
    # best[i]: (score, parts, cost, reasons) for token[:i] read as modifiers
    best: dict[int, tuple[float, tuple[str, ...], float, tuple[str, ...]]] = {0: (0.0, (), 0.0, ())}
    for i in range(MIN_PART, n - MIN_PART + 1):
        for j in range(0, i - MIN_PART + 1):
            if j not in best:
                continue
            s0, parts, c0, r0 = best[j]
            for o, link in _modifier_options(token[j:i], clean):
                bonus = min(2.0, max(-3.0, 0.5 * (lex.logp_uni(o.word) + 10.0)))
                score = s0 + bonus - PART_PENALTY - (2.0 if i - j <= 3 else 0.0) - o.cost
                if i not in best or score > best[i][0]:
                    best[i] = (score, (*parts, o.word + link), c0 + o.cost, (*r0, o.reason))
    result: Option | None = None
    result_score = -math.inf
    for j, (s0, parts, c0, r0) in sorted(best.items()):
        if not parts or n - j < MIN_PART:
            continue
        for o, suf in _head_options(token[j:], clean):
            uni = (lex.logp_uni(o.word) + s0 + c0 - COMPOUND_PENALTY
                   - (SHORT_HEAD if len(o.word) <= 3 else 0.0))
            score = uni - c0 - o.cost
            if score > result_score:
                word = "".join(parts) + o.word + suf
                reasons = ",".join(sorted({r for r in (*r0, o.reason) if r}))
                result = Option(word, c0 + o.cost, f"compound {'+'.join((*parts, o.word + suf))}"
                                + (f" ({reasons})" if reasons else ""), uni)
                result_score = score
    return result


@lru_cache(maxsize=200_000)
def options(token: str, clean: bool) -> tuple[Option, ...]:
    """Candidate readings of one surface token; the first is the token itself (lower case)."""
    low = token.lower()
    lex = get_lexicon()
    cands = _candidates(low, clean)
    if token[0] == "I" and len(token) > 2 and token[1:].islower():
        cands += tuple(Option(o.word, o.cost + 2.5, "I→l" + (f",{o.reason}" if o.reason else ""))
                       for o in _candidates("l" + low[1:], clean) if o.uni is None)
    if any(o.uni is None and lex.freq(o.word) >= RARE for o in cands):
        return cands
    cands += _candidates(low, clean, True)[1:]
    if len(low) >= 2 * MIN_PART:
        comp = _compound(low, clean)
        if comp is not None and comp.word != low:
            cands += (comp,)
        elif comp is not None and cands[0].uni is not None:
            cands = (Option(low, 0.0, "", comp.uni), *cands[1:])
    return cands


# --------------------------------------------------------------------------- decoding


def is_damaged(lines: list[str]) -> bool:
    """True if the text has (almost) no å, ä or ö, as after the OCR of these reports."""
    letters = sum(ch.isalpha() for line in lines for ch in line)
    dia = sum(ch in DIACRITICS for line in lines for ch in line)
    return letters == 0 or dia / letters < DAMAGED_SHARE


@lru_cache(maxsize=200_000)
def _fixed(token: str) -> bool:
    """Tokens left alone: numbers, abbreviations, protected words, tokens with other digits."""
    if token in protected() or not any(c.isalpha() for c in token):
        return True
    if sum(c.isupper() for c in token) >= 2:
        return True
    return len(token) < 2 or any(c.isdigit() and c not in "0146" for c in token)


def _apply_case(orig: str, word: str) -> str:
    first = next((c for c in orig if c.isalpha()), "")
    if orig[0].isupper() or (first.isupper() and not orig[0].isalpha()):
        return word[:1].upper() + word[1:]
    return word


@dataclass
class _Slot:
    line: int  # 0-based
    start: int
    end: int
    surface: str
    opts: tuple[Option, ...]


def _slots(lines: list[str], clean: bool) -> list[_Slot | None]:
    """Token slots of the text; None marks a sentence boundary."""
    seq: list[_Slot | None] = [None]
    for n, line in enumerate(lines):
        if not line.strip():
            if seq[-1] is not None:
                seq.append(None)
            continue
        pos = 0
        for m in TOKEN_RE.finditer(line):
            tok = m.group()
            if lexicon.SENTENCE_END_RE.search(line, pos, m.start()) and seq[-1] is not None:
                seq.append(None)
            pos = m.end()
            seq.append(_Slot(n, m.start(), m.end(), tok, _token_options(line, m, clean)))
        if lexicon.SENTENCE_END_RE.search(line, pos) and seq[-1] is not None:
            seq.append(None)
    return seq


def _token_options(line: str, m: re.Match, clean: bool) -> tuple[Option, ...]:
    tok = m.group()
    if tok == "|" or tok == "1":
        keep = Option(lexicon.NUM if tok == "1" else "|", 0.0, "", None if tok == "1" else -12.0)
        nxt = line[m.end():m.end() + 2]
        if len(nxt) == 2 and nxt[0] == " " and nxt[1].islower():
            return keep, Option("i", 0.5 if tok == "|" else 1.0, f"{tok}→i")
        return (keep,)
    if _fixed(tok):
        return (Option(lexicon.lm_token(tok), 0.0, ""),)
    return options(tok.replace("ﬁ", "fi").replace("ﬂ", "fl"), clean)


def _decode(seq: list[_Slot | None]) -> list[int]:
    """Viterbi over the slots: the index of the chosen option of every slot."""
    lex = get_lexicon()
    choice: list[int] = []
    back: list[list[int]] = []
    prev_words = [lexicon.BOS]
    prev_scores = [0.0]
    for slot in seq:
        opts = (Option(lexicon.BOS, 0.0, ""),) if slot is None else slot.opts
        scores, ptr = [], []
        for o in opts:
            best, arg = -math.inf, 0
            for k, (pw, ps) in enumerate(zip(prev_words, prev_scores, strict=True)):
                s = ps + lex.logp(pw, o.word, o.uni)
                if s > best:
                    best, arg = s, k
            scores.append(best - o.cost)
            ptr.append(arg)
        back.append(ptr)
        prev_words = [o.word for o in opts]
        prev_scores = scores
    k = max(range(len(prev_scores)), key=lambda i: (prev_scores[i], -i))
    for ptr in reversed(back):
        choice.append(k)
        k = ptr[k]
    return choice[::-1]


def _surface(slot: _Slot, o: Option, lines: list[str], seq_prev_is_bos: bool) -> str:
    if slot.surface in ("|", "1") and o.word == "i":
        return "I" if seq_prev_is_bos or not lines[slot.line][:slot.start].strip() else "i"
    new = _apply_case(slot.surface, o.word)
    # A lower-case ö is often read as a capital O or G; inside a sentence it stays small.
    if (slot.surface[0] in "OG" and slot.surface[1:2].islower() and new[0] == "Ö"
            and not seq_prev_is_bos and o.word not in names()
            and re.search(r"[a-zåäö,]\s*$", lines[slot.line][:slot.start] or "")
            and (slot.surface[0] == "G" or get_lexicon().freq(o.word) >= 1e-5)):
        new = "ö" + new[1:]
    return new


def repair_with_log(lines: list[str]) -> tuple[list[str], list[Change]]:
    """Repair OCR-damaged lines; return the lines (same count) and the changes made."""
    lines = list(lines)
    if not lines:
        return [], []
    clean = not is_damaged(lines)
    seq = _slots(lines, clean)
    chosen = _decode(seq)
    edits: dict[int, list[tuple[int, int, str]]] = {}
    changes: list[Change] = []
    for idx, (slot, k) in enumerate(zip(seq, chosen, strict=True)):
        if slot is None or k == 0:
            continue
        o = slot.opts[k]
        new = _surface(slot, o, lines, seq[idx - 1] is None)
        if new == slot.surface:
            continue
        edits.setdefault(slot.line, []).append((slot.start, slot.end, new))
        changes.append(Change(slot.line + 1, slot.surface, new, o.reason or "context"))
    out = list(lines)
    for n, spans in edits.items():
        text = out[n]
        for start, end, new in sorted(spans, reverse=True):
            text = text[:start] + new + text[end:]
        out[n] = text
    return out, changes


def repair_lines(lines: list[str]) -> list[str]:
    """Repair OCR-damaged lines; output line i is input line i (deterministic)."""
    return repair_with_log(lines)[0]


CHANGE_COLUMNS = ("doc_id", "line", "before", "after", "reason")


def changes_frame(changes: list[Change], doc_id: str) -> pd.DataFrame:
    """The change log as a table with columns doc_id, line, before, after, reason."""
    return pd.DataFrame(
        {"doc_id": [doc_id] * len(changes), "line": [c.line for c in changes],
         "before": [c.before for c in changes], "after": [c.after for c in changes],
         "reason": [c.reason for c in changes]},
        columns=list(CHANGE_COLUMNS),
    ).astype({"doc_id": "string", "line": "int64", "before": "string", "after": "string",
              "reason": "string"})


def repair_document(c, doc_id: str) -> tuple[list[str], pd.DataFrame]:
    """Repaired lines of a corpus document (raw lines if it is not OCR'd) and its change log."""
    raw = c.raw_lines(doc_id)
    if c.document(doc_id).text_quality != "ocr":
        return list(raw), changes_frame([], doc_id)
    fixed, changes = repair_with_log(raw)
    return fixed, changes_frame(changes, doc_id)


# --------------------------------------------------------------------------- input files


def read_lines(path: Path) -> list[str]:
    """Lines of a text file for ``python -m lib repair``: UTF-8, or cp1252 with a warning.

    An empty file gives no lines; a binary file raises :class:`TextDecodeError`.
    """
    path = Path(path)
    if not path.is_file():
        raise TextDecodeError(f"{path}: no such file; give the path of a text file.")
    data = path.read_bytes()
    if not data:
        return []
    controls = sum(b < 9 or 13 < b < 32 for b in data[:65536])
    if b"\x00" in data or controls > 0.01 * min(len(data), 65536):
        raise TextDecodeError(f"{path}: looks like a binary file; give a plain-text file.")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise TextDecodeError(
                f"{path}: neither UTF-8 nor cp1252 text; re-save the file as UTF-8."
            ) from None
        print(f"warning: {path}: not UTF-8, decoded as cp1252 (Windows Latin-1); "
              "check å, ä and ö in the output.", file=sys.stderr)
    from lib.corpus import split_lines

    return split_lines(text.replace("\r\n", "\n").replace("\r", "\n"))
