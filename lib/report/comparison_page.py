"""The sections of the comparison notebook (``50_jamforelse``): the reports side by side.

Data from :mod:`lib.report.comparison`; each table links its sources to the reports'
lines in ``outputs/kallor`` (``kallor``) and is saved as CSV where ``output_dir`` is set.
A section with nothing to show says so in one sentence (the reports in hand may simply
not overlap yet: that is a finding, not an error).
"""

from __future__ import annotations

import pandas as pd

from lib.core import formats
from lib.report import comparison, fmt, plots, processed, selection, series, sources_view
from lib.text.themes import theme_labels


def _md(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))


def _value(value: object, qualifier: object, unit: object, value_type: str = "") -> str:
    return comparison.value_text(value, qualifier, unit, sign=value_type.startswith("change"))


class ComparisonPage:
    """What the reports cover, say twice, forecast and dispute."""

    def __init__(self, output_dir: str = "", kallor: str = "") -> None:
        selection.validate_params(None, None, output_dir, kallor)
        self.output_dir, self.kallor = output_dir, kallor
        self.points = series.points()

    def _links(self, refs: pd.Series, texts: pd.Series) -> list[str]:
        return sources_view.links(refs, texts, self.kallor)

    def _table(self, view: pd.DataFrame, name: str, raw: dict[str, list[str]]) -> None:
        """Show a table (its source columns as linked HTML) and save it as CSV."""
        fmt.show(view, name, self.output_dir, csv=view, raw=raw)

    def coverage(self) -> None:
        """Per theme, the years each report gives the headline indicators for (a chart
        and its table)."""
        cov = comparison.coverage()
        known = cov.dropna(subset=["year"])
        years = list(range(int(known.year.min()), int(known.year.max()) + 1))
        _md(
            "## Vilka år och rapporter huvudindikatorerna finns för\n\n"
            "Varje tema har 6–12 huvudindikatorer (data/curated/headlines.yml). En punkt per "
            "rapport som ger indikatorn för året; punkter sida vid sida är samma år i flera "
            "rapporter. Rapporterna har olika avsändare och omfattning, så en indikator "
            "finns ofta bara i en av dem: jämförelser över åren bygger då på rapportens "
            "egna föregående år."
        )
        labels = theme_labels()
        for theme, part in cov.groupby("theme", sort=False):
            fig = comparison.coverage_chart(part, labels[theme], years)
            plots.show(fig, f"tackning_{theme}", self.output_dir)
        rows = []
        for (theme, _rank), d in cov.groupby(["theme", "rank"], sort=False):
            found = d.dropna(subset=["year"])
            rows.append(
                {
                    "Tema": labels[theme],
                    "Indikator": d.label.iloc[0],
                    "År med uppgifter": ", ".join(str(y) for y in found.year) or "inga",
                    "Rapporter": "; ".join(
                        dict.fromkeys(n for t in found.reports for n in t.split("; ") if n)
                    ),
                    "Områden (flest ett år)": int(d.areas.max()),
                }
            )
        view = pd.DataFrame(rows)
        fmt.show(view, "tackning", self.output_dir, csv=view)

    def restated(self) -> None:
        """Figures stated in more than one report."""
        rows = comparison.restated(self.points)
        _md("## Samma uppgift i flera rapporter")
        if rows.empty:
            reports = processed.load("documents").short_title.drop_duplicates()
            _md(
                "Ingen uppgift (samma indikator, område, period och grund) står i mer än en "
                f"av rapporterna ({', '.join(reports)}). Den stadengemensamma "
                "uppföljningen 2024 finns i två återgivningar (OCR-läst och ren text) och "
                "räknas som en rapport. När en senare rapport upprepar ett tidigare års "
                "värde visas det här, med båda källorna."
            )
            return
        self._points_table(rows, "samma_uppgift")

    def part_and_whole(self) -> None:
        """Part-year values beside whole-year values of the same indicator, area, year."""
        rows = comparison.part_and_whole(self.points)
        _md(
            "## Del av året och helår\n\n"
            "En uppgift för en del av året (t.ex. jan–aug i delårsrapporten) bredvid samma "
            "indikators helårsvärde för samma område och år: utfall, prognos eller budget. "
            "Delårsvärden är inte helår: de jämförs här, men förbinds aldrig med helår i "
            "diagrammen."
        )
        if rows.empty:
            _md("Ingen indikator har både ett delårs- och ett helårsvärde för samma år.")
            return
        view = pd.DataFrame(
            {
                "Indikator": [selection.item(r.label_part, r.geography) for r in rows.itertuples()],
                "Del av året": [
                    f"{formats.period(r.period_part)}: "
                    f"{_value(r.value_part, r.qualifier_part, r.unit_part, r.value_type_part)}"
                    for r in rows.itertuples()
                ],
                "Källa (del av året)": list(rows.sources_part),
                "Helår": [
                    f"{series.period_text(r.period_year, r.basis_year)}: "
                    f"{_value(r.value_year, r.qualifier_year, r.unit_year, r.value_type_year)}"
                    for r in rows.itertuples()
                ],
                "Källa (helår)": list(rows.sources_year),
            }
        )
        self._table(
            view,
            "del_och_helar",
            {
                "Källa (del av året)": self._links(rows.refs_part, rows.sources_part),
                "Källa (helår)": self._links(rows.refs_year, rows.sources_year),
            },
        )

    def forecasts(self) -> None:
        """Each forecast and the outcome of the same figure, where a report gives one."""
        rows = comparison.forecasts(self.points)
        _md(
            "## Prognos och utfall\n\n"
            "Varje prognos i rapporterna bredvid utfallet för samma indikator, område och "
            "period, där en rapport anger det: så syns hur prognoserna höll."
        )
        if rows.empty:
            _md("Rapporterna innehåller inga prognoser.")
            return
        matched = rows.value_utfall.notna().sum()
        _md(
            f"{matched} av {len(rows)} prognoser har ett utfall i rapporterna."
            + (
                " Prognoserna kommer från delårsrapporten 2024; utfallet för helåret 2024 "
                "finns i stadsområdets årsrapport 2024, som inte ingår ännu. Prognoserna står "
                "här så att jämförelsen blir klar när den rapporten läggs till."
                if matched == 0
                else ""
            )
        )
        view = pd.DataFrame(
            {
                "Indikator": [selection.item(r.label, r.geography) for r in rows.itertuples()],
                "Period": [formats.period(p) for p in rows.period],
                "Prognos": [
                    _value(r.value, r.qualifier, r.unit, r.value_type) for r in rows.itertuples()
                ],
                "Källa": list(rows.sources),
                "Utfall": [
                    _value(r.value_utfall, r.qualifier_utfall, r.unit, r.value_type)
                    if pd.notna(r.value_utfall)
                    else "saknas"
                    for r in rows.itertuples()
                ],
            }
        )
        self._table(view, "prognos_utfall", {"Källa": self._links(rows.refs, rows.sources)})

    def disagreements(self) -> None:
        """Disputed figures: each statement with its source."""
        rows = comparison.disagreements(self.points)
        _md(
            "## Uppgifter som rapporterna anger olika\n\n"
            "Samma uppgift med olika värden, en förändring som nivåerna i rapporten inte ger, "
            "eller delar som inte summerar till totalen. Värdena rättas aldrig: båda "
            "uppgifterna står med sina källor, och de visas som omstridda i alla diagram och "
            "tabeller."
        )
        if rows.empty:
            _md("Inga motsägelser mellan rapporternas uppgifter.")
            return
        self._points_table(rows, "omstridda")

    def _points_table(self, rows: pd.DataFrame, name: str) -> None:
        view = pd.DataFrame(
            {
                "Indikator": [selection.item(r.label, r.geography) for r in rows.itertuples()],
                "Period": [series.period_text(r.period, r.basis) for r in rows.itertuples()],
                "Värde": [
                    _value(r.value, r.qualifier, r.unit, r.value_type) for r in rows.itertuples()
                ],
                "Källa": list(rows.sources),
                "Rapporterna anger också": [d or "" for d in rows.dispute],
            }
        )
        self._table(
            view,
            name,
            {
                "Källa": self._links(rows.refs, rows.sources),
                "Rapporterna anger också": [
                    sources_view.link_references(d, self.kallor) for d in rows.dispute
                ],
            },
        )
