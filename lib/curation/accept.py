"""Accepting reviewed proposals (``python -m lib accept SHEET``).

The rows marked ``ja``/``x``/``yes`` become curated observations: each is validated
exactly like a hand-written entry (:func:`lib.curation.observations.check_entry`), then all
of them as a set with the curated figures, in line order whatever the sheet's order
(:mod:`lib.curation.accept_set`: a repeat and its first statement are accepted together,
two values for one figure are refused). New indicators go into the catalog of their theme,
with the scope of their figures' geographies; the rows are appended to ``data/curated/``
(comments and order of the files kept), and the tables are rebuilt.

All or nothing: the first invalid row stops everything with one line naming its sheet row
and a fix; the merged files are checked as the build checks them (catalog, headlines,
every observation, the tables' schemas and keys, the data tests) before any is replaced,
so the rebuild cannot fail on what was accepted; if it fails anyway they are restored.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from lib.core import runs, schemas, store
from lib.core.yamlio import load_yaml
from lib.curation import accept_set, observations, sheet
from lib.curation.catalog import (
    CATALOG_DIR,
    SCOPES,
    UNITS,
    VALUE_TYPES,
    Indicator,
    area_kind,
    catalog_frame,
    load_catalog,
    load_headlines,
    scope_of,
)
from lib.curation.discrepancies import discrepancies, load_consistency_checks
from lib.errors import DataError
from lib.sources import corpus
from lib.text.themes import theme_ids

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
# The fields an accepted entry is written with: the required ones, then the optional.
_ENTRY_KEYS = (*observations.REQUIRED_FIELDS, "qualifier", "restatement_of", "note")
# The fields a new indicator is written with.
_INDICATOR_KEYS = ("id", "label", "definition", "unit", "value_type", "scope")


@dataclass
class Plan:
    """What accepting a sheet will change."""

    entries: dict[str, list[dict]] = field(default_factory=dict)  # theme -> entries
    sources: dict[str, list[str]] = field(default_factory=dict)  # theme -> sheet row of each
    indicators: dict[str, list[dict]] = field(default_factory=dict)  # theme -> new entries
    skipped: list[str] = field(default_factory=list)  # messages: rows skipped or marked
    accepted: int = 0


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: object, where: str) -> float:
    if isinstance(value, int | float):
        return float(value)
    text = re.sub(r"[\s\u00a0\u202f]", "", _text(value)).replace("−", "-").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise DataError(
            f"{where}: value {_text(value)!r} is not a number; write it as in the report (1 234,5)."
        ) from None


def _line(value: object, where: str) -> int:
    try:
        number = float(_text(value))
    except ValueError:
        number = float("nan")
    if not number.is_integer():
        raise DataError(
            f"{where}: line {_text(value)!r} is not a line number; give the raw line where "
            "the number stands."
        )
    return int(number)


def _entry(row: dict, where: str) -> dict:
    """A curated-observation entry from a sheet row (empty optional cells left out)."""
    entry: dict = {}
    for key in _ENTRY_KEYS:
        text = _text(row.get(key))
        if key == "value":
            entry[key] = _number(row.get(key), where) if text else None
        elif key == "line":
            entry[key] = _line(row.get(key), where) if text else None
        elif key in ("qualifier", "restatement_of", "note"):
            if text:
                entry[key] = text
        else:
            entry[key] = text or None
    value = entry.get("value")
    if value is not None and float(value).is_integer():
        entry["value"] = int(value)
    return entry


def _new_indicator(row: dict, where: str, themes: list[str]) -> dict:
    ident, label = _text(row.get("indicator")), _text(row.get("label"))
    if not _ID.match(ident):
        raise DataError(
            f"{where}: indicator id {ident!r}: use lower-case letters, digits and _ "
            "(e.g. fs_hushall_stadsomrade)."
        )
    if not label:
        raise DataError(
            f"{where}: indicator {ident!r} is not in the catalog and has no label; "
            "write a Swedish label in column label or choose an existing id."
        )
    definition = _text(row.get("definition"))
    if not definition:
        raise DataError(
            f"{where}: new indicator {ident!r} needs a definition; fill in column definition."
        )
    unit, value_type = _text(row.get("unit")), _text(row.get("value_type"))
    if unit not in UNITS:
        raise DataError(
            f"{where}: unit {unit!r} of new indicator {ident!r} is not in the unit "
            f"vocabulary; use one of {', '.join(UNITS)}."
        )
    if value_type not in VALUE_TYPES:
        raise DataError(f"{where}: value_type {value_type!r}; use one of {', '.join(VALUE_TYPES)}.")
    theme = _text(row.get("theme"))
    if theme not in themes:
        raise DataError(
            f"{where}: theme {theme!r} for new indicator {ident!r}; use one of {', '.join(themes)}."
        )
    scope = _text(row.get("scope"))  # optional column; else from the rows' geographies
    if scope and scope not in SCOPES:
        raise DataError(
            f"{where}: scope {scope!r} of new indicator {ident!r}; use one of "
            f"{', '.join(SCOPES)}, or leave it empty."
        )
    return {
        "id": ident,
        "label": label,
        "definition": definition,
        "unit": unit,
        "value_type": value_type,
        "theme": theme,
        "scope": scope,
    }


def plan(path: Path, curated_dir: Path | None = None, catalog_dir: Path | None = None) -> Plan:
    """Validate the accepted rows of a sheet, one by one and as a set; nothing is written.

    Rows are taken in line order, whatever the sheet's order (it is sorted by confidence):
    the first statement of a figure and its repeats are settled as the build will read them
    (:func:`lib.curation.accept_set.resolve`)."""
    curated_dir = curated_dir or observations.CURATED_DIR
    catalog_dir = catalog_dir or CATALOG_DIR
    frame = sheet.read(path)
    catalog = load_catalog(catalog_dir)
    c = corpus.load()
    marked = _marked(frame, path.name)
    new = _new_indicators(marked, catalog, c)
    merged = {**catalog, **{i: _indicator(spec) for i, spec in new.items()}}
    statements = []
    for where, row in marked:
        entry = _entry(row, where)
        observations.check_entry(entry, where, merged, c)
        statements.append(
            accept_set.Statement(
                where, _key(entry, c), entry["line"], entry, False, row["sheet_row"]
            )
        )
    kept, messages = accept_set.resolve(statements, _curated_statements(curated_dir, c))
    result = Plan(skipped=messages)
    for s in kept:
        theme = merged[s.entry["indicator"]].theme
        result.entries.setdefault(theme, []).append(_ordered(s.entry))
        result.sources.setdefault(theme, []).append(s.where)
        result.accepted += 1
    used = {s.entry["indicator"] for s in kept}
    for ident, spec in new.items():
        if ident in used:
            result.indicators.setdefault(spec["theme"], []).append(
                {k: spec[k] for k in _INDICATOR_KEYS}
            )
    return result


def _marked(frame: pd.DataFrame, name: str) -> list[tuple[str, dict]]:
    """The rows marked for acceptance, in line order (document, line, sheet row)."""
    out = []
    for row in frame.to_dict("records"):
        where = f"{name} row {row['sheet_row']}"
        mark = _text(row.get("accept")).lower()
        if not mark:
            continue
        if mark not in sheet.ACCEPT_MARKS:
            raise DataError(
                f"{where}: accept {_text(row.get('accept'))!r} is not a mark; "
                "write ja, x or yes, or leave the cell empty."
            )
        restated = _text(row.get("restatement_of"))
        if restated and restated != accept_set.SAME_FIGURE:
            raise DataError(
                f"{where}: restatement_of {restated!r}; write same_figure when the row repeats "
                "a figure stated earlier in the same part, or leave the cell empty."
            )
        out.append((where, row))
    return sorted(
        out, key=lambda wr: (_text(wr[1].get("doc_id")), _line_or_0(wr[1]), wr[1]["sheet_row"])
    )


def _line_or_0(row: dict) -> float:
    try:
        return float(_text(row.get("line")))
    except ValueError:
        return 0.0  # check_entry names the row


def _new_indicators(
    marked: list[tuple[str, dict]], catalog: dict[str, Indicator], c: corpus.Corpus
) -> dict[str, dict]:
    """The indicators the rows name that are not in the catalog: each from its first row
    with a label (in line order), its scope from the sheet's column or the geographies of
    its rows."""
    themes = list(theme_ids())
    rows: dict[str, list[tuple[str, dict]]] = {}
    for where, row in marked:
        ident = _text(row.get("indicator"))
        if ident and ident not in catalog:
            rows.setdefault(ident, []).append((where, row))
    new = {}
    for ident, places in rows.items():
        where, row = next(((w, r) for w, r in places if _text(r.get("label"))), places[0])
        spec = _new_indicator(row, where, themes)
        spec["scope"] = spec["scope"] or _scope(ident, places, c)
        new[ident] = spec
    return new


def _scope(ident: str, places: list[tuple[str, dict]], c: corpus.Corpus) -> str:
    """The scope of a new indicator from the geographies of its rows ("" when they give
    none: check_entry names the row)."""
    v = c.vocabulary
    geographies = [(w, _text(r.get("geography"))) for w, r in places if _text(r.get("geography"))]
    if not geographies:
        return ""
    scope = scope_of([g for _, g in geographies], v.city, v.districts)
    if scope is None:
        unit = next(p for p in geographies if area_kind(p[1], v.city, v.districts) == "enhet")
        area = next(p for p in geographies if area_kind(p[1], v.city, v.districts) != "enhet")
        raise DataError(
            f"{unit[0]}: new indicator {ident!r} is given for the unit {unit[1]!r} here and "
            f"for the area {area[1]!r} in {area[0]}; a unit's figures and an area's are "
            "different indicators: give one of them another id."
        )
    return scope


def _indicator(spec: dict) -> Indicator:
    return Indicator(
        id=spec["id"],
        theme=spec["theme"],
        label=spec["label"],
        definition=spec["definition"],
        unit=spec["unit"],
        value_type=spec["value_type"],
        scope=spec["scope"],
    )


def _ordered(entry: dict) -> dict:
    """The entry's fields in the order the curated files write them."""
    return {k: entry[k] for k in _ENTRY_KEYS if k in entry}


def _key(entry: dict, c: corpus.Corpus) -> tuple:
    part = c.part_of_line(entry["doc_id"], entry["line"])
    return (
        entry["indicator"],
        str(entry["period"]),
        entry["geography"],
        entry["basis"],
        entry["doc_id"],
        part,
    )


def _curated_statements(curated_dir: Path, c: corpus.Corpus) -> list[accept_set.Statement]:
    """Every curated entry as a statement (restatements too), and, for an entry with an OCR
    twin's line, the same statement at that line of the OCR rendering."""
    twins = {(d.twin_doc_id, d.twin_part_id): d.doc_id for d in c.documents if d.twin_doc_id}
    out = []
    for theme in theme_ids():
        path = observations.curated_path(theme, curated_dir)
        data = load_yaml(path) or {}
        if not isinstance(data, dict):
            continue  # a malformed file is the build's to report
        for i, row in enumerate(data.get("observations") or [], start=1):
            where = f"{path.name} observation {i}"
            try:
                key = _key(row, c)
                out.append(accept_set.Statement(where, key, int(row["line"]), row, True))
                twin = twins.get((row["doc_id"], key[5]))
                if twin and row.get("ocr_line"):
                    ocr_line = int(row["ocr_line"])
                    ocr_key = (*key[:4], twin, c.part_of_line(twin, ocr_line))
                    out.append(accept_set.Statement(where, ocr_key, ocr_line, row, True))
            except Exception:  # a broken existing entry is the build's to report
                continue
    return out


# ------------------------------------------------------------------ writing


def _yaml_item(entry: dict, indent: str = "") -> str:
    """One list item in the style of the curated files (``- key: value``)."""
    lines = []
    for k, v in entry.items():
        if k == "period":
            text = f'"{v}"'
        else:
            text = yaml.safe_dump(
                v, allow_unicode=True, width=10**6, default_flow_style=True
            ).strip()
            if text.endswith("\n..."):
                text = text[:-4].strip()
            text = text.removesuffix("...").strip()
        lines.append(f"{k}: {text}")
    return "".join(f"{indent}{'- ' if i == 0 else '  '}{line}\n" for i, line in enumerate(lines))


def _appended(path: Path, items: list[dict]) -> str:
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    return text + "".join(_yaml_item(e) for e in items)


def apply(
    p: Plan,
    curated_dir: Path | None = None,
    catalog_dir: Path | None = None,
    rebuild: Callable[[], object] | None = None,
) -> list[Path]:
    """Write the plan: validate the merged files as a whole, replace them, then call
    ``rebuild`` (the build, which the command line passes in); if it fails, restore them."""
    curated_dir = curated_dir or observations.CURATED_DIR
    catalog_dir = catalog_dir or CATALOG_DIR
    if not (p.indicators or p.entries):
        return []
    # Two runs at once would both append and could undo each other: the second waits, and
    # appends to the files as the first left them.
    with runs.exclusive(curated_dir, f"accept into {curated_dir}"):
        return _apply(p, curated_dir, catalog_dir, rebuild)


def _apply(
    p: Plan, curated_dir: Path, catalog_dir: Path, rebuild: Callable[[], object] | None
) -> list[Path]:
    new_texts: dict[Path, str] = {}
    for theme, items in p.indicators.items():
        new_texts[catalog_dir / f"{theme}.yml"] = _appended(catalog_dir / f"{theme}.yml", items)
    for theme, items in p.entries.items():
        path = observations.curated_path(theme, curated_dir)
        new_texts[path] = _appended(path, items)
    with tempfile.TemporaryDirectory(prefix="accept-") as tmp:
        tcur, tcat = Path(tmp) / "curated", Path(tmp) / "catalog"
        shutil.copytree(curated_dir, tcur, ignore=shutil.ignore_patterns("proposed"))
        shutil.copytree(catalog_dir, tcat)
        for path, text in new_texts.items():
            base = tcat if path.parent == catalog_dir else tcur
            (base / path.name).write_text(text, encoding="utf-8")
        try:
            _validate_merged(tcur, tcat)
        except DataError as exc:
            raise DataError(
                f"the accepted rows do not validate with the curated files: "
                f"{_name_rows(str(exc), p, curated_dir)}"
            ) from None
    originals = {path: path.read_text(encoding="utf-8") for path in new_texts}
    _replace_all(new_texts)
    if rebuild is not None:
        try:
            rebuild()
        except BaseException:
            _replace_all(originals)
            raise
    return list(new_texts)


def _validate_merged(curated_dir: Path, catalog_dir: Path) -> None:
    """Everything the build reads of data/curated, checked as the build checks it: the
    catalog, the headlines, every observation, the tables' schemas (the observations'
    primary key included) and the declared data tests."""
    from lib.curation.indicators import SCHEMAS

    merged = load_catalog(catalog_dir)
    load_headlines(merged, curated_dir / "headlines.yml")
    obs = observations.curated_observations(curated_dir=curated_dir, catalog=merged)
    schemas.validate("indicators", catalog_frame(merged), SCHEMAS["indicators"])
    schemas.validate("observations", obs, SCHEMAS["observations"])
    checks = load_consistency_checks(curated_dir / "consistency.yml")
    schemas.validate("discrepancies", discrepancies(obs, merged, checks), SCHEMAS["discrepancies"])


def _name_rows(message: str, p: Plan, curated_dir: Path) -> str:
    """The message with each appended entry it names ("observations_x.yml observation 12")
    followed by the sheet row it came from."""
    for theme, sources in p.sources.items():
        path = observations.curated_path(theme, curated_dir)
        data = load_yaml(path) or {}
        before = len(data.get("observations") or []) if isinstance(data, dict) else 0
        for i, where in enumerate(sources, start=before + 1):
            message = re.sub(
                rf"\b{re.escape(path.name)} observation {i}\b",
                f"{path.name} observation {i} (from {where})",
                message,
            )
    return message


def _replace_all(texts: dict[Path, str]) -> None:
    """Write each file beside its target, then rename all (:mod:`lib.core.store`: a signal
    waits until the temporary files are recorded and until all are renamed)."""
    staged: store.Staged = []
    try:
        for path, text in texts.items():
            store.stage_file(path.name, text, path.parent, staged)
        store.commit(staged)
    finally:
        store.discard(staged)


def accept(path: Path, rebuild: Callable[[], object] | None = None) -> tuple[Plan, list[Path]]:
    """Validate and merge the accepted rows of a sheet; then ``rebuild`` the tables."""
    p = plan(path)
    written = apply(p, rebuild=rebuild) if p.accepted else []
    return p, written
