"""Browsing the database in Datasette (``make browse``): metadata, canned queries, server.

:func:`metadata` generates Datasette's metadata from the declared schemas and the Swedish
texts of ``lib/data/publish.yml`` (:mod:`lib.publish.database`): Swedish table and column
descriptions, units, licence and source, facets, label columns and the canned queries

* ``sok`` — *Sök i rapporterna*: full-text search of the passages, with or without å/ä/ö;
* ``indikator`` — *En indikator över åren*: one indicator's figures across years and reports;
* ``motsagelser`` — *Motsägelser*: statements of the same figure that disagree;
* ``kallrad`` — *Källrad i sitt sammanhang*: any line of a report with the lines around it.

Each figure's source in ``observationer`` links to its row in ``kallrader`` (a foreign key,
which Datasette shows as a link), where the line stands with its context. In the results
of the canned queries, the line numbers of search hits and figures link to *Källrad i sitt
sammanhang* (a small plugin, ``lib/data/datasette/plugins``). Datasette's own words are
Swedish too: its templates, translated, in ``lib/data/datasette/templates`` (with
``UPSTREAM.json``, what each was translated from), and the Jinja filters of the plugin
``svenska.py`` for the words its Python code makes.
:func:`serve` writes the metadata beside the database and starts Datasette on
127.0.0.1 in immutable (read-only) mode.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lib import paths
from lib.errors import DataError
from lib.publish import database

DATABASE_NAME = Path(database.DATABASE).stem  # Datasette's name of the database: "rapporter"
METADATA = "datasette.json"
HOST = "127.0.0.1"
PORT = 8001
CONTEXT = 6  # lines before and after in "Källrad i sitt sammanhang"
SETTINGS = {
    "suggest_facets": "off",
    "default_page_size": "50",
    "default_facet_size": "8",
    "sql_time_limit_ms": "2000",
}
# Mount point and directory of the static files: only the stylesheet lives there (the
# plugins and templates are beside it, not under it, so they are not served).
STATIC = ("gbg", paths.PACKAGE_DATA_DIR / "datasette" / "static")
CSS = f"/{STATIC[0]}/rapporter.css"
# Datasette plugins of this project: report lines in query results link to their context.
PLUGINS_DIR = paths.PACKAGE_DATA_DIR / "datasette" / "plugins"
# Datasette's own templates translated into Swedish (UPSTREAM.json: what they came from).
TEMPLATES_DIR = paths.PACKAGE_DATA_DIR / "datasette" / "templates"
# Facets: a column name, or {"array": column} for a JSON array (each element a value).
FACETS: dict[str, list[str | dict[str, str]]] = {
    "observationer": [{"array": "teman"}, "indikator", "period", "område"],
    "observations": ["theme", "indicator", "period", "geography"],
    "indicators": ["theme", "unit", "value_type"],
    "discrepancies": ["kind", "theme"],
    "passages": ["doc_id", "kind"],
    "quantities": ["doc_id", "unit"],
    "rapporter": ["område", "år"],
    "kallrader": ["rapport"],
}
LABEL_COLUMNS = {"indicators": "label", "rapporter": "rapport", "kallrader": "källa"}


def _sok_sql() -> str:
    # gbg_fts (plugins/svensk_sokning.py, lib.text.stems) turns the user's text into an FTS
    # query of word stems as prefixes, so word forms match ("skyddat boende" finds
    # "skyddade boendet", vräkning finds vräkningar); only word characters reach the
    # query (no FTS syntax errors, nothing the user types is SQL); no words: no match.
    fold, exact = database.FTS_FOLD, database.FTS
    return f"""
with fraga as (
  select gbg_fts(coalesce(:ord, ''), 1) as q, gbg_fts(coalesce(:ord, ''), 0) as q_exakt
),
-- an OCR file of a report that is also here as clean text (its twin) is left out, as
-- in lib.report.search: the same sentences would otherwise be listed twice
tvillingar as (select doc_id from documents
               where text_quality = 'ocr' and same_report_as is not null),
exakt as (select rowid from {exact} where {exact} match (select q_exakt from fraga)),
traffar as (
  select rowid as id, bm25({fold}) as poang,
         snippet({fold}, 0, '«', '»', ' … ', 24) as utdrag
  from {fold} where {fold} match (select q from fraga)
)
select r.rapport as Rapport, r.år as År,
       case when p.line_start = p.line_end then cast(p.line_start as text)
            else p.line_start || '–' || p.line_end end as Rad,
       t.utdrag as Text, p.section as Avsnitt
from traffar t
join passages p on p.rowid = t.id
join rapporter r on r.dokument = p.doc_id
where p.doc_id not in (select doc_id from tvillingar)
order by t.id not in (select rowid from exakt), t.poang, p.doc_id, p.passage_id
limit 500"""


def _indikator_sql() -> str:
    return """
with fraga as (select trim(coalesce(:indikator, '')) as text)
select i.label as Indikator, o.område as Område, o.grund as Grund, o.period as Period,
       o.uppgift as Uppgift, o.källa as Källa, o.citat as Citat, o.anmärkning as Anmärkning
from observationer o join indicators i on i.id = o.indikator, fraga f
where f.text != '' and o.upprepning is null
  and (o.indikator = f.text or i.label like '%' || f.text || '%')
order by i.label, o.område, o.grund, o.år, o.period, o.källa
limit 1000"""


def _case(column: str, labels: dict[str, str]) -> str:
    def lit(s: str) -> str:
        return "'" + s.replace("'", "''") + "'"

    whens = " ".join(f"when {lit(k)} then {lit(v)}" for k, v in labels.items())
    return f"case {column} {whens} else {column} end"


def _number(expr: str) -> str:
    """SQL showing a number as read: 1470 (not 1470.0), -4,9 (decimal comma)."""
    return (
        f"case when {expr} = cast({expr} as integer) then cast({expr} as integer) "
        f"else replace(cast({expr} as text), '.', ',') end"
    )


def _motsagelser_sql() -> str:
    from lib.text import themes

    kinds = database.texts().get("kinds", {})
    theme = _case("d.theme", themes.theme_labels())
    return f"""
with fraga as (select trim(coalesce(:tema, '')) as text)
select {_case("d.kind", kinds)} as Typ, {theme} as Tema, i.label as Indikator,
       d.geography as Område, d.period as Period,
       {_number("d.value_a")} as "Värde A", ra.rapport || ', rad ' || d.line_a as "Källa A",
       d.quote_a as "Citat A",
       {_number("d.value_b")} as "Värde B", rb.rapport || ', rad ' || d.line_b as "Källa B",
       d.quote_b as "Citat B", d.note as Förklaring
from discrepancies d
join indicators i on i.id = d.indicator
join rapporter ra on ra.dokument = d.doc_id_a
join rapporter rb on rb.dokument = d.doc_id_b, fraga f
where f.text = '' or d.theme = f.text or lower({theme}) like '%' || lower(f.text) || '%'
order by d.theme, i.label, d.period"""


def _kallrad_sql() -> str:
    return f"""
with fraga as (
  select r.dokument, cast(trim(:rad) as integer) as rad from rapporter r
  where r.dokument = trim(:rapport) or lower(r.rapport) = lower(trim(:rapport))
)
select l.line as Rad, case when l.line = f.rad then '▶' else '' end as " ",
       l.text as Text, case when l.raw != l.text then l.raw end as "Rå text (OCR)"
from raw_lines l join fraga f on l.doc_id = f.dokument
where l.line between f.rad - {CONTEXT} and f.rad + {CONTEXT}
order by l.line"""


QUERIES: dict[str, tuple[str, str]] = {
    "sok": (
        "Sök i rapporterna",
        "Sök ord eller fraser i rapporternas text, med eller utan å, ä och ö "
        '(vräkning hittar även vräkningar; "skyddat boende" med citattecken söker '
        "frasen). Träffar med exakt stavning kommer först. Radnumret leder till raden i "
        "sitt sammanhang. En OCR-läst kopia av en rapport som också finns som ren text "
        "visas inte (samma meningar skulle annars komma två gånger).",
    ),
    "indikator": (
        "En indikator över åren",
        "Skriv en indikators namn eller en del av det (t.ex. hushåll, skyddat "
        "boende, vräkning) eller dess id: alla dess siffror över åren och "
        "rapporterna, med källa. En siffra som upprepas i samma rapport visas en "
        "gång; skiljer sig upprepningen finns den under Motsägelser.",
    ),
    "motsagelser": (
        "Motsägelser",
        "Uppgifter om samma sak som inte stämmer överens – registreras, rättas "
        "aldrig. Lämna tema tomt för alla, eller skriv t.ex. hemlöshet.",
    ),
    "kallrad": (
        "Källrad i sitt sammanhang",
        f"En rad ur en rapport med {CONTEXT} rader före och efter. Rapport: kort namn "
        "(t.ex. Årsrapport 2022) eller dokument-id; rad: radnummer.",
    ),
}
_SQL = {
    "sok": _sok_sql,
    "indikator": _indikator_sql,
    "motsagelser": _motsagelser_sql,
    "kallrad": _kallrad_sql,
}


def _table_metadata(name: str) -> dict[str, Any]:
    schema = database.published_schemas()[name]
    sv = database.table_text(name)
    meta: dict[str, Any] = {"title": sv.get("title", name)}
    if sv.get("description"):
        meta["description"] = " ".join(sv["description"].split())
    columns = {}
    for column, col in schema.columns.items():
        desc = database.column_text(name, column, schema)
        if desc.casefold() == column.casefold():
            continue  # "enhet: Enhet" says nothing
        if col.unit:
            desc += f" (enhet: {col.unit})"
        elif col.unit_column:
            desc += f" (enheten står i kolumnen {col.unit_column})"
        columns[column] = desc
    meta["columns"] = columns
    if name in FACETS:
        meta["facets"] = [
            f for f in FACETS[name] if (f["array"] if isinstance(f, dict) else f) in schema.columns
        ]
    if name in LABEL_COLUMNS:
        meta["label_column"] = LABEL_COLUMNS[name]
    if name == "passages":
        meta.update(fts_table=database.FTS, fts_pk="rowid")
    return meta


def _link(path: str) -> str:
    return f"/{DATABASE_NAME}/{quote(path)}"


def metadata() -> dict[str, Any]:
    """Datasette metadata of the database, generated from the declared schemas (Swedish)."""
    package = database.texts()["package"]
    names = sorted(database.published_schemas())
    guide = " ".join(package["guide"].split()).format(
        observationer=_link("observationer"),
        sok=_link("sok"),
        indikator=_link("indikator"),
        motsagelser=_link("motsagelser"),
    )
    views = {
        "indikator_over_aren": {
            "title": "En indikator över åren (alla)",
            "description": "Alla indikatorer med sina siffror sorterade efter indikator, område "
            "och år, upprepningar borttagna.",
            "facets": ["indikator", "område"],
        },
        "siffror_med_kallfil": {
            "title": "Siffror med källfil och rad",
            "description": "Varje siffra med benämning, rapportens textfil, radnummer och citat "
            "– för den som vill citera eller kontrollera i filen.",
            "facets": ["rapport", "område"],
        },
    }
    return {
        "title": package["title"],
        "description_html": f"<p>{html.escape(' '.join(package['description'].split()))}</p>"
        f"<p>{guide}</p>",
        "license": "Allmänna handlingar från Göteborgs Stad (se README)",
        "source": package["source"],
        "extra_css_urls": [CSS],
        "databases": {
            DATABASE_NAME: {
                "title": package["title"],
                "description_html": guide,
                "tables": {**{n: _table_metadata(n) for n in names}, **views},
                # The SQL starts with its title: Datasette puts the SQL in the page's <title>.
                "queries": {
                    name: {
                        "title": title,
                        "description": desc,
                        "sql": f"-- {title}\n{_SQL[name]().strip()}",
                        "hide_sql": True,
                    }
                    for name, (title, desc) in QUERIES.items()
                },
            }
        },
    }


def metadata_bytes() -> bytes:
    """The metadata as UTF-8 JSON (deterministic)."""
    return (json.dumps(metadata(), ensure_ascii=False, indent=2) + "\n").encode()


def command(database: Path, metadata_path: Path, port: int = PORT) -> list[str]:
    """The Datasette command line that serves ``database`` read-only on 127.0.0.1."""
    exe = shutil.which("datasette", path=str(Path(sys.executable).parent)) or "datasette"
    settings = [arg for k, v in SETTINGS.items() for arg in ("--setting", k, v)]
    return [
        exe,
        "serve",
        "--immutable",
        str(database),
        "--metadata",
        str(metadata_path),
        "--static",
        f"{STATIC[0]}:{STATIC[1]}",
        "--plugins-dir",
        str(PLUGINS_DIR),
        "--template-dir",
        str(TEMPLATES_DIR),
        "--host",
        HOST,
        "--port",
        str(port),
        *settings,
    ]


def app(database: Path):  # noqa: ANN201 - datasette.app.Datasette, imported lazily
    """An in-process Datasette configured like :func:`command` (for tests and notebooks)."""
    from datasette.app import Datasette

    settings = {k: (v == "on") if v in ("on", "off") else int(v) for k, v in SETTINGS.items()}
    return Datasette(
        files=[],
        immutables=[str(database)],
        metadata=metadata(),
        static_mounts=[(STATIC[0], str(STATIC[1]))],
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATES_DIR),
        settings=settings,
    )


def serve(port: int = PORT, processed_dir: Path = paths.PROCESSED_DIR) -> None:
    """Write the metadata beside the database and replace this process by Datasette."""
    from lib.core.store import atomic_path

    db_file = processed_dir / database.DATABASE
    if not db_file.is_file():
        raise DataError(f"{db_file}: the database is missing; run `make data` first.")
    target = processed_dir / METADATA
    with atomic_path(target) as tmp:
        tmp.write_bytes(metadata_bytes())
    print(f"Datasette: http://{HOST}:{port}/{DATABASE_NAME} (Ctrl-C stops it)", flush=True)
    cmd = command(db_file, target, port)
    os.execv(cmd[0], cmd)
