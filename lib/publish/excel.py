"""Excel export of the observations: one sheet per theme, Swedish headers, numbers as numbers.

An indicator of several themes appears on each of their sheets. The qualifier of an
approximation or bound stands in its own column before the value (``ca``, ``<``, ``>``),
so the value stays a number Excel can compute with.

The workbook is made byte-reproducible: its document timestamps and the zip entries'
dates are fixed, so the same observations give the same file.
"""

from __future__ import annotations

import io
import re
import zipfile

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from lib.core import formats
from lib.publish.swedish_tables import METHODS, VALUE_TYPES
from lib.text.themes import theme_labels

# Swedish column headers of the exported observations (order = sheet column order).
HEADERS: dict[str, str] = {
    "indicator": "Indikator",
    "label": "Benämning",
    "qualifier": "Ungefär/gräns",
    "value": "Värde",
    "unit": "Enhet",
    # the caveats beside the figure, as in the browser
    "comparability": "Jämförbarhet",
    "note": "Anmärkning",
    "dispute": "Motsägelse",
    "value_type": "Värdetyp",
    "basis": "Grund (utfall/prognos/budget/mål)",
    "period": "Period",
    "geography": "Område/verksamhet",
    "source_file": "Källfil",
    "line": "Rad",
    "quote": "Citat",
    "doc_id": "Dokument-id",
    "part_id": "Del-id",
    "method": "Metod",
    "ocr_line": "Rad i OCR-versionen",
    "themes": "Teman",
}
FIXED_TIME = "2000-01-01T00:00:00Z"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def workbook_bytes(
    obs: pd.DataFrame,
    indicators: pd.DataFrame | None = None,
    discrepancies: pd.DataFrame | None = None,
) -> bytes:
    """The observations as an .xlsx file (bytes), one sheet per theme, each figure with the
    indicator's comparability note and the statement that disagrees with it (when the
    catalog and the discrepancies are given)."""
    obs = with_caveats(obs, indicators, discrepancies)
    wb = Workbook()
    wb.remove(wb.active)
    themes = obs.themes.str.split(";")
    cells = obs[list(HEADERS)].astype(object)  # plain Python values, read row by row
    for theme, title in theme_labels().items():
        ws = wb.create_sheet(title=title)
        ws.append(list(HEADERS.values()))
        rows = cells[themes.map(lambda ts, t=theme: t in ts)]
        for record in rows.itertuples(index=False):
            ws.append([_cell(k, v) for k, v in zip(HEADERS, record, strict=True)])
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        for i, key in enumerate(HEADERS, start=1):
            width = {
                "label": 50,
                "quote": 80,
                "note": 50,
                "comparability": 50,
                "dispute": 50,
                "indicator": 36,
                "themes": 30,
            }.get(key, 14)
            ws.column_dimensions[get_column_letter(i)].width = width
    buffer = io.BytesIO()
    # As Workbook.save, but stored uncompressed: _reproducible compresses it, once.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        ExcelWriter(wb, archive).save()
    return _reproducible(buffer.getvalue())


class _Files(dict):
    """Document id -> its text file (as the sheets' Källfil); an unknown id as it is."""

    def __missing__(self, key: str) -> str:
        return key


def with_caveats(
    obs: pd.DataFrame,
    indicators: pd.DataFrame | None = None,
    discrepancies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The observations with ``comparability`` (the indicator's note on breaks in the
    series) and ``dispute`` (``Motsägs av <file>, rad <line>: <figure> (<kind>)``)."""
    from lib.publish import swedish_tables

    notes = swedish_tables.comparability(indicators) if indicators is not None else {}
    disputes: list = [None] * len(obs)
    if discrepancies is not None and len(obs):
        files = _Files(zip(obs.doc_id, obs.source_file, strict=True))
        disputes = swedish_tables.disputes(obs, discrepancies, files)
    return obs.assign(comparability=obs.indicator.map(notes), dispute=disputes)


def _cell(key: str, value: object) -> object:
    if pd.isna(value):
        return None
    if key in ("line", "ocr_line"):
        return int(value)  # type: ignore[call-overload]  # a number (not NA, checked above)
    if key == "qualifier":
        return formats.qualifier_text(value)
    if key == "value_type":
        return VALUE_TYPES.get(str(value), value)
    if key == "method":
        return METHODS.get(str(value), value)
    if key == "themes":
        return ", ".join(theme_labels()[t] for t in str(value).split(";"))
    return value


def _reproducible(data: bytes) -> bytes:
    """Fix the timestamps inside an .xlsx so identical content gives identical bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                    rb"\g<1>" + FIXED_TIME.encode(),
                    content,
                )
            dst.writestr(
                zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE),
                content,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()
