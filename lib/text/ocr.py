"""Repair of OCR-damaged Swedish text (lost å, ä, ö and misread letters), line by line.

A noisy-channel corrector: every word token gets candidates from the confusion
sets seen in the OCR'd reports, checked against the Swedish lexicon
(:mod:`lib.text.ocr_candidates`, :mod:`lib.text.lexicon`). A bigram model (clean reports +
wordfreq, years and other numbers as classes) chooses
among the candidates sentence by sentence (Viterbi).

A damaged text is decoded twice. The first decoding estimates, from the document
itself, how its OCR renders å, ä and ö (hard EM: one report writes ä as é, d or i,
another drops it to a), and gives the context for a few syntactic cues (år before
a year, våra after a preposition or an infinitive, sätt after så/något, 1
before a month is a date); the second decoding uses both. In a text that keeps
its å/ä/ö only lines with OCR glyphs are looked at. Only the repaired tokens change: whitespace,
punctuation, numbers and abbreviations stay as they are (an all-caps word gets
å/ä/ö only in the form the clean reports write it, LOSA -> LÖSA), and output line
i is input line i.

Typical use::

    from lib.text import ocr
    fixed = ocr.repair_lines(["Vi har 6kat resurserna pa jouren."])
    fixed, changes = ocr.repair_with_log(lines)
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from lib.errors import TextDecodeError
from lib.text import lexicon
from lib.text.ocr_candidates import (
    SUBST,
    UNK_GLYPH,
    WILD,
    Option,
    channel,
    fixed,
    get_lexicon,
    names,
    options,
)

# A token: letters, digits and the glyphs & and | that stand for letters.
TOKEN_RE = re.compile(r"(?:[^\W_]|[&|@])+")
# Below this share of å/ä/ö among letters, a text is taken to have lost its diacritics
# (ordinary Swedish prose has about 4 %).
DAMAGED_SHARE = 0.005


@dataclass(frozen=True)
class Change:
    """One repaired token: 1-based line, the token before and after, and why."""

    line: int
    before: str
    after: str
    reason: str


# --------------------------------------------------------------------------- decoding


_DIA_RE = re.compile("[åäöÅÄÖ]")
_LETTER_RE = re.compile(r"[^\W\d_]")


def is_damaged(lines: list[str]) -> bool:
    """True if the text has (almost) no å, ä or ö, as after the OCR of these reports."""
    text = "\n".join(lines)
    letters = len(_LETTER_RE.findall(text))
    return letters == 0 or len(_DIA_RE.findall(text)) / letters < DAMAGED_SHARE


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


# In a clean text only tokens holding one of these OCR glyphs are open to repair.
_CLEAN_GLYPHS = re.compile("[&@6|]")
CAPS_COST = 3.0  # keeping an all-caps word whose å/ä/ö form is in the clean reports (LOSA)
_BAR_RE = re.compile(r"(?<!\S)\|(?!\S)")
_MONTH_RE = re.compile(
    r" (?:januari|februari|mars|april|maj|juni|juli|augusti|september|"
    r"oktober|november|december)\b",
    re.IGNORECASE,
)


def _token_options(line: str, m: re.Match, clean: bool) -> tuple[Option, ...]:
    tok = m.group()
    if tok == "|" or tok == "1":
        return _glyph_i_options(line, m, clean)
    if tok == "i1" and not clean:
        return Option(tok, 0.0, "", UNK_GLYPH), Option("i", 0.5, "i1→i", None, (), 0.5)
    if fixed(tok):
        return _fixed_options(tok, clean)
    if clean and not _CLEAN_GLYPHS.search(tok):
        return (Option(tok.lower(), 0.0, ""),)
    return options(tok.replace("ﬁ", "fi").replace("ﬂ", "fl"), clean)


def _glyph_i_options(line: str, m: re.Match, clean: bool) -> tuple[Option, ...]:
    """``|`` or ``1`` standing alone: itself, or the word i between words."""
    tok = m.group()
    if tok == "1":
        if clean:
            return (Option(lexicon.NUM, 0.0, ""),)
        keep = Option(lexicon.NUM, -get_lexicon().one_logp, "", None, (), -get_lexicon().one_logp)
    else:
        keep = Option("|", 0.0, "", -12.0)
    nxt = line[m.end() : m.end() + 2]
    if tok == "1" and _MONTH_RE.match(line, m.end()):
        return (keep,)  # a date: den 1 november
    if tok == "|" and len(_BAR_RE.findall(line)) >= 2:
        return (keep,)  # a table row: a | b | c
    between = re.search(r"[^\W\d_]{2,}[,]? $", line[: m.start()]) is not None
    if len(nxt) == 2 and nxt[0] == " " and (nxt[1].islower() or (between and nxt[1].isupper())):
        cost = 0.5 if tok == "|" else 1.0
        return keep, Option("i", cost, f"{tok}→i", None, (), cost)
    return (keep,)


def _fixed_options(tok: str, clean: bool) -> tuple[Option, ...]:
    """A number or abbreviation as it stands; an all-caps word may get its å/ä/ö back."""
    word = lexicon.lm_token(tok)
    if clean or not tok.isalpha() or not tok.isupper():
        return (Option(word, 0.0, ""),)
    caps = get_lexicon().caps.get(lexicon.word_key(tok.lower()))
    if caps is None or caps == tok or channel(tok.lower(), caps.lower(), False) is None:
        return (Option(word, 0.0, ""),)
    return (
        Option(word, CAPS_COST, "", -12.0, (), CAPS_COST),
        Option(caps, 0.0, "abbreviation of the clean reports", -12.0),
    )


def _decode(seq: list[_Slot | None], costs: list[tuple[float, ...]]) -> list[int]:
    """Viterbi over the slots: the index of the chosen option of every slot.

    A sentence boundary has one state, so sentences are decoded one by one, and only
    those with a slot that has a choice.
    """
    choice = [0] * len(seq)
    start = 0
    open_choice = False
    for i in range(1, len(seq) + 1):
        slot = seq[i] if i < len(seq) else None
        if slot is None:
            if open_choice:  # the slots between two boundaries are all slots
                sentence = [s for s in seq[start + 1 : i] if s is not None]
                choice[start + 1 : i] = _viterbi(sentence, costs[start + 1 : i])
            start, open_choice = i, False
        elif len(slot.opts) > 1:
            open_choice = True
    return choice


def _viterbi(seq: list[_Slot], costs: list[tuple[float, ...]]) -> list[int]:
    """Viterbi over one sentence (boundaries on both sides)."""
    lex = get_lexicon()
    logp = lex.logp
    back: list[list[int]] = []
    prev_words = [lexicon.BOS]
    prev_scores = [0.0]
    for slot, slot_costs in zip(seq, costs, strict=True):
        scores, ptr = [], []
        for o, cost in zip(slot.opts, slot_costs, strict=True):
            best, arg = -math.inf, 0
            for k, pw in enumerate(prev_words):
                s = prev_scores[k] + logp(pw, o.word, o.uni)
                if s > best:
                    best, arg = s, k
            scores.append(best - cost)
            ptr.append(arg)
        back.append(ptr)
        prev_words = [o.word for o in slot.opts]
        prev_scores = scores
    final = [s + logp(w, lexicon.BOS) for w, s in zip(prev_words, prev_scores, strict=True)]
    k = max(range(len(final)), key=lambda i: (final[i], -i))
    choice = []
    for ptr in reversed(back):
        choice.append(k)
        k = ptr[k]
    return choice[::-1]


# --------------------------------------------------------------------------- document channel

DOC_PRIOR = 20.0  # weight (in pseudo-counts) of the prior costs against a document's own counts


def _channel_table(seq: list[_Slot | None], chosen: list[int]) -> dict[str, float]:
    """Substitution costs re-estimated from one decoding of the document itself (hard EM).

    For every å, ä and ö of the chosen readings, count which OCR character stands for it;
    the cost of x→y becomes -log P(x | y), smoothed towards the prior costs of SUBST.
    """
    counts: dict[str, int] = {}
    totals = dict.fromkeys("åäö", 0)
    for slot, k in zip(seq, chosen, strict=True):
        if slot is None:
            continue
        o = slot.opts[k]
        for e in o.edits:
            if e[2] in totals:
                counts[e] = counts.get(e, 0) + 1
                totals[e[2]] += 1
        for ch in slot.surface.lower():
            if ch in totals:
                totals[ch] += 1
    table = {}
    for src, targets in SUBST.items():
        for dst, cost in targets.items():
            if dst in totals and src != WILD:
                e = f"{src}→{dst}"
                p = (counts.get(e, 0) + DOC_PRIOR * math.exp(-cost)) / (totals[dst] + DOC_PRIOR)
                table[e] = -math.log(p)
    return table


def channel_costs(lines: list[str]) -> dict[str, float]:
    """The substitution costs ``"x→y"`` (-log P(OCR x | true y)) that a damaged text's own
    first decoding gives; :func:`repair_with_log` decodes again with them."""
    seq = _slots(list(lines), False)
    return _channel_table(seq, _decode(seq, _costs(seq, None)))


def _price(o: Option, table: dict[str, float] | None) -> float:
    if table is None or not o.edits:
        return o.cost
    return o.extra + sum(table.get(e, SUBST[e[0]][e[2]]) for e in o.edits)


def _costs(
    seq: list[_Slot | None], table: dict[str, float] | None, context: list[str] | None = None
) -> list[tuple[float, ...]]:
    out: list[tuple[float, ...]] = []
    for i, slot in enumerate(seq):
        if slot is None:
            out.append((0.0,))
        elif len(slot.opts) == 1:
            out.append((slot.opts[0].cost,))
        elif context is None:
            out.append(tuple(_price(o, table) for o in slot.opts))
        else:
            out.append(
                tuple(_price(o, table) - _context_bonus(o.word, context, i) for o in slot.opts)
            )
    return out


# --------------------------------------------------------------------------- syntactic cues


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PREPOSITIONS = _wordset(
    "för med av i på till om från mot hos genom inför under efter bland kring inom vid åt "
    "över mellan utifrån enligt trots bakom runt utanför ovanför angående gentemot"
)
# Words before which var, vart, vara are not the possessive (var och en, vart tredje år ...).
_NOT_POSSESSIVE_NEXT = _wordset(
    "och för sin sitt sina annat annan annars fall efter tredje fjärde femte sjätte de vi "
    "man han hon hen den det du jag ni ska skulle kan som"
)
_INFINITIVE_MARKERS = _wordset("att ska skall kan måste vill skulle bör kunde")
# Infinitives that take another verb (kunna vara, fortsätta vara), so "vara" stays a verb.
_AUX_INFINITIVES = _wordset(
    "kunna behöva vilja fortsätta verka komma börja sluta försöka våga orka hinna slippa råka "
    "tyckas anses lära bli vara låta"
)
_POSSESSIVE = {"våra": "vara", "vår": "var", "vårt": "vart"}
# Words after which "år" (year) is the reading, not the verb "är".
_YEAR_BEFORE = _wordset(
    "förra varje per ett flera många några två tre fyra fem sex sju åtta nio tio elva tolv "
    "femton tjugo innevarande kommande senaste föregående nästa halvt första tredje fjärde "
    "femte sista samma hela"
)
# Subjects after which "är" (is) is the reading.
_SUBJECTS = _wordset(
    "det detta den denna vi jag du han hon hen de dessa som vilket vilka "
    "vad här där nu också man ni"
)
# Determiners and adjectives after which "sätt" (way) is the reading, not "sitt" (its).
_SATT_BEFORE = _wordset(
    "så samma något annat vilket detta olika ett nytt bästa sådant liknande vårt deras flera många"
)
BONUS = 3.0


def _context_bonus(word: str, context: list[str], i: int) -> float:
    """A bonus for readings that Swedish syntax requires: år before a year, våra after a
    preposition; ``context`` holds the words of a first decoding (<s> at boundaries)."""
    if word not in ("år", "är", "sätt", *_POSSESSIVE):
        return 0.0
    prev = context[i - 1] if i > 0 else lexicon.BOS
    nxt = context[i + 1] if i + 1 < len(context) else lexicon.BOS
    if word == "sätt":
        return BONUS if prev in _SATT_BEFORE else 0.0
    if word == "år":
        if nxt == lexicon.YEAR:
            return BONUS + 1.0
        return BONUS if prev in _YEAR_BEFORE else 0.0
    if word == "är":
        return BONUS if prev in _SUBJECTS and nxt != lexicon.YEAR else 0.0
    if nxt in _NOT_POSSESSIVE_NEXT or not nxt.isalpha():
        return 0.0
    if prev in _PREPOSITIONS:
        return BONUS
    # after an infinitive (att/ska ... förbättra) that is not an auxiliary (kunna vara)
    prev2 = context[i - 2] if i > 1 else lexicon.BOS
    if prev2 in _INFINITIVE_MARKERS and prev.endswith("a") and prev not in _AUX_INFINITIVES:
        return BONUS
    return 0.0


def _surface(slot: _Slot, o: Option, lines: list[str], seq_prev_is_bos: bool) -> str:
    if slot.surface in ("|", "1") and o.word == "i":
        return "I" if seq_prev_is_bos or not lines[slot.line][: slot.start].strip() else "i"
    new = _apply_case(slot.surface, o.word)
    if o.reason.startswith("I→l") and not seq_prev_is_bos:
        new = new.lower()
    # A lower-case ö is often read as a capital O or G; inside a sentence it stays small.
    if (
        slot.surface[0] in "OG"
        and slot.surface[1:2].islower()
        and new[0] == "Ö"
        and not seq_prev_is_bos
        and o.word not in names()
        and re.search(r"[a-zåäö,]\s*$", lines[slot.line][: slot.start] or "")
        and (slot.surface[0] == "G" or get_lexicon().freq(o.word) >= 1e-5)
    ):
        new = "ö" + new[1:]
    return new


def repair_with_log(lines: list[str]) -> tuple[list[str], list[Change]]:
    """Repair OCR-damaged lines; return the lines (same count) and the changes made.

    A damaged text is decoded twice: the first decoding re-estimates the substitution
    costs from the document's own tokens and gives the context for syntactic cues.
    """
    lines = list(lines)
    if not lines:
        return [], []
    if not is_damaged(lines):
        return _repair_clean(lines)
    seq = _slots(lines, False)
    chosen = _decode(seq, _costs(seq, None))
    context = [
        lexicon.BOS if slot is None else slot.opts[k].word
        for slot, k in zip(seq, chosen, strict=True)
    ]
    chosen = _decode(seq, _costs(seq, _channel_table(seq, chosen), context))
    return _apply(lines, seq, chosen)


def _repair_clean(lines: list[str]) -> tuple[list[str], list[Change]]:
    """A text that keeps its å/ä/ö: only lines with OCR glyphs (& 6 @ |) are looked at,
    each on its own and with the high substitution costs of a clean text."""
    seq: list[_Slot | None] = []
    for n, line in enumerate(lines):
        if _CLEAN_GLYPHS.search(line):
            for slot in _slots([line], True):
                if slot is not None:
                    slot.line = n
                seq.append(slot)
    if all(slot is None or len(slot.opts) == 1 for slot in seq):
        return lines, []
    return _apply(lines, seq, _decode(seq, _costs(seq, None)))


def _apply(
    lines: list[str], seq: list[_Slot | None], chosen: list[int]
) -> tuple[list[str], list[Change]]:
    """The lines with the chosen readings put in, and the change log."""
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
        {
            "doc_id": [doc_id] * len(changes),
            "line": [c.line for c in changes],
            "before": [c.before for c in changes],
            "after": [c.after for c in changes],
            "reason": [c.reason for c in changes],
        },
        columns=list(CHANGE_COLUMNS),
    ).astype(
        {
            "doc_id": "string",
            "line": "int64",
            "before": "string",
            "after": "string",
            "reason": "string",
        }
    )


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
        print(
            f"warning: {path}: not UTF-8, decoded as cp1252 (Windows Latin-1); "
            "check å, ä and ö in the output.",
            file=sys.stderr,
        )
    from lib.sources.corpus import split_lines

    return split_lines(text.replace("\r\n", "\n").replace("\r", "\n"))
