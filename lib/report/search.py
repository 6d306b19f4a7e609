"""Search in the reports' text for analysts (notebook ``05_sok``): the Jupyter twin of the
Datasette query "Sök i rapporterna".

A query is a word or a phrase; it matches at a word start and runs on to the end of the
word, regardless of case and of å/ä/ö (``vräkning`` and ``vrakning`` both find
"vräkningar"), with the matching of :func:`lib.report.analysis.kwic`. The OCR rendering of a
report that is also in the corpus in clean form is left out, so no sentence counts twice.
Everything reads the processed tables (:mod:`lib.report.processed`); allowed themes, years and
districts are read from them too.

Typical use::

    from lib.report import search
    hits = search.hits("vräkning", year=2022)     # keyword in context with sources
    search.counts(hits)                            # hits per report and year
    search.figures(hits)                           # observations in the matching sentences
"""

from __future__ import annotations

import re

import pandas as pd

from lib.core import formats
from lib.errors import DataError
from lib.report import processed

HIT_COLUMNS = (
    "rapport",
    "år",
    "källa",
    "vänster",
    "träff",
    "höger",
    "avsnitt",
    "doc_id",
    "passage_id",
    "line",
    "source_file",
)
FIGURE_COLUMNS = (
    "indikator",
    "område",
    "period",
    "uppgift",
    "källa",
    "citat",
    "indicator",
    "value",
    "doc_id",
    "line",
)
MAX_QUERY = 200


def allowed() -> dict[str, list]:
    """The values each filter accepts, read from the data: themes (lib/data/themes.yml),
    report years (documents) and areas (the city and its districts, from the manifest)."""
    from lib.report import selection
    from lib.text import themes

    return {
        "theme": list(themes.theme_ids()),
        "year": list(selection.report_years()),
        "district": list(processed.areas()),
    }


def check_params(
    query: object, theme: object = None, year: object = None, district: object = None
) -> None:
    """Raise DataError (one line naming the parameter and the allowed values) on bad input."""
    if not isinstance(query, str) or not re.search(r"\w", query) or len(query) > MAX_QUERY:
        raise DataError(
            f"query={query!r}: give a word or a phrase (letters or digits, at most "
            f'{MAX_QUERY} characters), e.g. query = "vräkning".'
        )
    ok = allowed()
    for name, value in (("theme", theme), ("year", year), ("district", district)):
        if value is None:
            continue
        if name == "year" and (isinstance(value, bool) or not isinstance(value, int)):
            years = ", ".join(map(str, ok[name]))
            raise DataError(
                f"year={value!r}: give a year as a number ({years}) or None for all years."
            )
        if value not in ok[name]:
            choices = ", ".join(map(str, ok[name]))
            raise DataError(f"{name}={value!r}: unknown; choose one of {choices}, or None for all.")


def passages(
    theme: str | None = None, year: int | None = None, district: str | None = None
) -> pd.DataFrame:
    """The passages to search, with their report's short name, year and file.

    ``district`` keeps the reports of that district and the sentences of other reports that
    name it. OCR renderings of reports that are in the corpus in clean form are left out.
    """
    docs = processed.load("documents")
    twins = docs[(docs.text_quality == "ocr") & docs.same_report_as.notna()].doc_id
    docs = docs[~docs.doc_id.isin(twins)]
    if year is not None:
        docs = docs[docs.year == year]
    pas = processed.load("passages").merge(
        docs[["doc_id", "part_id", "district", "year", "file", "short_title"]],
        on=["doc_id", "part_id"],
    )
    if theme is not None:
        pas = pas[pas.themes.str.split(";").map(lambda ts: theme in ts)]
    if district is not None:
        named = pas.text.str.contains(rf"\b{re.escape(district)}\b", regex=True)
        pas = pas[(pas.district == district) | named]
    return pas.reset_index(drop=True)


def hits(
    query: str,
    theme: str | None = None,
    year: int | None = None,
    district: str | None = None,
    width: int = 60,
) -> pd.DataFrame:
    """Every occurrence of ``query`` in keyword-in-context form with its source.

    Columns (:data:`HIT_COLUMNS`): rapport (short name), år, källa ("Årsrapport 2022,
    rad 440"), vänster / träff / höger (the match with ``width`` characters each side),
    avsnitt (section), doc_id, passage_id, line (raw line of the match), source_file.
    Sorted by year, report and line.
    """
    from lib.report import statements

    check_params(query, theme, year, district)
    pas = passages(theme, year, district)
    k = statements.kwic(query.strip(), passages=pas, width=width)
    info = pas.drop_duplicates("doc_id").set_index("doc_id")
    rows = pd.DataFrame(
        {
            "rapport": k.doc_id.map(lambda d: info.short_title[d]),
            "år": k.doc_id.map(lambda d: int(info.year[d])),
            "källa": [
                f"{info.short_title[d]}, rad {n}" for d, n in zip(k.doc_id, k.line, strict=True)
            ],
            "vänster": [("…" if len(t) >= width else "") + t for t in k.left],
            "träff": k.match,
            "höger": [t + ("…" if len(t) >= width else "") for t in k.right],
            "avsnitt": k.section,
            "doc_id": k.doc_id,
            "passage_id": k.passage_id,
            "line": k.line,
            "source_file": k.doc_id.map(lambda d: info.file[d]),
        },
        columns=list(HIT_COLUMNS),
    )
    return rows.sort_values(["år", "rapport", "line"], kind="stable").reset_index(drop=True)


def counts(found: pd.DataFrame) -> pd.DataFrame:
    """Hits per report and year (reports without hits are left out): rapport, år, träffar."""
    if found.empty:
        return pd.DataFrame(columns=["rapport", "år", "träffar"])
    out = found.groupby(["år", "rapport"], as_index=False).size()
    return out.rename(columns={"size": "träffar"})[["rapport", "år", "träffar"]]


def figures(found: pd.DataFrame) -> pd.DataFrame:
    """The observations stated in the passages that match (clean or OCR rendering).

    Columns (:data:`FIGURE_COLUMNS`): indikator (label), område, period, uppgift (value with
    unit), källa, citat, indicator (id), value, doc_id, line.
    """
    from lib.publish import database

    if found.empty:
        return pd.DataFrame(columns=list(FIGURE_COLUMNS))
    pas = processed.load("passages")
    spans = pas.merge(
        found[["doc_id", "passage_id"]].drop_duplicates(), on=["doc_id", "passage_id"]
    )[["doc_id", "line_start", "line_end"]]
    obs = processed.load("observations")
    obs = obs[obs.restatement_of.isna()]
    keep = pd.Series(False, index=obs.index)
    for doc, line in (("doc_id", "line"), ("ocr_doc_id", "ocr_line")):
        m = obs.reset_index().merge(spans, left_on=doc, right_on="doc_id", suffixes=("", "_p"))
        inside = m[(m[line] >= m.line_start) & (m[line] <= m.line_end)]
        keep[inside["index"].unique()] = True
    sel = obs[keep]
    docs = processed.load("documents").drop_duplicates("doc_id").set_index("doc_id")
    qualifier = sel["qualifier"] if "qualifier" in sel.columns else [None] * len(sel)
    return pd.DataFrame(
        {
            "indikator": sel.label,
            "område": sel.geography,
            "period": sel.period,
            "uppgift": [
                database.uppgift(v, u, t, q)
                for v, u, t, q in zip(sel.value, sel.unit, sel.value_type, qualifier, strict=True)
            ],
            "källa": [
                f"{docs.short_title[d]}, rad {n}" for d, n in zip(sel.doc_id, sel.line, strict=True)
            ],
            "citat": sel.quote,
            "indicator": sel.indicator,
            "value": sel.value,
            "doc_id": sel.doc_id,
            "line": sel.line,
        },
        columns=list(FIGURE_COLUMNS),
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- notebook views


def summary(
    query: str, theme: str | None = None, year: int | None = None, district: str | None = None
) -> str:
    """A Swedish Markdown paragraph: the search as chosen and the values each filter allows."""
    from lib.text import themes

    ok = allowed()
    chosen = [
        f"”{query}”",
        themes.label(theme) if theme else "alla teman",
        str(year) if year is not None else "alla år",
        district or "alla områden",
    ]
    return (
        f"**Sökning:** {' · '.join(chosen)}.\n\n"
        f"Tillåtna värden (ur data): tema {', '.join(ok['theme'])}; "
        f"år {', '.join(map(str, ok['year']))}; område {', '.join(ok['district'])}; "
        "eller None för alla."
    )


def view(found: pd.DataFrame, csv: bool = False) -> pd.DataFrame:
    """The hits with Swedish headers: shown (short source) or for CSV (file and line)."""
    if csv:
        cols = {
            "rapport": "Rapport",
            "år": "År",
            "source_file": "Källfil",
            "line": "Rad",
            "vänster": "Före",
            "träff": "Träff",
            "höger": "Efter",
            "avsnitt": "Avsnitt",
        }
    else:
        cols = {
            "källa": "Källa",
            "vänster": "Före",
            "träff": "Träff",
            "höger": "Efter",
            "avsnitt": "Avsnitt",
        }
    return found[list(cols)].rename(columns=cols)


def view_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Hits per report with Swedish headers."""
    return table.rename(columns={"rapport": "Rapport", "år": "År", "träffar": "Antal"})


def view_figures(table: pd.DataFrame) -> pd.DataFrame:
    """The figures of the matching sentences with Swedish headers and periods in words."""
    out = table[["indikator", "område", "period", "uppgift", "källa", "citat"]].copy()
    out["period"] = out.period.map(formats.period)
    return out.rename(
        columns={
            "indikator": "Indikator",
            "område": "Område/verksamhet",
            "period": "Period",
            "uppgift": "Värde",
            "källa": "Källa",
            "citat": "Citat",
        }
    )
