"""Review sheets of proposed observations: written for Excel (and as CSV), read back by accept.

The sheet ``Förslag`` has one row per candidate figure with the columns of
:data:`lib.curation.propose.SHEET_COLUMNS` (their ids are the headers, so that a corrected sheet
reads back unambiguously); the sheet ``Förklaring`` explains each column in Swedish. The
CSV beside it is UTF-8 with BOM, ``;`` between cells and a decimal comma, as Excel in
Swedish opens and saves it.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from lib.core import store
from lib.curation import naming
from lib.errors import DataError

ACCEPT_MARKS = ("ja", "x", "yes")

# Swedish explanations of the columns (the sheet "Förklaring").
EXPLANATIONS: dict[str, str] = {
    "accept": "Skriv ja (eller x, yes) för att ta med raden; lämna tomt annars.",
    "confidence": "Sannolikhet (0–1) att siffran är en temauppgift, lärd av hur de andra "
    "rapporterna granskats. Raderna är sorterade efter den.",
    "doc_id": "Rapporten.",
    "line": "Rad i råtextfilen (data/raw) där siffran står.",
    "raw": "Exakt text på raden som innehåller siffran (måste finnas på raden).",
    "value": "Värdet, i enheten som den skrivs (448 miljoner kronor -> 448).",
    "qualifier": "≈ för ungefärliga värden (cirka), < > ≤ ≥ för gränser; tomt när exakt.",
    "unit": "Enhet, som i indikatorkatalogen.",
    "value_type": "level, share, change_pct, change_pp eller change_abs.",
    "basis": "utfall, prognos, budget eller mal.",
    "period": "2024, 2023/2024 (förändring), 2024-01/2024-08 (intervall) eller 2024-06-30.",
    "geography": "Göteborg, ett stadsområde eller verksamheten uppgiften gäller; måste passa "
    "indikatorns omfång (scope i katalogen).",
    "theme": "Tema: hemloshet, vald_i_nara_relation eller forsorjningsstod.",
    "indicator": "Indikatorns id: en befintlig i katalogen, eller ett nytt förslag.",
    "label": "Indikatorns svenska benämning (används när indikatorn är ny).",
    "definition": "Indikatorns definition (används när indikatorn är ny; skriv om förslaget).",
    "new_indicator": "ja när indikatorn inte finns i katalogen och läggs till vid accept.",
    "match": "Sannolikhet (0–1) att den föreslagna befintliga indikatorn är rätt; "
    "0 för ett nytt id (new_indicator = ja). Under "
    + format(round(naming.gate_floor(), 2), ".2f").replace(".", ",")
    + " kom id:t från det räknade ordet (sju avtalskommuner) eller katalogens ord: "
    "granska dem först.",
    "restatement_of": "same_figure när raden upprepar en uppgift som står på en annan rad i "
    "samma del; accept sätter det självt när värdet är detsamma. Anger rapporten samma uppgift "
    "med ett annat värde: skriv same_figure och förklara motsägelsen i note.",
    "scope": "Den nya indikatorns omfång: stadsområde, stad, område (stadsområde eller staden) "
    "eller enhet; tomt: som radernas geografi.",
    "curated": "Indikatorer som redan är granskade på samma rad med samma värde.",
    "section": "Avsnittet i rapporten.",
    "sentence": "Meningen eller tabellraden där siffran står.",
    "note": "Egen anteckning (följer med till data/curated).",
}

_WIDTHS = {
    "accept": 8,
    "confidence": 10,
    "doc_id": 18,
    "line": 7,
    "raw": 40,
    "value": 11,
    "qualifier": 6,
    "unit": 12,
    "value_type": 11,
    "basis": 9,
    "period": 16,
    "geography": 18,
    "theme": 14,
    "indicator": 36,
    "label": 36,
    "definition": 40,
    "new_indicator": 8,
    "match": 7,
    "restatement_of": 11,
    "curated": 20,
    "section": 28,
    "sentence": 80,
    "note": 30,
}


def sibling_paths(out: Path) -> tuple[Path, Path]:
    """The .xlsx and .csv paths of a sheet, whichever of the two was named."""
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise DataError(f"--out {out}: name a .xlsx or .csv file.")
    return out.with_suffix(".xlsx"), out.with_suffix(".csv")


def workbook_bytes(frame: pd.DataFrame) -> bytes:
    """The proposals as an Excel workbook: frozen header, filters, widths, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Förslag"
    columns = list(frame.columns)
    ws.append(columns)
    for row in frame.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    bold, yellow = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    for j, name in enumerate(columns, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = _WIDTHS.get(name, 14)
        ws.cell(1, j).font = bold
        if name in ("confidence", "match"):
            for cell in ws[letter][1:]:
                cell.number_format = "0.00"
    accept = get_column_letter(columns.index("accept") + 1)
    for cell in ws[accept]:
        cell.fill = yellow
    for name in ("sentence", "definition"):
        if name in columns:
            for cell in ws[get_column_letter(columns.index(name) + 1)][1:]:
                cell.alignment = Alignment(wrap_text=False)
    marks = DataValidation(
        type="list", formula1='"ja,x,yes"', allow_blank=True, showErrorMessage=False
    )
    ws.add_data_validation(marks)
    marks.add(f"{accept}2:{accept}{max(len(frame) + 1, 2)}")
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = ws.dimensions
    help_ws = wb.create_sheet("Förklaring")
    help_ws.append(["kolumn", "förklaring"])
    help_ws["A1"].font = help_ws["B1"].font = bold
    for name in columns:
        help_ws.append([name, EXPLANATIONS.get(name, "")])
    help_ws.column_dimensions["A"].width = 16
    help_ws.column_dimensions["B"].width = 100
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value


def csv_text(frame: pd.DataFrame) -> str:
    """The proposals as CSV for Excel in Swedish: ``;`` and a decimal comma."""
    return frame.to_csv(index=False, sep=";", decimal=",", lineterminator="\n")


def write(frame: pd.DataFrame, out: Path) -> tuple[Path, Path]:
    """Write the .xlsx and the .csv, each atomically (temporary file, then rename)."""
    xlsx, csv = sibling_paths(out)
    content = workbook_bytes(frame)
    text = csv_text(frame)
    with store.atomic_path(xlsx) as tmp:
        tmp.write_bytes(content)
    with store.atomic_path(csv) as tmp:
        tmp.write_text(text, encoding="utf-8-sig", newline="\n")
    return xlsx, csv


def read(path: Path) -> pd.DataFrame:
    """A (corrected) sheet as strings, with ``sheet_row``: the row number Excel shows."""
    if not path.is_file():
        raise DataError(f"{path}: no such sheet; give the .xlsx or .csv that propose wrote.")
    try:
        if path.suffix.lower() == ".xlsx":
            frame = pd.read_excel(path, sheet_name=0, dtype=object)
        elif path.suffix.lower() == ".csv":
            frame = pd.read_csv(
                path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig"
            )
        else:
            raise DataError(f"{path}: give a .xlsx or .csv sheet.")
    except DataError:
        raise
    except Exception as exc:  # a damaged or foreign file: say which and why, in one line
        raise DataError(
            f"{path}: cannot be read as a sheet ({type(exc).__name__}); "
            "give the file propose wrote."
        ) from None
    missing = [
        c
        for c in (
            "accept",
            "doc_id",
            "line",
            "raw",
            "value",
            "unit",
            "value_type",
            "basis",
            "period",
            "geography",
            "indicator",
        )
        if c not in frame.columns
    ]
    if missing:
        raise DataError(
            f"{path}: column(s) {', '.join(missing)} missing; keep the header row "
            "that propose wrote."
        )
    frame = frame.astype(object).where(frame.notna(), None)
    frame.insert(0, "sheet_row", range(2, len(frame) + 2))
    return frame
