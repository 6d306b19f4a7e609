"""Datasette over rapporter.sqlite: pages, facets and canned queries through its in-process
client (configured like `make browse`), and the `browse` command's checks."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import subprocess
import sys
from html import unescape as html_unescape
from urllib.parse import quote

import pytest
from datasette.utils import tilde_encode

from lib import browse, paths, processed, publish
from lib.errors import DataError

INJECTION = "'; DROP TABLE observations; --"


@pytest.fixture(scope="module")
def ds():
    return browse.app(processed.processed_dir() / publish.DATABASE)


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
    assert home.status_code == 200 and "alla siffror med källa" in home.text
    page = get(ds, "/rapporter")
    assert page.status_code == 200
    for title in ("Sök i rapporterna", "En indikator över åren", "Motsägelser",
                  "Källrad i sitt sammanhang"):
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
    # The OCR twin of a clean report part is left out, as in lib.search (05_sok).
    docs = processed.load("documents")
    twins = set(docs[docs.same_report_as.notna() & (docs.text_quality == "ocr")].short_title)
    both = {r["Rapport"] for r in rows(ds, "sok", ord="skyddat boende")}
    assert twins == {"Stadengemensam 2024"} and not twins & both
    assert "Gemensamma 2024" in both


def test_canned_queries_answer_with_real_figures(ds):
    ind = rows(ds, "indikator", indikator="fs_hushall_stadsomrade")
    centrum_2022 = [r for r in ind if r["Period"] == "2022" and r["Grund"] == "utfall"]
    # the restatement at line 569 (1 472, a recorded discrepancy) is not repeated here
    assert [(r["Källa"], r["Uppgift"]) for r in centrum_2022] == [
        ("Årsrapport 2022, rad 121", "1\u00a0470\u00a0hushåll")]
    assert [r["Period"] for r in ind if r["Grund"] == "utfall"] == ["2020", "2021", "2022"]
    assert rows(ds, "indikator", indikator="") == []
    contra = rows(ds, "motsagelser", tema="")
    assert len(contra) == len(processed.load("discrepancies"))
    first = next(r for r in contra if r["Källa A"] == "Årsrapport 2022, rad 121")
    assert (first["Värde A"], first["Värde B"], first["Källa B"]) == \
        (1470, 1472, "Årsrapport 2022, rad 569")
    assert len(rows(ds, "motsagelser", tema="hemlöshet")) < len(contra)
    context = rows(ds, "kallrad", rapport="Delårsrapport 2024", rad="125")
    around = range(125 - browse.CONTEXT, 125 + browse.CONTEXT + 1)
    assert [r["Rad"] for r in context] == list(around)
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
    assert ('<a href="/rapporter/kallrad?rapport=%C3%85rsrapport+2022&amp;rad=121" '
            'title="Visa raden i sitt sammanhang">Årsrapport 2022, rad 121</a>') in indicator
    context = rows(ds, "kallrad", rapport="Årsrapport 2022", rad="121")
    assert any(r[" "] == "▶" and "1 470" in r["Text"].replace("\u00a0", " ") for r in context)
    # The context's own lines name no report: they stay plain numbers.
    table = get(ds, "/rapporter/kallrad?rapport=%C3%85rsrapport+2022&rad=121").text
    assert "Visa raden i sitt sammanhang" not in table


@pytest.mark.parametrize(("query", "param"), [("sok", "ord"), ("indikator", "indikator"),
                                               ("motsagelser", "tema"), ("kallrad", "rapport")])
def test_a_hostile_parameter_is_harmless(ds, query, param):
    params = {param: INJECTION}
    if query == "kallrad":
        params["rad"] = "1; DROP TABLE raw_lines"
    assert rows(ds, query, **params) == []
    path = processed.processed_dir() / publish.DATABASE
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        assert conn.execute("select count(*) from observations").fetchone()[0] == \
            len(processed.load("observations"))


def test_metadata_is_generated_from_the_schemas_and_deterministic():
    meta = browse.metadata()
    assert browse.metadata_bytes() == browse.metadata_bytes()
    tables = meta["databases"]["rapporter"]["tables"]
    assert set(publish.published_schemas()) <= set(tables)
    assert tables["observations"]["columns"]["value"].endswith("(enheten står i kolumnen unit)")
    assert tables["theme_prominence"]["columns"]["per_1000_words"].endswith(
        "(enhet: mentions per 1 000 words)")
    assert tables["passages"]["fts_table"] == publish.FTS
    assert meta["license"] and meta["source"]


def test_command_serves_read_only_on_localhost(tmp_path):
    cmd = browse.command(tmp_path / "rapporter.sqlite", tmp_path / "m.json", 8123)
    assert "--immutable" in cmd and cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--port") + 1] == "8123"
    with pytest.raises(DataError, match="database is missing; run `make data` first"):
        browse.serve(processed_dir=tmp_path)


def test_browse_rejects_a_bad_port_in_one_line():
    r = subprocess.run([sys.executable, "-m", "lib", "browse", "--port", "http"],
                       capture_output=True, text=True, cwd=paths.ROOT, check=False)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "error: --port 'http': give a port number such as 8001."]


def test_metadata_file_written_by_serve_is_valid_json(tmp_path, monkeypatch):
    """serve writes the metadata atomically beside the database, then execs Datasette."""
    (tmp_path / publish.DATABASE).write_bytes(
        (processed.processed_dir() / publish.DATABASE).read_bytes())
    seen = {}
    monkeypatch.setattr(browse.os, "execv", lambda exe, argv: seen.update(argv=argv))
    browse.serve(8124, processed_dir=tmp_path)
    meta = json.loads((tmp_path / browse.METADATA).read_text("utf-8"))
    assert meta == browse.metadata()
    assert seen["argv"] == browse.command(tmp_path / publish.DATABASE,
                                          tmp_path / browse.METADATA, 8124)
