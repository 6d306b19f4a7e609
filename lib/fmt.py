"""Swedish formatting of numbers and tables, and table export for the notebooks.

Numbers: space-grouped thousands and decimal comma (``1 234,5``; the space is a
no-break space, U+00A0, so a number never wraps), percent with a space before the
sign (``12,3 %``), and a real minus sign (U+2212) for negative values.

Tables shown in notebooks get Swedish headers (:data:`HEADERS`) and are rendered as
HTML from a pandas Styler with a fixed id, so executed notebooks are deterministic.
Tables saved by :func:`save_table` are CSV for Swedish Excel: UTF-8 with BOM, ``;``
as separator, decimal comma, Swedish headers, numbers unformatted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from lib.errors import DataError

NBSP = "\u00a0"
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
}
# Swedish headers whose whole numbers are shown without thousands grouping.
PLAIN_HEADERS = frozenset({"Rad", "År", "Rad A", "Rad B", "Rader", "Första rad", "Sista rad"})


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


def source(file: str, line: object) -> str:
    """A source reference: ``2024_gemensamma_verksamheter_arsrapporter.txt, rad 1109``."""
    if not _finite(line):
        return NA
    return f"{file}, rad {int(line)}"  # type: ignore[call-overload]


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


def styler(df: pd.DataFrame, uid: str = "t") -> pd.io.formats.style.Styler:
    """A Styler showing ``df`` in Swedish number format, without index, with a fixed id."""
    frame = df.reset_index(drop=True)
    st = frame.style.set_uuid(uid).hide(axis="index")
    st = st.format({c: _formatter(str(c), frame[c]) for c in frame.columns})
    numeric = [c for c in frame.columns
               if pd.api.types.is_numeric_dtype(frame[c]) and str(c) not in PLAIN_HEADERS]
    return st.set_properties(subset=numeric, **{"text-align": "right"})


def html(df: pd.DataFrame, uid: str = "t"):
    """The table as an IPython HTML object (its text form has no memory address)."""
    from IPython.display import HTML

    return HTML(styler(df, uid).to_html())


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
         empty: str = "Inga uppgifter.") -> None:
    """Display a (Swedish-headed) table in the notebook and save it as CSV if asked.

    An empty table is not shown: the Swedish sentence ``empty`` is printed instead.
    """
    from IPython.display import display

    if df.empty:
        print(empty)
        return
    display(html(df, uid=name))
    save_table(df, output_dir, name)
