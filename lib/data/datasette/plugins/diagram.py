"""Datasette plugin (loaded with ``--plugins-dir``): a chart on *En indikator över åren*.

Above the figures of the canned query ``indikator``, one chart per indicator found (at
most :data:`MAX_CHARTS`; the page says when there are more): the notebooks' chart
(:func:`lib.report.indicator_chart.chart`), with their honesty rules — levels, counts and
amounts on an axis from zero, changes as bars from zero; utfall, prognos, budget and mål
drawn apart; breaks in a series marked; disputed figures circled; the sources (report and
line of every point) and the caveats under it. It is rendered by the server as SVG and put
into the page inline: nothing is fetched from anywhere when the page is viewed. The chart
in words (its alt text) is the figure's caption for screen readers.
"""

from __future__ import annotations

import asyncio
import html
import re
import threading

from datasette import hookimpl
from markupsafe import Markup

from lib.publish import queries

QUERY = "indikator"
MAX_CHARTS = 4
_LOCK = threading.Lock()  # matplotlib draws one figure at a time
_SVG_START = re.compile(r"<svg\b")


def chart_svg(indicator: str) -> tuple[str, str] | None:
    """The inline SVG of one indicator's chart and its text, or None without points."""
    from matplotlib import pyplot as plt

    from lib.report import indicator_chart, plots, series

    with _LOCK:
        pts = series.points()
        pts = pts[pts.indicator == indicator]
        fig = indicator_chart.chart(pts)
        if fig is None:
            return None
        try:
            svg = plots.svg_bytes(fig).decode("utf-8")
            alt = indicator_chart.alt_text(pts)
        finally:
            plt.close(fig)
    start = _SVG_START.search(svg)
    return (svg[start.start() :] if start else svg), alt


def figure_html(indicator: str) -> str:
    found = chart_svg(indicator)
    if found is None:
        return ""
    svg, alt = found
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(alt)}" ', 1)
    return f'<figure class="gbg-diagram">{svg}<figcaption>{html.escape(alt)}</figcaption></figure>'


async def charts_html(datasette, database: str, text: str) -> str:  # noqa: ANN001
    db = datasette.get_database(database)
    ids = [r[0] for r in (await db.execute(queries.indikator_ids_sql(), {"indikator": text})).rows]
    if not ids:
        return ""
    loop = asyncio.get_running_loop()
    parts = [await loop.run_in_executor(None, figure_html, i) for i in ids[:MAX_CHARTS]]
    if len(ids) > MAX_CHARTS:
        parts.append(
            f'<p class="message-info">{len(ids)} indikatorer passar; diagram visas för de '
            f"{MAX_CHARTS} första. Skriv mer av namnet för att se ett visst diagram.</p>"
        )
    return "".join(parts)


@hookimpl
def extra_template_vars(template, database, request, datasette):  # noqa: ANN001, ANN201
    if template != "query.html" or request is None:
        return {}
    text = (request.args.get(QUERY) or "").strip()
    if not text or request.url_vars.get("table") != QUERY:
        return {}

    async def inner():  # noqa: ANN202
        return {"gbg_diagram": Markup(await charts_html(datasette, database, text))}

    return inner
