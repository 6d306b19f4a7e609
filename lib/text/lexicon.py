"""Swedish lexicon and word n-gram model for the OCR repair (:mod:`lib.text.ocr`).

The lexicon joins wordfreq's Swedish 'large' list (about 340 000 words) with
word counts from the clean reports in data/raw; the bigram counts come from the
clean reports only. Everything is built lazily and cached per set of excluded
line ranges, so the benchmark can leave the clean twin of a damaged report out.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

# Characters that may hide å/ä (@) or ö (#) in OCR text are matched through this key.
KEY_TABLE = str.maketrans({"a": "@", "å": "@", "ä": "@", "o": "#", "ö": "#"})

# Word tokens for the n-gram model: letters (any script), digits, & and |.
TOKEN_RE = re.compile(r"[^\W_]+|[&|]+")
SENTENCE_END_RE = re.compile(r"[.!?:;\t]|\s[–—-]\s")
# Letter sequences no Swedish word has (wordfreq's tail holds a few such tokens).
_IMPLAUSIBLE = re.compile(r"(.)\1\1|åå|ää|öö")
BOS = "<s>"
NUM = "<num>"
YEAR = "<year>"
_YEAR_RE = re.compile(r"(?:19|20)\d\d")

# Minimal frequency for a word to act as a compound part (wordfreq's tail is noisy).
MIN_PART_FREQ = 3e-7
UNK_LOGP = math.log(1e-9)


def word_key(word: str) -> str:
    """The lookup key of a lower-case word: a/å/ä become @, o/ö become #."""
    return word.translate(KEY_TABLE)


def lm_token(token: str) -> str:
    """The n-gram model's token for a surface token: lower case, years as <year>, numbers <num>."""
    if token.isdigit():
        return YEAR if _YEAR_RE.fullmatch(token) else NUM
    return token.lower()


def stream(lines: list[str]) -> list[str]:
    """Model tokens of lines, with <s> at sentence ends and empty lines."""
    out = [BOS]
    for line in lines:
        if not line.strip():
            if out[-1] != BOS:
                out.append(BOS)
            continue
        pos = 0
        for m in TOKEN_RE.finditer(line):
            if SENTENCE_END_RE.search(line, pos, m.start()) and out[-1] != BOS:
                out.append(BOS)
            out.append(lm_token(m.group()))
            pos = m.end()
        if SENTENCE_END_RE.search(line, pos) and out[-1] != BOS:
            out.append(BOS)
    return out


@dataclass
class Lexicon:
    """Unigram frequencies, a key index for candidate lookup and bigram counts."""

    wordfreq: dict[str, float]
    unigrams: Counter
    bigrams: Counter
    total: int
    index: dict[str, list[str]] = field(default_factory=dict)
    types: Counter = field(default_factory=Counter)
    sorted_words: list[str] = field(default_factory=list)
    # log P(the number is "1" | a number), for reading the glyph 1 as a number
    one_logp: float = math.log(0.05)
    # all-caps words with å/ä/ö of the clean reports (LÖSA, ÖFS), by the key of their lower case
    caps: dict[str, str] = field(default_factory=dict)
    _logp_cache: dict[tuple[str, str], float] = field(default_factory=dict)
    names_added: bool = False  # the proper names of lib/data/ocr_names.tsv are in wordfreq

    def __post_init__(self) -> None:
        index: dict[str, list[str]] = {}
        words = sorted(set(self.wordfreq) | set(self.unigrams))
        for w in words:
            if w.isalpha() and not _IMPLAUSIBLE.search(w):
                index.setdefault(word_key(w), []).append(w)
        self.index = index
        self.sorted_words = words
        self.types = Counter(prev for prev, _ in self.bigrams)

    def freq(self, word: str) -> float:
        """Unigram probability: wordfreq and the clean reports, half each."""
        return 0.5 * self.wordfreq.get(word, 0.0) + 0.5 * self.unigrams.get(word, 0) / self.total

    def prefix_count(self, prefix: str) -> int:
        """How many words of the lexicon begin with ``prefix`` (a compound part's productivity)."""
        lo = bisect.bisect_left(self.sorted_words, prefix)
        return bisect.bisect_left(self.sorted_words, prefix + "\U0010ffff", lo) - lo

    def known(self, word: str) -> bool:
        """True if the lower-case word is in wordfreq or the clean reports."""
        return word in self.wordfreq or word in self.unigrams

    def logp_uni(self, word: str) -> float:
        """Natural log of the unigram probability, floored for unknown words."""
        f = self.freq(word)
        return math.log(f) if f > 1e-9 else UNK_LOGP

    def logp(self, prev: str, word: str, uni: float | None = None) -> float:
        """log P(word | prev): bigram counts interpolated with the unigram (Witten-Bell)."""
        if uni is None:
            key = (prev, word)
            cached = self._logp_cache.get(key)
            if cached is not None:
                return cached
        p_uni = math.exp(uni) if uni is not None else self._p_uni_tok(word)
        c_prev = self.unigrams.get(prev, 0)
        t_prev = self.types.get(prev, 0)
        if c_prev == 0:
            value = math.log(p_uni)
        else:
            value = math.log(
                (self.bigrams.get((prev, word), 0) + t_prev * p_uni) / (c_prev + t_prev)
            )
        if uni is None:
            self._logp_cache[(prev, word)] = value
        return value

    def _p_uni_tok(self, word: str) -> float:
        if word in (BOS, NUM, YEAR):
            return self.unigrams.get(word, 1) / self.total
        return max(self.freq(word), 1e-9)


def clean_lines(exclude: tuple[tuple[str, int, int], ...] = ()) -> list[list[str]]:
    """Lines of the clean reports in data/raw, without the excluded (doc_id, first, last) ranges."""
    from lib.sources import corpus

    c = corpus.load()
    docs = []
    for d in c.documents:
        if d.text_quality != "clean":
            continue
        lines = list(c.raw_lines(d.doc_id))
        for doc_id, first, last in exclude:
            if doc_id == d.doc_id:
                for i in range(first - 1, min(last, len(lines))):
                    lines[i] = ""
        docs.append(lines)
    return docs


@lru_cache(maxsize=4)
def model_key(exclude: tuple[tuple[str, int, int], ...] = ()) -> str:
    """Checksum of what the lexicon is built from: the clean lines, wordfreq and this code."""
    from lib.core import cache, fingerprint

    return cache.key(
        "lexicon", fingerprint.digest(clean_lines(exclude)), modules=("lib.text.lexicon",)
    )


@lru_cache(maxsize=4)
def load(exclude: tuple[tuple[str, int, int], ...] = ()) -> Lexicon:
    """The lexicon; ``exclude`` leaves line ranges of clean reports out of the counts.

    Built once per process, and kept in the cache of derived artefacts (:mod:`lib.core.cache`).
    """
    from lib.core import cache

    return cache.memo("lexicon", model_key(exclude), lambda: _build(clean_lines(exclude)), keep=4)


def _build(docs: list[list[str]]) -> Lexicon:
    import wordfreq

    uni: Counter = Counter()
    bi: Counter = Counter()
    ones = 0
    caps: dict[str, str] = {}
    for lines in docs:
        toks = stream(lines)
        uni.update(toks)
        bi.update(zip(toks, toks[1:], strict=False))
        for line in lines:
            for m in TOKEN_RE.finditer(line):
                tok = m.group()
                ones += tok == "1"
                if sum(c.isupper() for c in tok) >= 2 and any(c in "ÅÄÖ" for c in tok):
                    caps.setdefault(word_key(tok.lower()), tok)
    wf = wordfreq.get_frequency_dict("sv", wordlist="large")
    one_logp = math.log(max(ones, 1) / max(uni[NUM], 1))
    return Lexicon(
        wordfreq=wf,
        unigrams=uni,
        bigrams=bi,
        total=max(sum(uni.values()), 1),
        one_logp=one_logp,
        caps=dict(sorted(caps.items())),
    )
