"""The indicator catalog: ``data/curated/indicators/<theme>.yml``, one file per theme (id,
Swedish label, definition, unit, value type, comparability note, and ``themes`` when the
indicator belongs to more themes than its file's), and the vocabularies its fields take.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from lib import paths
from lib.errors import DataError
from lib.text.themes import theme_ids

VALUE_TYPES = ("level", "share", "change_pct", "change_pp", "change_abs")
BASES = ("utfall", "prognos", "budget", "mal")
UNITS = (
    "procent",
    "procentenheter",
    "kr",
    "tkr",
    "mnkr",
    "personer",
    "hushåll",
    "ärenden",
    "beslut",
    "förfrågningar",
    "placeringar",
    "dygn",
    "platser",
    "lägenheter",
    "besök",
    "samtal",
    "anmälningar",
    "utredningar",
    "månader",
    "årsarbetare",
    "barn",
    "kvinnor",
    "män",
    "antal",
    "per 100 000 invånare",
)
QUALIFIERS = ("≈", "<", ">", "≤", "≥")
CATALOG_DIR = paths.CATALOG_DIR


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


def read_mapping(path: Path) -> dict:
    """A curated YAML file that must exist and hold a mapping."""
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
        raise DataError(
            f"{where}: unknown theme(s) {', '.join(map(str, unknown))}; use "
            f"{', '.join(theme_ids())} (lib/data/themes.yml)."
        )
    return tuple(dict.fromkeys([theme, *listed]))


def load_catalog(catalog_dir: Path = CATALOG_DIR) -> dict[str, Indicator]:
    """All indicators of all themes, keyed by id; validated."""
    out: dict[str, Indicator] = {}
    for theme in theme_ids():
        path = catalog_dir / f"{theme}.yml"
        data = read_mapping(path)
        for i, row in enumerate(data.get("indicators") or [], start=1):
            where = f"{path.name} indicator {i} ({row.get('id', '?')})"
            for key in ("id", "label", "definition", "unit", "value_type"):
                if not row.get(key):
                    raise DataError(f"{where}: missing {key}; fill it in.")
            if row["unit"] not in UNITS:
                raise DataError(
                    f"{where}: unit {row['unit']!r} is not in the unit vocabulary "
                    f"(lib/curation/indicators.py UNITS)."
                )
            if row["value_type"] not in VALUE_TYPES:
                raise DataError(
                    f"{where}: value_type {row['value_type']!r}; use one of "
                    f"{', '.join(VALUE_TYPES)}."
                )
            if row["id"] in out:
                raise DataError(f"{where}: indicator id {row['id']!r} is defined twice.")
            out[row["id"]] = Indicator(
                id=row["id"],
                theme=theme,
                label=row["label"],
                definition=row["definition"],
                unit=row["unit"],
                value_type=row["value_type"],
                comparability=row.get("comparability"),
                themes=_themes_of(row, theme, where),
            )
    return out


def catalog_frame(catalog: dict[str, Indicator] | None = None) -> pd.DataFrame:
    """The catalog as a table (one row per indicator)."""
    catalog = catalog if catalog is not None else load_catalog()
    rows = [
        {**vars(i), "themes": ";".join(i.themes)}
        for i in sorted(catalog.values(), key=lambda i: i.id)
    ]
    return pd.DataFrame(rows)
