"""What a batch runs: one job per notebook, year and area, with parameters checked
against the data before anything runs.

Per theme the batch publishes one comparative page over every year and area (the main
product, ``outputs/jamforelse/<notebook>/``), plus a page per year and area
(``outputs/<year>/<area>/<notebook>/``) only where that selection has figures
(:func:`has_figures`); the comparison across the reports (``50_jamforelse``) runs once,
the overview once per year.

Years, districts and themes come from the data (:func:`lib.report.selection.years`,
:func:`lib.report.selection.areas`, lib/data/themes.yml), never from constants here. A
notebook's ``parameters`` cell must be plain literals (:func:`parameters_of`); the values
given are checked against them and the data (:func:`check_parameters`).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lib import paths
from lib.errors import DataError

OVERVIEW = "oversikt"
OVERVIEW_LABEL = "Översikt över rapporterna"
COMPARISON = "jamforelse"
COMPARISON_LABEL = "Jämförelse mellan rapporterna"
COMPARATIVE_DIR = "jamforelse"  # outputs/jamforelse/<notebook>/: every year and area
SOURCES_DIR = "kallor"  # outputs/kallor/: the reports' lines (lib.report.sources_view)
_PLAIN = (bool, int, float, str, type(None))


@dataclass(frozen=True)
class Job:
    """One notebook execution: a notebook with its parameters (``output_dir`` added at run)."""

    notebook: Path
    theme: str
    year: int | None  # None: every year (a comparative page)
    district: str | None  # None: every area
    params: tuple[tuple[str, object], ...] = field(default=())

    @property
    def stem(self) -> str:
        return self.notebook.stem

    @property
    def label(self) -> str:
        """Name used in progress and error messages."""
        year = "alla år" if self.year is None else str(self.year)
        district = "alla områden" if self.district is None else self.district
        return f"{self.notebook.name} ({year}, {district})"

    def target(self, outputs_dir: Path) -> Path:
        """The directory this job publishes to."""
        return target_of(outputs_dir, self.year, self.district, self.stem)


def target_of(outputs_dir: Path, year: int | None, district: str | None, stem: str) -> Path:
    """Where a page is published: ``jamforelse/<stem>`` for every year and area, else
    ``<year>/<area>/<stem>``."""
    if year is None:
        return outputs_dir / COMPARATIVE_DIR / stem
    return outputs_dir / str(year) / str(district) / stem


def sources_link(year: int | None) -> str:
    """The address of ``outputs/kallor`` from a page's directory."""
    depth = 2 if year is None else 3
    return "../" * depth + SOURCES_DIR


@dataclass(frozen=True)
class Result:
    """Outcome of one job: ``error`` is a one-line message, None on success."""

    job: Job
    error: str | None = None
    tmp: Path | None = None  # executed, not yet published (see execute_job)

    @property
    def ok(self) -> bool:
        return self.error is None


# --------------------------------------------------------------------- scope (from the data)


def theme_choices() -> tuple[str, ...]:
    """The overview, every theme of lib/data/themes.yml and the comparison (each has a
    notebook)."""
    from lib.text.themes import theme_ids

    return (OVERVIEW, *theme_ids(), COMPARISON)


def theme_labels() -> dict[str, str]:
    """Swedish names of the notebooks' themes."""
    from lib.text.themes import theme_labels as labels

    return {OVERVIEW: OVERVIEW_LABEL, **labels(), COMPARISON: COMPARISON_LABEL}


def has_figures(theme: str, year: int | None, district: str | None) -> bool:
    """Whether a theme's page for the year and area would show any figure."""
    from lib.report import series

    pts = series.in_scope(series.points(theme), district)
    return not (pts if year is None else pts[pts.year == year]).empty


def page_summary(theme: str, year: int | None, district: str | None) -> str:
    """What a page holds, in one Swedish line for the index."""
    from lib.core.formats import counted
    from lib.report import processed, series

    if theme == OVERVIEW:
        return f"Rapporterna, teman och textkvalitet ({year} markerat)"
    if theme == COMPARISON:
        n = processed.load("documents").short_title.nunique()
        return (
            f"{n} rapporter: huvudindikatorernas täckning, del av år och helår, prognos och "
            "utfall, uppgifter som rapporterna anger olika"
        )
    pts = series.in_scope(series.points(theme), district)
    if year is not None:
        pts = pts[pts.year == year]
    if pts.empty:
        return "inga uppgifter"
    return (
        f"{counted(len(pts), 'uppgift', 'uppgifter')} om "
        f"{counted(pts.indicator.nunique(), 'indikator', 'indikatorer')}; "
        f"{series.year_span(pts.year)}; "
        f"{counted(pts.geography.nunique(), 'område eller verksamhet', 'områden och verksamheter')}"
    )


def years() -> tuple[int, ...]:
    """Every year the batch accepts: those with a report or a figure in the processed data."""
    from lib.report import selection

    return selection.years()


def report_years() -> tuple[int, ...]:
    """The years of the reports (``--all-years``)."""
    from lib.report import selection

    return selection.report_years()


def areas() -> tuple[str, ...]:
    """The city, then its districts."""
    from lib.report import processed

    return processed.areas()


def city() -> str:
    """The area standing for the whole city."""
    from lib.report import processed

    return processed.city()


# --------------------------------------------------------------------- validation


def parse_years(values: Iterable[str | int]) -> list[int]:
    """Years as ints, checked against :func:`years`; DataError names a bad value."""
    chosen: list[int] = []
    allowed = years()
    for value in values:
        text = str(value).strip()
        if not text.isdigit() or int(text) not in allowed:
            raise DataError(
                f"--year {value!r}: no report or figure for that year; choose one "
                f"of {', '.join(map(str, allowed))}."
            )
        chosen.append(int(text))
    return sorted(set(chosen))


def check_choices(option: str, values: Iterable[str], allowed: Sequence[str]) -> list[str]:
    chosen = set()
    for value in values:
        if value not in allowed:
            raise DataError(f"{option} {value!r}: unknown value; choose from {', '.join(allowed)}.")
        chosen.add(value)
    return [v for v in allowed if v in chosen]


def check_plain_literal(name: str, value: object) -> None:
    """Raise DataError unless ``value`` is a plain literal (bool, int, float, str, None)."""
    if not isinstance(value, _PLAIN) or (isinstance(value, str) and "\x00" in value):
        raise DataError(
            f"parameter {name}={value!r}: not a plain literal; give a number or a string."
        )


def parameters_of(notebook: Path) -> dict[str, object]:
    """The names and default values of the notebook's ``parameters`` cell.

    Every statement of that cell must assign a plain literal to one name; anything else
    (a call, an expression, an import) raises DataError naming the notebook and the line.
    """
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{notebook}: cannot read the notebook ({exc}); restore it.") from None
    cells = [
        c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    if not cells:
        raise DataError(f"{notebook}: no cell tagged 'parameters'; tag the parameters cell.")
    source = (
        "".join(cells[0]["source"]) if isinstance(cells[0]["source"], list) else cells[0]["source"]
    )
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise DataError(f"{notebook}: parameters cell line {exc.lineno}: syntax error.") from None
    declared: dict[str, object] = {}
    for stmt in tree.body:
        target, value = _assignment(stmt)
        try:
            literal = ast.literal_eval(value) if value is not None else None
        except ValueError:
            literal = ...
        if target is None or value is None or not isinstance(literal, _PLAIN):
            text = ast.get_source_segment(source, stmt) or ""
            raise DataError(
                f"{notebook}: parameters cell line {stmt.lineno}: `{text.splitlines()[0]}` "
                "is not a plain literal assignment; write `name = <number or string>`."
            )
        declared[target] = literal
    return declared


def _assignment(stmt: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
    ):
        return stmt.targets[0].id, stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id, stmt.value
    return None, None


def check_parameters(notebook: Path, params: dict[str, object]) -> None:
    """Each passed parameter must be declared by the notebook, with a value of the same type."""
    declared = parameters_of(notebook)
    for name, value in params.items():
        check_plain_literal(name, value)
        if name not in declared:
            raise DataError(
                f"{notebook}: parameter {name!r} is not declared in its parameters cell "
                f"(declared: {', '.join(declared) or 'none'})."
            )
        if (
            declared[name] is not None
            and value is not None
            and (type(declared[name]) is not type(value))
        ):
            raise DataError(
                f"{notebook}: parameter {name}={value!r} has type {type(value).__name__}, "
                f"the notebook declares {type(declared[name]).__name__}."
            )


def notebook_for(theme: str, notebooks_dir: Path) -> Path:
    """The notebook of ``theme``: the single ``NN_<theme>.ipynb`` in ``notebooks_dir``."""
    found = sorted(
        p
        for p in notebooks_dir.glob(f"*_{theme}.ipynb")
        if re.fullmatch(rf"\d\d_{theme}\.ipynb", p.name)
    )
    if len(found) != 1:
        raise DataError(
            f"{notebooks_dir}: expected one notebook NN_{theme}.ipynb, found {len(found)}; "
            "restore the notebooks directory."
        )
    return found[0]


def check_processed(processed_dir: Path) -> None:
    """The processed tables must exist before any notebook runs."""
    if not processed_dir.is_dir() or not any(processed_dir.glob("*.parquet")):
        raise DataError(f"{processed_dir}: no processed tables; run `make data` first.")


def plan(
    years: Iterable[int | str],
    themes: Iterable[str] | None = None,
    districts: Iterable[str] | None = None,
    notebooks_dir: Path = paths.NOTEBOOKS_DIR,
) -> list[Job]:
    """Validate the selection and list the jobs: per theme its comparative page (when
    no ``districts``: every area), then the pages of the years and areas that have
    figures (module docstring); the comparison once (every area), the overview once per
    year. Sorted by year (comparative pages first), area and
    notebook."""
    year_list = parse_years(years)
    if not year_list:
        raise DataError("no year given; use --year YEAR (repeatable) or --all-years.")
    all_themes, all_areas = theme_choices(), areas()
    theme_list = check_choices("--theme", themes or all_themes, all_themes)
    district_list = check_choices("--district", districts or all_areas, all_areas)
    jobs: list[Job] = []
    for theme in theme_list:
        notebook = notebook_for(theme, notebooks_dir)
        declared = parameters_of(notebook)
        for year, district in _selections(theme, year_list, district_list, not districts):
            params: dict[str, object] = {"output_dir": "."}
            if theme != COMPARISON:
                params["year"] = year
            if theme not in (OVERVIEW, COMPARISON) or "district" in declared:
                params["district"] = district
            if "kallor" in declared:
                params["kallor"] = sources_link(year)
            check_parameters(notebook, params)
            jobs.append(Job(notebook, theme, year, district, tuple(sorted(params.items()))))
    return sorted(jobs, key=lambda j: _order(j, all_areas))


def _selections(
    theme: str, years: list[int], districts: list[str], every_area: bool
) -> list[tuple[int | None, str | None]]:
    """The (year, area) pages of a theme; ``(None, None)`` is the page over every year and
    area, made when the batch covers every area (no ``--district``)."""
    comparative: list[tuple[int | None, str | None]] = [(None, None)] if every_area else []
    if theme == COMPARISON:
        return comparative
    if theme == OVERVIEW:
        return [(year, city()) for year in years]
    return comparative + [
        (year, district)
        for year in years
        for district in districts
        if has_figures(theme, year, district)
    ]


def empty_selections(
    years: Iterable[int | str],
    themes: Iterable[str] | None = None,
    districts: Iterable[str] | None = None,
) -> list[tuple[str, int, str]]:
    """The (theme, year, area) pages of the selection that have no figure: not published
    (and removed where an earlier batch published them)."""
    from lib.text.themes import theme_ids

    year_list = parse_years(years)
    all_themes, all_areas = theme_choices(), areas()
    theme_list = check_choices("--theme", themes or all_themes, all_themes)
    district_list = check_choices("--district", districts or all_areas, all_areas)
    return [
        (theme, year, district)
        for theme in theme_list
        if theme in theme_ids()
        for year in year_list
        for district in district_list
        if not has_figures(theme, year, district)
    ]


def _order(job: Job, all_areas: tuple[str, ...]) -> tuple:
    year = -1 if job.year is None else job.year
    area = -1 if job.district is None else all_areas.index(job.district)
    return (year, area, job.stem)
