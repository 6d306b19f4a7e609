"""The rule-based reading of a candidate figure: unit, value type, basis, period,
geography and sign, from the quantities layer, the manifest (the report's period
and district), the words of its sentence and the areas the curation uses; and the texts
(:func:`annotate`: ``near``, ``noun``, ``subject``, ``wide``) that :mod:`lib.curation.learning`
compares with the curated figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pandas as pd

from lib.curation.proposal_inputs import Tables
from lib.curation.wording import FUNCTION_WORDS, MONEY, UNIT_NAMES, WORD, fold, word_list
from lib.errors import DataError
from lib.text.numbers import MONTHS


@dataclass
class DocInfo:
    """What the manifest says about a document: its reporting period and district."""

    doc_id: str
    year: int
    period: str  # the report period: "2022" or "2024-01/2024-08"
    full_year: bool
    district: str | None
    title: str
    city: str = ""  # the city of the corpus (lib.sources.corpus vocabulary)

    @property
    def area(self) -> str:
        """The report's own area: its district, else the city."""
        return self.district or self.city


def doc_info(tables: Tables, doc_id: str) -> DocInfo:
    d = tables.documents
    rows = d[d.doc_id == doc_id]
    if rows.empty:
        known = ", ".join(sorted(set(d.doc_id)))
        raise DataError(
            f"doc_id {doc_id!r} is not in data/processed/documents; choose one of "
            f"{known}, or register the report and run `make data` first."
        )
    r = rows.iloc[0]
    start, end = pd.Timestamp(r.period_start), pd.Timestamp(r.period_end)
    full = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year
    period = str(end.year) if full else f"{start:%Y-%m}/{end:%Y-%m}"
    city = tables.corpus.vocabulary.city
    return DocInfo(doc_id, int(r.year), period, full, r.district, r.doc_title, city)


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


_CHANGE_LABEL = re.compile(r"(utveckling|forandring|okning|minskning|diff)")
# a change verb before the figure (``har ökat med 6 procent``, ``minskade 9 %``)
_CHANGE_VERB = re.compile(
    r"\b(okat|okade|oka|okar|minskat|minskade|minska|minskar|steg|sjonk|stigit|sjunkit|"
    r"forandrats|okning(?:en)?|minskning(?:en)?)\b(?:\s+\w+){0,3}\s+"
    r"(?:med|pa)?\s*(?:ca|cirka|drygt|knappt|nastan|ungefar)?\s*$"
)
# a change noun, also as the tail of a compound (``en volymminskning om 8 procent``,
# ``kostnadsökningen på``), with its preposition
_CHANGE_NOUN = re.compile(
    r"(?:okning|minskning|uppgang|nedgang|forandring|forbattring|forsamring)(?:en)?\b"
    r"(?:\s+\w+){0,2}?\s+(?:med|pa|om)\s*(?:ca|cirka|drygt|knappt|nastan|ungefar)?\s*$"
)
# a comparison after the figure (``6 procent färre än året innan``, ``63 fler än 2022``):
# fler/färre/mer/mindre always compare; högre/lägre only with a period (``lägre än
# budget`` is a deviation)
_COMPARED_AFTER = re.compile(
    r"^\s*(?:procent(?:enheter)?\s+|%\s*|[a-z]+\s+)?"
    r"(?:(?P<count>fler|farre|mer|mindre)|(?P<level>hogre|lagre))\s+an\b"
    r"\s*(?P<what>[\w ]{0,24})"
)
_PERIOD_WORDS = re.compile(
    r"^(?:aret|foregaende|forra|fjolaret|i fjol|samma|motsvarande|(?:ar\s+)?\d{4})"
)
_DOWN_AFTER = ("farre", "mindre", "lagre")
# a value that stayed (``andelen … oförändrad på 34 % jämfört med …``): a level, whatever
# period it is compared with
_UNCHANGED_AT = re.compile(
    r"\boforandra(?:d|t|de)\s+(?:pa|vid)\s*(?:ca|cirka|drygt|knappt|nastan|ungefar)?\s*$"
)


def compared_after(after: str) -> re.Match | None:
    """The comparison written after a figure (``färre än året innan``), or None."""
    m = _COMPARED_AFTER.match(fold(after or ""))
    if m and (m.group("count") or _PERIOD_WORDS.match(m.group("what").strip())):
        return m
    return None


def _direction_after(m: re.Match) -> str:
    return m.group("count") or m.group("level")


def value_type_of(r: dict) -> str:
    """level, share or a kind of change, from the unit and the words that name the figure:
    a change verb or noun before it (``ökat med``, ``en volymminskning om``), a change
    label, or a comparison after it (``6 procent färre än året innan``, ``63 fler än``);
    a value said to be unchanged (``oförändrad på 34 %``) is a level or share."""
    unit = r["unit"]
    if unit == "procentenheter":
        return "change_pp"
    before = fold(r.get("before") or "")
    change = bool(r["change"]) or bool(r["base_period"])
    unchanged = _UNCHANGED_AT.search(before) is not None
    if unchanged or (not change and re.search(r"\bfran\s*$", before)):
        change = False
    elif not change:
        change = (
            bool(_CHANGE_LABEL.search(fold(r.get("label") or "")))
            or bool(_CHANGE_VERB.search(before))
            or bool(_CHANGE_NOUN.search(before))
            or compared_after(r.get("after") or "") is not None
        )
    if unit == "procent":
        return "change_pct" if change else "share"
    return "change_abs" if change else "level"


# words that make a figure a forecast (folded): ``prognos``, ``bedömer``, ``bedöms``,
# ``beräknas``, ``förväntas``, ``väntas``
FORECAST = re.compile(
    r"prognos|\bbedom(?:s|er|t|ning\w*)?\b|\bberaknas|\bberaknad|\bforvantas|\bvantas\b"
)


def later_basis(r: dict, info: DocInfo) -> str | None:
    """The basis of a figure about a period after the report's year: a forecast when the
    words say so (``bedömer … ökar med cirka 3 procent under 2024``), else a budget;
    None for a figure of the report's period or with a basis of its own (a table column)."""
    period = _norm_period(r["period"])
    if not period or r["basis"] or _year_of(period) <= info.year:
        return None
    said = fold(f"{r['column'] or ''} {r['sentence_before'] or r['before']}")
    return "prognos" if FORECAST.search(said) else "budget"


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
    if FORECAST.search(t):
        return "prognos"
    if re.search(r"budget", t) and not re.search(
        r"\b(?:mot|overskrid\w*|avvik\w*|underskott|overskott|jamfort med)\s+budget", t
    ):
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
    compared = compared_after(r.get("after") or "") if value_type.startswith("change") else None
    than = re.match(r"(?:ar\s+)?(\d{4})\b", compared.group("what").strip()) if compared else None
    if than and not base:  # ``63 fler än 2022``
        base = than.group(1)
        p = p if p and p != base else str(info.year)
    label = fold(r.get("label") or "")
    if label in MONTHS and not p or (p and len(p) == 4 and label in MONTHS):
        month = MONTHS.index(label) + 1
        year = p or str(info.year)
        return f"{year}-{month:02d}/{year}-{month:02d}"
    m = re.search(r"i slutet av (?:ar )?(\d{4})\D*$", before)
    if m and value_type == "level":
        return f"{m.group(1)}-12-31"
    if value_type.startswith("change"):
        if basis == "prognos" and not info.full_year and not (p and base and "/" not in p):
            return f"{info.year - 1}/{info.year}"
        if p and base:
            if "/" in p:  # a change between two intervals: the later interval
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
    if (
        re.search(r"\b(?:fran|jamfort med|jmf med|mot)\s*(?:ca|cirka)?\s*$", before)
        and not r.get("label")
        and (not p or _year_of(p) == info.year)
    ):
        return _prior(current)
    return current


_UNIT_WORDS: dict[str, str] = {}


def unit_words() -> dict[str, str]:
    """Inflected forms of the catalog's count units (ärende -> ärenden) and their unit."""
    from lib.curation import catalog

    if not _UNIT_WORDS:
        forms = {
            "ärenden": ["ärende", "ärenden", "ärendena"],
            "personer": [
                "person",
                "personer",
                "individ",
                "individer",
                "klient",
                "klienter",
                "deltagare",
                "besökare",
                "medarbetare",
                "anställda",
                "socialsekreterare",
                "handläggare",
                "samordnare",
            ],
            "hushåll": ["hushåll", "hushållen"],
            "beslut": ["beslut", "besluten"],
            "förfrågningar": ["förfrågan", "förfrågningar"],
            "dygn": ["dygn", "dygnen"],
            "placeringar": ["placering", "placeringar"],
            "platser": ["plats", "platser"],
            "lägenheter": ["lägenhet", "lägenheter"],
            "besök": ["besök", "besöken"],
            "samtal": ["samtal", "samtalen"],
            "anmälningar": ["anmälan", "anmälningar"],
            "utredningar": ["utredning", "utredningar"],
            "barn": ["barn", "barnen"],
            "kvinnor": ["kvinna", "kvinnor"],
            "män": ["man", "män"],
            "månader": ["månad", "månader"],
            "årsarbetare": ["årsarbetare"],
        }
        for unit, words in forms.items():
            if unit in catalog.UNITS:
                for w in words:
                    _UNIT_WORDS[fold(w)] = unit
    return _UNIT_WORDS


def unit_from_words(text: str) -> str | None:
    """The count unit a label names: ``Antal hushåll med …`` -> hushåll,
    ``Antal boendedygn`` -> dygn (compounds end in the unit)."""
    words = unit_words()
    for token in re.findall(rf"{WORD}+", fold(text))[:6]:
        if token in ("antal", "andel"):
            continue
        if token.endswith("na") and token[:-2] in words:
            token = token[:-2]  # the definite plural (``förfrågningarna``)
        for form in sorted(words, key=len, reverse=True):
            if token == form or (
                len(token) > len(form) + 3 and token.endswith(form) and form not in ("man", "barn")
            ):
                return words[form]
    return None


# words after a figure that end its counted noun: what follows is a denominator
# (``318 per månad``, ``12 varje vecka``)
_RATE_WORDS = frozenset({"per", "varje"})
_NOUN_REACH = 10  # words before a figure searched for its counted noun


_PER_POPULATION = re.compile(r"per\s+100\s*000\s+invanare")


def unit_of(r: dict, learned: dict[str, str]) -> str:
    """A unit of the catalog vocabulary for a candidate (before its indicator is known)."""
    from lib.curation import catalog

    unit = r["unit"]
    if unit in MONEY and fold(r["label"] or "").startswith("antal"):
        # an ``Antal …`` row counts whatever a money word elsewhere says
        return unit_from_words(r["label"]) or "antal"
    written = fold(
        f"{r['label'] or ''} {r['caption'] or ''} {(r.get('after') or '')[:30]} "
        f"{(r.get('sentence_before') or '')[-60:]}"
    )
    if _PER_POPULATION.search(written):
        return "per 100 000 invånare"
    if (
        unit == "procent"
        and r["source"] != "fraction"
        and not re.search(r"%|procent", fold(str(r["raw"] or "")))
    ):
        # ``ökade med åtta procent (299)``: the count in brackets took the percent's unit
        unit = "antal"
    if unit in catalog.UNITS and unit != "antal":
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
    for token in re.findall(rf"{WORD}+", r.get("after") or "")[:3]:
        t = fold(token)
        if t in _RATE_WORDS:
            break  # ``318 per månad``: a rate or average, not a count of months
        if t in learned:
            return learned[t]
        if t in unit_words():
            return unit_words()[t]
    # else the nearest count noun before it (``förfrågningar, från 317 stycken``)
    words_before = r.get("sentence_before") or r.get("before") or ""
    for token in reversed(re.findall(rf"{WORD}+", words_before)[-_NOUN_REACH:]):
        t = fold(token)
        if t in UNIT_NAMES:
            continue  # the unit of an earlier figure (``åtta procent (299)``)
        if t in learned:
            return learned[t]
        named = unit_from_words(token)
        if named:
            return named
    return "antal"


def geography_of(texts: list[str], info: DocInfo, known: list[str]) -> str:
    """The area or service a figure is about: a known geography named nearby (the row
    label first, then the words before the figure, the paragraph's lead, the heading;
    nearest first), else the document's district (the city for city-wide reports).

    A name after ``exkl``/``utom`` excludes that area; the first part of a one-word
    compound name counts as the name (``Försörjningsstöd etablering`` names
    Etableringsenheten)."""
    return named_geography(texts, known, info.city) or info.area


def named_geography(texts: list[str], known: list[str], city: str = "") -> str | None:
    """The area or service named nearest (see :func:`geography_of`), None if none is; a
    text naming the city and an area or service within it is about the latter
    (``Kompetenscentrum … erbjuder stöd till medarbetare i Göteborgs Stad och sju
    avtalskommuner``)."""
    for text in texts:
        hits = _geography_hits(fold(text or ""), tuple(known)) if text else []
        within = [h for h in hits if h[1] != city]
        if within:
            return within[-1][1]
        if hits:
            return hits[-1][1]
    return None


_EXCLUDING = re.compile(r"(?:exkl|exklusive|utom|forutom|utan)\.?\s*$")


def areas_named(lines: list[str], known: list[str]) -> dict[str, list[int]]:
    """Each known area or service a report's text names, and the lines (1-based) where
    (a name broken over two lines counts on its first)."""
    found: dict[str, list[int]] = {}
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        own = fold(line)
        text = f"{own} {fold(lines[i]) if i < len(lines) else ''}"
        for at, name in _geography_hits(text, tuple(known)):
            if at < len(own):
                found.setdefault(name, []).append(i)
    return found


def _geography_hits(text: str, known: tuple[str, ...]) -> list[tuple[int, str]]:
    pattern, names = _geography_re(known)
    hits = [(m.start(), names[str(m.lastgroup)]) for m in pattern.finditer(text)]
    singles = {fold(g): g for g in names.values() if " " not in g}
    for m in re.finditer(r"[a-z]{8,}", text):
        w = m.group()
        name = next((f for f in singles if f.startswith(w) and len(f) - len(w) >= 3), None)
        if name and not any(a == m.start() for a, _ in hits):
            hits.append((m.start(), singles[name]))
    return sorted(
        (a, g) for a, g in hits if not _EXCLUDING.search(text[max(0, a - 12) : a].rstrip("( "))
    )


@cache
def _geography_re(known: tuple[str, ...]) -> tuple[re.Pattern, dict[str, str]]:
    """One pattern of every known name, as written or (names of several words) with a
    preposition between its words and the last word inflected (``Kompetenscentrum för
    våld i nära relationer`` names ``Kompetenscentrum våld i nära relation``); the match's
    group is the name's index."""
    names = {fold(g): g for g in reversed(known)}
    ordered = sorted(names, key=len, reverse=True)
    alts = "|".join(f"(?P<g{k}>{_name_pattern(f)})" for k, f in enumerate(ordered))
    return re.compile(rf"(?<![a-z])(?:{alts})"), {f"g{k}": names[f] for k, f in enumerate(ordered)}


_BETWEEN_NAME_WORDS = r"(?:\s+(?:for|av|mot|om|vid|till))?\s+"


def _name_pattern(name: str) -> str:
    words = name.split()
    if len(words) == 1:
        return re.escape(name)
    return _BETWEEN_NAME_WORDS.join(re.escape(w) for w in words) + r"(?:er|erna|en|ens|s)?(?![a-z])"


def signed(value: float, value_type: str, before: str, after: str) -> float:
    """A change written as a word is negative: before the figure (``minskat med 9 %``, ``en
    volymminskning om 8 procent``) or after it (``6 procent färre än året innan``); a
    comparison after the figure decides over a word before it."""
    if value < 0:
        return value
    if _NEGATIVE_LEVEL.search(fold(before[-60:])):
        return -value  # ``ett underskott med minus 2 miljoner kronor``
    if not value_type.startswith("change"):
        return value
    m = compared_after(after)
    if m:
        return -value if _direction_after(m) in _DOWN_AFTER else value
    words = list(_DIRECTION_WORDS.finditer(before[-80:]))
    if words and words[-1].group("down"):  # the last change word before the figure
        return -value
    return value


# ``minus`` right before a figure, or a deficit (``underskott på 4 mnkr``): a negative value
_NEGATIVE_LEVEL = re.compile(
    r"\bminus\s*$|\bunderskott(?:et)?\s+(?:\w+\s+){0,3}?(?:pa|med|om)"
    r"(?:\s+(?:ca|cirka|drygt|knappt|nastan|ungefar|mindre an|mer an))?(?:\s+(?:en|ett))?\s*$"
)
_DIRECTION_WORDS = re.compile(
    r"(?P<down>minsk|sänk|lägre|färre|minus|tapp|underskott|nedgång|lagre|farre|nedgang)"
    r"|(?:ök|steg|stig|högre|fler)",
    re.IGNORECASE,
)


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
    words = [w for w in re.findall(rf"{WORD}[\w-]*", text) if fold(w) not in FUNCTION_WORDS]
    return " ".join(words)


# ``exkl. Etableringsenheten``: an area left out is not what the figure is about
_EXCLUDED = re.compile(rf"\b(?:exkl|exklusive|utom|förutom)\.?\s+{WORD}[\w-]*", re.IGNORECASE)


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
    return " ".join(
        w
        for w in word_list(r["noun_after"])
        if fold(w) not in FUNCTION_WORDS and fold(w) not in UNIT_NAMES
    )


def _wide_text(r: dict) -> str:
    """The setting: heading, lead, the sentence before (prose) and the figure's sentence."""
    prev = "" if r["label"] else r["prev_sentence"]
    return f"{r['heading']} {r['lead']} {r['column'] or ''} {prev} {r['passage_text'][:400]}"


def annotate(
    frame: pd.DataFrame, info: DocInfo, learned_units: dict[str, str], geographies: list[str]
) -> pd.DataFrame:
    """Add the rule-based reading of each candidate: unit, value type, basis, period, …"""
    out: list[dict] = []
    prev: dict = {}  # the row read before this one (none yet)
    for r in frame.to_dict("records"):
        unit = unit_of(r, learned_units)
        vt = value_type_of({**r, "unit": unit})
        follows = (
            bool(prev)
            and prev["line"] == r["line"]
            and prev["p_unit"] == unit
            and (
                r["clause_role"] in ("pair", "ellipsis")
                or re.search(r"\b(respektive|och|samt)\s+(\w+\s+)?$", r["before"] + " ")
            )
        )
        if follows and prev["p_value_type"].startswith("change") and not vt.startswith("change"):
            vt = prev["p_value_type"]  # ``ökat med 18,6 procent respektive 15 procent``
        later = later_basis(r, info)
        if later:
            r = {**r, "basis": later}
        # the words before the figure in its sentence (a table row: its column and label)
        words = r["before"] if r["label"] else r["sentence_before"] or r["before"]
        basis = basis_of(r, f"{r['column'] or ''} {words} {r['label'] or ''}")
        if follows and r["clause_role"] and not r["basis"] and basis == "utfall":
            basis = prev["p_basis"]  # ``bedöms … minska med 5,6 procent och volymen 5,7``
        near = _near_text(r)
        named = named_geography(
            [
                r["row_text"] or r["label"],
                r["before"] if r["label"] else r["sentence_before"] or r["before"],
                r["caption"],
                r["line_before"],
                r["lead"],
                r["heading"],
            ],
            geographies,
            info.city,
        )
        out.append(
            {
                "line": r["line"],
                "p_unit": unit,
                "p_value_type": vt,
                "p_basis": basis,
                "p_period": period_of(r, info, vt, basis),
                "p_value": signed(
                    float(r["value"]), vt, r["sentence_before"] or r["before"], r["after"]
                ),
                "p_qualifier": r["qualifier_read"],
                "p_geography": named or info.area,
                "p_geography_named": named is not None,
                "near": fold(f"{near} u_{unit} v_{vt}"),
                "subject": fold(_subject_text(r)),
                "noun": fold(_noun_text(r)),
                "wide": fold(_wide_text(r)),
            }
        )
        prev = out[-1]
    extra = pd.DataFrame(out).drop(columns="line")
    return pd.concat([frame.reset_index(drop=True), extra], axis=1)
