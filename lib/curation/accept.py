"""Accepting reviewed proposals (``python -m lib accept SHEET``).

The rows marked ``ja``/``x``/``yes`` become curated observations: each is validated
exactly like a hand-written entry (:func:`lib.curation.observations.check_entry`), new indicators go
into the catalog of their theme, the rows are appended to ``data/curated/`` (comments
and order of the files kept), and the tables are rebuilt. All or nothing: the first
invalid row stops everything with one line naming its sheet row, and files are replaced
only after the merged files validated as a whole; if the rebuild fails they are restored.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lib.core import runs, store
from lib.core.yamlio import load_yaml
from lib.curation import observations, sheet
from lib.curation.catalog import CATALOG_DIR, UNITS, VALUE_TYPES, Indicator, load_catalog
from lib.errors import DataError
from lib.sources import corpus
from lib.text.themes import theme_ids

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
# The fields an accepted entry is written with: the required ones, then the optional.
_ENTRY_KEYS = (*observations.REQUIRED_FIELDS, "qualifier", "restatement_of", "note")


@dataclass
class Plan:
    """What accepting a sheet will change."""

    entries: dict[str, list[dict]] = field(default_factory=dict)  # theme -> entries
    indicators: dict[str, list[dict]] = field(default_factory=dict)  # theme -> new entries
    skipped: list[str] = field(default_factory=list)  # messages
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
        raise DataError(f"{where}: line {_text(value)!r} is not a line number.")
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
    return {
        "id": ident,
        "label": label,
        "definition": definition,
        "unit": unit,
        "value_type": value_type,
        "theme": theme,
    }


def plan(path: Path, curated_dir: Path | None = None, catalog_dir: Path | None = None) -> Plan:
    """Validate the accepted rows of a sheet; nothing is written."""
    curated_dir = curated_dir or observations.CURATED_DIR
    catalog_dir = catalog_dir or CATALOG_DIR
    frame = sheet.read(path)
    catalog = load_catalog(catalog_dir)
    themes = list(theme_ids())
    c = corpus.load()
    existing = _existing_keys(curated_dir, catalog, c)
    result = Plan()
    new: dict[str, dict] = {}
    seen: dict[tuple, int] = {}
    stated = set(existing)  # keys stated without restatement_of
    restated: list[tuple[str, dict, tuple]] = []
    for row in frame.to_dict("records"):
        where = f"{path.name} row {row['sheet_row']}"
        mark = _text(row.get("accept")).lower()
        if not mark:
            continue
        if mark not in sheet.ACCEPT_MARKS:
            raise DataError(
                f"{where}: accept {_text(row.get('accept'))!r} is not a mark; "
                "write ja, x or yes, or leave the cell empty."
            )
        entry = _entry(row, where)
        ident = entry.get("indicator") or ""
        if ident and ident not in catalog and ident not in new:
            new[ident] = _new_indicator(row, where, themes)
        merged = dict(catalog)
        for i, spec in new.items():
            merged[i] = Indicator(
                id=i,
                theme=spec["theme"],
                label=spec["label"],
                definition=spec["definition"],
                unit=spec["unit"],
                value_type=spec["value_type"],
            )
        observations.check_entry(entry, where, merged, c)
        key = _key(entry, c)
        if key in existing:
            result.skipped.append(f"{where}: already curated ({existing[key]}); skipped.")
            continue
        if key in seen and not entry.get("restatement_of"):
            raise DataError(
                f"{where}: {entry['indicator']} {entry['period']} "
                f"{entry['geography']} {entry['basis']} is also accepted in row "
                f"{seen[key]}; keep one, or write same_figure in restatement_of."
            )
        seen.setdefault(key, row["sheet_row"])
        if entry.get("restatement_of"):
            restated.append((where, entry, key))
        else:
            stated.add(key)
        theme = merged[ident].theme
        result.entries.setdefault(theme, []).append(entry)
        result.accepted += 1
    for where, entry, key in restated:
        if key not in stated:  # a repeat whose first statement is neither accepted nor curated
            raise DataError(
                f"{where}: restatement_of same_figure, but no accepted or curated "
                f"row states {entry['indicator']} {entry['period']} "
                f"{entry['geography']} {entry['basis']} first; accept that row too, "
                "or clear restatement_of."
            )
    for ident, spec in new.items():
        if any(e["indicator"] == ident for es in result.entries.values() for e in es):
            result.indicators.setdefault(spec["theme"], []).append(
                {k: spec[k] for k in ("id", "label", "definition", "unit", "value_type")}
            )
    return result


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


def _existing_keys(curated_dir: Path, catalog: dict, c: corpus.Corpus) -> dict[tuple, str]:
    """Keys of the curated observations (not restatements): where each stands."""
    out = {}
    for theme in theme_ids():
        path = observations.curated_path(theme, curated_dir)
        data = load_yaml(path) or {}
        if not isinstance(data, dict):
            continue  # a malformed file is the build's to report
        for i, row in enumerate(data.get("observations") or [], start=1):
            if row.get("restatement_of"):
                continue
            try:
                key = _key(row, c)
            except Exception:  # a broken existing entry is the build's to report
                continue
            out[key] = f"{path.name} observation {i}, value {row.get('value')}"
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
            merged = load_catalog(tcat)
            observations.curated_observations(curated_dir=tcur, catalog=merged)
        except DataError as exc:
            raise DataError(
                f"the accepted rows do not validate with the curated files: {exc}"
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
