"""A theme's page: what the theme notebooks show, section by section.

A page is a theme with a scope: one year or every year (``year=None``), one area or every
area (``district=None``). The city (``Göteborg``) means the figures for the whole city and
the city-wide services and units, never a district's own; a district means its own
figures. Each section shows itself only when it has something to show, with its heading
and a short explanation, so an empty selection is one short block. Every table carries the
caveats of its figures (comparability notes, breaks, notes of the reports, disputed
statements with the other statement and its source), every chart its sources and caveats
(:mod:`lib.report.indicator_chart`), and every source links to the report's line in
``outputs/kallor`` when the page is published by the batch (``kallor``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from lib.core import formats
from lib.report import (
    analysis,
    fmt,
    indicator_chart,
    plots,
    processed,
    selection,
    series,
    significance,
    sources_view,
)
from lib.report import statements as statements_mod
from lib.text.themes import check_theme, theme_labels

# Display headers whose cells are report references (linked to outputs/kallor).
SOURCE_HEADERS = ("Källa", "Källa A", "Källa B", "OCR-källa")


class ThemePage:
    """The sections of one theme's page for a year (or all) and an area (or all)."""

    def __init__(
        self,
        theme: str,
        year: int | None = None,
        district: str | None = None,
        output_dir: str = "",
        kallor: str = "",
    ) -> None:
        selection.validate_params(year, district, output_dir, kallor)
        self.theme = check_theme(theme)
        self.year, self.district = year, district
        self.output_dir, self.kallor = output_dir, kallor
        scoped = series.in_scope(series.points(self.theme), district)
        self.context = scoped  # every year of the area: what charts show
        self.points = scoped if year is None else scoped[scoped.year == year]
        self.label = theme_labels()[self.theme]

    # ------------------------------------------------------------------------- helpers

    @property
    def empty(self) -> bool:
        """Whether the selection holds no figure."""
        return self.points.empty

    def _name(self, part: str) -> str:
        return f"{self.theme}_{part}"

    def _scope_text(self) -> str:
        when = "alla år" if self.year is None else f"år {self.year}"
        return f"{when}, {selection.place(self.district)}"

    def _links(self, refs: pd.Series, texts: pd.Series) -> list[str]:
        """Each row's sources linked to their lines in ``outputs/kallor``
        (:func:`lib.report.sources_view.links`)."""
        return sources_view.links(refs, texts, self.kallor)

    def _linked(self, texts: pd.Series) -> list[str]:
        """Caveat texts as HTML, the sources they cite linked to their lines."""
        return [sources_view.link_references(t, self.kallor) for t in texts]

    def _sources(self, view: pd.DataFrame) -> dict[str, list[str]]:
        """The source columns of a display table as HTML with their references linked."""
        return {h: self._linked(view[h]) for h in view.columns if h in SOURCE_HEADERS}

    def _show(self, heading: str, text: str) -> None:
        from IPython.display import Markdown, display

        display(Markdown(f"{heading}\n\n{text}" if text else heading))

    # ------------------------------------------------------------------------- sections

    def intro(self) -> None:
        """What the page holds, or one short block saying the selection is empty."""
        from IPython.display import Markdown, display

        if self.empty:
            display(Markdown(self.empty_text()))
            return
        pts = self.points
        reports = sorted({r.split(", rad")[0] for s in pts.sources for r in s.split("; ")})
        geos = sorted(pts.geography.unique(), key=_geo_key)
        display(
            Markdown(
                f"{selection.heading(self.year, self.district)}\n\n"
                f"**{self.label}:** {formats.counted(len(pts), 'uppgift', 'uppgifter')} om "
                f"{formats.counted(pts.indicator.nunique(), 'indikator', 'indikatorer')} från "
                f"{formats.counted(len(reports), 'rapport', 'rapporter')} ({', '.join(reports)}), "
                f"{'året' if pts.year.nunique() == 1 else 'åren'} "
                f"{series.year_span(pts.year)}, för "
                f"{', '.join(geos)}.\n\n"
                "Varje uppgift har sin källa: rapportens kortnamn och radnumret i rapportens "
                "textfil. Förbehållen står bredvid siffrorna: rapporternas egna anmärkningar "
                "om jämförbarhet, brott i serierna och uppgifter som rapporterna anger med "
                "olika värden (*omstridda*), med båda källorna. Ungefärliga värden visas med "
                "*ca*, gränser med sitt tecken (*< 5*)."
            )
        )

    def empty_text(self) -> str:
        """One short Swedish block for an empty selection, with where there are figures."""
        all_pts = series.points(self.theme)
        hint = []
        if self.year is not None:
            here = series.in_scope(all_pts, self.district)
            years = sorted(set(here.year))
            if years:
                hint.append(f"år med uppgifter för området: {', '.join(map(str, years))}")
            areas = [
                a
                for a in selection.areas()
                if not series.in_scope(all_pts[all_pts.year == self.year], a).empty
            ]
            if areas:
                hint.append(f"områden med uppgifter {self.year}: {', '.join(areas)}")
        more = f" ({'; '.join(hint)})" if hint else ""
        return (
            f"**Inga uppgifter.** Rapporterna innehåller inga uppgifter om "
            f"{self.label.lower()} för {self._scope_text()}{more}."
        )

    def headlines(self) -> None:
        """The theme's headline indicators: a chart over every year of the area, and the
        figures behind it with sources and caveats."""
        if self.empty:
            return
        heads = processed.load("headlines")
        heads = heads[heads.theme == self.theme].sort_values("rank")
        shown, missing = [], []
        for r in heads.itertuples():
            if (self.points.indicator == r.indicator).any():
                shown.append((r.indicator, r.question))
            else:
                missing.append(r.question)
        if not shown:
            return
        self._show(
            "## Huvudindikatorer",
            "Temats huvudfrågor, besvarade med de indikatorer som rapporterna redovisar. "
            "Diagrammen visar alla år som rapporterna har uppgifter för"
            + ("" if self.year is None else f" (tabellen under varje diagram: {self.year})")
            + ". Utfall är fyllda punkter med heldragen linje, prognos ihåliga med prickad "
            "linje, budget och mål ihåliga med streckad linje; en del av ett år (t.ex. "
            "jan–aug) är en egen punkt som aldrig förbinds med helår; en linje förbinder bara "
            "år som följer på varandra. Där serien bryts (ändrade regler eller redovisning) "
            "går ingen linje över brottet. Omstridda uppgifter är ringade i rött med det "
            "andra värdet utsatt. Axlarna börjar på noll.",
        )
        for indicator, question in shown:
            self._headline(indicator, question)
        if missing:
            where = "" if self.year is None and self.district is None else " för urvalet"
            self._show(
                f"*{len(missing)} av {len(heads)} huvudindikatorer har inga uppgifter{where}:*",
                "\n".join(f"- {q}" for q in missing),
            )

    def _headline(self, indicator: str, question: str) -> None:
        """One headline indicator: the city's figures (with the city-wide services) and the
        districts' in charts of their own, never one chart titled with the city that draws
        districts; a single period of several districts as bars, the city's total in the
        title."""
        from IPython.display import Markdown, display

        context = self.context[self.context.indicator == indicator]
        rows = self.points[self.points.indicator == indicator]
        display(Markdown(f"### {question}"))
        districts = context[context.geography.isin(selection.districts())]
        city = context[~context.geography.isin(selection.districts())]
        as_bars = districts.period.nunique() == 1 and districts.geography.nunique() > 1
        only_total = (city.geography == selection.city()).all() and city.period.nunique() == 1
        k = 0
        if not city.empty and not (as_bars and only_total):
            k += 1
            fig = indicator_chart.chart(city)
            plots.show(fig, self._name(f"{indicator}_{k}"), self.output_dir)
        if not districts.empty:
            k += 1
            if as_bars:
                fig = district_chart(pd.concat([districts, city]))
            else:
                fig = indicator_chart.chart(districts)
            plots.show(fig, self._name(f"{indicator}_{k}"), self.output_dir)
        self._points_table(rows, self._name(f"{indicator}_uppgifter"))

    def _points_table(self, rows: pd.DataFrame, name: str) -> None:
        """The figures behind a chart: area, period, basis, value, unit, sources (linked)
        and the caveats of each row; the indicator's comparability note once above."""
        from IPython.display import Markdown, display

        notes = list(dict.fromkeys(c for c in rows.comparability if isinstance(c, str)))
        breaks = list(dict.fromkeys(b for b in rows.break_from if isinstance(b, str)))
        notes += [
            f"Serien bryts från {series.break_text(b)}: värden före och efter jämförs inte."
            for b in breaks
        ]
        if notes:
            display(Markdown(f"*Jämförbarhet:* {' '.join(notes)}"))
        rows = rows.sort_values(["geography", "x", "basis"], key=_sort_key, kind="stable")
        records = rows.to_dict("records")
        view = pd.DataFrame(
            {
                "Område/verksamhet": list(rows.geography),
                "Period": [formats.period(p) for p in rows.period],
                "Grund": [series.BASIS_NAMES.get(b, b) for b in rows.basis],
                "Värde": [_value(r) for r in rows.itertuples()],
                "Enhet": list(rows.unit),
                "Källa": list(rows.sources),
                "Förbehåll": [row_caveats(r, with_comparability=False) for r in records],
            }
        )
        if not view["Förbehåll"].astype(bool).any():
            view = view.drop(columns="Förbehåll")
        fmt.show(
            view,
            name,
            self.output_dir,
            csv=points_csv(rows, [row_caveats(r) for r in records]),
            raw={
                "Källa": self._links(rows.refs, rows.sources),
                "Förbehåll": self._linked(view["Förbehåll"]) if "Förbehåll" in view else [],
            },
        )

    def key_figures(self) -> None:
        """A year page's figures with the prior year's value, the change computed from the
        two and the change the report states, each with its caveats."""
        if self.empty or self.year is None:
            return
        kf = analysis.key_figures(self.theme, self.year, self.district)
        if kf.empty:
            return
        pts = series.points(self.theme).set_index(["indicator", "geography", "period", "basis"])
        caveats, comparable = [], []
        for r in kf.to_dict("records"):
            basis = {"mål": "mal"}.get(r["basis"], r["basis"])
            point = pts.loc[(r["indicator"], r["geography"], r["period"], basis)]
            prior = None
            if isinstance(r["prior_period"], str):
                prior = pts.loc[(r["indicator"], r["geography"], r["prior_period"], "utfall")]
            same_side = prior is None or prior["segment"] == point["segment"]
            comparable.append(same_side)
            text = row_caveats({**point.to_dict(), "label": r["label"]})
            if not same_side:
                text = (
                    f"Serien bryts från {series.break_text(str(point['break_from']))}: "
                    "förändringen mot föregående år är inte jämförbar. " + text
                ).strip()
            if prior is not None and prior["disputed"]:
                text += f" Föregående års värde är omstritt: {prior['dispute']}."
            caveats.append(text.strip())
        kf = kf.assign(caveats=caveats)
        kf.loc[[not c for c in comparable], ["change", "change_pct"]] = float("nan")
        self._show(
            "## Nyckeltal för året",
            f"Uppgifterna för {self.year} med föregående års utfall, förändringen beräknad ur "
            "de två värdena och den förändring som rapporten själv anger. Perioden anger "
            "grunden när värdet inte är ett utfall; ett delårsvärde jämförs med samma månader "
            "året före. Ingen förändring beräknas över ett brott i serien eller ur en gräns.",
        )
        refs = pd.Series([f"{f}#{ln}" for f, ln in zip(kf.source_file, kf.line, strict=True)])
        texts = pd.Series([fmt.short_source(s) for s in kf.source])
        view = selection.view(
            kf, ["item", "when", "value", "unit", "prior_value", "computed", "reported"]
        ).assign(Källa=list(texts), Förbehåll=list(kf.caveats))
        fmt.show(
            view,
            self._name("nyckeltal"),
            self.output_dir,
            csv=fmt.swedish(kf, [*analysis.KEY_CSV_COLUMNS, "caveats"]),
            raw={"Källa": self._links(refs, texts), "Förbehåll": self._linked(kf.caveats)},
        )

    def figures(self) -> None:
        """Every other figure of the selection (not a headline indicator), by indicator."""
        if self.empty:
            return
        heads = processed.load("headlines")
        headline_ids = set(heads[heads.theme == self.theme].indicator)
        rows = self.points[~self.points.indicator.isin(headline_ids)]
        if self.year is not None:
            rows = rows[rows.value_type.str.startswith("change")]  # levels are key figures
        if rows.empty:
            return
        title = (
            "Alla övriga uppgifter" if self.year is None else "Förändringar som rapporterna anger"
        )
        self._show(
            f"## {title}",
            "Varje uppgift med källa och förbehåll; samma uppgift i flera rapporter står en "
            "gång med alla sina källor.",
        )
        rows = rows.sort_values(["label", "geography", "x"], kind="stable")
        caveats = [row_caveats(r) for r in rows.to_dict("records")]
        view = pd.DataFrame(
            {
                "Uppgift": [selection.item(r.label, r.geography) for r in rows.itertuples()],
                "Period": [series.period_text(r.period, r.basis) for r in rows.itertuples()],
                "Värde": [_value(r) for r in rows.itertuples()],
                "Enhet": list(rows.unit),
                "Källa": list(rows.sources),
                "Förbehåll": caveats,
            }
        )
        fmt.show(
            view,
            self._name("uppgifter"),
            self.output_dir,
            csv=points_csv(rows, caveats),
            raw={
                "Källa": self._links(rows.refs, rows.sources),
                "Förbehåll": self._linked(view["Förbehåll"]),
            },
        )

    def districts(self) -> None:
        """Figures stated for two or more districts, side by side, with the city's total
        where a report states it (not drawn as a district)."""
        if self.empty:
            return
        pts = series.points(self.theme)
        if self.year is not None:
            pts = pts[pts.year == self.year]
        comps = district_comparisons(pts)
        if self.district not in (None, selection.city()):
            comps = [c for c in comps if (c.geography == self.district).any()]
        if not comps:
            return
        self._show(
            "## Jämförelse mellan stadsområden",
            "Samma indikator, period och grund för minst två stadsområden. Stadens total "
            "står i rubriken när en rapport anger den. Stadsområdena skiljer sig i "
            "befolkning, så antal är inte direkt jämförbara mellan dem.",
        )
        for k, comp in enumerate(comps, start=1):
            fig = district_chart(comp)
            plots.show(fig, self._name(f"stadsomraden_{k}"), self.output_dir)
            self._points_table(comp, self._name(f"stadsomraden_{k}_uppgifter"))

    def tests(self) -> None:
        """Count tests of consecutive years where they fit, with the rate ratio and its
        interval; the comparisons they do not fit, each with its reason."""
        if self.empty:
            return
        pts = self.context
        tested, skipped = significance.count_comparisons(pts)
        if self.year is not None:
            tested = tested[tested.after_period.map(selection.period_year) == self.year]
            skipped = skipped[skipped.periods.str.contains(str(self.year))]
        dist = (
            significance.distribution_tests(self.theme, self.year, self.district)
            if self.year is not None
            else []
        )
        if tested.empty and skipped.empty and not dist:
            return
        self._show(
            "## Statistisk prövning",
            f"{significance.ADMINISTRATIVE} För antal händelser eller personer två år i rad "
            "visas kvoten mellan åren med ett exakt 95-procentigt konfidensintervall "
            "(villkorat binomialtest för två Poissonantal). Formuleringen följer p-värdet "
            "justerat för antalet test på sidan (Benjamini–Hochberg). Prövningen gäller bara "
            "utfall, inte över ett brott i serien, inte omstridda uppgifter eller gränser, och "
            "inte genomsnitt, belopp, andelar eller dygn.",
        )
        if not tested.empty:
            view = pd.DataFrame(
                {
                    "Tolkning": list(tested.interpretation),
                    "p-värde": list(tested.p_value),
                    "p-värde (justerat)": list(tested.p_adjusted),
                    "Källa": list(tested.source),
                }
            )
            fmt.show(
                view,
                self._name("test_antal"),
                self.output_dir,
                csv=fmt.swedish(tested),
                raw=self._sources(view),
            )
        if not skipped.empty:
            lines = "\n".join(
                f"- {selection.item(r.label, r.geography)}, {r.periods}: {r.reason}."
                for r in skipped.itertuples()
            )
            self._show("**Jämförelser som inte prövas**", lines)
        if dist:
            frame = significance.results_frame(dist)
            fmt.show(
                selection.view(frame, ["question", "interpretation", "p_value", "caveats"]),
                self._name("test_fordelning"),
                self.output_dir,
                csv=fmt.swedish(frame),
            )

    def statements(self) -> None:
        """A year page's strongest sentences about the theme, with their sources."""
        if self.empty or self.year is None:
            return
        found = statements_mod.statements(self.theme, self.year, self.district)
        if found.empty:
            return
        self._show(
            "## Starkaste formuleringar",
            "Meningar om temat i årets rapporter, rangordnade efter om de innehåller tal, ord "
            "för förändring (ökat, minskat, fler …) och förstärkningsord (kraftigt, markant …). "
            "Nyckelordet står i mitten. Tabellrader och sidhuvuden räknas inte som meningar.",
        )
        refs = pd.Series([f"{f}#{ln}" for f, ln in zip(found.source_file, found.line, strict=True)])
        texts = pd.Series([fmt.short_source(s) for s in found.source])
        view = selection.view(found, ["left", "match", "right"]).assign(Källa=list(texts))
        fmt.show(
            view,
            self._name("citat"),
            self.output_dir,
            csv=fmt.swedish(found, ["left", "match", "right", "source", "section"]),
            raw={"Källa": self._links(refs, texts)},
        )

    def quality(self) -> None:
        """Disputed figures (both statements and sources) and figures read from OCR text."""
        if self.empty:
            return
        disc = analysis.discrepancies(self.theme, self.year, self.district)
        obs = selection.in_district(selection.observations(self.theme), self.district)
        if self.year is not None:
            obs = obs[obs.year == self.year]
        ocr = analysis.ocr_figures_of(obs)
        if disc.empty and ocr.empty:
            return
        self._show(
            "## Datakvalitet",
            "Motsägelser som bygget har registrerat: samma uppgift med olika värden, "
            "förändringar som inte stämmer med nivåerna, delar som inte summerar. Värdena "
            "rättas aldrig: båda källorna visas. Därefter uppgifter lästa ur OCR-skadad text "
            "(reparerad automatiskt; värdena är kontrollerade mot rålinjen).",
        )
        if not disc.empty:
            view = selection.view(
                disc,
                ["kind", "item", "period", "value_a", "source_a", "value_b", "source_b", "note"],
            )
            fmt.show(
                view,
                self._name("avvikelser"),
                self.output_dir,
                csv=fmt.swedish(disc),
                raw=self._sources(view),
            )
        if not ocr.empty:
            view = selection.view(
                ocr, ["label", "geography", "period", "value", "source", "ocr_source", "repairs"]
            )
            fmt.show(
                view,
                self._name("ocr"),
                self.output_dir,
                csv=fmt.swedish(ocr),
                raw=self._sources(view),
            )


# ----------------------------------------------------------------------------- helpers


def points_csv(rows: pd.DataFrame, caveats: list[str]) -> pd.DataFrame:
    """The CSV of a table of points: each figure with its qualifier, unit, sources and
    caveats (with the comparability note), Swedish headers."""
    columns = ["label", "geography", "period", "basis", "qualifier", "value", "unit"]
    return fmt.swedish(rows.assign(caveats=caveats), [*columns, "sources", "caveats"])


def row_caveats(r: dict, with_comparability: bool = True) -> str:
    """The caveats of one figure as one Swedish text: the indicator's comparability note
    (unless the table shows it once above), a break in its series, the report's note and a
    disputed statement (with the other statement and its source)."""
    out = []
    if with_comparability and isinstance(r.get("comparability"), str):
        out.append(r["comparability"])
    if isinstance(r.get("break_from"), str) and r.get("crosses_break"):
        out.append(f"Perioden omfattar brottet i serien ({series.break_text(r['break_from'])}).")
    elif with_comparability and isinstance(r.get("break_from"), str):
        out.append(
            f"Serien bryts från {series.break_text(r['break_from'])}: värden före och efter "
            "jämförs inte."
        )
    if isinstance(r.get("note"), str):
        out.append(r["note"])
    if r.get("disputed") is True:
        out.append(f"⚠ Omstridd: {r['dispute']}.")
    return " ".join(out)


def _value(r: Any) -> str:  # noqa: ANN401 - a row of points (itertuples)
    """A figure as shown: with its qualifier (``ca 20 000``), a change with its sign
    (``+20``), marked ⚠ when disputed."""
    value = formats.qualified(r.value, r.qualifier, sign=r.value_type.startswith("change"))
    return f"⚠ {value}" if r.disputed else value


def _geo_key(g: str) -> tuple[int, str]:
    areas = selection.areas()
    return (areas.index(g), g) if g in areas else (len(areas), g)


def _sort_key(col: pd.Series) -> pd.Series:
    """Areas in the manifest's order (the city first), then services by name."""
    if col.name == "geography":
        return col.map(lambda g: f"{_geo_key(g)[0]:03d}{g}")
    return col


def _place(district: str | None, pts: pd.DataFrame) -> str:
    return indicator_chart.where(list(pts.geography))


def district_comparisons(pts: pd.DataFrame) -> list[pd.DataFrame]:
    """The points of each (indicator, period, basis) stated for two or more districts, with
    the city's point for the same where there is one."""
    districts = set(selection.districts())
    city = selection.city()
    out = []
    for _, group in pts.groupby(["indicator", "period", "basis"], sort=True):
        parts = group[group.geography.isin(districts)]
        if parts.geography.nunique() >= 2:
            out.append(group[group.geography.isin(districts | {city})])
    return out


def district_chart(comp: pd.DataFrame):  # noqa: ANN201 - a Figure or None
    """Bars per district for one comparison, in each district's colour, from zero; the
    title says how many of the districts the report gives and the city's own figure where
    the report states it (never drawn as a bar, never presented as the bars' sum); sources
    and caveats under it."""
    import textwrap

    city = selection.city()
    parts = comp[comp.geography != city].sort_values("geography", key=lambda c: c.map(_geo_key))
    total = comp[comp.geography == city]
    if parts.empty:
        return None
    colors = indicator_chart.colors_for(list(parts.geography))
    fig = plots._figure(indicator_chart.WIDTH, 3.6)
    ax = fig.subplots()
    notes = series.caveats(comp)
    sources = f"Källa: {'; '.join(dict.fromkeys(comp.sources))}"
    footer = "\n".join(
        textwrap.fill(line, 125, subsequent_indent="  ")
        for line in [sources] + [f"Förbehåll: {n}" for n in notes]
    )
    n_footer = footer.count("\n") + 1
    first = parts.iloc[0]
    when = formats.period(first.period, nobreak=False)
    basis = "" if first.basis == "utfall" else f" ({series.BASIS_NAMES[first.basis]})"
    shown, n_districts = len(parts), len(selection.districts())
    head = textwrap.fill(f"{first.label} – stadsområdena, {when}{basis}", 72)
    scope = (
        "alla stadsområden"
        if shown == n_districts
        else f"de {shown} av {n_districts} stadsområden som rapporten anger"
    )
    head += f"\n{first.unit}; {scope}"
    if len(total):  # the city's own figure, stated by the report: not the bars' sum
        head += f"; hela staden enligt rapporten: {_value(total.iloc[0])}"
    top = 0.3 + 0.22 * (head.count("\n") + 1)
    bottom = 0.65 + 0.17 * n_footer
    fig.set_size_inches(indicator_chart.WIDTH, 2.4 + top + bottom)
    plots._margins(fig, left=0.9, right=0.4, top=top, bottom=bottom)
    x = list(range(len(parts)))
    ax.bar(x, parts.value, color=[colors[g] for g in parts.geography], zorder=2)
    for xi, r in zip(x, parts.itertuples(), strict=True):
        ax.annotate(
            _value(r),
            (xi, r.value),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            fontsize="small",
        )
    ax.set_xticks(x)
    ax.set_xticklabels(list(parts.geography))
    ax.set_ylim(0, parts.value.max() * 1.25 or 1)
    ax.set_ylabel(parts.unit.iloc[0])
    ax.yaxis.set_major_formatter(plots._NUMBER)
    ax.set_title(head, loc="left", fontsize="medium")
    fig.text(0.01, 0.02, footer, fontsize="x-small", va="bottom", ha="left")
    alt = (
        f"Diagram: {' '.join(head.split())}. "
        + ", ".join(f"{r.geography} {_value(r)}" for r in parts.itertuples())
        + "."
    )
    fig.set_label(alt)
    return fig
