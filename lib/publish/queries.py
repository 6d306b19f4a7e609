"""The canned queries of ``make browse``: what a reader without SQL asks the database.

* ``siffror`` — *Sök bland siffrorna*: every figure whose indicator, quote or note holds
  the words, with its caveats and source;
* ``sok`` — *Sök i rapporterna*: full-text search of the passages;
* ``indikator`` — *En indikator över åren*: one indicator's figures across years and
  reports, with a chart (the plugin ``diagram.py``);
* ``motsagelser`` — *Motsägelser*: statements of the same figure that disagree;
* ``kallrad`` — *Källrad i sitt sammanhang*: any line of a report with the lines around it.

Matching is Swedish (the functions of the plugin ``svensk_sokning.py``, from
:mod:`lib.text.stems`): case and å/ä/ö do not matter, word forms match ("skyddat
boende" finds "skyddade boenden"), ``"a phrase"`` and ``OR`` work. Every figure comes
with the indicator's comparability note, the observation's note and the mark of a
statement that disagrees (:mod:`lib.publish.swedish_tables`). The searches say how many
matched in all (the column ``Träffar i alla``, shown above the table) when more than the
cap are found.
"""

from __future__ import annotations

from lib.publish import database

CAP = 500  # rows a search shows
CONTEXT = 5  # text lines (blank lines not counted) before and after in "Källrad"
MAX_CONTEXT = 50
TOTAL = "Träffar i alla"  # the column holding the number of matches before the cap


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _case(column: str, labels: dict[str, str]) -> str:
    whens = " ".join(f"when {_lit(k)} then {_lit(v)}" for k, v in labels.items())
    return f"case {column} {whens} else {column} end"


def _report_and_year(report: str, year: str) -> str:
    """Conditions on the optional parameters ``rapport`` (part of the short name, or the
    document id) and ``ar`` (a year)."""
    return f"""(trim(coalesce(:rapport, '')) = ''
       or gbg_lower({report}) like '%' || gbg_lower(trim(:rapport)) || '%')
  and (trim(coalesce(:ar, '')) = '' or {year} = cast(trim(:ar) as integer))"""


# The source and the caveats stand right after the figure (not off the screen to the
# right, after the quote); the numeric value and unit (for sorting and Excel) come last.
_FIGURE_COLUMNS = """i.label as Indikator, o.område as Område, o.grund as Grund,
       o.period as Period, o.uppgift as Uppgift, o.källa as Källa,
       o.jämförbarhet as Jämförbarhet, o.anmärkning as Anmärkning,
       o.motsägelse as Motsägelse, o.citat as Citat, o.värde as Värde, o.enhet as Enhet"""


def siffror_sql() -> str:
    return f"""
select {_FIGURE_COLUMNS}, count(*) over () as "{TOTAL}"
from observationer o
join indicators i on i.id = o.indikator
join kallrader k on k.källa = o.källa
where o.upprepning is null
  and gbg_hittar(i.label || ' ' || o.citat || ' ' || coalesce(o.anmärkning, '') || ' '
                 || replace(o.indikator, '_', ' '), :ord)
  and {_report_and_year("k.rapport", "o.år")}
order by i.label, o.område, o.grund, o.år, o.period, o.källa
limit {CAP}"""


def sok_sql() -> str:
    # gbg_fts turns the user's text into an FTS query of word stems as prefixes; only word
    # characters reach the query (no FTS syntax errors, nothing the user types is SQL).
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
       t.utdrag as Text, p.section as Avsnitt, count(*) over () as "{TOTAL}"
from traffar t
join passages p on p.rowid = t.id
join rapporter r on r.dokument = p.doc_id
where p.doc_id not in (select doc_id from tvillingar)
  and {_report_and_year("r.rapport", "r.år")}
order by t.id not in (select rowid from exakt), t.poang, p.doc_id, p.passage_id
limit {CAP}"""


_INDIKATOR_WHERE = """f.text != '' and o.upprepning is null
  and (o.indikator = f.text or gbg_hittar(i.label, f.text))"""


def indikator_sql() -> str:
    return f"""
with fraga as (select trim(coalesce(:indikator, '')) as text)
select {_FIGURE_COLUMNS}
from observationer o join indicators i on i.id = o.indikator, fraga f
where {_INDIKATOR_WHERE}
order by i.label, o.område, o.grund, o.år, o.period, o.källa
limit 1000"""


def indikator_ids_sql() -> str:
    """The ids of the indicators *En indikator över åren* shows, in its order (for the
    charts of the plugin ``diagram.py``)."""
    return f"""
with fraga as (select trim(coalesce(:indikator, '')) as text)
select o.indikator from observationer o join indicators i on i.id = o.indikator, fraga f
where {_INDIKATOR_WHERE}
group by o.indikator order by min(i.label)"""


def motsagelser_sql() -> str:
    from lib.text import themes

    kinds = database.texts().get("kinds", {})
    theme = _case("d.theme", themes.theme_labels())
    return f"""
with fraga as (select trim(coalesce(:tema, '')) as text)
select {_case("d.kind", kinds)} as Typ, {theme} as Tema, i.label as Indikator,
       d.geography as Område, d.period as Period,
       d.value_a as "Värde A", ra.rapport || ', rad ' || d.line_a as "Källa A",
       d.quote_a as "Citat A",
       d.value_b as "Värde B", rb.rapport || ', rad ' || d.line_b as "Källa B",
       d.quote_b as "Citat B", d.note as Förklaring, i.comparability as Jämförbarhet
from discrepancies d
join indicators i on i.id = d.indicator
join rapporter ra on ra.dokument = d.doc_id_a
join rapporter rb on rb.dokument = d.doc_id_b, fraga f
where f.text = '' or d.theme = f.text or gbg_hittar({theme} || ' ' || i.label, f.text)
order by d.theme, i.label, d.period"""


def kallrad_sql() -> str:
    """The line with ``rader`` text lines before and after it (blank lines, every other
    line of a clean report, are not counted) and, for a row of a table, the table's
    first row (its header) when it is above the window."""
    # the parameters first, so that the form asks for them in this order (Datasette lists
    # them as they appear): the report, the line, the window
    return f"""
with parametrar as (
  select trim(coalesce(:rapport, '')) as rapport, trim(coalesce(:rad, '')) as rad,
         trim(coalesce(:rader, '')) as rader
),
fraga as (
  select r.dokument, cast(nullif(p.rad, '') as integer) as rad,
         min(max(coalesce(cast(nullif(p.rader, '') as integer), {CONTEXT}), 1),
             {MAX_CONTEXT}) as n
  from rapporter r, parametrar p
  where r.dokument = p.rapport or gbg_lower(r.rapport) = gbg_lower(p.rapport)
),
textrader as (
  select l.line, l.text, l.raw, row_number() over (order by l.line) as nr
  from raw_lines l join fraga f on l.doc_id = f.dokument
  where trim(l.text) != '' or l.line = f.rad
),
mitt as (select t.nr from textrader t, fraga f where t.line = f.rad),
tabell as (
  select max(h.line_start) as huvud
  from passages p join fraga f on p.doc_id = f.dokument
       and f.rad between p.line_start and p.line_end and p.kind = 'table_row'
  join passages h on h.doc_id = p.doc_id and h.part_id = p.part_id
       and h.kind = 'table_row' and h.passage_id <= p.passage_id
  where not exists (select 1 from passages q where q.doc_id = h.doc_id
                    and q.part_id = h.part_id and q.passage_id = h.passage_id - 1
                    and q.kind = 'table_row')
)
select t.line as Rad,
       case when t.line = f.rad then '▶'
            when t.line = b.huvud and t.nr < m.nr - f.n then 'tabellhuvud (ovanför)'
            when t.line = b.huvud then 'tabellhuvud' else '' end as " ",
       t.text as Text, case when t.raw != t.text then t.raw end as "Rå text (OCR)"
from textrader t, fraga f, mitt m, tabell b
where t.nr between m.nr - f.n and m.nr + f.n
   or (t.line = b.huvud and t.nr < m.nr - f.n)
order by t.line"""


QUERIES: dict[str, tuple[str, str]] = {
    "siffror": (
        "Sök bland siffrorna",
        "Alla siffror vars indikator, citat eller anmärkning innehåller orden, med "
        "förbehåll och källa. Stora och små bokstäver, å/ä/ö och böjningsformer spelar "
        'ingen roll (skyddat boende hittar även "skyddade boenden"). "Ord inom '
        'citattecken" söks som fras; OR mellan orden ger träffar med något av dem; NEAR och '
        "NOT stöds inte. Rapport (del av namnet) och år kan lämnas tomma. En siffra som "
        f"upprepas i samma rapport visas en gång. Högst {CAP} träffar visas; "
        "antalet i alla står ovanför tabellen.",
    ),
    "sok": (
        "Sök i rapporterna",
        "Sök ord eller fraser i rapporternas text, med eller utan å, ä och ö "
        '(vräkning hittar även vräkningar; "skyddat boende" med citattecken söker '
        "frasen; OR mellan orden ger träffar med något av dem; NEAR och NOT stöds "
        "inte). Rapport (del av namnet) och år kan lämnas tomma. Träffar med exakt "
        f"stavning kommer först; högst {CAP} visas, antalet i alla står ovanför tabellen. "
        "Radnumret leder till raden i sitt sammanhang. En OCR-läst kopia av en rapport "
        "som också finns som ren text visas inte (samma meningar skulle annars komma två "
        "gånger).",
    ),
    "indikator": (
        "En indikator över åren",
        "Skriv en indikators namn eller en del av det (t.ex. hushåll, skyddat "
        "boende, vräkning) eller dess id: alla dess siffror över åren och "
        "rapporterna, med källa, förbehåll om jämförbarhet och motsägelser, och ett "
        "diagram. En siffra som upprepas i samma rapport visas en gång; skiljer sig "
        "upprepningen står det under Motsägelse.",
    ),
    "motsagelser": (
        "Motsägelser",
        "Uppgifter om samma sak som inte stämmer överens – registreras, rättas "
        "aldrig. Lämna tema tomt för alla, eller skriv ett tema eller en indikator "
        "(t.ex. hemlöshet).",
    ),
    "kallrad": (
        "Källrad i sitt sammanhang",
        f"En rad ur en rapport med {CONTEXT} textrader före och efter (tomma rader räknas "
        "inte; välj fler under rader, högst "
        f"{MAX_CONTEXT}). För en tabellrad visas också tabellens första rad "
        "(tabellhuvudet). Rapport: kort namn (t.ex. Årsrapport 2022) eller dokument-id; "
        "rad: radnummer.",
    ),
}
SQL = {
    "siffror": siffror_sql,
    "sok": sok_sql,
    "indikator": indikator_sql,
    "motsagelser": motsagelser_sql,
    "kallrad": kallrad_sql,
}
