"""Real report text printed to PDF by other generators: headless Chromium and LibreOffice.

Fixtures for ``python -m lib add`` as users make their PDFs (a browser's print-to-PDF, Word
or LibreOffice's export). A passage of a real report (raw lines, see :func:`source_lines`)
is written as HTML (for Chromium) and as a flat ODF text document (``.fodt``, for
``soffice --headless --convert-to pdf``) with Word-like defaults: Carlito (Calibri's metrics)
or Liberation Sans, 11 pt, 8 pt after each paragraph, A4 with 2.5 cm margins, a running
header and a footer with a document number and the page number, at a line spacing of 1.0,
1.15 or 1.5 (multiples of the font's single spacing).

So that the lines an exact extraction gives are known, this module breaks the paragraphs
into lines itself (measured with the font's advance widths, a little narrower than the text
width so that no generator breaks them again) and writes each line with a forced break; the
justified paragraphs stretch every line but the last to the full width, and a word is
broken at a line end now and then with a hyphen of varying code point (U+2010, U+2011,
``-``). Tables keep the report's cells; a narrow first column makes labels wrap inside their
cells, so rows are several lines tall and a page break falls inside some of them; the header
row repeats on every page the table continues on. Lines starting with ``- ``/``• `` become a
bullet list (``•``, and Word's Symbol-font bullet: U+F0B7 in the ODF document, ``·`` in
the Symbol font in the HTML, as Word's HTML writes it), ``1. `` a numbered list. Numbers
in cells are written with NBSP between digit groups, some paragraphs in decomposed form
(NFD), and the fixture adds one superscript footnote marker (``1 470¹``) and its note, the
only text here not from the report. Expected lines are NFC; a line-end hyphen of any code
point is expected as ``-``; a bullet as ``•``; a footnote marker as a superscript digit apart
from the number (``1 470 ¹``). Running headers, footers, the footnote and repeated header
rows are page furniture: they are in the PDF but not in the expected lines.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lib.sources import corpus

PAGE_W = 595.28
MARGIN = 70.87  # 2.5 cm
TEXT_W = PAGE_W - 2 * MARGIN
SIZE = 11.0
SPACINGS = (1.0, 1.15, 1.5)
GENERATORS = ("chromium", "libreoffice")
HEADER = "Årsrapport 2022, Socialnämnden Centrum"
DNR = "Dnr SN-2022-0127/23"
HYPHENS = ("\u2010", "-", "\u2011")
NOTE = "Stadsområdet: antalet hushåll som får försörjningsstöd har minskat med 13 %."
REPORT = "sn_centrum_arsrapport_2022"
# The passage: raw lines (1-based, inclusive) of the 2022 årsrapport, Socialnämnden Centrum,
# and the bullet list of the 2024 annual reports of the city's common services.
PASSAGES = ((REPORT, 84, 175), (REPORT, 226, 253), ("gemensamma_verksamheter_2024", 196, 203))


def chromium() -> str | None:
    """The Chromium executable, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def soffice() -> str | None:
    """LibreOffice's command-line executable, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def missing(generator: str) -> str | None:
    """Why a generator cannot run here, or None."""
    if generator == "chromium" and chromium() is None:
        return "chromium not installed (make test installs it as root: apt-get install chromium)"
    if generator == "libreoffice" and soffice() is None:
        return (
            "LibreOffice not installed (make test installs it as root: "
            "apt-get install libreoffice-writer-nogui)"
        )
    return None


def source_lines(c: corpus.Corpus, passages: tuple = PASSAGES) -> list[str]:
    """The real report lines the fixtures print (see PASSAGES)."""
    out: list[str] = []
    for doc_id, first, last in passages:
        out += [""] + c.raw_lines(doc_id)[first - 1 : last]
    return out


def report_lines(c: corpus.Corpus) -> list[str]:
    """A whole report for the benchmark: the 2022 årsrapport (1 353 raw lines, about 50 pages
    at line spacing 1.0), then the bullet list of PASSAGES."""
    return source_lines(c, ((REPORT, 1, len(c.raw_lines(REPORT))), PASSAGES[-1]))


# --------------------------------------------------------------------------- fonts


@lru_cache(maxsize=1)
def font() -> tuple[str, Path]:
    """The family used and its regular TTF: Carlito (Calibri's metrics) or Liberation Sans."""
    for family in ("Carlito", "Liberation Sans"):
        found = subprocess.run(
            ["fc-match", "-f", "%{family}\n%{file}", family], capture_output=True, text=True
        ).stdout.split("\n")
        if len(found) == 2 and family in found[0]:
            return family, Path(found[1])
    raise RuntimeError("neither Carlito nor Liberation Sans is installed (fonts-liberation)")


@lru_cache(maxsize=1)
def _measure():
    """An fpdf2 document with the font loaded, to measure text widths with."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt")
    pdf.add_font("F", "", str(font()[1]))
    pdf.set_font("F", "", SIZE)
    return pdf


def width(text: str, size: float = SIZE) -> float:
    """Advance width of text in points, in the font used, at ``size``."""
    return _measure().get_string_width(text) * size / SIZE


# --------------------------------------------------------------------------- document model


@dataclass(frozen=True)
class Block:
    """A paragraph (its lines), a list item, or a table (its rows of cells)."""

    kind: str  # "p", "li", "table"
    lines: tuple[str, ...] = ()  # p/li: the printed lines; table: rows TAB-joined
    justified: bool = False
    marker: str = ""  # li: "•", "\uf0b7" or "1."
    nfd: bool = False


def _wrap(text: str, room: float, hyphen: str | None) -> list[str]:
    """Greedy wrap to ``room`` points; with ``hyphen``, break one long word at a line end."""
    out: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if not current or width(trial) <= room:
            current = trial
            continue
        head = word[:6]
        if hyphen and len(word) >= 10 and word.isalpha() and width(f"{current} {head}-") <= room:
            out.append(f"{current} {head}{hyphen}")
            current, hyphen = word[6:], None
        else:
            out.append(current)
            current = word
    return out + ([current] if current else [])


def blocks(lines: list[str]) -> list[Block]:
    """The passage as blocks: paragraphs wrapped, list items, tables (consecutive TAB rows)."""
    out: list[Block] = []
    n = 0
    for line in lines:
        text = line.replace("<i>", "").replace("</i>", "").replace("<p>", "").strip()
        if not text:
            continue
        if "\t" in line:
            rows = out[-1].lines if out and out[-1].kind == "table" else ()
            if rows:
                out[-1] = Block("table", rows + (line,))
            else:
                out.append(Block("table", (line,)))
            continue
        n += 1
        marker, body = "", text
        if text[:2] in ("- ", "• "):
            marker, body = ("•" if n % 2 else "\uf0b7"), text[2:].strip()
        elif text[:3] in ("1. ", "2. ", "3. "):
            marker, body = text[:2], text[3:].strip()
        justified = not marker and len(body) > 200 and n % 2 == 0
        # Justified lines end short now and then, as wrapping at a long word leaves them.
        room = TEXT_W * (0.93 if not justified else (0.8, 0.9, 0.93)[n % 3])
        room -= 18 if marker else 0
        hyphen = HYPHENS[n % 3] if len(body) > 200 else None
        out.append(
            Block(
                "li" if marker else "p",
                tuple(_wrap(body, room, hyphen)),
                justified=justified,
                marker=marker,
                nfd=n % 4 == 1,
            )
        )
    return _footnote(out)


def _footnote(out: list[Block]) -> list[Block]:
    """Mark the first cell ``1 470`` with a superscript footnote and add its note after."""
    for i, b in enumerate(out):
        if b.kind == "table" and any("\t1 470" in r for r in b.lines):
            rows = tuple(r.replace("\t1 470", "\t1 470^1", 1) for r in b.lines)
            note = Block("p", (f"^1 {NOTE}",))
            return out[:i] + [Block("table", rows), note] + out[i + 1 :]
    return out


def _line_end(line: str) -> str:
    return line[:-1] + "-" if line[-1:] in HYPHENS else line


def expected(doc: list[Block]) -> list[str]:
    """The lines an exact extraction gives, in order (page furniture aside)."""
    out: list[str] = []
    for b in doc:
        if b.kind == "table":
            out += [r.replace("^1", " ¹") for r in b.lines]
            continue
        lines = [_line_end(line.replace("^1", "¹")) for line in b.lines]
        if b.marker:
            lines[0] = ("•" if b.marker == "\uf0b7" else b.marker) + " " + lines[0]
        out += lines
    return [unicodedata.normalize("NFC", line) for line in out]


# --------------------------------------------------------------------------- HTML (Chromium)


def _esc(text: str, nfd: bool = False) -> str:
    text = unicodedata.normalize("NFD", text) if nfd else text
    return html.escape(text).replace("^1", "<sup>1</sup>")


def _cell(text: str) -> str:
    """A cell's text with NBSP between digit groups, as word processors keep them together."""
    import re

    return re.sub(r"(?<=\d) (?=\d{3}\b)", "\u00a0", text)


def to_html(doc: list[Block], spacing: float) -> str:
    """The passage as an HTML page printed with Word-like styles."""
    family = font()[0]
    css = f"""
@page {{ size: A4; margin: 2.5cm;
  @top-left {{ content: "{HEADER}"; font: 9pt '{family}'; }}
  @bottom-left {{ content: "{DNR}"; font: 9pt '{family}'; }}
  @bottom-right {{ content: "Sida " counter(page) " (" counter(pages) ")";
    font: 9pt '{family}'; }} }}
body {{ font-family: '{family}'; font-size: {SIZE}pt; line-height: {1.22 * spacing:.3f};
  margin: 0; }}
p, li {{ margin: 0 0 8pt 0; }}
span.l {{ display: block; white-space: nowrap; }}
p.j span.l {{ text-align: justify; text-align-last: justify; }}
p.j span.l:last-child {{ text-align-last: left; }}
ul, ol {{ margin: 0 0 8pt 0; padding-left: 18pt; }}
p.li {{ position: relative; padding-left: 18pt; }}
span.m {{ position: absolute; left: 0; }}
span.sym {{ font-family: Symbol, '{family}'; }}
table {{ border-collapse: collapse; width: 100%; margin: 0 0 8pt 0; }}
thead {{ display: table-header-group; }}
td {{ border: 0.5pt solid #000; padding: 0 5.4pt; vertical-align: top; text-align: right; }}
td:first-child {{ text-align: left; width: 26%; }}
"""
    body: list[str] = []
    for b in doc:
        if b.kind == "table":
            body.append(_html_table(b))
            continue
        lines = "".join(f'<span class="l">{_esc(line, b.nfd)}</span>' for line in b.lines)
        if not b.marker:
            body.append(f"<p{' class=j' if b.justified else ''}>{lines}</p>")
        elif b.marker[0].isdigit():
            body.append(f'<ol start="{b.marker[0]}"><li>{lines}</li></ol>')
        else:  # the bullet as text, as Word's HTML has it (a browser draws its own discs)
            marker = "•" if b.marker == "•" else '<span class="sym">·</span>'
            body.append(f'<p class="li"><span class="m">{marker}</span>{lines}</p>')
    return (
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">'
        f"<style>{css}</style></head><body>{''.join(body)}</body></html>"
    )


def _html_table(b: Block) -> str:
    rows = [r.split("\t") for r in b.lines]
    n = max(len(r) for r in rows)

    def tr(cells: list[str]) -> str:
        cells = cells + [""] * (n - len(cells))
        return "<tr>" + "".join(f"<td>{_esc(_cell(c.strip()))}</td>" for c in cells) + "</tr>"

    return f"<table><thead>{tr(rows[0])}</thead><tbody>{''.join(map(tr, rows[1:]))}</tbody></table>"


# --------------------------------------------------------------------------- ODF (LibreOffice)

_FODT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls><style:font-face style:name="F" svg:font-family="'{family}'"/>
</office:font-face-decls>
<office:styles>
<style:default-style style:family="paragraph"><style:paragraph-properties
 fo:margin-top="0pt" fo:margin-bottom="8pt" fo:line-height="{percent}%"/>
<style:text-properties style:font-name="F" fo:font-size="11pt" fo:language="sv"
 fo:country="SE"/></style:default-style>
</office:styles>
<office:automatic-styles>
<style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="21cm"
 fo:page-height="29.7cm" fo:margin-top="1.25cm" fo:margin-bottom="1.25cm"
 fo:margin-left="2.5cm" fo:margin-right="2.5cm"/>
<style:header-style><style:header-footer-properties fo:min-height="0cm"
 fo:margin-bottom="0.75cm"/></style:header-style>
<style:footer-style><style:header-footer-properties fo:min-height="0cm"
 fo:margin-top="0.75cm"/></style:footer-style></style:page-layout>
<style:style style:name="J" style:family="paragraph"><style:paragraph-properties
 fo:text-align="justify"/></style:style>
<style:style style:name="Small" style:family="paragraph"><style:paragraph-properties
 fo:margin-bottom="0pt"/><style:text-properties fo:font-size="9pt"/></style:style>
<style:style style:name="Cell" style:family="paragraph"><style:paragraph-properties
 fo:margin-bottom="0pt"/></style:style>
<style:style style:name="CellR" style:family="paragraph"><style:paragraph-properties
 fo:margin-bottom="0pt" fo:text-align="end"/></style:style>
<style:style style:name="Sup" style:family="text"><style:text-properties
 style:text-position="super 58%"/></style:style>
<style:style style:name="T" style:family="table"><style:table-properties
 style:width="16cm" table:align="left" fo:margin-bottom="8pt"/></style:style>
<style:style style:name="C1" style:family="table-column"><style:table-column-properties
 style:column-width="{first}cm"/></style:style>
<style:style style:name="C2" style:family="table-column"><style:table-column-properties
 style:column-width="{other}cm"/></style:style>
<style:style style:name="TD" style:family="table-cell"><style:table-cell-properties
 fo:padding-left="0.19cm" fo:padding-right="0.19cm" fo:padding-top="0cm"
 fo:padding-bottom="0cm" fo:border="0.5pt solid #000000"/></style:style>
<text:list-style style:name="LB"><text:list-level-style-bullet text:level="1"
 text:bullet-char="•"><style:list-level-properties
 text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment
 text:label-followed-by="listtab" text:list-tab-stop-position="0.635cm"
 fo:text-indent="-0.635cm" fo:margin-left="0.635cm"/></style:list-level-properties>
</text:list-level-style-bullet></text:list-style>
<text:list-style style:name="LP"><text:list-level-style-bullet text:level="1"
 text:bullet-char="\uf0b7"><style:list-level-properties
 text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment
 text:label-followed-by="listtab" text:list-tab-stop-position="0.635cm"
 fo:text-indent="-0.635cm" fo:margin-left="0.635cm"/></style:list-level-properties>
<style:text-properties style:font-name="F"/></text:list-level-style-bullet></text:list-style>
<text:list-style style:name="LN"><text:list-level-style-number text:level="1"
 style:num-suffix="." style:num-format="1"><style:list-level-properties
 text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment
 text:label-followed-by="listtab" text:list-tab-stop-position="0.635cm"
 fo:text-indent="-0.635cm" fo:margin-left="0.635cm"/></style:list-level-properties>
</text:list-level-style-number></text:list-style>
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1">
<style:header><text:p text:style-name="Small">{header}</text:p></style:header>
<style:footer><text:p text:style-name="Small">{dnr}<text:tab/>Sida <text:page-number/>
 (<text:page-count/>)</text:p></style:footer></style:master-page></office:master-styles>
<office:body><office:text>
"""


def _x(text: str, nfd: bool = False) -> str:
    text = unicodedata.normalize("NFD", text) if nfd else text
    sup = '<text:span text:style-name="Sup">1</text:span>'
    return html.escape(text, quote=False).replace("^1", sup)


def to_fodt(doc: list[Block], spacing: float) -> str:
    """The passage as a flat ODF text document with Word-like styles."""
    widest = max(len(r.split("\t")) for b in doc if b.kind == "table" for r in b.lines)
    first = 4.2
    head = _FODT_HEAD.format(
        family=font()[0],
        percent=round(100 * spacing),
        first=first,
        other=round((16 - first) / max(widest - 1, 1), 3),
        header=html.escape(HEADER),
        dnr=html.escape(DNR),
    )
    body: list[str] = []
    for b in doc:
        if b.kind == "table":
            body.append(_odf_table(b))
            continue
        lines = "<text:line-break/>".join(_x(line, b.nfd) for line in b.lines)
        if not b.marker:
            style = "J" if b.justified else "Standard"
            body.append(f'<text:p text:style-name="{style}">{lines}</text:p>')
            continue
        kind = "LN" if b.marker[0].isdigit() else ("LB" if b.marker == "•" else "LP")
        start = f' text:start-value="{b.marker[0]}"' if kind == "LN" else ""
        body.append(
            f'<text:list text:style-name="{kind}"><text:list-item{start}>'
            f"<text:p>{lines}</text:p></text:list-item></text:list>"
        )
    return head + "\n".join(body) + "\n</office:text></office:body></office:document>\n"


def _odf_table(b: Block) -> str:
    rows = [r.split("\t") for r in b.lines]
    n = max(len(r) for r in rows)

    def tr(cells: list[str]) -> str:
        cells = cells + [""] * (n - len(cells))
        out = []
        for j, c in enumerate(cells):
            style = "Cell" if j == 0 else "CellR"
            out.append(
                f'<table:table-cell table:style-name="TD" office:value-type="string">'
                f'<text:p text:style-name="{style}">{_x(_cell(c.strip()))}</text:p>'
                "</table:table-cell>"
            )
        return "<table:table-row>" + "".join(out) + "</table:table-row>"

    return (
        '<table:table table:style-name="T"><table:table-column table:style-name="C1"/>'
        f'<table:table-column table:style-name="C2" table:number-columns-repeated="{n - 1}"/>'
        f"<table:table-header-rows>{tr(rows[0])}</table:table-header-rows>"
        + "".join(tr(r) for r in rows[1:])
        + "</table:table>"
    )


# --------------------------------------------------------------------------- printing


@dataclass(frozen=True)
class Printed:
    """A PDF printed by a generator and the lines an exact extraction gives."""

    generator: str
    spacing: float
    pdf: Path
    lines: list[str]


def print_pdf(generator: str, spacing: float, lines: list[str], folder: Path) -> Printed:
    """Print the passage with a generator at a line spacing into ``folder``."""
    doc = blocks(lines)
    name = f"{generator}_{spacing:.2f}".replace(".", "_")
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / f"{name}.pdf"
    if generator == "chromium":
        source = folder / f"{name}.html"
        source.write_text(to_html(doc, spacing), encoding="utf-8")
        with tempfile.TemporaryDirectory(prefix="chromium-", dir=folder) as profile:
            _run(
                [
                    str(chromium()),
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    f"--user-data-dir={profile}",
                    f"--print-to-pdf={pdf}",
                    "--no-pdf-header-footer",
                    source.as_uri(),
                ]
            )
    else:
        source = folder / f"{name}.fodt"
        source.write_text(to_fodt(doc, spacing), encoding="utf-8")
        with tempfile.TemporaryDirectory(prefix="soffice-", dir=folder) as profile:
            _run(
                [
                    str(soffice()),
                    f"-env:UserInstallation={Path(profile).as_uri()}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(folder),
                    str(source),
                ]
            )
    if not pdf.is_file():
        raise RuntimeError(f"{generator} printed no PDF from {source}")
    return Printed(generator, spacing, pdf, expected(doc))


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)


def unmapped(pdf: bytes) -> bytes:
    """The same PDF with its fonts' Unicode maps removed, as some generators write them.

    The ``/ToUnicode`` keys are renamed in place (same length, so the cross-reference table
    stays valid): a reader then has only the fonts' glyph codes, as in PDFs whose text layer
    reads ``UVUDSSRUW`` for ``årsrapport``. Raises if the PDF has no such key in the clear.
    """
    if b"/ToUnicode" not in pdf:
        raise ValueError("no /ToUnicode key in the clear (object streams?)")
    return pdf.replace(b"/ToUnicode", b"/ToUnicodX")
