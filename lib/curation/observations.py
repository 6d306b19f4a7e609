"""The curated observations: ``data/curated/observations_<theme>.yml``, validated
entry by entry against the report (:func:`check_entry`) and as a whole (one value per key,
:func:`check_one_value_per_key`), and marked ``auto`` where the automatic number extraction
found the same figure.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

from lib import paths
from lib.curation.catalog import (
    BASES,
    QUALIFIERS,
    SCOPE_WORDS,
    Indicator,
    area_kind,
    load_catalog,
    read_mapping,
    scope_fits,
)
from lib.curation.values import WS, qualifiers_in_text, value_in_text
from lib.errors import DataError
from lib.sources import corpus
from lib.text import repaired
from lib.text.themes import theme_ids

_PERIOD_RE = re.compile(r"^(\d{4}|\d{4}/\d{4}|\d{4}-\d{2}/\d{4}-\d{2}|\d{4}-\d{2}-\d{2})$")
CURATED_DIR = paths.CURATED_DIR
_KINDS = {"stad": "the city", "stadsområde": "a district", "enhet": "a unit or service"}


# ---------------------------------------------------------------- observations


OBS_COLUMNS = (
    "theme",
    "themes",
    "indicator",
    "label",
    "qualifier",
    "value",
    "unit",
    "value_type",
    "basis",
    "period",
    "geography",
    "doc_id",
    "part_id",
    "source_file",
    "line",
    "quote",
    "line_text",
    "method",
    "raw",
    "ocr_doc_id",
    "ocr_line",
    "restatement_of",
    "note",
)


@cache
def _analysis_lines(doc_id: str) -> tuple[str, ...]:
    return tuple(repaired.analysis_lines(corpus.load(), doc_id))


def _read_curated(path: Path, theme: str) -> list[dict]:
    data = read_mapping(path)
    if data.get("theme") != theme:
        raise DataError(f"{path}: theme is {data.get('theme')!r}, expected {theme!r}.")
    rows = data.get("observations") or []
    if not isinstance(rows, list):
        raise DataError(f"{path}: 'observations' must be a list.")
    return rows


REQUIRED_FIELDS = (
    "indicator",
    "value",
    "unit",
    "value_type",
    "basis",
    "period",
    "geography",
    "doc_id",
    "line",
    "raw",
)


def check_entry(row: dict, where: str, catalog: dict[str, Indicator], c: corpus.Corpus) -> None:
    """Validate one curated (or accepted) entry against the catalog and the report itself.

    ``where`` names the entry in the error (file and entry number, or sheet row). Checks:
    required fields, indicator in the catalog with the same unit and value type, a geography
    of the indicator's scope, basis, period form, the raw text at its line, the value
    readable from it, and the qualifier (≈ < > ≤ ≥ or none) the text gives the number.
    """
    for key in REQUIRED_FIELDS:
        if row.get(key) in (None, ""):
            raise DataError(f"{where}: missing {key}; fill it in.")
    ind = catalog.get(row["indicator"])
    if ind is None:
        raise DataError(
            f"{where}: indicator {row['indicator']!r} is not in the catalog "
            f"(data/curated/indicators/)."
        )
    if (row["unit"], row["value_type"]) != (ind.unit, ind.value_type):
        raise DataError(
            f"{where}: unit/value_type {row['unit']}/{row['value_type']} differ from "
            f"the catalog's {ind.unit}/{ind.value_type} for {ind.id}; write the catalog's, "
            "or choose an indicator of this unit and value type."
        )
    _check_scope(row, where, ind, c)
    if row["basis"] not in BASES:
        raise DataError(f"{where}: basis {row['basis']!r}; use one of {', '.join(BASES)}.")
    if not _PERIOD_RE.match(str(row["period"])):
        raise DataError(
            f"{where}: period {row['period']!r} is not YYYY, YYYY/YYYY, "
            "YYYY-MM/YYYY-MM or YYYY-MM-DD."
        )
    lines = c.raw_lines(row["doc_id"])
    line = row["line"]
    if not isinstance(line, int) or not 1 <= line <= len(lines):
        raise DataError(
            f"{where}: line {line!r} is outside {row['doc_id']} (1–{len(lines)}); "
            "give the raw line where the number stands."
        )
    if str(row["raw"]) not in lines[line - 1]:
        raise DataError(
            f"{where}: raw text {row['raw']!r} is not on line {line} of "
            f"{c.document(row['doc_id']).file}; correct line or raw."
        )
    if not isinstance(row["value"], int | float) or isinstance(row["value"], bool):
        raise DataError(f"{where}: value {row['value']!r} is not a number; write the figure.")
    text = _with_continuation(row, lines)
    if not value_in_text(float(row["value"]), text):
        raise DataError(
            f"{where}: value {row['value']} cannot be read back from raw text {row['raw']!r}; "
            "correct value, or raw to the text holding the number."
        )
    _check_qualifier(row, where, lines, text)


def _check_scope(row: dict, where: str, ind: Indicator, c: corpus.Corpus) -> None:
    """The geography must be an area of the indicator's scope (its definition names none)."""
    v, geography = c.vocabulary, str(row["geography"])
    if ind.scope and not scope_fits(ind.scope, geography, v.city, v.districts):
        kind = area_kind(geography, v.city, v.districts)
        raise DataError(
            f"{where}: geography {geography!r} ({_KINDS[kind]}) does not fit {ind.id}, an "
            f"indicator of scope {ind.scope} ({SCOPE_WORDS[ind.scope]}); correct the "
            f"geography, or choose or add an indicator of scope {kind}"
            + (" or område." if kind != "enhet" else ".")
        )


def _check_qualifier(row: dict, where: str, lines: list[str], text: str) -> None:
    qualifier = row.get("qualifier") or None
    if qualifier is not None and qualifier not in QUALIFIERS:
        raise DataError(
            f"{where}: qualifier {qualifier!r}; use one of {' '.join(QUALIFIERS)} "
            "or leave it out for an exact figure."
        )
    line = row["line"]
    before = (
        (lines[line - 2] if line > 1 else "")
        + "\n"
        + lines[line - 1][: lines[line - 1].index(str(row["raw"]))]
    )
    found = qualifiers_in_text(float(row["value"]), text, before)
    if qualifier not in found:
        stated = " or ".join(sorted(repr(q) if q else "exact" for q in found))
        raise DataError(
            f"{where}: the text gives {row['value']:g} as {stated}, the entry as "
            f"{repr(qualifier) if qualifier else 'exact'}; set qualifier to match "
            "(≈ ca/ungefär, > över/fler än, < färre än, ≥ minst, ≤ högst)."
        )


def _with_continuation(row: dict, lines: list[str]) -> str:
    """The raw text, plus the digit groups opening the next non-blank line when a number
    is split across lines (``(cirka 15`` / ``000 dygn)``)."""
    raw, line = str(row["raw"]), row["line"]
    if not lines[line - 1].rstrip().endswith(raw.rstrip()):
        return raw
    following = [t for t in lines[line : line + 3] if t.strip()][:1]
    head = re.match(r"\s*((?:\d{3}(?:[\s\u00a0\u202f]|$))+)", following[0] if following else "")
    return f"{raw.rstrip()} {head.group(1).strip()}" if head else raw


def line_text(doc_id: str, line: int) -> str:
    return WS.sub(" ", _analysis_lines(doc_id)[line - 1]).strip()


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
            return WS.sub(" ", passage.text).strip()
    return line_text(doc_id, line)


def observation_record(
    row: dict, where: str, catalog: dict[str, Indicator], c: corpus.Corpus
) -> dict:
    """A validated entry (:func:`check_entry`) as a row of the observations table."""
    check_entry(row, where, catalog, c)
    ind = catalog[row["indicator"]]
    doc = c.document(row["doc_id"])
    ocr_line = row.get("ocr_line")
    return {
        "theme": ind.theme,
        "themes": ";".join(ind.themes),
        "indicator": ind.id,
        "label": ind.label,
        "qualifier": row.get("qualifier") or None,
        "value": float(row["value"]),
        "unit": ind.unit,
        "value_type": ind.value_type,
        "basis": row["basis"],
        "period": str(row["period"]),
        "geography": str(row["geography"]),
        "doc_id": doc.doc_id,
        "part_id": c.part_of_line(doc.doc_id, row["line"]),
        "source_file": doc.file,
        "line": int(row["line"]),
        "quote": _quote(doc.doc_id, row["line"], float(row["value"])),
        "line_text": line_text(doc.doc_id, row["line"]),
        "method": "curated",
        "raw": str(row["raw"]),
        "ocr_doc_id": _twin_doc(c, doc.doc_id, row["line"]) if ocr_line else None,
        "ocr_line": int(ocr_line) if ocr_line else None,
        "restatement_of": row.get("restatement_of"),
        "note": row.get("note"),
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
                raise DataError(
                    f"{where}: indicator {record['indicator']} belongs to theme "
                    f"{record['theme']}; move the entry to "
                    f"{curated_path(record['theme']).name}."
                )
            records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(OBS_COLUMNS))
    check_one_value_per_key(frame)
    return frame.sort_values(
        ["theme", "doc_id", "line", "indicator", "period", "basis"], kind="stable"
    ).reset_index(drop=True)


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
            "with restatement_of: same_figure or correct the period/geography/basis."
        )


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
    q = quantities[
        ["doc_id", "line", "line_end", "value", "unit", "period", "base_period", "basis"]
    ]
    q = q.astype({"period": object, "base_period": object, "basis": object})
    q = q.where(q.notna(), None)
    q["obs_period"] = q.period.where(q.base_period.isna(), q.base_period + "/" + q.period)
    q["obs_basis"] = [_BASIS_OF_QUANTITY.get(b) if b else None for b in q.basis]
    q["abs_value"] = q.value.abs()
    index: dict[tuple, list] = {}
    for row in q.itertuples(index=False):
        for line in range(row.line, row.line_end + 1):
            index.setdefault((row.doc_id, line, row.abs_value), []).append(row)
    out = obs.copy()
    auto = []
    for i, doc_id, line, value, unit, period, basis in zip(
        out.index, out.doc_id, out.line, out.value, out.unit, out.period, out.basis, strict=True
    ):
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
