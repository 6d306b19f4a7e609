"""The pages a batch publishes: each notebook's HTML report (no code) and
``outputs/index.html``, which links everything present under ``outputs/`` with the whole
data set (the Excel workbook and the SQLite database, copied into ``outputs/data/``).
"""

from __future__ import annotations

import html
import re
import shutil
from functools import cache
from pathlib import Path
from urllib.parse import quote

from lib import paths
from lib.report.batch_plan import (
    COMPARATIVE_DIR,
    COMPARISON,
    OVERVIEW,
    SOURCES_DIR,
    Job,
    areas,
    city,
    page_summary,
    theme_choices,
    theme_labels,
)

# Report CSS: an A4-wide page (charts are at most this wide at their natural size), tables
# that wrap long cells instead of scrolling, text columns left-aligned, numbers right.
REPORT_CSS = """
body.jp-Notebook { max-width: 54rem; margin: 0 auto; padding: 1rem; }
.jp-RenderedHTMLCommon table.gbg-tabell { table-layout: auto; width: 100%; margin: 0 0 1em;
  font-size: 0.78rem; }
.jp-RenderedHTMLCommon table.gbg-tabell th, .jp-RenderedHTMLCommon table.gbg-tabell td {
  text-align: left; vertical-align: top; white-space: normal; overflow-wrap: break-word;
  max-width: none; padding: 0.3em 0.35em; line-height: 1.35; }
.jp-RenderedHTMLCommon table.gbg-tabell .r { text-align: right; }
.jp-RenderedImage img { max-width: 100%; height: auto; }
.jp-OutputArea-output { padding-left: var(--jp-code-padding); }
@media print { body.jp-Notebook { max-width: none; padding: 0; }
  .jp-RenderedImage, table.gbg-tabell tr { break-inside: avoid; } }
"""
# The lab template, plus: the report CSS; alt text of PNG outputs from their metadata
# (IPython's Image(alt=...)), so nbconvert does not add its English placeholder; no
# scripts (no widgets or math in the reports, so the page needs no network).
REPORT_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}<style type="text/css">{{ resources.report_css }}</style>
{%- endblock html_head_css -%}
{% block data_png scoped %}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
alt="{{ ((output | get_metadata('alt', 'image/png')) or 'Diagram') | escape_html }}">
</div>
{%- endblock data_png %}
"""


@cache
def html_exporter():  # noqa: ANN202
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(
        exclude_input=True,
        exclude_input_prompt=True,
        language_code="sv",
        exclude_output_prompt=True,
        template_file="gbg_report.html.j2",
        extra_loaders=[DictLoader({"gbg_report.html.j2": REPORT_TEMPLATE})],
    )


def scrub(nb) -> None:  # noqa: ANN001
    """Drop run-dependent metadata (timings, temporary paths) so reruns are byte-identical."""
    meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "exception"):
        meta.pop(key, None)
    meta["input_path"] = f"notebooks/{Path(meta.get('input_path', '')).name}"
    meta["output_path"] = Path(meta.get("output_path", "")).name
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill draws a random id
        cell.metadata.pop("execution", None)
        cell.metadata.get("papermill", {}).clear()
        cell.metadata.pop("papermill", None)


def report_html(nb, title: str) -> str:  # noqa: ANN001
    """The notebook as HTML without code cells, prompts or stderr output."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.outputs
                if not (o.output_type == "stream" and o.get("name") == "stderr")
            ]
    body, _ = html_exporter().from_notebook_node(
        nb, resources={"metadata": {"name": title}, "report_css": REPORT_CSS}
    )
    return body


def report_title(job: Job) -> str:
    """Swedish title of a report: ``Hemlöshet – alla år och områden``, ``… – Centrum 2024``."""
    label = theme_labels()[job.theme]
    if job.year is None:
        return label if job.theme == COMPARISON else f"{label} – alla år och områden"
    where = "hela staden" if job.district in (None, city()) else job.district
    return f"{label} – {where} {job.year}"


# --------------------------------------------------------------------- index

FILES_PAGE = "filer.html"  # in each page's folder: its figures and tables


def _href(path: Path, base: Path) -> str:
    return quote(path.relative_to(base).as_posix())


def _link(path: Path, base: Path, label: str) -> str:
    return f'<a href="{_href(path, base)}">{html.escape(label)}</a>'


def _theme_of(stem: str) -> str | None:
    match = re.fullmatch(r"\d\d_(.+)", stem)
    return match.group(1) if match and match.group(1) in theme_choices() else None


# Swedish display names of the file stems the notebooks write (ASCII in file names).
FILE_LABELS: dict[str, str] = {
    "avvikelser": "avvikelser",
    "citat": "citat",
    "del och helar": "del av året och helår",
    "nyckeltal": "nyckeltal",
    "ocr": "OCR-lästa uppgifter",
    "omstridda": "omstridda uppgifter",
    "prognos utfall": "prognos och utfall",
    "samma uppgift": "samma uppgift i flera rapporter",
    "stadsomraden": "stadsområden",
    "test antal": "test av antal",
    "test fordelning": "test av fördelning",
    "uppgifter": "övriga uppgifter",
    "dokument": "dokument",
    "tackning": "täckning",
    "teman": "teman",
    "textkvalitet": "textkvalitet",
}


def _file_label(stem: str, theme: str | None) -> str:
    name = stem.removeprefix(f"{theme}_").replace("_", " ") if theme else stem
    if name in FILE_LABELS:
        return FILE_LABELS[name]
    district = re.fullmatch(r"stadsomraden (\d+)( uppgifter)?", name)
    if district:  # a district comparison: its chart, or its table
        what = "uppgifter" if district[2] else "diagram"
        return f"jämförelse mellan stadsområden {district[1]} ({what})"
    indicator, _, rest = stem.removeprefix(f"{theme}_").rpartition("_")
    labels = _indicator_labels()
    if indicator in labels:  # a headline chart (…_1, …_2) or its table (…_uppgifter)
        what = "uppgifter" if rest == "uppgifter" else f"diagram {rest}"
        return f"{labels[indicator]} ({what})"
    return name


@cache
def _indicator_labels() -> dict[str, str]:
    from lib.report import processed

    ind = processed.load("indicators")
    return dict(zip(ind.id, ind.label, strict=True))


def files_html(folder: Path, title: str) -> str:
    """The page listing a published page's figures (PNG, SVG) and tables (CSV for Excel)."""
    theme = _theme_of(folder.name) or _theme_of(next((p.stem for p in folder.glob("*.ipynb")), ""))
    groups: dict[str, list[Path]] = {}
    for p in sorted(folder.iterdir()):
        if p.is_file() and p.suffix in (".png", ".svg", ".csv"):
            groups.setdefault(p.stem, []).append(p)
    rows = [
        f"<li>{html.escape(_file_label(stem, theme))}: "
        + " ".join(f'<a href="{quote(p.name)}">{p.suffix[1:].upper()}</a>' for p in group)
        + "</li>"
        for stem, group in groups.items()
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="sv">',
            f'<head><meta charset="utf-8"><title>Filer – {html.escape(title)}</title>',
            f"<style>{INDEX_CSS}</style></head>",
            "<body>",
            f"<h1>Filer: {html.escape(title)}</h1>",
            "<p>Diagram som bild (PNG) och vektorgrafik (SVG), tabeller som CSV (öppnas i "
            "Excel: semikolon som avgränsare, decimalkomma).</p>",
            "<ul>",
            *(rows or ["<li>Inga filer.</li>"]),
            "</ul>",
            "</body>",
            "</html>",
            "",
        ]
    )


INDEX_CSS = (
    "body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;width:100%;margin-bottom:1.5em}"
    "th,td{border-bottom:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}"
    "td a{margin-right:.6em}td.n{text-align:right;white-space:nowrap}"
    "tr.huvud td{background:#eef4fa;font-weight:600}p.om{max-width:52em}"
    "table{table-layout:fixed}th:first-child{width:13em}th:last-child{width:17em}"
)


Page = tuple[str, int | None, str | None, Path]  # theme, year, area, folder


def _pages(outputs_dir: Path) -> list[Page]:
    """Every published page under ``outputs_dir``: (theme, year, area, folder)."""
    found: list[Page] = []
    comparative = outputs_dir / COMPARATIVE_DIR
    if comparative.is_dir():
        for folder in sorted(comparative.iterdir()):
            theme = _theme_of(folder.name)
            if theme and (folder / f"{folder.name}.html").is_file():
                found.append((theme, None, None, folder))
    for year_dir in sorted(p for p in outputs_dir.glob("[0-9][0-9][0-9][0-9]") if p.is_dir()):
        for area_dir in sorted(p for p in year_dir.iterdir() if p.is_dir()):
            if area_dir.name.startswith("."):
                continue
            for folder in sorted(area_dir.iterdir()):
                theme = _theme_of(folder.name)
                if theme and (folder / f"{folder.name}.html").is_file():
                    found.append((theme, int(year_dir.name), area_dir.name, folder))
    return found


def _page_row(page: Page, base: Path) -> str:
    theme, year, area, folder = page
    report = folder / f"{folder.name}.html"
    if year is None:
        name = "Alla år och områden" if theme != COMPARISON else "Alla rapporter"
    else:
        name = f"{year}, {'hela staden' if area == city() else area}"
    files = folder / FILES_PAGE
    cells = [
        f"<td>{_link(report, base, name)}</td>",
        f"<td>{html.escape(page_summary(theme, year, area))}</td>",
        f"<td>{_link(folder / f'{folder.name}.ipynb', base, 'notebook')}"
        + (f" {_link(files, base, 'diagram och tabeller')}" if files.is_file() else "")
        + "</td>",
    ]
    head = ' class="huvud"' if year is None else ""
    return f"<tr{head}>" + "".join(cells) + "</tr>"


def _page_key(page: Page) -> tuple:
    _, year, area, _ = page
    order = areas()
    area_key = order.index(area) if area in order else len(order)
    return (year is not None, -(year or 0), area_key, area or "")


def _theme_list() -> str:
    labels = [label for key, label in theme_labels().items() if key not in (OVERVIEW, COMPARISON)]
    text = ", ".join(labels[:-1]) + f" och {labels[-1]}" if len(labels) > 1 else labels[0]
    return text[0].upper() + text[1:].lower()


# The whole data set, copied beside the reports so that outputs/ can be handed over or
# published as it is (for readers without Python): file -> (link text, what it holds).
DATA_SUBDIR = "data"
DATA_FILES: dict[str, tuple[str, str]] = {
    "observations.xlsx": (
        "Alla siffror med källa (Excel)",
        "en flik per tema; varje siffra med rapport, rad och citat",
    ),
    "rapporter.sqlite": (
        "Databasen (SQLite)",
        "alla tabeller och rapporternas text; öppnas i t.ex. DB Browser for SQLite",
    ),
}


def publish_data(processed_dir: Path, outputs_dir: Path) -> list[Path]:
    """Copy the files of :data:`DATA_FILES` from ``processed_dir`` into
    ``outputs_dir/data/`` (each atomically); return the copies."""
    from lib.core.store import atomic_path

    copies = []
    for name in DATA_FILES:
        source = processed_dir / name
        if source.is_file():
            with atomic_path(outputs_dir / DATA_SUBDIR / name) as tmp:
                shutil.copyfile(source, tmp)
            copies.append(outputs_dir / DATA_SUBDIR / name)
    return copies


def _data_section(outputs_dir: Path) -> list[str]:
    """The index's list of the data files present in ``outputs_dir/data/``."""
    from lib.report.fmt import number

    items = []
    for name, (title, what) in DATA_FILES.items():
        path = outputs_dir / DATA_SUBDIR / name
        if path.is_file():
            n = path.stat().st_size
            size = (
                f"{number(n / 1e6, decimals=1)}&nbsp;MB"
                if n >= 1e6
                else f"{number(max(1, round(n / 1e3)))}&nbsp;kB"
            )
            items.append(
                f"<li>{_link(path, outputs_dir, title)} – {html.escape(what)} ({size})</li>"
            )
    return ["<h2>Hela datamängden</h2>", "<ul>", *items, "</ul>"] if items else []


def index_html(outputs_dir: Path) -> str:
    """The index page: every published page under ``outputs_dir`` by theme, what each
    holds, the sources view and the whole data set."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="sv">',
        '<head><meta charset="utf-8"><title>Rapporter – Göteborgs Stad socialtjänst</title>',
        f"<style>{INDEX_CSS}</style></head>",
        "<body>",
        "<h1>Vad socialtjänstens rapporter säger</h1>",
        f'<p class="om">{_theme_list()} i Göteborgs Stads rapporter. Varje tema har en '
        "huvudsida över alla år och områden, med huvudindikatorerna som diagram, källor och "
        "förbehåll; sidor för ett år och område finns bara där rapporterna har uppgifter. "
        "Varje källa länkar till raden i rapportens text.</p>",
    ]
    sources = outputs_dir / SOURCES_DIR / "index.html"
    if sources.is_file():
        link = _link(sources, outputs_dir, "Rapporternas text, rad för rad")
        parts.append(f"<p>{link} – källorna som sidorna hänvisar till.</p>")
    parts += _data_section(outputs_dir)
    pages = _pages(outputs_dir) if outputs_dir.is_dir() else []
    order = [t for t in theme_choices() if t not in (OVERVIEW, COMPARISON)]
    order += [COMPARISON, OVERVIEW]
    for theme in order:
        mine = sorted((p for p in pages if p[0] == theme), key=_page_key)
        if not mine:
            continue
        parts.append(f"<h2>{html.escape(theme_labels()[theme])}</h2>")
        parts.append(
            "<table><tr><th>Sida</th><th>Innehåll</th><th>Filer</th></tr>\n"
            + "\n".join(_page_row(p, outputs_dir) for p in mine)
            + "\n</table>"
        )
    if not pages:
        parts.append("<p>Inga rapporter ännu: kör <code>make run</code>.</p>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


_HREF = re.compile(r'href="([^"]+)"')
_ANCHOR = re.compile(r'id="([^"]+)"')


def broken_links(outputs_dir: Path) -> list[str]:
    """Every link in the HTML pages under ``outputs_dir`` that does not resolve to a file
    inside ``outputs_dir`` (or, with ``#id``, to an element of that file): one line each,
    ``page: link``. Links to other sites (``http…``, ``mailto:``) are not followed."""
    from urllib.parse import unquote, urlsplit

    root = outputs_dir.resolve()
    anchors: dict[Path, set[str]] = {}
    broken = []
    for page in sorted(outputs_dir.rglob("*.html")):
        if any(part.startswith(".") for part in page.relative_to(outputs_dir).parts):
            continue
        for link in _HREF.findall(page.read_text(encoding="utf-8")):
            href_ = html.unescape(link)
            parts = urlsplit(href_)
            if parts.scheme or parts.netloc:
                continue
            target = (page.parent / unquote(parts.path) if parts.path else page).resolve()
            ok = target.is_relative_to(root) and target.is_file()
            if ok and parts.fragment:
                if target not in anchors:
                    anchors[target] = set(_ANCHOR.findall(target.read_text(encoding="utf-8")))
                ok = parts.fragment in anchors[target]
            if not ok:
                broken.append(f"{page.relative_to(outputs_dir)}: {href_}")
    return broken


def write_index(outputs_dir: Path = paths.OUTPUTS_DIR) -> Path:
    """Write ``outputs_dir/index.html`` atomically; return its path."""
    from lib.core.store import atomic_path

    target = outputs_dir / "index.html"
    with atomic_path(target) as tmp:
        tmp.write_text(index_html(outputs_dir), encoding="utf-8", newline="\n")
    return target
