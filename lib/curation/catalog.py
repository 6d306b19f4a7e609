"""The indicator catalog: ``data/curated/indicators/<theme>.yml``, one file per theme (id,
Swedish label, definition, unit, value type, comparability note, and ``themes`` when the
indicator belongs to more themes than its file's), and the vocabularies its fields take.

``scope`` says what area an indicator's figures are about (:data:`SCOPES`): a district, the
whole city, either, or a unit such as a city-wide service; the area itself is each
observation's ``geography`` (definitions name no district), and :func:`scope_fits` checks
the two agree. Two fields say how a figure may be compared: ``statistic``, what kind of number it is
(:data:`STATISTICS`; derived from unit, value type and label where the catalog does not
say, :func:`default_statistic`), and ``break_from``, the period from which the series is
not comparable with what came before (a changed rule, definition or accounting). The
headline indicators of each theme are listed in ``data/curated/headlines.yml``
(:func:`load_headlines`).
"""

from __future__ import annotations

import re
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
HEADLINES = paths.CURATED_DIR / "headlines.yml"

# What area an indicator's figures are about; the area itself is each observation's geography.
SCOPES: dict[str, str] = {
    "stadsområde": "ett stadsområde (geografin är stadsområdet)",
    "stad": "hela staden (geografin är staden)",
    "område": "ett stadsområde eller hela staden",
    "enhet": "en enhet eller verksamhet, t.ex. en stadengemensam verksamhet (geografin är enheten)",
}
# The scopes in the words of error messages (English, as the command line's).
SCOPE_WORDS = {
    "stadsområde": "figures of a district",
    "stad": "figures of the whole city",
    "område": "figures of a district or the whole city",
    "enhet": "figures of a unit or service",
}
# What kind of number a figure is; decides which comparisons and tests fit it.
STATISTICS: dict[str, str] = {
    "count": "antal händelser eller personer under perioden",
    "mean": "genomsnitt (t.ex. per månad)",
    "share": "andel",
    "rate": "antal per invånare",
    "amount": "belopp",
    "volume": "summa dygn (vårddygn, boendedygn)",
    "other": "annat antal (personal, platser, organisationer, aktiviteter) eller oklart slag",
    "change": "förändring",
}
# Units that count events or persons: a count unless the label says it is an average.
_COUNT_UNITS = frozenset(
    {
        "personer",
        "hushåll",
        "ärenden",
        "beslut",
        "förfrågningar",
        "placeringar",
        "besök",
        "samtal",
        "anmälningar",
        "utredningar",
        "barn",
        "kvinnor",
        "män",
    }
)
_MEAN_WORDS = ("genomsnitt", "i snitt", "per månad")
_BREAK_FORM = re.compile(r"^\d{4}(?:-\d{2})?$")


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
    statistic: str = ""
    break_from: str | None = None  # "2024" or "2024-04": not comparable with earlier periods
    scope: str = ""  # a key of SCOPES; required in the catalog files

    def __post_init__(self) -> None:
        if not self.themes:
            object.__setattr__(self, "themes", (self.theme,))
        if not self.statistic:
            object.__setattr__(
                self, "statistic", default_statistic(self.unit, self.value_type, self.label)
            )


def default_statistic(unit: str, value_type: str, label: str) -> str:
    """What kind of number an indicator is when the catalog does not say (:data:`STATISTICS`)."""
    if value_type.startswith("change"):
        return "change"
    if value_type == "share":
        return "share"
    if unit in ("kr", "tkr", "mnkr"):
        return "amount"
    if unit == "per 100 000 invånare":
        return "rate"
    if unit == "dygn":
        return "volume"
    if any(w in label.lower() for w in _MEAN_WORDS):
        return "mean"
    return "count" if unit in _COUNT_UNITS else "other"


def area_kind(geography: str, city: str, districts: tuple[str, ...]) -> str:
    """The scope a geography stands for: ``stad`` (the city), ``stadsområde`` (one of the
    districts) or ``enhet`` (anything else: a unit or service); city and districts are the
    manifest's vocabulary."""
    if geography == city:
        return "stad"
    return "stadsområde" if geography in districts else "enhet"


def scope_fits(scope: str, geography: str, city: str, districts: tuple[str, ...]) -> bool:
    """True if a figure about ``geography`` fits an indicator of ``scope`` (:data:`SCOPES`)."""
    kind = area_kind(geography, city, districts)
    return kind == scope or (scope == "område" and kind != "enhet")


def scope_of(geographies: list[str], city: str, districts: tuple[str, ...]) -> str | None:
    """The narrowest scope that fits every geography, or None when units and areas mix."""
    kinds = {area_kind(g, city, districts) for g in geographies}
    if len(kinds) == 1:
        return kinds.pop()
    return "område" if kinds == {"stad", "stadsområde"} else None


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
                    f"(UNITS in lib/curation/catalog.py)."
                )
            if row["value_type"] not in VALUE_TYPES:
                raise DataError(
                    f"{where}: value_type {row['value_type']!r}; use one of "
                    f"{', '.join(VALUE_TYPES)}."
                )
            if row.get("scope") not in SCOPES:
                raise DataError(
                    f"{where}: scope {row.get('scope')!r}; use one of {', '.join(SCOPES)} "
                    "(what area the figures are about; data/curated/README.md)."
                )
            if row.get("statistic") is not None and row["statistic"] not in STATISTICS:
                raise DataError(
                    f"{where}: statistic {row['statistic']!r}; use one of {', '.join(STATISTICS)}."
                )
            brk = row.get("break_from")
            if brk is not None and not _BREAK_FORM.match(str(brk)):
                raise DataError(
                    f"{where}: break_from {brk!r}; give the year or month from which the "
                    "series is not comparable, e.g. 2024 or 2024-04 (in quotes)."
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
                statistic=row.get("statistic") or "",
                break_from=str(brk) if brk is not None else None,
                scope=row["scope"],
            )
    return out


def load_headlines(
    catalog: dict[str, Indicator] | None = None, path: Path = HEADLINES
) -> dict[str, list[tuple[str, str]]]:
    """The headline indicators of each theme, in order, with the question each answers:
    ``{theme: [(indicator id, Swedish question), ...]}``; validated against the catalog."""
    catalog = catalog if catalog is not None else load_catalog()
    data = read_mapping(path)
    out: dict[str, list[tuple[str, str]]] = {}
    for theme in theme_ids():
        entries = data.get(theme) or []
        if not isinstance(entries, list):
            raise DataError(f"{path}: {theme} must be a list of indicators (id, question).")
        for i, entry in enumerate(entries, start=1):
            where = f"{path.name} {theme} entry {i}"
            ident = entry.get("id") if isinstance(entry, dict) else None
            if ident not in catalog:
                raise DataError(f"{where}: indicator {ident!r} is not in the catalog; fix the id.")
            if theme not in catalog[ident].themes:
                raise DataError(
                    f"{where}: {ident} is not an indicator of {theme}; list it under "
                    f"{', '.join(catalog[ident].themes)}."
                )
            if not entry.get("question"):
                raise DataError(f"{where}: missing question (the Swedish question it answers).")
            out.setdefault(theme, []).append((ident, str(entry["question"])))
    unknown = sorted(set(data) - set(theme_ids()))
    if unknown:
        raise DataError(f"{path}: unknown theme(s) {', '.join(unknown)}.")
    return out


def catalog_frame(catalog: dict[str, Indicator] | None = None) -> pd.DataFrame:
    """The catalog as a table (one row per indicator)."""
    catalog = catalog if catalog is not None else load_catalog()
    rows = [
        {**vars(i), "themes": ";".join(i.themes)}
        for i in sorted(catalog.values(), key=lambda i: i.id)
    ]
    return pd.DataFrame(rows)


def headlines_frame(headlines: dict[str, list[tuple[str, str]]]) -> pd.DataFrame:
    """The headline indicators as a table: theme, rank (1 first), indicator, question."""
    rows = [
        {"theme": theme, "rank": rank, "indicator": ident, "question": question}
        for theme, entries in headlines.items()
        for rank, (ident, question) in enumerate(entries, start=1)
    ]
    return pd.DataFrame(rows, columns=["theme", "rank", "indicator", "question"]).astype(
        {"rank": "int64"}
    )
