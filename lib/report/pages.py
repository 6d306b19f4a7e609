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
from lib.report.batch_plan import OVERVIEW, Job, areas, city, theme_choices, theme_labels

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
    """Swedish title of a report."""
    where = "hela staden" if job.district == city() else job.district
    return f"{theme_labels()[job.theme]} – {where} {job.year}"


# --------------------------------------------------------------------- index


def _href(path: Path, base: Path) -> str:
    return quote(path.relative_to(base).as_posix())


def _link(path: Path, base: Path, label: str) -> str:
    return f'<a href="{_href(path, base)}">{html.escape(label)}</a>'


def _theme_of(stem: str) -> str | None:
    match = re.fullmatch(r"\d\d_(.+)", stem)
    return match.group(1) if match and match.group(1) in theme_choices() else None


def _report_row(folder: Path, base: Path) -> str | None:
    theme = _theme_of(folder.name)
    report = folder / f"{folder.name}.html"
    if theme is None or not report.is_file():
        return None
    files = sorted(p for p in folder.iterdir() if p.is_file())
    cells = [
        f"<td>{_link(report, base, theme_labels()[theme])}</td>",
        f"<td>{_link(folder / f'{folder.name}.ipynb', base, 'notebook')}</td>",
        _files_cell([p for p in files if p.suffix in (".png", ".svg")], theme, base),
        _files_cell([p for p in files if p.suffix == ".csv"], theme, base),
    ]
    return "<tr>" + "".join(cells) + "</tr>"


# Swedish display names of the file stems the notebooks write (ASCII in file names).
FILE_LABELS: dict[str, str] = {
    "avvikelser": "avvikelser",
    "citat": "citat",
    "forandringar": "förändringar",
    "kostnader": "kostnader",
    "nyckeltal": "nyckeltal",
    "ocr": "OCR-lästa uppgifter",
    "ovriga uppgifter": "övriga uppgifter",
    "stadsomraden": "stadsområden",
    "test antal": "test av antal",
    "test fordelning": "test av fördelning",
    "utveckling": "utveckling",
    "dokument": "dokument",
    "tackning": "täckning",
    "teman": "teman",
    "textkvalitet": "textkvalitet",
}


def _files_cell(files: list[Path], theme: str, base: Path) -> str:
    """One line per file stem (theme prefix dropped), linking each format: ``citat CSV``."""
    stems: dict[str, list[Path]] = {}
    for p in files:
        stems.setdefault(p.stem, []).append(p)
    lines = []
    for stem, group in stems.items():
        name = stem.removeprefix(f"{theme}_").replace("_", " ")
        name = FILE_LABELS.get(name, name)
        links = " ".join(_link(p, base, p.suffix[1:].upper()) for p in group)
        lines.append(f"{html.escape(name)} {links}")
    return "<td>" + ("<br>".join(lines) or "–") + "</td>"


def _district_key(name: str, order: tuple[str, ...]) -> tuple[int, str]:
    return (order.index(name) if name in order else len(order), name)


def _theme_list() -> str:
    labels = [label for key, label in theme_labels().items() if key != OVERVIEW]
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
    """The index page: every published report under ``outputs_dir`` by year and district."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="sv">',
        '<head><meta charset="utf-8"><title>Rapporter – Göteborgs Stad socialtjänst</title>',
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;width:100%;margin-bottom:1.5em}"
        "th,td{border-bottom:1px solid #ccc;padding:.3em .6em;text-align:left;"
        "vertical-align:top}td a{margin-right:.6em}</style></head>",
        "<body>",
        "<h1>Rapporter per år och stadsområde</h1>",
        f"<p>{_theme_list()} ur Göteborgs Stads "
        "rapporter. Varje rapport finns som webbsida, som notebook och med figurer och "
        "tabeller.</p>",
        *_data_section(outputs_dir),
    ]
    years = (
        sorted(
            (p for p in outputs_dir.iterdir() if p.is_dir() and p.name.isdigit()),
            key=lambda p: p.name,
            reverse=True,
        )
        if outputs_dir.is_dir()
        else []
    )
    order = areas()
    empty = True
    for year_dir in years:
        districts = sorted(
            (p for p in year_dir.iterdir() if p.is_dir() and not p.name.startswith(".")),
            key=lambda p: _district_key(p.name, order),
        )
        sections = []
        for district_dir in districts:
            rows = [
                r
                for f in sorted(district_dir.iterdir())
                if f.is_dir() and (r := _report_row(f, outputs_dir)) is not None
            ]
            if rows:
                title = (
                    f"{district_dir.name} (hela staden)"
                    if district_dir.name == order[0]
                    else district_dir.name
                )
                sections.append(
                    f"<h3>{html.escape(title)}</h3>\n<table><tr><th>Rapport</th>"
                    "<th>Notebook</th><th>Figurer</th><th>Tabeller</th></tr>\n"
                    + "\n".join(rows)
                    + "\n</table>"
                )
        if sections:
            empty = False
            parts.append(f"<h2>År {html.escape(year_dir.name)}</h2>")
            parts.extend(sections)
    if empty:
        parts.append("<p>Inga rapporter ännu: kör <code>make run</code>.</p>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def write_index(outputs_dir: Path = paths.OUTPUTS_DIR) -> Path:
    """Write ``outputs_dir/index.html`` atomically; return its path."""
    from lib.core.store import atomic_path

    target = outputs_dir / "index.html"
    with atomic_path(target) as tmp:
        tmp.write_text(index_html(outputs_dir), encoding="utf-8", newline="\n")
    return target
