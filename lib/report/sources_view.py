"""The reports' own lines as static web pages, so every citation can be checked from
``outputs/`` alone: ``outputs/kallor/<report>.html#L1109``.

One page per report file: every raw line with its number (an anchor, ``#L1109``), the
repaired text beside the OCR where the repair changed the line, the part and section
each line belongs to, the PDF page where the report came from a PDF, and for a line of a
table a link to the table's first line (its header row). Pages and charts in ``outputs/``
link their sources here (:func:`href`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from lib.core.store import atomic_path
from lib.report import fmt
from lib.sources import corpus as corpus_mod
from lib.text import repaired
from lib.text.layout import TABLE
from lib.text.structure import line_roles

SUBDIR = "kallor"
STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:78em;padding:0 1em;
color:#222;line-height:1.35}
h1{font-size:1.3em}p.om{max-width:60em}
table{border-collapse:collapse;width:100%;font-size:.92em}
td{vertical-align:top;padding:.05em .5em;white-space:pre-wrap;overflow-wrap:anywhere}
td.n{text-align:right;color:#777;white-space:nowrap;width:4.5em}
td.n a{color:inherit;text-decoration:none}
td.m{color:#777;font-size:.85em;width:11em}
td.r{color:#1a5e20}
tr:target{background:#fff3b0}
tr.del td{border-top:1px solid #ddd}
""".strip()


def page_name(file: str) -> str:
    """The page of a report file: ``2022_sn_centrum_arsrapport.txt`` -> ``…arsrapport.html``."""
    return Path(file).with_suffix(".html").name


def href(base: str, file: str, line: int) -> str:
    """The address of a raw line from a page whose sources view is at ``base``."""
    return f"{base.rstrip('/')}/{page_name(file)}#L{int(line)}"


def links(refs: Iterable[object], texts: Iterable[object], base: str) -> list[str]:
    """The sources of each row as HTML: ``refs`` (``file#line;…``) and their labels
    (``texts``, ``; ``-separated, in the same order), each label linked to its line in the
    sources view at ``base``; escaped plain text where ``base`` is empty (not published)."""
    out = []
    for ref_list, text in zip(refs, texts, strict=True):
        parts = [t for t in str(text).split("; ") if t]
        if not base or not isinstance(ref_list, str):
            out.append(html.escape("; ".join(parts)))
            continue
        anchors = []
        for ref, label in zip(ref_list.split(";"), parts, strict=False):
            file, _, line = ref.partition("#")
            anchors.append(
                f'<a href="{html.escape(href(base, file, int(line)))}">{html.escape(label)}</a>'
            )
        out.append("; ".join(anchors) if anchors else html.escape("; ".join(parts)))
    return out


def link_references(text: object, base: str) -> str:
    """``text`` as HTML with every reference in it (``Årsrapport 2022, rad 569``, the form
    of :func:`lib.report.fmt.short_source`) linked to its line at ``base``; escaped plain
    text where ``base`` is empty or nothing in it is a reference."""
    if not isinstance(text, str):
        return ""
    escaped = html.escape(text)
    pattern, files = _references(tuple(sorted(fmt.source_labels().items())))
    if not base or pattern is None:
        return escaped

    def link(m: re.Match[str]) -> str:
        file = files[html.unescape(m["name"])]
        return f'<a href="{html.escape(href(base, file, int(m["line"])))}">{m[0]}</a>'

    return pattern.sub(link, escaped)


@cache
def _references(labels: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str] | None, dict]:
    """The pattern of a reference to any report (its label escaped as in HTML, the longest
    first) and each label's file; compiled once per set of reports (one per caveat cell
    would be the hot path of a page)."""
    files = {label: file for file, label in labels}
    if not files:
        return None, files
    names = "|".join(re.escape(html.escape(n)) for n in sorted(files, key=len, reverse=True))
    return re.compile(rf"(?P<name>{names}), rad\s(?P<line>\d+)"), files


def page_html(c: corpus_mod.Corpus, doc_id: str) -> str:
    """The sources page of one report file (module docstring)."""
    doc = c.document(doc_id)
    raw = c.raw_lines(doc_id)
    analysed = repaired.analysis_lines(c, doc_id)
    roles = line_roles(c, doc_id)
    table_start = _table_starts(list(roles.role))
    parts = {ln: p.part_id for p in c.parts(doc_id) for ln in range(p.line_start, p.line_end + 1)}
    part_titles = {p.part_id: p.title for p in c.parts(doc_id)}
    rows = []
    previous_part = None
    for i, text in enumerate(raw, start=1):
        part = parts.get(i)
        extra = []
        if part != previous_part and part is not None:
            extra.append(f"<b>{html.escape(part_titles[part])}</b>")
            previous_part = part
        page = c.page_of_line(doc_id, i)
        if page is not None and doc.page_lines and i in doc.page_lines:
            extra.append(f"PDF sida {page}")
        start = table_start.get(i)
        if start is not None and start != i:
            extra.append(f'<a href="#L{start}">tabellens första rad ({start})</a>')
        fixed = analysed[i - 1] if i - 1 < len(analysed) else text
        repaired_cell = (
            f'<td class="r" title="reparerad text">{html.escape(fixed)}</td>'
            if doc.text_quality == "ocr" and fixed != text
            else "<td></td>"
        )
        rows.append(
            f'<tr id="L{i}"><td class="n"><a href="#L{i}">{i}</a></td>'
            f"<td>{html.escape(text)}</td>{repaired_cell}"
            f'<td class="m">{"<br>".join(extra)}</td></tr>'
        )
    label = fmt.source_label(doc.file)
    about = (
        f"Rapportens rader som de står i filen <code>{html.escape(doc.file)}</code>"
        f" ({html.escape(doc.title)}). Radnumren är de som tabeller och diagram anger som "
        "källa (”rad 1109”)."
    )
    if doc.text_quality == "ocr":
        about += (
            " Texten kommer från OCR-läsning; där den reparerade texten skiljer sig står "
            "den i grönt bredvid råtexten. Siffrorna är kontrollerade mot råtexten."
        )
    if doc.pdf:
        about += f" Rapporten lades till från PDF-filen <code>{html.escape(doc.pdf)}</code>."
    return (
        '<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8">'
        f"<title>{html.escape(label)} – källrader</title><style>{STYLE}</style></head><body>\n"
        f'<p><a href="../index.html">Alla rapporter</a></p><h1>{html.escape(label)}</h1>\n'
        f'<p class="om">{about}</p>\n<table>\n' + "\n".join(rows) + "\n</table></body></html>\n"
    )


def _table_starts(roles: list[str | None]) -> dict[int, int]:
    """For each raw line (1-based) of a table, the first line of its table."""
    out: dict[int, int] = {}
    start = None
    for i, role in enumerate(roles, start=1):
        if role == TABLE:
            start = start or i
            out[i] = start
        elif role not in ("blank", "furniture"):
            start = None
    return out


def write(outputs_dir: Path, c: corpus_mod.Corpus | None = None) -> list[Path]:
    """Write the sources page of every report file into ``outputs_dir/kallor`` atomically."""
    c = c or corpus_mod.load()
    target_dir = outputs_dir / SUBDIR
    target_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for doc in c.documents:
        target = target_dir / page_name(doc.file)
        with atomic_path(target) as tmp:
            tmp.write_text(page_html(c, doc.doc_id), encoding="utf-8")
        written.append(target)
    target = target_dir / "index.html"
    with atomic_path(target) as tmp:
        tmp.write_text(index_html(c), encoding="utf-8", newline="\n")
    return [*written, target]


def index_html(c: corpus_mod.Corpus) -> str:
    """The list of the reports' pages, with title, period and number of lines."""
    items = []
    for doc in c.documents:
        label = fmt.source_label(doc.file)
        n = len(c.raw_lines(doc.doc_id))
        items.append(
            f'<li><a href="{html.escape(page_name(doc.file))}">{html.escape(label)}</a>: '
            f"{html.escape(doc.title)} ({fmt.number(n)} rader, {html.escape(doc.file)})</li>"
        )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="sv">',
            '<head><meta charset="utf-8"><title>Rapporternas text</title>',
            f"<style>{STYLE}</style></head>",
            "<body>",
            '<p><a href="../index.html">← Alla sidor</a></p>',
            "<h1>Rapporternas text, rad för rad</h1>",
            '<p class="om">Varje rapport som den lästes in, med radnummer. Källhänvisningarna '
            "i rapportsidorna (t.ex. <i>Gemensamma 2024, rad 1109</i>) länkar hit.</p>",
            "<ul>",
            *items,
            "</ul>",
            "</body>",
            "</html>",
            "",
        ]
    )
