"""Swedish formatting of numbers and tables, and table export for the notebooks.

Numbers: space-grouped thousands and decimal comma (``1 234,5``; the space is a
no-break space, U+00A0, so a number never wraps), percent with a space before the
sign (``12,3 %``), and a real minus sign (U+2212) for negative values.

Tables shown in notebooks get Swedish headers (:data:`HEADERS`) and are rendered as
plain HTML with a fixed id (:func:`table_html`), so executed notebooks are deterministic.
Shown tables cite sources compactly (:func:`short_source`: ``Gemensamma 2024, rad 1109``);
tables saved by :func:`save_table` keep the full file name. They are CSV for Swedish
Excel: UTF-8 with BOM, ``;`` as separator, decimal comma, Swedish headers, numbers
unformatted.
"""

from __future__ import annotations

import html as _html
import math
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from lib.errors import DataError

NBSP = "\u00a0"
WJ = "\u2060"  # word joiner: no line break after the dash of "jan–aug"
MINUS = "\u2212"
NA = "–"

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
RIGHT_HEADERS = frozenset({"Beräknad förändring", "Förändring enligt rapporten", "Före",
                           "Värde", "Föregående år"})
_SOURCE_RE = re.compile(r"(?P<file>\S+\.txt), rad (?P<line>\d+)")


def _finite(x: object) -> bool:
    if x is None or x is pd.NA or isinstance(x, bool):
        return False
    try:
        return math.isfinite(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def number(x: object, decimals: int | None = None, sign: bool = False) -> str:
    """``1234.5`` -> ``1 234,5``; ``decimals=None`` keeps up to 2 significant decimals.

    Whole numbers are shown without decimals; ``sign`` adds ``+`` to positive values.
    Missing values give ``–``.
    """
    if not _finite(x):
        return NA
    v = float(x)  # type: ignore[arg-type]
    if decimals is None:
        decimals = 0 if v.is_integer() else (1 if round(v, 1) == round(v, 2) else 2)
    text = f"{abs(v):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    if round(abs(v), decimals) == 0:
        return text
    if v < 0:
        return MINUS + text
    return ("+" + text) if sign else text


# How a qualifier reads before a number: ≈ as "ca", bounds as their sign.
QUALIFIER_TEXT: dict[str, str] = {"≈": "ca", "<": "<", ">": ">", "≤": "≤", "≥": "≥"}


def qualifier_text(qualifier: object) -> str:
    """``ca`` for an approximation, the sign of a bound (``<``), ``""`` when exact."""
    return QUALIFIER_TEXT.get(qualifier, "") if isinstance(qualifier, str) else ""


def qualified(x: object, qualifier: object = None, decimals: int | None = None,
              sign: bool = False) -> str:
    """A number with its qualifier: ``ca 20 000``, ``< 5``; the plain number when exact."""
    text = number(x, decimals, sign)
    word = qualifier_text(qualifier)
    return f"{word}{NBSP}{text}" if word and text != NA else text


def percent(x: object, decimals: int = 1, sign: bool = False) -> str:
    """A value in percent units: ``12.34`` -> ``12,3 %``."""
    if not _finite(x):
        return NA
    return f"{number(x, decimals, sign)}{NBSP}%"


def pvalue(p: object) -> str:
    """A p-value: ``< 0,001`` below one in a thousand, else three decimals (``0,012``)."""
    if not _finite(p):
        return NA
    return f"<{NBSP}0,001" if float(p) < 0.001 else number(p, 3)  # type: ignore[arg-type]


MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def period(text: object, nobreak: bool = True) -> str:
    """A period in words: ``2024-01/2024-08`` -> ``jan–aug 2024``, ``2024-12-31`` ->
    ``31 dec 2024``; years (``2024``) and changes (``2023/2024``) stay as they are.

    ``nobreak`` (for HTML) keeps the words on one line (no-break space, word joiner).
    """
    if not isinstance(text, str):
        return NA
    out = text
    m = re.fullmatch(r"(\d{4})-(\d\d)/(\d{4})-(\d\d)", text)
    d = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", text)
    if m:
        y0, m0, y1, m1 = m.group(1), MONTHS[int(m[2]) - 1], m.group(3), MONTHS[int(m[4]) - 1]
        out = (f"{m0} {y0}–{m1} {y1}" if y0 != y1 else
               f"{m0} {y1}" if m0 == m1 else f"{m0}–{m1} {y1}")
    elif d:
        out = f"{int(d[3])} {MONTHS[int(d[2]) - 1]} {d[1]}"
    return out.replace(" ", NBSP).replace("–", "–" + WJ) if nobreak else out


def source(file: str, line: object) -> str:
    """A source reference: ``2024_gemensamma_verksamheter_arsrapporter.txt, rad 1109``."""
    if not _finite(line):
        return NA
    return f"{file}, rad {int(line)}"  # type: ignore[call-overload]


def source_label(file: str) -> str:
    """Short Swedish label of a raw report (the manifest's ``short_title``), else the file stem.

    The labels come from the processed ``documents`` table.
    """
    return _source_labels().get(file, file.removesuffix(".txt"))


def _source_labels() -> dict[str, str]:
    from lib import processed

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
        return lambda v: str(int(v)) if _finite(v) else NA
    if header.startswith("p-värde"):
        return pvalue
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return number
    return lambda v: NA if v is None or v is pd.NA or (isinstance(v, float) and
                                                          math.isnan(v)) else str(v)


# Soft hyphens in long header words, so narrow number columns stay narrow.
_HYPHENATE = {"Föregående": "Före\u00adgående", "Förändring": "Föränd\u00adring",
              "Ordöverlapp": "Ord\u00adöverlapp", "Ändringar": "Änd\u00adringar"}


def _hyphenate(header: str) -> str:
    return " ".join(_HYPHENATE.get(w, w) for w in header.split(" "))


def _right(header: str, series: pd.Series) -> bool:
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    return (numeric and header not in PLAIN_HEADERS) or header in RIGHT_HEADERS


def table_html(df: pd.DataFrame, uid: str = "t") -> str:
    """``df`` as an HTML table in Swedish number format, without index, with a fixed id.

    Plain markup (class ``gbg-tabell``, numbers right-aligned by class ``r``) and a style
    scoped to the id, so the table reads the same in JupyterLab and in the HTML report.
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

    head = "".join(cell("th", _hyphenate(c), r) for c, r in zip(cols, right, strict=True))
    body = "\n".join(
        "<tr>" + "".join(cell("td", f(v), r) for f, v, r in zip(fmts, row, right, strict=True))
        + "</tr>" for row in frame.itertuples(index=False, name=None))
    style = (f"<style>#{tid}{{border-collapse:collapse;width:100%}}"
             f"#{tid} th,#{tid} td{{text-align:left;vertical-align:top;padding:.25em .45em;"
             f"overflow-wrap:break-word}}#{tid} .r{{text-align:right}}"
             f"#{tid} thead th{{border-bottom:1px solid #999}}</style>")
    return (f'{style}<table id="{tid}" class="gbg-tabell">\n<thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n{body}\n</tbody></table>")


def html(df: pd.DataFrame, uid: str = "t"):
    """The table as an IPython HTML object (its text form has no memory address)."""
    from IPython.display import HTML

    return HTML(table_html(df, uid))


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
    from lib.store import atomic_path

    directory = check_output_dir(output_dir)
    if directory is None:
        return None
    target = directory / f"{name}.csv"
    with atomic_path(target) as tmp:
        tmp.write_bytes(csv_bytes(df))
    return target


def show(df: pd.DataFrame, name: str, output_dir: str | Path = "",
         empty: str = "Inga uppgifter.", csv: pd.DataFrame | None = None) -> None:
    """Display a (Swedish-headed) table in the notebook and save it as CSV if asked.

    ``csv`` is the table to save when it differs from the one shown (more columns, full
    source file names); by default the shown table is saved. An empty table is not shown:
    the Swedish sentence ``empty`` is displayed instead (as Markdown).
    """
    from IPython.display import Markdown, display

    if df.empty:
        display(Markdown(empty))
        return
    display(html(df, uid=name))
    save_table(df if csv is None else csv, output_dir, name)
