"""Theme indicators: the catalog, the curated observations, their validation and consistency.

Sources (reviewable data files):

* ``data/curated/indicators/<theme>.yml`` — the indicator catalog of a theme (id, Swedish
  label, definition, unit, value type, comparability note, and ``themes`` when the
  indicator belongs to more themes than its file's);
* ``data/curated/observations_<theme>.yml`` — every theme figure of the reports, read
  by hand: value, unit, period, geography, basis, and where it stands (doc_id, raw line,
  the raw text holding the number, the qualifier of an approximation or bound; for the 2024
  city-wide report also the OCR twin's line).

:func:`observations` turns them into one tidy table whose every row is validated: the
raw text stands at its line, the value can be read back from it, unit and value type
agree with the catalog, the qualifier (≈ < > ≤ ≥) is the one the text gives the number,
and there is one value per (indicator, period, geography, basis)
and source part unless a row is marked as a restatement. The quote is taken from the
analysed (repaired, for OCR'd sources) text at that line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from lib import paths
from lib.core.schemas import Column, ForeignKey, Schema
from lib.errors import DataError
from lib.sources import corpus
from lib.text import repaired
from lib.text.themes import theme_ids

VALUE_TYPES = ("level", "share", "change_pct", "change_pp", "change_abs")
BASES = ("utfall", "prognos", "budget", "mal")
UNITS = (
    "procent", "procentenheter", "kr", "tkr", "mnkr", "personer", "hushåll", "ärenden",
    "beslut", "förfrågningar", "placeringar", "dygn", "platser", "lägenheter", "besök",
    "samtal", "anmälningar", "utredningar", "månader", "årsarbetare", "barn", "kvinnor",
    "män", "antal", "per 100 000 invånare",
)
_PERIOD_RE = re.compile(
    r"^(\d{4}|\d{4}/\d{4}|\d{4}-\d{2}/\d{4}-\d{2}|\d{4}-\d{2}-\d{2})$"
)
QUALIFIERS = ("≈", "<", ">", "≤", "≥")
CATALOG_DIR = paths.CATALOG_DIR
CURATED_DIR = paths.CURATED_DIR


@dataclass(frozen=True)
class Indicator:
    """One entry of the indicator catalog."""

    id: str
    theme: str
    label: str
    definition: str
    unit: str
    value_type: str
    comparability: str | None = None
    themes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.themes:
            object.__setattr__(self, "themes", (self.theme,))


def _load_yaml(path: Path) -> dict:
    from lib.core.yamlio import load_yaml

    if not path.is_file():
        raise DataError(f"{path}: not found; every theme needs this file.")
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise DataError(f"{path}: expected a mapping with 'theme' at the top.")
    return data


def _themes_of(row: dict, theme: str, where: str) -> tuple[str, ...]:
    """The themes of a catalog entry: its file's theme first, then those it lists."""
    listed = row.get("themes") or []
    if not isinstance(listed, list):
        raise DataError(f"{where}: themes must be a list of theme ids, e.g. [{theme}].")
    unknown = [t for t in listed if t not in theme_ids()]
    if unknown:
        raise DataError(f"{where}: unknown theme(s) {', '.join(map(str, unknown))}; use "
                        f"{', '.join(theme_ids())} (lib/data/themes.yml).")
    return tuple(dict.fromkeys([theme, *listed]))


def load_catalog(catalog_dir: Path = CATALOG_DIR) -> dict[str, Indicator]:
    """All indicators of all themes, keyed by id; validated."""
    out: dict[str, Indicator] = {}
    for theme in theme_ids():
        path = catalog_dir / f"{theme}.yml"
        data = _load_yaml(path)
        for i, row in enumerate(data.get("indicators") or [], start=1):
            where = f"{path.name} indicator {i} ({row.get('id', '?')})"
            for key in ("id", "label", "definition", "unit", "value_type"):
                if not row.get(key):
                    raise DataError(f"{where}: missing {key}; fill it in.")
            if row["unit"] not in UNITS:
                raise DataError(f"{where}: unit {row['unit']!r} is not in the unit vocabulary "
                                f"(lib/curation/indicators.py UNITS).")
            if row["value_type"] not in VALUE_TYPES:
                raise DataError(f"{where}: value_type {row['value_type']!r}; use one of "
                                f"{', '.join(VALUE_TYPES)}.")
            if row["id"] in out:
                raise DataError(f"{where}: indicator id {row['id']!r} is defined twice.")
            out[row["id"]] = Indicator(
                id=row["id"], theme=theme, label=row["label"], definition=row["definition"],
                unit=row["unit"], value_type=row["value_type"],
                comparability=row.get("comparability"),
                themes=_themes_of(row, theme, where),
            )
    return out


def catalog_frame(catalog: dict[str, Indicator] | None = None) -> pd.DataFrame:
    """The catalog as a table (one row per indicator)."""
    catalog = catalog if catalog is not None else load_catalog()
    rows = [{**vars(i), "themes": ";".join(i.themes)}
            for i in sorted(catalog.values(), key=lambda i: i.id)]
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- reading values back


def number_forms(value: float) -> set[str]:
    """Ways a value can be written in the reports: `23 315`, `23315`, `18,6`, `-2,5`."""
    forms = set()
    magnitude = abs(value)
    if float(magnitude).is_integer():
        n = int(magnitude)
        forms |= {str(n), f"{n:,}".replace(",", " "), f"{n:,}".replace(",", "\u00a0"),
                  f"{n:,}".replace(",", "\u202f")}
        forms |= {f"{n},0", f"{n},00"}
    else:
        s = repr(magnitude)
        whole, frac = s.split(".")
        grouped = f"{int(whole):,}".replace(",", " ")
        for w in {whole, grouped}:
            forms.add(f"{w},{frac}")
            forms.add(f"{w}.{frac}")
            forms.add(f"{w},{frac}0")
    return forms


_WS = re.compile(r"[\s\u00a0\u202f]+")


# Number words the quantities vocabulary does not list because they are also articles
# ("en", "ett") or fractions; accepted when reading a curated value back.
_EXTRA_WORDS = {"en": 1.0, "ett": 1.0, "halv": 0.5, "halva": 0.5}


@cache
def _number_words() -> dict[str, float]:
    from lib.text import numbers

    words = {w: float(v) for w, v in numbers.vocab().number_words.items()}
    return {**words, **_EXTRA_WORDS}


def _form_spans(form: str, flat: str) -> list[tuple[int, int]]:
    """Where a written number stands in ``flat``, not inside a longer number: the matches of
    ``(?<![\\d,.])FORM(?![\\d]|,\\d)``, found without compiling a pattern per number."""
    spans, n = [], len(form)
    i = flat.find(form) if n else -1
    while i >= 0:
        end = i + n
        before, after = flat[i - 1:i], flat[end:end + 2]
        if (before.isdecimal() or before in (",", ".") or after[:1].isdecimal()
                or (after[:1] == "," and after[1:2].isdecimal())):
            i = flat.find(form, i + 1)
        else:
            spans.append((i, end))
            i = flat.find(form, end)
    return spans


def _value_spans(value: float, flat: str) -> list[tuple[int, int]]:
    """Where the value stands in whitespace-collapsed text: digit forms and number words."""
    spans = {span for form in number_forms(value)
             for span in _form_spans(_WS.sub(" ", form), flat)}
    if abs(value) in _number_word_values():  # else no word can stand for it
        spans |= {m.span() for m in re.finditer(r"[^\W\d_]+", flat)
                  if _number_words().get(m.group().lower()) == abs(value)}
    return sorted(spans)


@cache
def _number_word_values() -> frozenset[float]:
    return frozenset(_number_words().values())


def value_in_text(value: float, raw: str) -> bool:
    """True if the value stands in ``raw`` as the reports write it: digits or a number word."""
    return bool(_value_spans(value, _WS.sub(" ", raw)))


def qualifiers_in_text(value: float, text: str, before: str = "") -> set[str | None]:
    """The qualifiers (≈ < > ≤ ≥, None for exact) the text gives each occurrence of the value.

    ``before`` is the text preceding ``text`` (the start of the line, the line above), read
    for a qualifier word that stands just before the number (``cirka`` / ``15 000``).
    """
    from lib.text.numbers import qualifier_before

    head = _WS.sub(" ", before).strip()
    head = f"{head} " if head else ""
    flat = _WS.sub(" ", text)
    return {qualifier_before(head + flat[:start]) for start, _ in _value_spans(value, flat)}


# ---------------------------------------------------------------- observations


OBS_COLUMNS = (
    "theme", "themes", "indicator", "label", "qualifier", "value", "unit", "value_type",
    "basis", "period", "geography", "doc_id", "part_id", "source_file", "line", "quote",
    "line_text", "method", "raw", "ocr_doc_id", "ocr_line", "restatement_of", "note",
)


@cache
def _analysis_lines(doc_id: str) -> tuple[str, ...]:
    return tuple(repaired.analysis_lines(corpus.load(), doc_id))


def _read_curated(path: Path, theme: str) -> list[dict]:
    data = _load_yaml(path)
    if data.get("theme") != theme:
        raise DataError(f"{path}: theme is {data.get('theme')!r}, expected {theme!r}.")
    rows = data.get("observations") or []
    if not isinstance(rows, list):
        raise DataError(f"{path}: 'observations' must be a list.")
    return rows


REQUIRED_FIELDS = ("indicator", "value", "unit", "value_type", "basis", "period", "geography",
                   "doc_id", "line", "raw")


def check_entry(row: dict, where: str, catalog: dict[str, Indicator], c: corpus.Corpus) -> None:
    """Validate one curated (or accepted) entry against the catalog and the report itself.

    ``where`` names the entry in the error (file and entry number, or sheet row). Checks:
    required fields, indicator in the catalog with the same unit and value type, basis,
    period form, the raw text at its line, the value readable from it, and the qualifier
    (≈ < > ≤ ≥ or none) the text gives the number.
    """
    for key in ("indicator", "value", "unit", "value_type", "basis", "period", "geography",
                "doc_id", "line", "raw"):
        if row.get(key) in (None, ""):
            raise DataError(f"{where}: missing {key}; fill it in.")
    ind = catalog.get(row["indicator"])
    if ind is None:
        raise DataError(f"{where}: indicator {row['indicator']!r} is not in the catalog "
                        f"(data/curated/indicators/).")
    if (row["unit"], row["value_type"]) != (ind.unit, ind.value_type):
        raise DataError(f"{where}: unit/value_type {row['unit']}/{row['value_type']} differ from "
                        f"the catalog's {ind.unit}/{ind.value_type} for {ind.id}.")
    if row["basis"] not in BASES:
        raise DataError(f"{where}: basis {row['basis']!r}; use one of {', '.join(BASES)}.")
    if not _PERIOD_RE.match(str(row["period"])):
        raise DataError(f"{where}: period {row['period']!r} is not YYYY, YYYY/YYYY, "
                        "YYYY-MM/YYYY-MM or YYYY-MM-DD.")
    lines = c.raw_lines(row["doc_id"])
    line = row["line"]
    if not isinstance(line, int) or not 1 <= line <= len(lines):
        raise DataError(f"{where}: line {line!r} is outside {row['doc_id']} "
                        f"(1–{len(lines)}).")
    if str(row["raw"]) not in lines[line - 1]:
        raise DataError(f"{where}: raw text {row['raw']!r} is not on line {line} of "
                        f"{c.document(row['doc_id']).file}; correct line or raw.")
    if not isinstance(row["value"], int | float) or isinstance(row["value"], bool):
        raise DataError(f"{where}: value {row['value']!r} is not a number.")
    text = _with_continuation(row, lines)
    if not value_in_text(float(row["value"]), text):
        raise DataError(f"{where}: value {row['value']} cannot be read back from raw text "
                        f"{row['raw']!r}.")
    _check_qualifier(row, where, lines, text)


def _check_qualifier(row: dict, where: str, lines: list[str], text: str) -> None:
    qualifier = row.get("qualifier") or None
    if qualifier is not None and qualifier not in QUALIFIERS:
        raise DataError(f"{where}: qualifier {qualifier!r}; use one of {' '.join(QUALIFIERS)} "
                        "or leave it out for an exact figure.")
    line = row["line"]
    before = (lines[line - 2] if line > 1 else "") + "\n" + \
        lines[line - 1][:lines[line - 1].index(str(row["raw"]))]
    found = qualifiers_in_text(float(row["value"]), text, before)
    if qualifier not in found:
        stated = " or ".join(sorted(repr(q) if q else "exact" for q in found))
        raise DataError(f"{where}: the text gives {row['value']:g} as {stated}, the entry as "
                        f"{repr(qualifier) if qualifier else 'exact'}; set qualifier to match "
                        "(≈ ca/ungefär, > över/fler än, < färre än, ≥ minst, ≤ högst).")


def _with_continuation(row: dict, lines: list[str]) -> str:
    """The raw text, plus the digit groups opening the next non-blank line when a number
    is split across lines (``(cirka 15`` / ``000 dygn)``)."""
    raw, line = str(row["raw"]), row["line"]
    if not lines[line - 1].rstrip().endswith(raw.rstrip()):
        return raw
    following = [t for t in lines[line:line + 3] if t.strip()][:1]
    head = re.match(r"\s*((?:\d{3}(?:[\s\u00a0\u202f]|$))+)", following[0] if following else "")
    return f"{raw.rstrip()} {head.group(1).strip()}" if head else raw


def _line_text(doc_id: str, line: int) -> str:
    return _WS.sub(" ", _analysis_lines(doc_id)[line - 1]).strip()


@cache
def _passages_by_line(doc_id: str) -> dict[int, tuple]:
    from lib.text import structure

    index: dict[int, list] = {}
    for p in structure.iter_passages(corpus.load(), doc_id):
        for line in sorted(set(p.lines)):
            index.setdefault(line, []).append(p)
    return {line: tuple(ps) for line, ps in index.items()}


def _quote(doc_id: str, line: int, value: float) -> str:
    """The sentence or table row (analysed text) that holds the value at this raw line.

    Falls back to the analysed line itself where no passage there shows the value (a
    number split over lines, or a line the structure treats as page furniture).
    """
    for passage in _passages_by_line(doc_id).get(line, ()):
        if value_in_text(value, passage.text):
            return _WS.sub(" ", passage.text).strip()
    return _line_text(doc_id, line)


def observation_record(row: dict, where: str, catalog: dict[str, Indicator],
                       c: corpus.Corpus) -> dict:
    """A validated entry (:func:`check_entry`) as a row of the observations table."""
    check_entry(row, where, catalog, c)
    ind = catalog[row["indicator"]]
    doc = c.document(row["doc_id"])
    ocr_line = row.get("ocr_line")
    return {
        "theme": ind.theme, "themes": ";".join(ind.themes), "indicator": ind.id,
        "label": ind.label, "qualifier": row.get("qualifier") or None,
        "value": float(row["value"]), "unit": ind.unit, "value_type": ind.value_type,
        "basis": row["basis"], "period": str(row["period"]),
        "geography": str(row["geography"]), "doc_id": doc.doc_id,
        "part_id": c.part_of_line(doc.doc_id, row["line"]), "source_file": doc.file,
        "line": int(row["line"]),
        "quote": _quote(doc.doc_id, row["line"], float(row["value"])),
        "line_text": _line_text(doc.doc_id, row["line"]),
        "method": "curated", "raw": str(row["raw"]),
        "ocr_doc_id": _twin_doc(c, doc.doc_id, row["line"]) if ocr_line else None,
        "ocr_line": int(ocr_line) if ocr_line else None,
        "restatement_of": row.get("restatement_of"), "note": row.get("note"),
    }


def curated_path(theme: str, curated_dir: Path = CURATED_DIR) -> Path:
    """The file of a theme's curated observations."""
    return curated_dir / f"observations_{theme}.yml"


def curated_observations(
    curated_dir: Path = CURATED_DIR, catalog: dict[str, Indicator] | None = None
) -> pd.DataFrame:
    """Load, validate and tabulate the curated observations of every theme.

    An entry stands in the file of its indicator's (primary) theme.
    """
    catalog = catalog if catalog is not None else load_catalog()
    c = corpus.load()
    records = []
    for theme in theme_ids():
        path = curated_path(theme, curated_dir)
        for i, row in enumerate(_read_curated(path, theme), start=1):
            where = f"{path.name} observation {i} ({row.get('indicator', '?')})"
            record = observation_record(row, where, catalog, c)
            if record["theme"] != theme:
                raise DataError(f"{where}: indicator {record['indicator']} belongs to theme "
                                f"{record['theme']}; move the entry to "
                                f"{curated_path(record['theme']).name}.")
            records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(OBS_COLUMNS))
    check_one_value_per_key(frame)
    return frame.sort_values(["theme", "doc_id", "line", "indicator", "period", "basis"],
                             kind="stable").reset_index(drop=True)


def check_one_value_per_key(frame: pd.DataFrame) -> None:
    """One value per (indicator, period, geography, basis) and source part, restatements aside."""
    key = ["indicator", "period", "geography", "basis", "doc_id", "part_id"]
    primary = frame[frame.restatement_of.isna()]
    dup = primary[primary.duplicated(key, keep=False)]
    if not dup.empty:
        first = dup.sort_values(key + ["line"]).iloc[0]
        lines = sorted(dup[(dup[key] == first[key]).all(axis=1)].line)
        raise DataError(
            f"observations: {first.indicator} {first.period} {first.geography} {first.basis} "
            f"is given more than once in {first.part_id} (lines {lines}); mark the repeats "
            "with restatement_of: same_figure or correct the period/geography/basis.")


# Units a bare number (quantities unit `antal`) cannot stand for.
_NOT_COUNTS = {"procent", "procentenheter", "kr", "tkr", "mnkr"}
_BASIS_OF_QUANTITY = {"mål": "mal", "utfall": "utfall", "budget": "budget", "prognos": "prognos"}


def mark_automatic(obs: pd.DataFrame, quantities: pd.DataFrame) -> pd.DataFrame:
    """Set ``method`` to ``auto`` where the automatic quantities found the same figure.

    Same figure: same document and line, same absolute value and unit (a bare number, unit
    ``antal``, matches a count indicator, whose noun the catalog supplies), and the same
    period (a change ``A/B`` matches a quantity with base_period A and period B). A
    quantity's basis, where it read one from a table header, must agree too. The other
    rows stay ``curated``: a person read them where the automatic layer did not.
    """
    q = quantities[["doc_id", "line", "line_end", "value", "unit", "period", "base_period",
                    "basis"]]
    q = q.astype({"period": object, "base_period": object, "basis": object})
    q = q.where(q.notna(), None)
    q["obs_period"] = q.period.where(q.base_period.isna(), q.base_period + "/" + q.period)
    q["obs_basis"] = [_BASIS_OF_QUANTITY.get(b) if b else None for b in q.basis]
    q["abs_value"] = q.value.abs()
    index = {}
    for row in q.itertuples(index=False):
        for line in range(row.line, row.line_end + 1):
            index.setdefault((row.doc_id, line, row.abs_value), []).append(row)
    out = obs.copy()
    auto = []
    for i, doc_id, line, value, unit, period, basis in zip(
            out.index, out.doc_id, out.line, out.value, out.unit, out.period, out.basis,
            strict=True):
        for qrow in index.get((doc_id, line, abs(value)), []):
            same_unit = qrow.unit == unit or (qrow.unit == "antal" and unit not in _NOT_COUNTS)
            if not same_unit:
                continue
            if qrow.obs_period == period and qrow.obs_basis in (None, basis):
                auto.append(i)
                break
    out.loc[auto, "method"] = "auto"
    return out


def _twin_doc(c: corpus.Corpus, doc_id: str, line: int) -> str | None:
    part_id = c.part_of_line(doc_id, line)
    for d in c.documents:
        if (d.twin_doc_id, d.twin_part_id) == (doc_id, part_id):
            return d.doc_id
    raise DataError(f"{doc_id} line {line}: ocr_line given, but part {part_id} has no OCR twin.")


# ---------------------------------------------------------------- consistency

DISCREPANCY_COLUMNS = (
    "kind", "theme", "indicator", "period", "geography", "basis",
    "value_a", "doc_id_a", "line_a", "quote_a", "value_b", "doc_id_b", "line_b", "quote_b",
    "note",
)


def _pair(kind: str, a: dict, b: dict, note: str) -> dict:
    return {
        "kind": kind, "theme": a["theme"], "indicator": a["indicator"], "period": a["period"],
        "geography": a["geography"], "basis": a["basis"],
        "value_a": a["value"], "doc_id_a": a["doc_id"], "line_a": a["line"],
        "quote_a": a["quote"], "value_b": b["value"], "doc_id_b": b["doc_id"],
        "line_b": b["line"], "quote_b": b["quote"], "note": note,
    }




def agree_at_precision(a: float, b: float) -> bool:
    """True if two statements of a figure agree once the more precise is rounded like the other
    (``-18,1`` and ``-18`` agree; ``1 470`` and ``1 472`` do not)."""
    digits = min(_decimals(a), _decimals(b))
    return round(a, digits) == round(b, digits)


_BOUNDS = {">": (False, None), "≥": (True, None), "<": (None, False), "≤": (None, True)}


def _interval(value: float, qualifier: str | None) -> tuple[float, float, bool, bool]:
    """The values a statement allows: (low, high, low included, high included)."""
    inf = float("inf")
    if qualifier in (">", "≥"):
        return value, inf, qualifier == "≥", False
    if qualifier in ("<", "≤"):
        return -inf, value, False, qualifier == "≤"
    return value, value, True, True


def statements_agree(a: float, qa: str | None, b: float, qb: str | None) -> bool:
    """True if two statements of a figure can both hold.

    Exact values and approximations (≈) agree at the precision written
    (:func:`agree_at_precision`); a bound (> < ≥ ≤) agrees with a statement whose values
    it admits: ``färre än 5`` and a table cell ``>5`` do not agree.
    """
    qa, qb = (q if isinstance(q, str) else None for q in (qa, qb))
    if qa not in _BOUNDS and qb not in _BOUNDS:
        return agree_at_precision(a, b)
    lo_a, hi_a, li_a, hi_in_a = _interval(a, qa)
    lo_b, hi_b, li_b, hi_in_b = _interval(b, qb)
    low, low_in = max((lo_a, li_a), (lo_b, li_b), key=lambda x: (x[0], not x[1]))
    high, high_in = min((hi_a, hi_in_a), (hi_b, hi_in_b), key=lambda x: (x[0], x[1]))
    return low < high or (low == high and low_in and high_in)


def restated_disagreements(rows: list[dict]) -> list[dict]:
    """Figures stated more than once (same indicator, period, geography, basis) that differ."""
    out = []
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault((row["indicator"], row["period"], row["geography"], row["basis"]),
                          []).append(row)
    for key in sorted(groups):
        first, *others = groups[key]  # a figure stated once cannot disagree
        for other in others:
            a, b = first["value"], other["value"]
            if not statements_agree(a, first["qualifier"], b, other["qualifier"]):
                out.append(_pair("restatement_differs", first, other,
                                 "Samma uppgift anges med gränser som utesluter varandra "
                                 f"({first['qualifier'] or ''}{a:g} och "
                                 f"{other['qualifier'] or ''}{b:g})." if a == b else
                                 "Samma uppgift anges med olika värden."))
    return out


def twin_disagreements(rows: list[dict]) -> list[dict]:
    """Figures whose OCR rendering (the twin's line) does not show the clean value."""
    out = []
    c = corpus.load()
    for row in rows:
        if pd.isna(row["ocr_line"]):
            continue
        ocr_line = int(row["ocr_line"])
        raw = c.raw_lines(row["ocr_doc_id"])[ocr_line - 1]
        if not value_in_text(row["value"], raw):
            out.append(_pair("ocr_rendering_differs", row, {
                "value": None, "doc_id": row["ocr_doc_id"], "line": ocr_line,
                "quote": _line_text(row["ocr_doc_id"], ocr_line)},
                "Värdet syns inte på motsvarande rad i den OCR-lästa versionen."))
    return out


def _decimals(value: float) -> int:
    text = repr(float(value)).rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def _implied_change(value_type: str, a: float, b: float) -> tuple[float, float, float]:
    """The change from a to b, and its range given that a and b are rounded as written."""
    ha, hb = (0.5 * 10 ** -_decimals(v) for v in (a, b))
    if value_type == "change_abs":
        return b - a, (b - hb) - (a + ha), (b + hb) - (a - ha)
    corners = [(bb - aa) / aa * 100 for aa in (a - ha, a + ha) for bb in (b - hb, b + hb) if aa]
    return (b - a) / a * 100, min(corners), max(corners)


def _level_of(change_id: str, catalog: dict[str, Indicator]) -> str | None:
    for suffix in ("_forandring_pct", "_forandring_antal", "_forandring"):
        if change_id.endswith(suffix):
            level = change_id[: -len(suffix)]
            if level in catalog and catalog[level].value_type == "level":
                return level
    return None


def derived_disagreements(rows: list[dict], catalog: dict[str, Indicator]) -> list[dict]:
    """Stated year-on-year changes that differ from the change implied by the stated levels.

    A change indicator ``X_forandring[_pct|_antal]`` with period ``A/B`` is compared with
    level indicator ``X`` in years A and B (same geography and basis). A stated percentage
    must match the implied one to within half a unit of its last written digit.
    """
    out = []
    first: dict[tuple, dict] = {}  # the first level row of each indicator/geography/basis/period
    for r in rows:
        if r["value_type"] == "level":
            first.setdefault((r["indicator"], r["geography"], r["basis"], r["period"]), r)
    for ch in rows:
        if ch["value_type"] not in ("change_pct", "change_abs") \
                or not re.fullmatch(r"\d{4}/\d{4}", ch["period"]):
            continue
        level_id = _level_of(ch["indicator"], catalog)
        if level_id is None:
            continue
        a_year, b_year = ch["period"].split("/")
        a0 = first.get((level_id, ch["geography"], ch["basis"], a_year))
        b0 = first.get((level_id, ch["geography"], ch["basis"], b_year))
        if a0 is None or b0 is None or a0["value"] == 0:
            continue
        value = ch["value"]
        implied, low, high = _implied_change(ch["value_type"], a0["value"], b0["value"])
        tolerance = 0.5 * 10 ** -_decimals(value) + 1e-9
        if not low - tolerance <= value <= high + tolerance:
            note = (f"Angiven förändring {value:g} men nivåerna {a0['value']:g} ({a_year}, "
                    f"rad {a0['line']}) och {b0['value']:g} ({b_year}, rad {b0['line']}) ger "
                    f"{implied:.1f}.")
            out.append(_pair("change_differs_from_levels", ch, b0, note))
    return out


def load_consistency_checks(path: Path = paths.CURATED_DIR / "consistency.yml") -> dict:
    """The declared data tests (parts that must sum to a total)."""
    data = _load_yaml(path)
    return {"sums": list(data.get("sums") or [])}


def sum_disagreements(rows: list[dict], checks: dict) -> list[dict]:
    """Declared totals whose parts, as stated, do not add up."""
    out = []
    for check in checks["sums"]:
        for period in check["periods"]:
            where = (period, check["geography"], check.get("basis", "utfall"))
            first: dict[str, dict] = {}  # the first statement of each indicator there
            for r in rows:
                if (r["period"], r["geography"], r["basis"]) == where:
                    first.setdefault(r["indicator"], r)
            if any(i not in first for i in (check["total"], *check["parts"])):
                raise DataError(f"consistency.yml: check of {check['total']} for {period} "
                                "refers to observations that do not exist; fix the check.")
            t, parts = first[check["total"]], [first[p] for p in check["parts"]]
            summed = sum(p["value"] for p in parts)
            if summed != t["value"]:
                lines = ", ".join(str(p["line"]) for p in parts)
                out.append(_pair("parts_do_not_sum", t, {**parts[0], "value": summed},
                                 f"{check['note']} Delarna (rader {lines}) summerar till "
                                 f"{summed:g}, totalen är {t['value']:g}."))
    return out


def discrepancies(obs: pd.DataFrame, catalog: dict[str, Indicator] | None = None) -> pd.DataFrame:
    """All recorded inconsistencies: restatements, OCR twin, implied changes, sums."""
    catalog = catalog if catalog is not None else load_catalog()
    rows = obs.to_dict("records")  # the checks read the observations row by row
    found = (restated_disagreements(rows) + twin_disagreements(rows)
             + derived_disagreements(rows, catalog)
             + sum_disagreements(rows, load_consistency_checks()))
    return pd.DataFrame.from_records(found, columns=list(DISCREPANCY_COLUMNS))


# ---------------------------------------------------------------- tables

_S, _I, _F = "string", "int64", "float64"

SCHEMAS: dict[str, Schema] = {
    "indicators": Schema(
        key=("id",),
        columns={
            "id": Column(_S, "Indicator id (theme prefix hem_, vnr_, fs_)"),
            "theme": Column(_S, "Primary theme id (the catalog file it is in)",
                            allowed=theme_ids),
            "label": Column(_S, "Swedish label"),
            "definition": Column(_S, "Swedish definition: what is counted, where"),
            "unit": Column(_S, "Unit as written in the reports", allowed=UNITS),
            "value_type": Column(_S, "level, share or kind of change", allowed=VALUE_TYPES),
            "comparability": Column(_S, "Swedish note on breaks in the series", nullable=True),
            "themes": Column(_S, "Every theme of the indicator, ';'-separated, primary first"),
        },
    ),
    "observations": Schema(
        key=("indicator", "period", "geography", "basis", "doc_id", "line"),
        foreign_keys=(ForeignKey(("indicator",), "indicators", ("id",)),
                      ForeignKey(("doc_id", "part_id"), "documents", ("doc_id", "part_id"))),
        columns={
            "theme": Column(_S, "Primary theme id of the indicator", allowed=theme_ids),
            "themes": Column(_S, "Every theme of the indicator, ';'-separated, primary first"),
            "indicator": Column(_S, "Indicator id (see the indicators table)"),
            "label": Column(_S, "Swedish label of the indicator"),
            "qualifier": Column(_S, "≈ approximation (ca, ungefär), > < bound (över, färre än), "
                                    "≥ ≤ (minst, högst); empty when the figure is exact",
                                nullable=True, allowed=QUALIFIERS),
            "value": Column(_F, "The figure, in the unit as written (448 miljoner kronor -> 448); "
                                "read with qualifier", unit_column="unit"),
            "unit": Column(_S, "Unit as written", allowed=UNITS),
            "value_type": Column(_S, "level | share | change_pct | change_pp | change_abs",
                                 allowed=VALUE_TYPES),
            "basis": Column(_S, "utfall | prognos | budget | mal", allowed=BASES),
            "period": Column(_S, "YYYY, a change A/B, an interval YYYY-MM/YYYY-MM, or a date"),
            "geography": Column(_S, "Göteborg, a district, or the service the figure is about"),
            "doc_id": Column(_S, "Source document (the clean rendering where there are two)"),
            "part_id": Column(_S, "Source part"),
            "source_file": Column(_S, "File name in data/raw/"),
            "line": Column(_I, "1-based raw line where the number stands"),
            "quote": Column(_S, "The sentence or table row holding the figure, as analysed "
                                "(repaired for OCR'd sources)"),
            "line_text": Column(_S, "The analysed text of the raw line (whitespace collapsed)"),
            "method": Column(_S, "auto: the automatic quantities found the same figure; "
                                 "curated: read by hand", allowed=("auto", "curated")),
            "raw": Column(_S, "Exact raw text holding the number (as in data/raw)"),
            "ocr_doc_id": Column(_S, "The OCR rendering of the same report", nullable=True),
            "ocr_line": Column(_I, "Line of the figure in the OCR rendering", nullable=True),
            "restatement_of": Column(_S, "same_figure when the row repeats a figure of the "
                                         "same part", nullable=True),
            "note": Column(_S, "Swedish note: approximations, scope, inconsistencies",
                           nullable=True),
        },
    ),
    "discrepancies": Schema(
        foreign_keys=(ForeignKey(("indicator",), "indicators", ("id",)),),
        columns={
            "kind": Column(_S, "restatement_differs | ocr_rendering_differs | "
                               "change_differs_from_levels | parts_do_not_sum",
                           allowed=("restatement_differs", "ocr_rendering_differs",
                                    "change_differs_from_levels", "parts_do_not_sum")),
            "theme": Column(_S, "Primary theme id", allowed=theme_ids),
            "indicator": Column(_S, "Indicator of statement a"),
            "period": Column(_S, "Period of statement a"),
            "geography": Column(_S, "Geography of statement a"),
            "basis": Column(_S, "Basis of statement a"),
            "value_a": Column(_F, "Value of statement a"),
            "doc_id_a": Column(_S, "Document of statement a"),
            "line_a": Column(_I, "Raw line of statement a"),
            "quote_a": Column(_S, "Quote of statement a"),
            "value_b": Column(_F, "Value of statement b (or the value implied)", nullable=True),
            "doc_id_b": Column(_S, "Document of statement b"),
            "line_b": Column(_I, "Raw line of statement b"),
            "quote_b": Column(_S, "Quote of statement b"),
            "note": Column(_S, "Swedish explanation"),
        },
    ),
}


def tables(c: corpus.Corpus, quantities: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The indicator catalog, the validated observations and their discrepancies."""
    catalog = load_catalog()
    obs = mark_automatic(curated_observations(catalog=catalog), quantities)
    return {
        "indicators": catalog_frame(catalog),
        "observations": obs,
        "discrepancies": discrepancies(obs, catalog),
    }
