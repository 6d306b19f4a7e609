"""What a theme notebook looks at: the parameters, the selection of figures, and how
they are shown.

Everything reads the processed tables (:mod:`lib.report.processed`); nothing is rebuilt.

Selection rules (:func:`select`):

* **year** ``Y`` selects the figures whose period falls in or ends in ``Y``: ``"2024"``,
  the change ``"2023/2024"``, the interval ``"2024-01/2024-08"`` and the date
  ``"2024-06-30"`` all belong to 2024 (role ``current``). It adds the prior-year values
  they are compared with (role ``prior``): for a current figure of period ``P`` the
  outcome (basis ``utfall``) of the same indicator and geography for ``P`` moved back
  one year (``"2023"``, ``"2023-01/2023-08"``, ``"2023-06-30"``).
* **district**: the city (``Göteborg``, :func:`city`) selects the figures for the whole
  city and the city-wide services and units (Kriscentrum för kvinnor, Barnahus,
  Etableringsenheten …), not the districts' own; any other district selects the rows whose
  geography is that district, nothing else. ``None`` selects every area and service.
* **year** ``None`` selects every year.
* An indicator belongs to every theme its catalog entry lists (column ``themes``).
* Restatements (rows with ``restatement_of`` set: the same figure again elsewhere in a
  report) are left out; the discrepancies table records where they disagree.

Years, districts and themes are data: :func:`years` (every year with a report or a
figure), :func:`areas` (the manifest's vocabulary, via the ``areas`` table) and
:func:`lib.text.themes.theme_labels`. Approximations and bounds carry their ``qualifier``
(≈ < > ≤ ≥); changes are not computed from bounds, and bounds stay out of the tests.
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd

from lib.core import formats
from lib.errors import DataError
from lib.report import fmt, processed
from lib.text.themes import check_theme

_YEAR_RE = re.compile(r"\d{4}")
BOUNDS = frozenset({"<", ">", "≤", "≥"})


# ----------------------------------------------------------------------------- scope


def city() -> str:
    """The area standing for the whole city (the manifest's ``vocabulary.city``)."""
    return processed.city()


def areas() -> tuple[str, ...]:
    """The city, then its districts (the manifest's vocabulary)."""
    return processed.areas()


def districts() -> tuple[str, ...]:
    """The city's districts (every area but the city)."""
    return tuple(a for a in areas() if a != city())


def years() -> tuple[int, ...]:
    """Every year with a report (``documents.year``) or a figure (the year a period ends in)."""
    return _years(str(processed.processed_dir()))


def report_years() -> tuple[int, ...]:
    """The years the reports are for (``documents.year``)."""
    return tuple(sorted({int(y) for y in processed.load("documents").year}))


@cache
def _years(directory: str) -> tuple[int, ...]:
    periods = processed.load("observations").period
    return tuple(sorted(set(report_years()) | {period_year(p) for p in periods}))


def area(district: str | None) -> str:
    """The area a statement search covers: the city stands for every area."""
    return city() if district is None else district


def is_bound(qualifier: object) -> bool:
    """True for a bound (``<``, ``>``, ``≤``, ``≥``): not a value to compute with."""
    return isinstance(qualifier, str) and qualifier in BOUNDS


# ----------------------------------------------------------------------------- parameters


def validate_params(
    year: object, district: object, output_dir: object, kallor: object = ""
) -> None:
    """Check a notebook's parameters against the data; raise a one-line :class:`DataError`.

    ``year`` is a year of the data or ``None`` (every year); ``district`` an area of the
    manifest's vocabulary or ``None`` (every area); ``kallor`` the address of the sources
    view (``outputs/kallor``) relative to the page, or ``""`` for no links.
    """
    if year is not None and (
        isinstance(year, bool) or not isinstance(year, int) or year not in years()
    ):
        raise DataError(
            f"year={year!r}: ogiltigt år / invalid year; välj / choose None (alla år) or "
            f"one of {', '.join(map(str, years()))}."
        )
    if district is not None and (not isinstance(district, str) or district not in areas()):
        raise DataError(
            f"district={district!r}: okänt område / unknown district; välj / choose None "
            f"(alla områden) or one of {', '.join(areas())}."
        )
    if not isinstance(kallor, str):
        raise DataError(
            f"kallor={kallor!r}: must be a string (the address of outputs/kallor relative "
            'to the page, or "" for no links) / ska vara en sträng.'
        )
    if not isinstance(output_dir, str):
        raise DataError(
            f"output_dir={output_dir!r}: must be a string (a directory path, "
            'or "" not to save files) / ska vara en sträng.'
        )
    fmt.check_output_dir(output_dir)


# ----------------------------------------------------------------------------- periods


def period_year(period: str) -> int:
    """The year a period ends in: ``"2023/2024"`` -> 2024, ``"2024-01/2024-08"`` -> 2024."""
    years = _YEAR_RE.findall(period)
    if not years:
        raise DataError(
            f"period {period!r} has no year; see lib/curation/indicators.py for the forms."
        )
    return int(years[-1])


def period_kind(period: str) -> str:
    """``year`` (2024), ``change`` (2023/2024), ``interval`` (2024-01/2024-08) or ``date``."""
    if re.fullmatch(r"\d{4}", period):
        return "year"
    if re.fullmatch(r"\d{4}/\d{4}", period):
        return "change"
    if re.fullmatch(r"\d{4}-\d{2}/\d{4}-\d{2}", period):
        return "interval"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", period):
        return "date"
    raise DataError(f"period {period!r}: not a known period form.")


def shift_period(period: str, years: int = -1) -> str:
    """The same period ``years`` years earlier or later (every year in it moves)."""
    return _YEAR_RE.sub(lambda m: str(int(m.group()) + years), period)


# ----------------------------------------------------------------------------- selection


def observations(theme: str | None = None) -> pd.DataFrame:
    """The curated observations (of one theme: every indicator listing it), restatements
    left out, with ``year`` (the year the period ends in) and ``source`` (file, line)."""
    obs = _observations(str(processed.processed_dir()))
    if theme is not None:
        check_theme(theme)
        obs = obs[obs.themes.str.split(";").map(lambda ts: theme in ts)]
    return obs.reset_index(drop=True)


@cache
def _observations(directory: str) -> pd.DataFrame:
    obs = processed.load("observations")
    obs = obs[obs.restatement_of.isna()].copy()
    obs["year"] = obs.period.map(period_year).astype("int64")
    obs["source"] = [formats.source(f, ln) for f, ln in zip(obs.source_file, obs.line, strict=True)]
    return obs.sort_values(
        ["indicator", "geography", "period", "basis", "doc_id", "line"], kind="stable"
    ).reset_index(drop=True)


def in_district(obs: pd.DataFrame, district: str | None) -> pd.DataFrame:
    """Rows of ``district``: every row for ``None``; for the city, the city's own rows and
    those of city-wide services and units (not the districts'); else that district's."""
    if district is None:
        return obs
    if district not in areas():
        raise DataError(f"district={district!r}: choose one of {', '.join(areas())}.")
    if district == city():
        return obs[~obs.geography.isin(districts())]
    return obs[obs.geography == district]


def _prior_rows(obs: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    outcomes = obs[obs.basis == "utfall"]
    keys = {
        (r.indicator, r.geography, shift_period(r.period))
        for r in current.itertuples()
        if period_kind(r.period) != "change"
    }
    mask = pd.Series(
        [
            (i, g, p) in keys
            for i, g, p in zip(outcomes.indicator, outcomes.geography, outcomes.period, strict=True)
        ],
        index=outcomes.index,
        dtype=bool,
    )
    return outcomes[mask]


def select(theme: str, year: int, district: str | None = None) -> pd.DataFrame:
    """The figures of a theme for a year and district (module docstring), with ``role``."""
    validate_params(year, district, "")
    return _select(str(processed.processed_dir()), check_theme(theme), year, district).copy()


@cache
def _select(directory: str, theme: str, year: int, district: str | None) -> pd.DataFrame:
    obs = in_district(observations(theme), district)
    current = obs[obs.year == year].assign(role="current")
    prior = _prior_rows(obs, current)
    prior = prior[prior.year != year].assign(role="prior")
    out = pd.concat([current, prior], ignore_index=True)
    return out.sort_values(
        ["role", "indicator", "geography", "period", "basis"], kind="stable"
    ).reset_index(drop=True)


def place(district: str | None) -> str:
    """Swedish name of the selection's area."""
    if district is None:
        return "alla stadsområden, staden och de stadenövergripande verksamheterna"
    if district == city():
        return f"{district} – staden som helhet och de stadenövergripande verksamheterna"
    return f"stadsområde {district}"


def heading(year: int | None, district: str | None = None) -> str:
    """The Swedish sentence naming the selection a page shows (Markdown)."""
    when = "alla år" if year is None else f"år {year}"
    return f"**Sidan visar {when}, {place(district)}.**"


# ----------------------------------------------------------------------------- display

SOURCE_COLUMNS = frozenset({"source", "prior_source", "source_a", "source_b", "ocr_source"})
VIEW_HEADERS: dict[str, str] = {
    "item": "Uppgift",
    "when": "Period",
    "computed": "Beräknad förändring",
    "reported": "Förändring enligt rapporten",
}
_PP = "%\u2011enheter"  # percentage points, with a non-breaking hyphen
_UNIT_SHORT = {"procent": "%", "procentenheter": _PP}


def item(label: str, geography: str) -> str:
    """``label – geography``, the place left out for the city or when the label names it."""
    if geography == city() or geography.lower() in label.lower():
        return label
    return f"{label} – {geography}"


def _when(row: dict) -> str:
    basis = row.get("basis")
    text = formats.period(row["period"])
    return text if basis in (None, "utfall") or pd.isna(basis) else f"{text} ({basis})"


def _reported(row: dict) -> str:
    value = row["reported_change"]
    if pd.isna(value):
        return formats.NA
    unit = row.get("reported_change_unit") or ""
    return f"{formats.number(value, sign=True)} {_UNIT_SHORT.get(unit, unit)}".rstrip()


def _computed(row: dict) -> str:
    change, pct = row["change"], row.get("change_pct")
    if pd.isna(change):
        return formats.NA
    if row.get("value_type") == "share":
        return f"{formats.number(change, sign=True)} {_PP}"
    text = formats.number(change, sign=True)
    return text if pct is None or pd.isna(pct) else f"{text} ({formats.percent(pct, sign=True)})"


# Value columns shown with the qualifier of an approximation or bound (``ca 20 000``, ``< 5``).
_QUALIFIER_OF = {"value": "qualifier", "prior_value": "prior_qualifier"}


def view(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A compact table for display, with Swedish headers; the CSV keeps the full table.

    ``columns`` are column names of ``df`` or the derived columns ``item`` (label and
    place), ``when`` (period in words, basis unless outcome), ``computed`` (the change
    from the prior-year value, in percent too for levels, in percentage points for
    shares) and ``reported`` (the change the report gives, with its unit). A value column
    becomes text (``ca 20 000``, ``< 5``) where some of its values are qualified, and
    stays numeric otherwise. Source columns
    show the short report label (:func:`lib.report.fmt.short_source`); periods read
    ``jan–aug 2024``; OCR repairs read ``a → b``.
    """
    derived = {
        "item": lambda r: item(r["label"], r["geography"]),
        "when": _when,
        "computed": _computed,
        "reported": _reported,
    }
    records = df.to_dict("records")
    out = {}
    for col in columns:
        header = VIEW_HEADERS.get(col, fmt.HEADERS.get(col, col))
        if col in derived:
            out[header] = [derived[col](r) for r in records]
        elif col not in df.columns:
            raise DataError(f"analysis.view: column {col!r} is not in the table.")
        elif col in SOURCE_COLUMNS:
            out[header] = [fmt.short_source(v) for v in df[col]]
        elif col in _QUALIFIER_OF and df.get(_QUALIFIER_OF[col], pd.Series()).notna().any():
            out[header] = [
                formats.qualified(v, q)
                for v, q in zip(df[col], df[_QUALIFIER_OF[col]], strict=True)
            ]
        elif col == "period":
            out[header] = [formats.period(v) for v in df[col]]
        elif col == "repairs":
            out[header] = [v.replace("→", " → ") for v in df[col]]
        else:
            out[header] = df[col].to_numpy()
    return pd.DataFrame(out, columns=list(out))
