"""Datasette over rapporter.sqlite: pages, facets and canned queries through its in-process
client (configured like `make browse`), and the `browse` command's checks."""

from __future__ import annotations

import asyncio
import csv as csv_module
import hashlib
import io
import json
import re
import sqlite3
import subprocess
import sys
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import served
from datasette.utils import tilde_encode

from lib import paths
from lib.errors import DataError
from lib.publish import browse, database, queries
from lib.report import processed

INJECTION = "'; DROP TABLE observations; --"


@pytest.fixture(scope="module")
def ds():
    return browse.app(processed.processed_dir() / database.DATABASE)


def get(ds, path: str):
    async def run():
        return await ds.client.get(path)

    return asyncio.run(run())


def rows(ds, query: str, **params: str) -> list[dict]:
    qs = "&".join(f"{k}={quote(v)}" for k, v in params.items())
    r = get(ds, f"/rapporter/{query}.json?_shape=array&{qs}")
    assert r.status_code == 200, r.text[:300]
    return r.json()


def test_pages_answer_in_swedish_with_the_guide(ds):
    home = get(ds, "/")
    assert home.status_code == 200
    start = readable(home.text.split('<details class="gbg-avancerat">')[0])
    for words in (
        "Alla siffror med källa",
        "Sök bland siffrorna",
        "Sök i rapporterna",
        "En indikator över åren",
        "Om datan",
        "Excel-arbetsbok",
    ):
        assert words in start, words
    assert "raw_lines" not in start  # the English tables are behind "För avancerade"
    assert "För avancerade" in readable(home.text)
    page = get(ds, "/rapporter")
    assert page.status_code == 200
    for title in (
        "Sök i rapporterna",
        "En indikator över åren",
        "Motsägelser",
        "Källrad i sitt sammanhang",
    ):
        assert title in page.text
    css = get(ds, browse.CSS)
    assert css.status_code == 200 and "column-descriptions" in css.text


def test_observationer_has_facets_and_source_links(ds):
    facets = get(ds, "/rapporter/observationer.json?_size=1").json()["facet_results"]
    assert set(facets) == {"teman", "indikator", "period", "område"}
    themes = {f["value"]: f["count"] for f in facets["teman"]["results"]}  # an array facet
    obs = processed.load("observations")
    assert themes["Hemlöshet"] == obs.themes.str.split(";").map(lambda t: "hemloshet" in t).sum()
    assert sum(themes.values()) == obs.themes.str.count(";").sum() + len(obs)
    html = get(ds, "/rapporter/observationer?indikator=fs_hushall_stadsomrade&period=2022").text
    assert "Alla siffror med källa" in html
    source = f"/rapporter/kallrader/{tilde_encode('Årsrapport 2022, rad 121')}"
    assert f'href="{source}"' in html
    assert "Antal hushåll med försörjningsstöd, stadsområdet" in html  # the indicator's label
    row = get(ds, f"{source}.json?_shape=array").json()[0]
    assert row["rad"] == 121 and "▶ 121" in row["sammanhang"] and "1 470" in row["text"]
    base = get(ds, "/rapporter/observations.json?_size=1").json()["facet_results"]
    assert set(base) == {"theme", "indicator", "period", "geography"}


def test_search_with_and_without_diacritics_exact_spelling_first(ds):
    with_marks = rows(ds, "sok", ord="försörjningsstöd")
    without = rows(ds, "sok", ord="forsorjningsstod")
    assert len(with_marks) == len(without) > 50
    assert {r["Rapport"] for r in with_marks} >= {"Delårsrapport 2024", "Årsrapport 2022"}
    assert all("«" in r["Text"] for r in with_marks)
    vald = rows(ds, "sok", ord="våld")
    exact = ["«våld" in r["Text"].lower() for r in vald]
    assert exact[0] and exact == sorted(exact, reverse=True)  # exact spelling first
    prefix = rows(ds, "sok", ord="vräkning")
    assert any("«vräkningar»" in r["Text"] for r in prefix)
    assert rows(ds, "sok", ord="") == [] and rows(ds, "sok", ord='"') == []
    # The OCR twin of a clean report part is left out, as in lib.report.search (05_sok).
    docs = processed.load("documents")
    twins = set(docs[docs.same_report_as.notna() & (docs.text_quality == "ocr")].short_title)
    both = {r["Rapport"] for r in rows(ds, "sok", ord="skyddat boende")}
    assert twins == {"Stadengemensam 2024"} and not twins & both
    assert "Gemensamma 2024" in both


def test_search_finds_swedish_word_forms(ds):
    """The database's search stems each word (lib.text.stems, as 05_sok does): "skyddat
    boende" finds Kriscentrum's "skyddade boendet" (Gemensamma 2024, rad 4539), where
    81 and 72 people lived; the notebooks' search finds the same passages."""
    from lib.report import search

    hits = rows(ds, "sok", ord="skyddat boende")
    forms = {m.lower() for r in hits for m in re.findall(r"«([^»]+)»", r["Text"])}
    assert {"skyddade", "boendet"} <= forms and {"skyddat", "boende"} <= forms
    assert ("Gemensamma 2024", "4539") in {(r["Rapport"], r["Rad"].split("–")[0]) for r in hits}
    in_notebook = search.hits("skyddat boende")  # a phrase; the database: all words
    assert "Gemensamma 2024, rad 4539" in set(in_notebook.källa)
    assert len(in_notebook.drop_duplicates(["doc_id", "passage_id"])) <= len(hits)
    assert rows(ds, "sok", ord="vrakning") == rows(ds, "sok", ord="vräkningar")


def test_canned_queries_answer_with_real_figures(ds):
    ind = rows(ds, "indikator", indikator="fs_hushall_stadsomrade")
    centrum_2022 = [r for r in ind if r["Period"] == "2022" and r["Grund"] == "utfall"]
    # the restatement at line 569 (1 472, a recorded discrepancy) is not repeated here
    assert [(r["Källa"], r["Uppgift"]) for r in centrum_2022] == [
        ("Årsrapport 2022, rad 121", "1\u00a0470\u00a0hushåll")
    ]
    assert [r["Period"] for r in ind if r["Grund"] == "utfall"] == ["2020", "2021", "2022"]
    assert rows(ds, "indikator", indikator="") == []
    contra = rows(ds, "motsagelser", tema="")
    assert len(contra) == len(processed.load("discrepancies"))
    first = next(r for r in contra if r["Källa A"] == "Årsrapport 2022, rad 121")
    assert (first["Värde A"], first["Värde B"], first["Källa B"]) == (
        1470,
        1472,
        "Årsrapport 2022, rad 569",
    )
    assert len(rows(ds, "motsagelser", tema="hemlöshet")) < len(contra)
    context = rows(ds, "kallrad", rapport="Delårsrapport 2024", rad="125")
    marked_at = [r["Rad"] for r in context].index(125)
    assert len(context) == 2 * queries.CONTEXT + 1 and marked_at == queries.CONTEXT
    assert all(r["Text"].strip() for r in context)  # blank lines are not counted
    marked = next(r for r in context if r[" "] == "▶")
    assert marked["Rad"] == 125 and "försörjningsstöd" in marked["Text"]
    assert "forsorjningsstod" in marked["Rå text (OCR)"].replace("é", "o")


def test_lines_in_query_results_link_to_their_context(ds):
    """Search hits and the sources of figures and discrepancies are links to the line in
    its context (the plugin in lib/data/datasette/plugins), and the link answers."""
    from urllib.parse import parse_qs, urlsplit

    html = get(ds, "/rapporter/sok?ord=skyddat+boende").text
    links = re.findall(r'<a href="(/rapporter/kallrad\?[^"]+)"[^>]*>([^<]+)</a>', html)
    hits = rows(ds, "sok", ord="skyddat boende")
    assert len(links) == len(hits) > 5
    first_hit, (href, text) = hits[0], links[0]
    assert text == first_hit["Rad"]
    query = parse_qs(urlsplit(html_unescape(href)).query)
    assert query == {"rapport": [first_hit["Rapport"]], "rad": [first_hit["Rad"].split("–")[0]]}
    page = get(ds, html_unescape(href)).text
    assert "▶" in page
    indicator = get(ds, "/rapporter/indikator?indikator=fs_hushall_stadsomrade").text
    assert (
        '<a href="/rapporter/kallrad?rapport=%C3%85rsrapport+2022&amp;rad=121" '
        'title="Visa raden i sitt sammanhang">Årsrapport 2022, rad 121</a>'
    ) in indicator
    context = rows(ds, "kallrad", rapport="Årsrapport 2022", rad="121")
    assert any(r[" "] == "▶" and "1 470" in r["Text"].replace("\u00a0", " ") for r in context)
    # The context's own lines name no report: they stay plain numbers.
    table = get(ds, "/rapporter/kallrad?rapport=%C3%85rsrapport+2022&rad=121").text
    assert "Visa raden i sitt sammanhang" not in table


@pytest.mark.parametrize(
    ("query", "param"),
    [("sok", "ord"), ("indikator", "indikator"), ("motsagelser", "tema"), ("kallrad", "rapport")],
)
def test_a_hostile_parameter_is_harmless(ds, query, param):
    params = {param: INJECTION}
    if query == "kallrad":
        params["rad"] = "1; DROP TABLE raw_lines"
    assert rows(ds, query, **params) == []
    path = processed.processed_dir() / database.DATABASE
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        assert conn.execute("select count(*) from observations").fetchone()[0] == len(
            processed.load("observations")
        )


def test_metadata_is_generated_from_the_schemas_and_deterministic():
    meta = browse.metadata()
    assert browse.metadata_bytes() == browse.metadata_bytes()
    tables = meta["databases"]["rapporter"]["tables"]
    assert set(database.published_schemas()) <= set(tables)
    assert tables["observations"]["columns"]["value"].endswith("(enheten står i kolumnen unit)")
    assert tables["theme_prominence"]["columns"]["per_1000_words"].endswith(
        "(enhet: mentions per 1 000 words)"
    )
    assert tables["passages"]["fts_table"] == database.FTS
    assert meta["license"] and meta["source"]


def test_command_serves_read_only_on_localhost(tmp_path):
    cmd = browse.command(tmp_path / "rapporter.sqlite", tmp_path / "m.json", 8123)
    assert "--immutable" in cmd and cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--port") + 1] == "8123"
    with pytest.raises(DataError, match="database is missing; run `make data` first"):
        browse.serve(processed_dir=tmp_path)


@pytest.mark.slow
def test_browse_rejects_a_bad_port_in_one_line():
    r = subprocess.run(
        [sys.executable, "-m", "lib", "browse", "--port", "http"],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
        check=False,
    )
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "error: --port 'http': give a port number such as 8001."
    ]


def test_metadata_file_written_by_serve_is_valid_json(tmp_path, monkeypatch):
    """serve writes the metadata atomically beside the database, then execs Datasette."""
    (tmp_path / database.DATABASE).write_bytes(
        (processed.processed_dir() / database.DATABASE).read_bytes()
    )
    seen = {}
    monkeypatch.setattr(browse.os, "execv", lambda exe, argv: seen.update(argv=argv))
    browse.serve(8124, processed_dir=tmp_path)
    meta = json.loads((tmp_path / browse.METADATA).read_text("utf-8"))
    assert meta == browse.metadata()
    assert seen["argv"] == browse.command(
        tmp_path / database.DATABASE, tmp_path / browse.METADATA, 8124
    )


# --- Datasette's own pages in Swedish (lib/data/datasette/templates, plugins/svenska.py) --

# Datasette's English words that the translated templates replace: none may be left in
# what a reader sees (text, button labels, tooltips) of any page.
ENGLISH = [
    "home",
    "row",
    "rows",
    "table",
    "tables",
    "Tables",
    "hidden tables",
    "view",
    "views",
    "Views",
    "Queries",
    "Custom SQL query",
    "returning",
    "more than",
    "show",
    "hide",
    "Query parameters",
    "Run SQL",
    "Edit SQL",
    "Format SQL",
    "This data as",
    "advanced",
    "Advanced export",
    "Apply",
    "sorted by",
    "Sort...",
    "Sort by",
    "descending",
    "Suggested facets",
    "View and edit SQL",
    "download file",
    "expand labels",
    "stream all rows",
    "Export CSV",
    "Next page",
    "Powered by",
    "Queries took",
    "Data license",
    "Data source",
    "Error",
    "not found",
    "Links from other tables",
    "0 records",
    "0 results",
    "Search:",
    "- remove filter -",
    "- column -",
    "contains",
    "starts with",
    "ends with",
    "is null",
    "is not blank",
    "Menu",
    "Table actions",
    "JSON shape",
    "default",
    "newline-delimited",
    "object",
    "CSV options",
    "teman (array)",
]


HIDDEN = ("head", "script", "style", "pre", "textarea")  # pre, textarea: SQL


class _Readable(HTMLParser):
    """What a reader sees of a page: its text (not the head, scripts, styles or SQL) and
    the words of buttons and tooltips."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.hidden += 1
        a = dict(attrs)
        self.parts += [f" {a[k]} " for k in ("title", "aria-label") if a.get(k)]
        if tag == "input" and a.get("type") == "submit":
            self.parts.append(f" {a.get('value') or ''} ")

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def readable(html: str) -> str:
    parser = _Readable()
    parser.feed(html)
    return " ".join("".join(parser.parts).split())


def english_left(html: str) -> list[str]:
    text = readable(html)
    return [w for w in ENGLISH if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]


def swedish_count(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


ROW = f"/rapporter/kallrader/{tilde_encode('Årsrapport 2022, rad 121')}"
PAGES = {  # page -> (status, Swedish words that must be on it)
    "/": (
        200,
        [
            "Startsida",
            "rader i",
            "tabeller",
            "dolda tabeller",
            "vyer",
            "Drivs av Datasette",
            "Licens:",
            "Källa:",
        ],
    ),
    "/rapporter": (
        200,
        [
            "Egen SQL-fråga",
            "Formatera SQL",
            "Kör frågan",
            "Frågor",
            "Tabeller",
            "Vyer",
            "Sök i rapporterna",
        ],
    ),
    "/rapporter/observationer": (
        200,
        [
            "333 rader",
            "- kolumn -",
            "innehåller",
            "Sortera efter period",
            "fallande",
            "Använd",
            "Visa och redigera SQL",
            "Hämta som JSON, CSV för Excel, CSV (fler val)",
            "teman (lista)",
            "Avancerad export",
            "spara som fil",
            "Exportera CSV",
            "Nästa sida",
            "Drivs av Datasette",
        ],
    ),
    "/rapporter/observationer?indikator=fs_hushall_stadsomrade&_sort_desc=period": (
        200,
        ['7 rader där indikator = "fs_hushall_stadsomrade", sorterade efter period (fallande)'],
    ),
    "/rapporter/passages?_search=skyddat+boende&kind=sentence": (
        200,
        ['rader där söktexten "skyddat boende" finns och kind = "sentence"', "Sök:"],
    ),
    "/rapporter/sok?ord=skyddat+boende": (
        200,
        [
            "Frågan gav ",
            " rader (visa SQL)",
            "Frågans parametrar",
            "Kör frågan",
            "Redigera SQL",
            "Hämta som JSON, CSV för Excel, CSV",
        ],
    ),
    "/rapporter/sok?ord=skyddat+boende&_show_sql=1": (200, ["(dölj SQL)"]),
    ROW: (
        200,
        [
            "Hämta som JSON",
            "Länkar från andra tabeller",
            "3 rader från källa i Alla siffror med källa",
        ],
    ),
    "/rapporter/finns_inte": (404, ["Fel 404", "Tabellen finns inte.", "Till startsidan"]),
}


@pytest.mark.parametrize("path", list(PAGES))
def test_datasette_pages_are_in_swedish(ds, path):
    status, swedish = PAGES[path]
    r = get(ds, path)
    assert r.status_code == status
    assert '<html lang="sv">' in r.text
    text = readable(r.text)
    assert [w for w in swedish if w not in text] == []
    assert english_left(r.text) == []
    heading = re.search(r"<h3>(.*?)</h3>", r.text, re.S)
    assert heading is None or not re.search(r"\b(where|rows?|sorted)\b", heading.group(1))


def test_english_words_would_be_caught():
    """The check above finds Datasette's English in a page (here, upstream's own footer)."""
    import datasette

    footer = (Path(datasette.__file__).parent / "templates" / "_footer.html").read_text()
    assert english_left(footer) == [
        "Queries",
        "Powered by",
        "Queries took",
        "Data license",
        "Data source",
    ]
    assert english_left('<input type="submit" value="Apply"><a title="9 rows">x</a>') == [
        "rows",
        "Apply",
    ]


def test_counts_have_swedish_thousands_separators(ds):
    path = processed.processed_dir() / database.DATABASE
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        lines = conn.execute("select count(*) from raw_lines").fetchone()[0]
    assert lines > 1000
    page = get(ds, "/rapporter").text
    assert f"{swedish_count(lines)} rader" in page and f"{lines:,}" not in page
    home = get(ds, "/").text
    assert f'title="{swedish_count(lines)} rader"' in home
    from_plugin = _plugin("svenska")
    assert from_plugin.tal(1234) == "1\u00a0234" and from_plugin.tal(29745) == "29\u00a0745"
    assert from_plugin.tal(7) == "7" and from_plugin.tal(None) == ""


def _plugin(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        f"plugin_{name}", browse.PLUGINS_DIR / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _href(html: str, pattern: str) -> str:
    """The link matched by ``pattern``, as a path for the in-process client."""
    found = re.search(pattern, html)
    assert found, pattern
    url = urlsplit(html_unescape(found.group(1)))
    return f"{url.path}?{url.query}" if url.query else url.path


def test_facets_sort_and_export_still_work(ds):
    html = get(ds, "/rapporter/observationer").text
    # a facet value (område = Centrum): fewer rows, the filter is named in Swedish
    link = _href(html, r'<li><a href="([^"]+)">Centrum</a>')
    centrum = get(ds, link).text
    count = int(re.search(r"<h3>(\d+) rader", centrum).group(1))
    assert 0 < count < 333 and 'där område = "Centrum"' in readable(centrum)
    assert count == len([r for r in rows(ds, "observationer", område="Centrum", _size="max")])
    # sorting by a column header, then descending
    by_period = get(ds, _href(html, r'<a href="([^"]+)" rel="nofollow">period</a>')).text
    periods = re.findall(r'<td class="col-period type-str">([^<]*)</td>', by_period)
    assert len(periods) == 50 and periods == sorted(periods)
    desc = get(ds, _href(by_period, r'<a href="([^"]+)" rel="nofollow">period&nbsp;▼</a>'))
    periods = re.findall(r'<td class="col-period type-str">([^<]*)</td>', desc.text)
    assert periods == sorted(periods, reverse=True)
    assert "sorterade efter period (fallande)" in readable(desc.text)
    # the CSV export link of a filtered page answers with that page's rows as CSV
    csv = get(ds, _href(centrum, r'<a href="([^"]+)">CSV</a>'))
    assert csv.status_code == 200  # shown in the browser (text/plain) ...
    table = list(csv_module.DictReader(io.StringIO(csv.text)))
    assert len(table) == count and {r["område"] for r in table} == {"Centrum"}
    form = _href(centrum, r'<form action="([^"]+)" method="get">\s*<p>\s*CSV-val:')
    download = get(ds, f"{form}?område=Centrum&_dl=on&_size=max")  # ... or saved as a file
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    assert len(list(csv_module.DictReader(io.StringIO(download.text)))) == count
    json_link = _href(html, r'<a href="([^"]+)">JSON</a>')
    assert get(ds, json_link).json()["rows"]
    # the canned query's export links too
    sok = get(ds, "/rapporter/sok?ord=skyddat+boende").text
    hits = get(ds, _href(sok, r'<a href="([^"]+)">CSV</a>')).text.strip().splitlines()
    shown = rows(ds, "sok", ord="skyddat boende")
    assert hits[0] == "Rapport,År,Rad,Text,Avsnitt,Träffar i alla"
    assert len(hits) == len(shown) + 1


def test_filter_operators_keep_their_keys_with_swedish_names(ds):
    html = get(ds, "/rapporter/observationer").text
    options = dict(
        re.findall(
            r'<option value="(\w+)"[^>]*>([^<]+)</option>',
            html.split('name="_filter_op"', 1)[1].split("</select>")[0],
        )
    )
    assert options["exact"] == "=" and options["contains"] == "innehåller"
    assert options["startswith"] == "börjar med" and options["like"] == "like (SQL)"
    page = get(
        ds,
        "/rapporter/observationer?_filter_column=indikator&_filter_op=contains"
        "&_filter_value=hushall",
    )
    assert page.status_code == 302  # Datasette turns the form into ?indikator__contains=
    found = get(ds, page.headers["location"]).text
    assert 'där indikator innehåller "hushall"' in readable(found)


def _ported_to(upstream: str) -> str:
    """Where an upstream file of Datasette was ported to in this repository."""
    if upstream.startswith("templates/"):
        return f"lib/data/datasette/{upstream}"
    return "the script that puts its words in Swedish in lib/data/datasette/templates/table.html"


def test_translated_templates_match_the_installed_datasette():
    """Each translated template was ported from one upstream file (UPSTREAM.json), as was
    the script in table.html that renames the words of Datasette's table.js. When an
    upgrade of Datasette changes such a file, this fails: port the change."""
    import datasette
    from datasette.version import __version__

    upstream = json.loads((browse.TEMPLATES_DIR / "UPSTREAM.json").read_text("utf-8"))
    ours = {
        f"templates/{p.name}"
        for p in browse.TEMPLATES_DIR.glob("*.html")
        if p.name not in browse.OWN_TEMPLATES
    }
    assert ours <= set(upstream), f"not in UPSTREAM.json: {sorted(ours - set(upstream))}"
    root = Path(datasette.__file__).parent
    changed = [
        f"{root / name} changed upstream (ported from Datasette {was['datasette']}, installed "
        f"{__version__}): re-port it to {_ported_to(name)} and record its new sha256 and "
        "version in lib/data/datasette/templates/UPSTREAM.json"
        for name, was in sorted(upstream.items())
        if not (root / name).is_file()
        or hashlib.sha256((root / name).read_bytes()).hexdigest() != was["sha256"]
    ]
    assert changed == [], "\n".join(changed)


def test_command_and_app_use_the_swedish_templates(tmp_path):
    cmd = browse.command(tmp_path / "rapporter.sqlite", tmp_path / "m.json")
    assert cmd[cmd.index("--template-dir") + 1] == str(browse.TEMPLATES_DIR)
    assert (browse.TEMPLATES_DIR / "base.html").is_file()


# --- errors and limits (plugins/vakt.py) ------------------------------------------------


def _timed(ds, path: str, n: int = 5, **kwargs) -> tuple[float, object]:
    """The fastest of ``n`` in-process requests (seconds), and the last response."""
    import time

    async def run():
        best, r = float("inf"), None
        for _ in range(n):
            t = time.perf_counter()
            r = await ds.client.get(path, **kwargs)
            best = min(best, time.perf_counter() - t)
        return best, r

    return asyncio.run(run())


def test_an_error_page_is_swedish_prints_nothing_and_costs_no_more_than_a_page(ds, capfd):
    """Datasette's own handler printed a ~190-line traceback per 404 (0.6-1.3 s); now a
    404 costs about what the smallest page costs (a ratio to that floor, measured here)."""
    floor, _ = _timed(ds, "/-/versions.json")
    capfd.readouterr()
    took, r = _timed(ds, "/rapporter/finns_inte")
    out, err = capfd.readouterr()
    assert r.status_code == 404 and "Tabellen finns inte." in r.text
    assert '<p class="crumbs"><a href="/">Startsida</a></p>' in r.text  # the top bar too
    assert (out, err) == ("", "")
    assert took < 10 * floor + 0.005, (took, floor)
    sort = get(ds, "/rapporter/observationer?_sort=finns_inte")
    assert sort.status_code == 400  # the user's mistake, not the server's
    assert "Tabellen kan inte sorteras efter finns_inte." in readable(sort.text)
    assert english_left(sort.text) == []
    as_json = get(ds, "/rapporter/finns_inte.json").json()
    assert as_json["status"] == 404 and as_json["error"] == "Tabellen finns inte."


@pytest.mark.slow
def test_the_terminal_shows_only_access_lines_for_the_users_mistakes(tmp_path):
    """A running `make browse`, asked for what a user gets wrong: no traceback, no 500, no
    warnings of Datasette's unawaited facets; an SQL error is Datasette's one ERROR line."""
    import urllib.error
    import urllib.request

    proc, url = served.start(tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    mistakes = {
        "/rapporter/finns_inte": 404,
        "/rapporter/observationer?_sort=finns_inte": 400,
        "/rapporter/observationer?_facet=finns_inte": 400,
        "/rapporter/observationer?_facet_date=finns_inte": 400,
        "/rapporter/raw_lines/x": 400,  # a compound key given one value
        "/rapporter/observationer?_where=randomblob(200000000)": 400,
        "/rapporter.json?sql=select+randomblob(200000000)": 400,
    }
    try:
        got = {}
        for path, _ in mistakes.items():
            try:
                got[path] = urllib.request.urlopen(url + path, timeout=10).status
            except urllib.error.HTTPError as e:
                got[path] = e.code
    finally:
        proc.terminate()
        out = proc.communicate(timeout=20)[0].decode()
    assert got == mistakes
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert sum(ln.startswith("INFO:") and '" 40' in ln for ln in lines) == len(mistakes)
    other = [ln for ln in lines if not ln.startswith(("INFO:", "ERROR: conn=", "Datasette"))]
    assert other == [], other[:5]


def test_a_huge_value_is_refused_at_once(ds):
    """setlimit: a value over 20 000 bytes is an error (randomblob(200000000) answered
    after 12.8 s with 267 MB before); the time is a ratio to a small query's."""
    floor, _ = _timed(ds, "/rapporter.json?sql=select+1", n=3)
    took, r = _timed(ds, "/rapporter.json?sql=select+randomblob(200000000)", n=3)
    assert r.status_code == 400 and r.json()["error"] == "string or blob too big"
    assert took < 10 * floor + 0.005, (took, floor)
    page = get(ds, "/rapporter?sql=select+randomblob(200000000)")
    assert page.status_code == 400
    assert "Ett värde blev för stort: gränsen är 20 000 byte per värde." in page.text
    # the same value asked for in a table's filter is the user's mistake too, not a 500
    where = get(ds, "/rapporter/observationer?_where=randomblob(200000000)")
    assert where.status_code == 400
    assert "Ett värde blev för stort: gränsen är 20 000 byte per värde." in where.text
    limits = (
        "Gränser för en fråga: högst 2 sekunder, 1\u00a0000 rader per sida och 20\u00a0000 byte"
    )
    assert limits in page.text and limits in get(ds, "/rapporter").text
    # the longest stored values are still read whole
    longest = get(ds, "/rapporter.json?sql=select+max(length(sammanhang))+from+kallrader")
    assert longest.json()["rows"][0][0] > 1000


def test_a_foreign_host_is_refused_and_only_the_stylesheet_is_served(ds):
    for host in ("evil.example", "evil.example:8001", "127.0.0.1.evil.example"):
        r = get_with(ds, "/rapporter", headers={"host": host})
        assert r.status_code == 400 and "Fel värdnamn" in r.text
    assert get_with(ds, "/rapporter", headers={"host": "localhost"}).status_code == 200

    # the server is read-only: a POST (it gave a 500 on a canned query) is refused
    async def post():
        return await ds.client.post("/rapporter/siffror", data={"ord": "skyddat"})

    refused = asyncio.run(post())
    assert refused.status_code == 405 and "skrivskyddad" in refused.text
    assert refused.headers["allow"] == "GET, HEAD"
    assert get(ds, browse.CSS).status_code == 200
    for path in ("/gbg/plugins/svenska.py", "/gbg/templates/base.html", "/gbg/finns_inte.css"):
        missing = get(ds, path)  # in Swedish (Datasette's own answer is "File not found")
        assert missing.status_code == 404 and "Filen finns inte" in missing.text, path
    for path in ("/gbg/../publish.yml", "/gbg/%2e%2e/publish.yml"):
        assert get(ds, path).status_code == 404, path
    vakt = _plugin("vakt")
    assert vakt.allowed_hosts(("127.0.0.1", 8017)) == {"127.0.0.1:8017", "localhost:8017"}


def get_with(ds, path: str, **kwargs):
    async def run():
        return await ds.client.get(path, **kwargs)

    return asyncio.run(run())


# --- caveats beside figures (lib.publish.swedish_tables) --------------------------------


def test_figures_carry_the_comparability_note_and_the_disagreeing_statement(ds):
    """Skyddat boende 409 -> 467 requests (Gemensamma 2024) crosses the new rules of 1
    April 2024: the note stands beside both figures, in every place a figure is shown."""
    ind = rows(ds, "indikator", indikator="skyddat boende")
    requests = [
        r for r in ind if r["Uppgift"] in ("409\u00a0förfrågningar", "467\u00a0förfrågningar")
    ]
    assert len(requests) == 2
    # beside the figure: the source and the caveats follow it, before the long quote
    for query, param in (("indikator", "indikator"), ("siffror", "ord")):
        columns = list(rows(ds, query, **{param: "skyddat boende"})[0])
        at = columns.index("Uppgift")
        assert columns[at : at + 5] == [
            "Uppgift",
            "Källa",
            "Jämförbarhet",
            "Anmärkning",
            "Motsägelse",
        ], query
    for r in requests:
        assert (
            "från 1 april 2024" in r["Jämförbarhet"]
            and "inte fullt jämförbart" in r["Jämförbarhet"]
        )
    catalog = processed.load("indicators").set_index("id").comparability
    obs = processed.load("observations")
    with_note = obs.indicator.map(catalog).notna()
    assert 0 < with_note.sum() < len(obs)
    table = rows(ds, "observationer", _size="max", **{"jämförbarhet__notblank": "1"})
    assert len(table) == with_note.sum()
    first = next(
        r
        for r in rows(ds, "indikator", indikator="fs_hushall_stadsomrade")
        if r["Källa"] == "Årsrapport 2022, rad 121" and r["Period"] == "2022"
    )
    assert first["Motsägelse"] == (
        "Motsägs av Årsrapport 2022, rad 569: 1\u00a0472\u00a0hushåll "
        "(samma uppgift anges med olika värden)"
    )
    assert first["Värde"] == 1470 and first["Enhet"] == "hushåll"
    disputed = rows(ds, "observationer", _size="max", **{"motsägelse__notblank": "1"})
    cited = processed.load("discrepancies")
    assert {r["källa"].split(", rad ")[1] for r in disputed} <= {
        str(n) for n in [*cited.line_a, *cited.line_b]
    }
    contra = rows(ds, "motsagelser", tema="skyddat boende")
    assert contra and all("1 april 2024" in r["Jämförbarhet"] for r in contra)
    csv = get(ds, "/rapporter/indikator.csv?indikator=skyddat+boende").text
    assert "Jämförbarhet" in csv.splitlines()[0] and "inte fullt jämförbart" in csv


# --- matching as a Swede expects (plugins/svensk_sokning.py, lib.text.stems) ------------


def test_upper_case_a_ring_a_umlaut_and_o_umlaut_match_their_lower_case(ds):
    """SQLite's like and lower fold ASCII only: 'ökning' found 1 row, 'Ökning' 5."""
    for upper, lower, query, param in (
        ("ÖKNING", "ökning", "siffror", "ord"),
        ("VÅLD", "våld", "siffror", "ord"),
        ("HEMLÖSHET", "hemlöshet", "motsagelser", "tema"),
        ("VÅLD", "våld", "sok", "ord"),
    ):
        found = rows(ds, query, **{param: upper})
        assert found and found == rows(ds, query, **{param: lower}), (query, upper)


def test_skyddat_boende_finds_every_figure_on_it(ds):
    """Every figure whose indicator or quote names skyddat boende in any form (Kriscentrum's
    are "skyddade boenden"), from the processed table: all of them are found."""
    obs = processed.load("observations")
    obs = obs[obs.restatement_of.isna()]
    form = re.compile(r"skydd\w*\s+boend", re.IGNORECASE)
    about = obs[obs.label.str.contains(form) | obs.quote.str.contains(form)]
    assert len(about) >= 20 and about.label.str.contains("skyddade", case=False).any()
    found = rows(ds, "siffror", ord="skyddat boende")
    key = {(r["Källa"], r["Period"], r["Område"], r["Värde"]) for r in found}
    name = dict(zip(*(lambda r: (r.dokument, r.rapport))(_rapporter()), strict=True))
    expected = {
        (f"{name[d]}, rad {n}", p, g, v)
        for d, n, p, g, v in zip(
            about.doc_id, about.line, about.period, about.geography, about.value, strict=True
        )
    }
    assert expected <= key
    labels = {r["Indikator"] for r in rows(ds, "indikator", indikator="skyddat boende")}
    assert set(about[about.label.str.contains(form)].label) <= labels
    # the table's filter on the label (the id column holds no spaces) finds them too
    by_label = rows(ds, "observationer", _size="max", **{"benämning__contains": "skyddat boende"})
    assert by_label and all("skyddat boende" in r["benämning"] for r in by_label)


def _rapporter():
    path = processed.processed_dir() / database.DATABASE
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        import pandas as pd

        return pd.read_sql("select dokument, rapport from rapporter", conn)


def test_searches_say_how_many_matched_and_take_phrases_or_and_filters(ds):
    many = rows(ds, "sok", ord="och")
    assert len(many) == queries.CAP and many[0]["Träffar i alla"] > queries.CAP
    page = readable(get(ds, "/rapporter/sok?ord=och").text)
    total = swedish_count(many[0]["Träffar i alla"]).replace("\u00a0", " ")
    assert f"{total} träffar i alla – de första 500 visas" in page.replace("\u00a0", " ")
    words = {(r["Rapport"], r["Rad"]) for r in rows(ds, "sok", ord="skyddat boende")}
    phrase = {(r["Rapport"], r["Rad"]) for r in rows(ds, "sok", ord='"skyddat boende"')}
    vrak = {(r["Rapport"], r["Rad"]) for r in rows(ds, "sok", ord="vräkning")}
    either = {(r["Rapport"], r["Rad"]) for r in rows(ds, "sok", ord='"skyddat boende" OR vräkning')}
    assert phrase and vrak and phrase < words and either == phrase | vrak
    figures = rows(ds, "siffror", ord="vräkning OR hemlöshet")
    assert (
        len(figures)
        == len({r["Källa"] + r["Period"] + r["Indikator"] + r["Uppgift"] for r in figures})
        > len(rows(ds, "siffror", ord="vräkning"))
    )
    near = readable(get(ds, "/rapporter/sok?ord=skyddat+NEAR+boende").text)
    assert "NEAR stöds inte i sökningen" in near
    all_years = rows(ds, "sok", ord="våld")
    in_2024 = rows(ds, "sok", ord="våld", ar="2024")
    assert in_2024 and {r["År"] for r in in_2024} == {2024} and len(in_2024) < len(all_years)
    one = rows(ds, "sok", ord="våld", rapport="ÅRSRAPPORT 2022")
    assert one and {r["Rapport"] for r in one} == {"Årsrapport 2022"}
    assert rows(ds, "siffror", ord="hushåll", ar="2022", rapport="Årsrapport 2022")


# --- downloads for Excel (plugins/excel.py) ---------------------------------------------


def _excel(ds, path: str) -> tuple[object, list[list[str]]]:
    r = get(ds, path)
    if r.status_code == 302:  # a table is sent on with _size=max: every row, not a page
        r = get(ds, r.headers["location"])
    assert r.status_code == 200, r.text[:300]
    body = r.content.decode("utf-8")
    assert body.startswith("\ufeff")  # the byte order mark Excel needs for å, ä, ö
    return r, list(csv_module.reader(io.StringIO(body[1:]), delimiter=";"))


def test_the_excel_csv_has_a_bom_semicolons_and_decimal_commas(ds):
    r, table = _excel(ds, "/rapporter/observationer.excel")
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="observationer.csv"'
    header, body = table[0], table[1:]
    # the figure, its source and its caveats side by side (not off the screen to the right)
    assert header[:10] == [
        "nr",
        "indikator",
        "område",
        "period",
        "grund",
        "uppgift",
        "källa",
        "jämförbarhet",
        "anmärkning",
        "motsägelse",
    ]
    assert "benämning" in header
    themes = [row[header.index("teman")] for row in body]
    assert "Våld i nära relation" in themes and not any(t.startswith("[") for t in themes)
    _, contra = _excel(ds, "/rapporter/motsagelser.excel?tema=")
    values = [v for row in contra[1:] for v in row[5:9:3]]  # Värde A, Värde B
    negative = [v for v in values if v.startswith(("-", '="-'))]
    assert negative and all(re.fullmatch(r"-\d+(,\d+)?", v) for v in negative), negative
    assert len(body) == len(processed.load("observations"))
    value = header.index("värde")
    decimals = [row[value] for row in body if "," in row[value]]
    assert decimals and all("." not in row[value] for row in body)
    obs = processed.load("observations")
    assert sorted(float(row[value].replace(",", ".")) for row in body) == sorted(obs.value)
    _, ind = _excel(ds, "/rapporter/indikator.excel?indikator=fs_hushall_stadsomrade")
    first = dict(
        zip(
            ind[0],
            next(
                r
                for r in ind[1:]
                if r[ind[0].index("Källa")].endswith("121") and r[ind[0].index("Period")] == "2022"
            ),
            strict=True,
        )
    )
    assert (first["Värde"], first["Uppgift"]) == ("1470", "1\u00a0470\u00a0hushåll")
    page = get(ds, "/rapporter/observationer").text
    assert 'href="/rapporter/observationer.excel?_labels=on">CSV för Excel</a>' in page
    assert any(row[value].startswith("-") for row in body)  # negative numbers stay numbers
    assert all(not row[header.index("uppgift")].startswith("+") for row in body)
    assert any(u.startswith('="+') for u in (row[header.index("uppgift")] for row in body))
    assert _plugin("excel").cell("=1+1") == '="=1+1"' and _plugin("excel").cell(-4.9) == "-4,9"


def test_the_workbook_is_linked_from_the_start_page_and_observationer(ds):
    for page in ("/", "/rapporter", "/rapporter/observationer"):
        assert f'href="{browse.WORKBOOK_URL}"' in get(ds, page).text, page
    r = get(ds, browse.WORKBOOK_URL)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert r.content == (processed.processed_dir() / "observations.xlsx").read_bytes()
    # the workbook a reader downloads first carries the caveats too, in Swedish
    import pandas as pd

    sheet = pd.read_excel(io.BytesIO(r.content), sheet_name="Våld i nära relation")
    header = list(sheet.columns)
    assert header[header.index("Enhet") + 1 :][:3] == ["Jämförbarhet", "Anmärkning", "Motsägelse"]
    spink = sheet[sheet.Indikator == "vnr_spink_forfragningar_skyddat_boende"]
    assert sorted(spink.Värde) == [409, 467]  # 409 -> 467 crosses the rules of 1 April 2024
    assert all("inte fullt jämförbart" in note for note in spink.Jämförbarhet)
    disputed = spink[spink.Värde == 409].Motsägelse.iloc[0]
    assert disputed.startswith("Motsägs av 2024_gemensamma_verksamheter_arsrapporter.txt, rad ")
    catalog = processed.load("indicators").set_index("id").comparability
    every = pd.concat(pd.read_excel(io.BytesIO(r.content), sheet_name=None).values())
    assert every.Jämförbarhet.notna().sum() == every.Indikator.map(catalog).notna().sum() > 0
    assert set(every.Värdetyp) <= {"nivå", "andel"} | {
        v for v in every.Värdetyp if "förändring" in v
    }
    assert set(every.Metod) == {"handläst", "handläst, även funnen automatiskt"}


# --- reading comfort -----------------------------------------------------------------


def test_the_about_page_says_what_the_data_is(ds):
    page = get(ds, browse.ABOUT_URL)
    assert page.status_code == 200 and english_left(page.text) == []
    text = readable(page.text)
    reports = _rapporter()
    assert all(name in text for name in reports.rapport)
    changes = len(processed.load("ocr_changes"))
    assert f"{changes:,} ändringar".replace(",", " ") in text  # readable() splits at NBSP
    docs = processed.load("documents")
    ocr_files = docs[docs.text_quality == "ocr"].file.nunique()
    assert ocr_files > 0 and f"{ocr_files} av filerna kommer från OCR" in text
    discrepancies = len(processed.load("discrepancies"))
    assert f"{discrepancies} gånger anger rapporterna olika värden" in text
    # "N av siffrorna" counts the same figures as "Här finns M siffror" (no restatements)
    obs = processed.load("observations")
    figures = obs[obs.restatement_of.isna()]
    auto = int((figures.method == "auto").sum())
    assert 0 < auto < int((obs.method == "auto").sum())  # the two counts differ here
    assert f"Här finns {len(figures)} siffror" in text
    assert f"{auto} av siffrorna fann det också" in text
    for heading in ("Källor", "Hur siffrorna lästes", "Reparerad text", "Förbehåll", "Licens"):
        assert f">{heading}</h2>" in page.text
    assert f'href="{browse.ABOUT_URL}#licens"' in get(ds, "/rapporter").text


def test_page_titles_and_row_pages_and_values_read_in_swedish(ds):
    sok = get(ds, "/rapporter/siffror?ord=skyddat+boende").text
    assert "<title>Sök bland siffrorna: skyddat boende – rapporter</title>" in sok
    row = get(ds, "/rapporter/observationer/1").text  # a row page keeps its links
    obs = processed.load("observations").iloc[0]
    assert f'<a href="/rapporter/indicators/{obs.indicator}">{obs.label}</a>' in row
    assert re.search(r'<a href="/rapporter/kallrader/[^"]+">[^<]+, rad \d+</a>', row)
    table = get(ds, "/rapporter/observationer?_sort=nr&_size=max").text
    assert "1\u00a0470</td>" in table and ">1470<" not in table  # värde, Swedish format
    assert '["' not in readable(table)  # themes as a list, not JSON
    assert "same_figure" not in table and "curated" not in readable(table)
    indicators = readable(get(ds, "/rapporter/indicators?_size=max").text)
    assert "nivå" in indicators and " level " not in f" {indicators} "
    assert "7.2 MB" not in get(ds, "/rapporter").text
    lines = readable(get(ds, "/rapporter/raw_lines?_size=2").text)  # a compound key
    assert " Link " not in f" {lines} " and " Rad doc_id " in f" {lines} "
    assert re.search(r"rapporter\.db</a> <em>\d+,\d\u00a0MB</em>", get(ds, "/rapporter").text)
    from lib.publish.swedish_tables import uppgift

    assert uppgift(1, "personer", "level") == "1\u00a0person"
    assert uppgift(2, "personer", "level") == "2\u00a0personer"


def test_the_indicator_page_a_figure_links_to_is_swedish(ds):
    """Every figure's indicator links to its row in the English table indicators: its
    labels (scope, statistic …), theme ids and kinds of number were English there."""
    from lib.curation.catalog import SCOPES, STATISTICS
    from lib.text import themes

    catalog = processed.load("indicators").set_index("id")
    ind = "vnr_spink_forfragningar_skyddat_boende"  # 409 -> 467, linked from its figures
    assert f'href="/rapporter/indicators/{ind}"' in get(ds, "/rapporter/observationer/256").text
    page = get(ds, f"/rapporter/indicators/{ind}").text
    labels = re.findall(r'td:nth-of-type\(\d+\):before \{ content: "([^"]*)"', page)
    assert labels and "Omfång" in labels and "Slags tal" in labels
    assert not {"scope", "statistic", "value_type", "break_from", "comparability"} & set(labels)
    row = catalog.loc[ind]
    text = readable(page)
    assert SCOPES[row.scope] in text and STATISTICS[row.statistic] in text
    assert themes.label(row.theme) in text and f" {row.theme} " not in f" {text} "
    assert "<title>Indikatorer: " in page and english_left(page) == []
    assert '<a href="/rapporter/indicators">Indikatorer</a>' in page  # the crumb too
    # the tables that link here, by their Swedish titles and column labels
    assert "från indikator i Alla siffror med källa" in text
    assert " från indicator i " not in text and " i observations " not in f"{text} "


def test_the_reports_remarks_from_the_manifest_are_swedish(ds):
    """The manifest (data/raw, not edited) says of one issuer 'inferred from the text';
    the table rapporter and Om datan show it in Swedish (``notes`` in publish.yml)."""
    from lib.publish.swedish_tables import texts

    manifest = paths.MANIFEST.read_text(encoding="utf-8")
    notes = texts()["notes"]
    assert [n for n in notes if n in manifest] == list(notes)  # each is still needed
    shown = get(ds, "/rapporter/rapporter.json?_shape=array").text
    shown = str(json.loads(shown)) + readable(get(ds, browse.ABOUT_URL).text)
    assert [n for n in notes if n in shown] == []
    assert all(swedish in shown for swedish in notes.values())


def test_kallrad_has_a_window_of_text_lines_neighbours_and_the_table_header(ds):
    """Årsrapport 2022, rad 121 is a row of a table whose first row (its header) is line
    116: with one text line around it, the header still shows, marked."""
    narrow = rows(ds, "kallrad", rapport="Årsrapport 2022", rad="121", rader="1")
    marks = {r["Rad"]: r[" "] for r in narrow}
    assert marks[121] == "▶" and marks[116] == "tabellhuvud (ovanför)"
    assert "Mått" in next(r["Text"] for r in narrow if r["Rad"] == 116)
    assert len(narrow) == 4
    wide = rows(ds, "kallrad", rapport="årsrapport 2022", rad="121", rader="20")
    assert len(wide) == 41 and all(r["Text"].strip() for r in wide)
    page = get(ds, "/rapporter/kallrad?rapport=%C3%85rsrapport+2022&rad=121").text
    earlier = _href(page, r'<a href="([^"]+)">← Tidigare rader</a>')
    later = _href(page, r'<a href="([^"]+)">Senare rader →</a>')
    first = rows(ds, "kallrad", rapport="Årsrapport 2022", rad="121")
    assert f"rad={first[0]['Rad']}" in earlier and f"rad={first[-1]['Rad']}" in later
    cited = get(ds, ROW).text  # the cited line's page leads to the wider window
    assert 'href="/rapporter/kallrad?rapport=%C3%85rsrapport+2022&amp;rad=121"' in cited
    form = get(ds, "/rapporter/kallrad").text  # the report first, then line and window
    assert form.index('name="rapport"') < form.index('name="rad"') < form.index('name="rader"')
    # a mistyped report or line says what to write instead of a bare "0 rader"
    typo = readable(get(ds, "/rapporter/kallrad?rapport=Årsrapport+2O22&rad=121").text)
    assert "Ingen rad hittades" in typo and "0 rader" in typo
    assert "Ingen rad hittades" not in readable(get(ds, "/rapporter/kallrad").text)
    none = readable(get(ds, "/rapporter/siffror?ord=qxqxqx").text)
    assert "Inga träffar." in none
    assert "Inga träffar." not in readable(get(ds, "/rapporter/sok?ord=skyddat").text)


# --- the chart of an indicator over the years (plugins/diagram.py) ----------------------


def test_the_indicator_page_has_its_chart_inline_with_sources_and_caveats(ds):
    page = get(ds, "/rapporter/indikator?indikator=fs_hushall_stadsomrade").text
    figures = re.findall(r'<figure class="gbg-diagram">(.*?)</figure>', page, re.S)
    assert len(figures) == 1
    figure = figures[0]
    assert figure.startswith("<svg ") and 'role="img"' in figure
    caption = html_unescape(re.search(r"<figcaption>(.*?)</figcaption>", figure).group(1))
    assert caption.startswith("Diagram: Antal hushåll med försörjningsstöd, stadsområdet")
    assert "2022 1\u00a0470 (omstridd)" in caption and "mål: 2022 1\u00a0648" in caption
    # nothing is fetched at view time: no external source or link in the chart
    assert not re.search(r'(src|href)="(https?:)?//', figure)
    several = get(ds, "/rapporter/indikator?indikator=skyddat+boende").text
    labels = {r["Indikator"] for r in rows(ds, "indikator", indikator="skyddat boende")}
    shown = several.count('<figure class="gbg-diagram">')
    assert 1 < shown <= 4 and f"{len(labels)} indikatorer passar" in several
    assert "gbg-diagram" not in get(ds, "/rapporter/indikator?indikator=").text
    assert "gbg-diagram" not in get(ds, "/rapporter/sok?ord=hushåll").text


def test_an_excel_csv_cut_at_the_row_limit_says_so(ds):
    """raw_lines has more rows than Datasette's limit (1 000): the file for Excel says in its
    name and its last line that it is cut, rather than ending silently."""
    with sqlite3.connect(processed.processed_dir() / "rapporter.sqlite") as conn:
        total = conn.execute("select count(*) from raw_lines").fetchone()[0]
    assert total > 1000
    r, table = _excel(ds, "/rapporter/raw_lines.excel")
    assert r.headers["content-disposition"] == (
        'attachment; filename="raw_lines_forsta_1000_raderna.csv"'
    )
    assert len(table) == 1 + 1000 + 1
    assert table[-1][0].startswith("Obs: bara de första 1\u00a0000 raderna")
    _, whole = _excel(ds, "/rapporter/observationer.excel")
    assert not whole[-1][0].startswith("Obs:")
