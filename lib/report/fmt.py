"""Swedish tables for the notebooks, and their export as CSV.

Numbers are formatted by :mod:`lib.core.formats`. Tables shown in notebooks get Swedish
headers (:data:`HEADERS`) and are rendered as plain HTML with a fixed id
(:func:`table_html`), so executed notebooks are deterministic. Shown tables cite sources
compactly (:func:`short_source`: ``Gemensamma 2024, rad 1109``); tables saved by
:func:`save_table` keep the full file name. They are CSV for Swedish Excel: UTF-8 with
BOM, ``;`` as separator, decimal comma, Swedish headers, numbers unformatted.
"""

from __future__ import annotations

import html as _html
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from lib.core.formats import NA, NBSP, finite, number, pvalue
from lib.errors import DataError

# English column names of lib tables -> Swedish headers shown and exported.
HEADERS: dict[str, str] = {
    "theme": "Tema",
    "theme_label": "Tema",
    "indicator": "Indikator",
    "label": "Benämning",
    "geography": "Område/verksamhet",
    "period": "Period",
    "basis": "Grund",
    "qualifier": "Ungefär/gräns",
    "value": "Värde",
    "unit": "Enhet",
    "value_type": "Värdetyp",
    "prior_period": "Föregående period",
    "prior_value": "Föregående år",
    "change": "Förändring",
    "change_pct": "Förändring %",
    "reported_change": "Rapporterad förändring",
    "reported_change_unit": "Enhet (rapporterad)",
    "source": "Källa",
    "prior_source": "Källa föregående år",
    "source_file": "Källfil",
    "line": "Rad",
    "quote": "Citat",
    "doc_id": "Dokument",
    "part_id": "Del",
    "year": "År",
    "n": "Antal",
    "test": "Test",
    "question": "Fråga",
    "statistic": "Teststorhet",
    "p_value": "p-värde",
    "p_adjusted": "p-värde (justerat)",
    "interpretation": "Tolkning",
    "caveats": "Förbehåll",
    "sources": "Källor",
    "left": "Före",
    "match": "Träff",
    "right": "Efter",
    "section": "Avsnitt",
    "kind": "Typ",
    "note": "Anmärkning",
    "value_a": "Värde A",
    "value_b": "Värde B",
    "source_a": "Källa A",
    "source_b": "Källa B",
    "before": "Före reparation",
    "after": "Efter reparation",
    "ocr_source": "OCR-källa",
    "repairs": "Reparationer",
}
# Swedish headers whose whole numbers are shown without thousands grouping.
PLAIN_HEADERS = frozenset({"Rad", "År", "Rad A", "Rad B", "Rader", "Första rad", "Sista rad"})
# Swedish headers of text columns that hold numbers (right-aligned like numeric columns).
# "Före" is the left context of a keyword in context: right-aligned to the keyword.
# "Värde" and "Föregående år" hold text where a value is qualified ("ca 20 000").
RIGHT_HEADERS = frozenset(
    {"Beräknad förändring", "Förändring enligt rapporten", "Före", "Värde", "Föregående år"}
)
_SOURCE_RE = re.compile(r"(?P<file>\S+\.txt), rad (?P<line>\d+)")


def source_label(file: str) -> str:
    """Short Swedish label of a raw report (the manifest's ``short_title``), else the file stem.

    The labels come from the processed ``documents`` table.
    """
    return _source_labels().get(file, file.removesuffix(".txt"))


def source_labels() -> dict[str, str]:
    """Every report file with its short label (from the processed ``documents`` table)."""
    return dict(_source_labels())


def _source_labels() -> dict[str, str]:
    from lib.report import processed

    try:
        docs = processed.load("documents")
    except DataError:
        return {}
    return dict(zip(docs.file, docs.short_title, strict=True))


def short_source(ref: object) -> str:
    """A :func:`source` reference with the short report label: ``Gemensamma 2024, rad 1109``.

    "rad N" is kept on one line (no-break space); text that is not a source reference is
    returned unchanged.
    """
    if not isinstance(ref, str):
        return NA
    return _SOURCE_RE.sub(lambda m: f"{source_label(m['file'])}, rad{NBSP}{m['line']}", ref)


def swedish(df: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """The table with Swedish headers; ``columns`` (English names) selects and orders."""
    if columns is not None:
        columns = list(columns)
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise DataError(f"fmt.swedish: columns {missing} are not in the table.")
        df = df[columns]
    return df.rename(columns={c: HEADERS.get(c, c) for c in df.columns})


def _formatter(header: str, series: pd.Series):
    if header in PLAIN_HEADERS:
        return lambda v: str(int(v)) if finite(v) else NA
    if header.startswith("p-värde"):
        return pvalue
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return number
    return lambda v: (
        NA if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else str(v)
    )


# Soft hyphens in long header words, so narrow number columns stay narrow.
_HYPHENATE = {
    "Föregående": "Före\u00adgående",
    "Förändring": "Föränd\u00adring",
    "Ordöverlapp": "Ord\u00adöverlapp",
    "Ändringar": "Änd\u00adringar",
}


def _hyphenate(header: str) -> str:
    return " ".join(_HYPHENATE.get(w, w) for w in header.split(" "))


def _right(header: str, series: pd.Series) -> bool:
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    return (numeric and header not in PLAIN_HEADERS) or header in RIGHT_HEADERS


def table_html(df: pd.DataFrame, uid: str = "t", raw: Mapping[str, list[str]] | None = None) -> str:
    """``df`` as an HTML table in Swedish number format, without index, with a fixed id.

    Plain markup (class ``gbg-tabell``, numbers right-aligned by class ``r``) and a style
    scoped to the id, so the table reads the same in JupyterLab and in the HTML report.
    ``raw`` gives, by header, the cells of a column as HTML made by the caller (links to
    sources): those cells are inserted as they are, not escaped.
    """
    frame = df.reset_index(drop=True)
    cols = [str(c) for c in frame.columns]
    fmts = [_formatter(c, frame[k]) for c, k in zip(cols, frame.columns, strict=True)]
    right = [_right(c, frame[k]) for c, k in zip(cols, frame.columns, strict=True)]
    tid = f"T_{uid}"

    def cell(tag: str, text: str, r: bool) -> str:
        attr = ' class="r"' if r else ""
        # Identifiers and file names may break after an underscore.
        return f"<{tag}{attr}>{_html.escape(text).replace('_', '_<wbr>')}</{tag}>"

    raw = raw or {}
    head = "".join(cell("th", _hyphenate(c), r) for c, r in zip(cols, right, strict=True))
    body = "\n".join(
        "<tr>"
        + "".join(
            f"<td>{raw[c][i]}</td>" if c in raw else cell("td", f(v), r)
            for c, f, v, r in zip(cols, fmts, row, right, strict=True)
        )
        + "</tr>"
        for i, row in enumerate(frame.itertuples(index=False, name=None))
    )
    style = (
        f"<style>#{tid}{{border-collapse:collapse;width:100%}}"
        f"#{tid} th,#{tid} td{{text-align:left;vertical-align:top;padding:.25em .45em;"
        f"overflow-wrap:break-word}}#{tid} .r{{text-align:right}}"
        f"#{tid} thead th{{border-bottom:1px solid #999}}</style>"
    )
    return (
        f'{style}<table id="{tid}" class="gbg-tabell">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody></table>"
    )


def html(df: pd.DataFrame, uid: str = "t", raw: Mapping[str, list[str]] | None = None):
    """The table as an IPython HTML object (its text form has no memory address)."""
    from IPython.display import HTML

    return HTML(table_html(df, uid, raw))


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV for Swedish Excel: UTF-8 with BOM, ``;`` separator, decimal comma, LF lines."""
    text = df.to_csv(index=False, sep=";", decimal=",", lineterminator="\n")
    return ("\ufeff" + text).encode("utf-8")


def check_output_dir(output_dir: str | Path) -> Path | None:
    """``""`` -> None (do not save); else the directory as a Path (created if missing)."""
    if output_dir in ("", None):
        return None
    path = Path(output_dir)
    if path.exists() and not path.is_dir():
        raise DataError(f"output_dir={str(output_dir)!r} is a file; give a directory.")
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_table(df: pd.DataFrame, output_dir: str | Path, name: str) -> Path | None:
    """Write ``<output_dir>/<name>.csv`` atomically (see :func:`csv_bytes`); None if no dir."""
    from lib.core.store import atomic_path

    directory = check_output_dir(output_dir)
    if directory is None:
        return None
    target = directory / f"{name}.csv"
    with atomic_path(target) as tmp:
        tmp.write_bytes(csv_bytes(df))
    return target


def show(
    df: pd.DataFrame,
    name: str,
    output_dir: str | Path = "",
    empty: str = "Inga uppgifter.",
    csv: pd.DataFrame | None = None,
    raw: Mapping[str, list[str]] | None = None,
) -> None:
    """Display a (Swedish-headed) table in the notebook and save it as CSV if asked.

    ``csv`` is the table to save when it differs from the one shown (more columns, full
    source file names); by default the shown table is saved. An empty table is not shown:
    the Swedish sentence ``empty`` is displayed instead (as Markdown).
    """
    from IPython.display import Markdown, display

    if df.empty:
        display(Markdown(empty))
        return
    display(html(df, uid=name, raw=raw))
    save_table(df if csv is None else csv, output_dir, name)
