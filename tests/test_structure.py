"""Structure: sections, furniture, hyphens, sentences and the questionnaire, on real lines."""

from __future__ import annotations

import pytest
from checks import every

from lib.core.schemas import Schema
from lib.errors import DataError
from lib.sources import words
from lib.text import layout, mentions, questionnaire
from lib.text import structure as st

AR22 = "sn_centrum_arsrapport_2022"
GV = "gemensamma_verksamheter_2024"
SF = "sf_centrum_stadengemensam_2024"
Q = "sf_sydvast_trygghet_uppfoljning_2023"  # layout: questionnaire in the manifest


def _section(df, heading):
    rows = df[df["heading"] == heading]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def _passage_at(c, doc_id, line, startswith=""):
    found = [
        p
        for p in st.iter_passages(c, doc_id)
        if p.line_start == line and p.text.startswith(startswith)
    ]
    assert found, f"no passage of {doc_id} starts at line {line} with {startswith!r}"
    return found[0]


def test_numbered_section_starts_at_its_heading_not_in_the_toc(real_corpus):
    secs = st.sections(real_corpus, AR22)
    s = _section(secs, "Redovisning av resultat")
    assert (s["number"], s["level"], s["line_start"], s["line_end"]) == ("2.1.1", 3, 87, 165)
    assert real_corpus.raw_lines(AR22)[13] == "2.1.1\tRedovisning av resultat\t6"  # TOC, line 14
    roles = st.line_roles(real_corpus, AR22).set_index("line")["role"]
    assert roles[14] == st.TOC and roles[87] == st.HEADING
    assert not secs["line_start"].between(9, 51).any()  # lines 9–51 are the contents


def test_unnumbered_and_wrapped_headings(real_corpus):
    gv = st.sections(real_corpus, GV)
    inledning = gv[(gv["part_id"] == "gv_efk") & (gv["heading"] == "Inledning")].iloc[0]
    assert (inledning["number"], inledning["line_start"]) == ("1", 53)  # " 1 Inledning"
    digit = _section(gv, "Årsrapport 2024 - Integrerad digitalisering")  # wraps onto line 611
    assert (digit["line_start"], digit["part_id"]) == (610, "gv_digitalisering")
    grund = _section(gv, "Grunduppdrag")
    assert pd_isna(grund["number"]) and grund["line_start"] == 3095
    # "Arbete under året" recurs under every unit: it is a level below "Barnahus".
    barnahus = _section(gv, "Barnahus")
    arbete = gv[(gv["heading"] == "Arbete under året") & (gv["line_start"] == 4588)].iloc[0]
    assert arbete["level"] == barnahus["level"] + 1
    assert _passage_at(real_corpus, GV, 4590).section == "Barnahus / Arbete under året"


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_sections_never_cross_part_boundaries(real_corpus):
    secs = st.sections(real_corpus)
    parts = {p.part_id: p for p in real_corpus.parts()}
    for r in secs.itertuples():
        part = parts[r.part_id]
        assert part.line_start <= r.line_start <= r.line_end <= part.line_end
    assert not secs.duplicated(["doc_id", "part_id", "line_start"]).any()


def test_page_furniture_is_recognised_and_dropped(real_corpus):
    roles = st.line_roles(real_corpus, GV).set_index("line")
    lines = real_corpus.raw_lines(GV)
    assert lines[774].strip() == "Årsrapport 2024 - Integrerad digitalisering 6 (6)"
    assert roles.loc[775, "furniture"] == "page"
    assert roles.loc[776, "furniture"] == "stamp"  # Socialförvaltningen Nordost
    assert roles.loc[829, "furniture"] == "page"  # Samlad placerings- och inköpsfunktion 2 (34)
    assert roles.loc[833, "furniture"] == "stamp"  # Göteborgs Stad, Socialförvaltningen Sydväst …
    assert roles.loc[831, "furniture"] == "title"  # Årsrapport 2024, repeated at page breaks
    assert roles.loc[807, "furniture"] == "stamp"  # Socialförvaltningen Sydväst
    sf = st.line_roles(real_corpus, SF).set_index("line")
    assert real_corpus.raw_lines(SF)[201] == "7 (42)" and sf.loc[202, "furniture"] == "page"
    assert sf.loc[200, "furniture"] == "title"  # the lone year under the running title
    q = st.line_roles(real_corpus, Q).set_index("line")
    assert q.loc[47, "furniture"] == "header"  # Uppföljningsfrågor Svarsalternativ med kommentar
    furniture_lines = {775, 776, 829, 831, 833}
    for p in st.iter_passages(real_corpus, GV):
        assert not furniture_lines & set(p.lines)
        assert "(34)" not in p.text


def test_every_line_has_a_role(real_corpus):
    for doc_id in real_corpus.doc_ids:
        roles = st.line_roles(real_corpus, doc_id)
        assert len(roles) == len(real_corpus.raw_lines(doc_id))
        assert set(roles["role"]) <= set(layout.ROLES)


def test_paragraph_continues_across_a_page_break(real_corpus):
    # 000: "… Vi har forbattrat" (197) / running title, "7 (42)" / "utredningsmallarna …" (206)
    p = _passage_at(real_corpus, SF, 197, "Vi har f")  # holds on raw and on repaired text
    assert p.lines[:2] == (197, 206)
    assert p.line_at(p.text.index("utredningsmallarna")) == 206


def test_hyphen_rejoined_or_kept(real_corpus):
    assert words.hyphen_join("för", "valtningen") == ""
    assert words.hyphen_join("vård", "och") == "- "
    assert words.hyphen_join("HR", "perspektiv") == "-"
    # 004 lines 397–398: "ANDTS-" / "samordnare": an acronym keeps its hyphen.
    assert "ANDTS-samordnare" in _passage_at(real_corpus, Q, 397).text
    # 004 lines 68–69: "trygghetsfrämjande-" / "och brottsförebyggande": compound hyphen kept.
    p = _passage_at(real_corpus, Q, 66, "Utvecklingsledare")
    assert "trygghetsfrämjande- och brottsförebyggande aspekter." in p.text
    # 001 lines 1011–1012: "Direktupp-" / "handling": a word split at the line end.
    assert _passage_at(real_corpus, GV, 1011).text == "Direktupphandling"
    # 001 lines 2162–2164: "Inköps- " / blank / "och upphandlingsförvaltningen".
    p = _passage_at(real_corpus, GV, 2162, "Inköps")
    assert p.text.startswith("Inköps- och upphandlingsförvaltningen och Spink")
    assert p.line_at(p.text.index("och upphandlings")) == 2164


def test_sentence_span_and_line_at(real_corpus):
    # 003 line 373 "… ärenden. För att minska" / blank / 375 "beroendet av försörjningsstöd …"
    p = _passage_at(real_corpus, AR22, 373, "För att minska")
    assert (p.line_start, p.line_end) == (373, 375)
    assert p.text.startswith("För att minska beroendet av försörjningsstöd pågår")
    assert p.line_at(0) == 373 and p.line_at(p.text.index("beroendet")) == 375
    assert p.locate("försörjningsstöd") == (375, 375)
    with pytest.raises(IndexError):
        p.line_at(len(p.text))


def test_sentence_splitting_rules():
    text = "Vi har bl.a. fler ärenden, ca. 40 st. Kostnaden ökade med 2,5 procent. Nästa mening."
    spans = [text[a:b] for a, b in st.split_sentences(text)]
    assert spans == [
        "Vi har bl.a. fler ärenden, ca. 40 st.",
        "Kostnaden ökade med 2,5 procent.",
        "Nästa mening.",
    ]
    text = "1. Antalet aktualiseringar har ökat. Se t.ex. Socialstyrelsen och 11 kap. 3 § SoL."
    spans = [text[a:b] for a, b in st.split_sentences(text)]
    assert spans == [
        "1. Antalet aktualiseringar har ökat.",
        "Se t.ex. Socialstyrelsen och 11 kap. 3 § SoL.",
    ]


def test_tab_rows_are_one_passage_each(real_corpus):
    p = _passage_at(real_corpus, AR22, 121)
    assert p.kind == "table_row" and p.line_end == 121
    assert p.text == "Antal hushåll med försörjningsstöd (stadsområde)\t1 791\t1 694\t1 470"
    assert p.section == "Volym-, intäkts- och kostnadsutveckling"


def test_passages_frame(real_corpus):
    df = mentions.passages(real_corpus, AR22)
    assert list(df.columns) == list(st.SCHEMAS["passages"].columns)
    row = df[df["line_start"] == 121].iloc[0]
    assert row["themes"] == "forsorjningsstod"
    assert every(df["line_start"] <= df["line_end"])
    assert df["passage_id"].is_unique


def test_questionnaire_answers(real_corpus):
    q = questionnaire.questionnaire(real_corpus)
    assert len(q) == 36
    assert q["answer"].value_counts().to_dict() == {"Ja": 29, "Nej": 7}
    first = q[q["line_start"] == 11].iloc[0]
    assert first["question"] == "Är ert arbete kunskapsbaserat?" and first["answer"] == "Ja"
    assert first["malomrade"] == "Målområde 1: Öka kunskapen"
    assert first["strategy"].startswith("Strategi 1:1 Göteborgs stads trygghetsskapande")
    assert first["line_end"] == 46
    nej = q[q["line_start"] == 422].iloc[0]  # answer "Nej" on line 434
    assert nej["answer"] == "Nej" and nej["question"].startswith("Sker insatserna riktat")
    assert nej["comment"].startswith("För ungdomar sker insatser riktat och skyndsamt")
    team = q[q["question"].str.startswith("Har ni ett lokalt kompetensteam?")].iloc[0]
    assert team["answer"] == "Nej" and team["plan"].startswith("Göteborgs Stads plan för att")
    assert pd_isna(team["malomrade"]) and team["strategy"].startswith("1.2 Utveckla lokala")
    # A comment interrupted by the repeated table header (line 581) stays whole.
    ekon = q[q["line_start"] == 506].iloc[0]
    assert ekon["line_end"] == 584 and "Uppföljningsfrågor" not in ekon["comment"]
    assert "andra berörda förvaltningar" in ekon["comment"]
    fokus = q[q["line_start"] == 837].iloc[0]
    assert fokus["malomrade"].startswith("Fokusområde 2: Insatser riktade till målgruppen")
    secs = st.sections(real_corpus, Q)
    assert (secs["line_start"] == 422).any()


@pytest.mark.parametrize("name", ["sections", "passages", "questionnaire"])
def test_schema_declared(name):
    from lib.publish import registry

    assert isinstance(registry.schema_of(name), Schema)


def test_tables_validate(real_corpus):
    from lib.publish import registry

    built = {
        "sections": st.sections(real_corpus),
        "passages": mentions.passages(real_corpus),
        "questionnaire": questionnaire.questionnaire(real_corpus),
    }
    assert set(built) == set(st.SCHEMAS) | set(questionnaire.SCHEMAS)
    for name, df in built.items():
        checked = registry.validate(name, df)
        assert len(checked) == len(df) > 30, name
        assert list(checked.columns) == list(registry.schema_of(name).columns)
    with pytest.raises(DataError, match="kind"):
        registry.validate("passages", built["passages"].assign(kind="stycke"))
