"""Themes: lexicon, tagging, exclusions, keyword in context and prominence, on real lines."""

from __future__ import annotations

import pytest
from checks import every

from lib.errors import DataError
from lib.text import mentions, themes

AR22 = "sn_centrum_arsrapport_2022"
GV = "gemensamma_verksamheter_2024"
Q = "sf_sydvast_trygghet_uppfoljning_2023"


def _line(c, doc_id, n):
    return c.raw_lines(doc_id)[n - 1]


def test_lexicon_has_the_three_themes():
    lex = themes.lexicon()
    assert lex.labels == {
        "hemloshet": "Hemlöshet",
        "vald_i_nara_relation": "Våld i nära relation",
        "forsorjningsstod": "Försörjningsstöd",
    }
    assert all(
        any(t.excluded and t.reason for t in lex.terms if t.theme == th)
        for th in themes.theme_ids()
    )


def test_tag_real_lines(real_corpus):
    # 004 lines 450–452: Strategi 4:4 on violence in close relationships.
    strategy = " ".join(_line(real_corpus, Q, n).strip() for n in (450, 451, 452))
    assert themes.tag(strategy) == ["vald_i_nara_relation"]
    # 003 line 121, a key-figure row on households with försörjningsstöd.
    assert themes.tag(_line(real_corpus, AR22, 121)) == ["forsorjningsstod"]
    # 003 line 379: evictions (vräkningar/avhysningar) are hemlöshet.
    found = themes.mentions(_line(real_corpus, AR22, 379))
    assert [(t, _line(real_corpus, AR22, 379)[s:e]) for t, _, s, e in found][:2] == [
        ("hemloshet", "vräkningar"),
        ("hemloshet", "avhysningar"),
    ]


def test_a_passage_can_have_several_themes(real_corpus):
    # 003 line 136: "… sociala boenden … stärka kvinnojourerna … försörjningsstöd …"
    assert themes.tag(_line(real_corpus, AR22, 136)) == [
        "forsorjningsstod",
        "hemloshet",
        "vald_i_nara_relation",
    ]


def test_matching_ignores_diacritics_so_damaged_ocr_still_matches():
    assert themes.tag("Antalet hushall med forsorjningsstod har okat") == ["forsorjningsstod"]
    assert themes.fold("Våld i nära relation") == "vald i nara relation"


def test_youth_crime_violence_is_excluded(real_corpus):
    from lib.text import structure

    # 001 lines 5340–5341: gang violence ("det grova våldet i kriminella miljöer", GVI).
    p = next(
        p
        for p in structure.iter_passages(real_corpus, GV)
        if p.line_start == 5340 and p.text.startswith("Utifrån att allt fler unga")
    )
    assert "det grova våldet i kriminella miljöer" in p.text
    assert themes.tag(p.text, p.context) == []
    # Even with a close-relation context the youth-crime rule keeps it out.
    assert themes.tag(p.text, context="Kriscentrum") == []
    assert themes.tag("Barn som upplevt våldet behöver stöd.", context="Kriscentrum") == [
        "vald_i_nara_relation"
    ]
    # 004 line 845: "Minskat skjutvapenvåld i gängmiljön" is an exclusion, reported as such.
    line = _line(real_corpus, Q, 845)
    assert themes.tag(line) == []
    assert [x[1] for x in themes.exclusions(line)] == ["skjutvapenvåld*"]


def test_threats_against_staff_and_bare_bistand_are_excluded(real_corpus):
    # 003 line 200: "risk för att utsättas för hot och våld" concerns staff safety.
    line = _line(real_corpus, AR22, 200)
    assert "vald_i_nara_relation" not in themes.tag(line)
    assert "hot och våld" in [x[1] for x in themes.exclusions(line)]
    # 004 line 707: "erbjuds på bistånd" is any SoL measure, not ekonomiskt bistånd.
    assert themes.tag(_line(real_corpus, Q, 707)) == []
    # 001 line 4224: äldreförsörjningsstöd is a pension benefit, not försörjningsstöd.
    assert themes.tag(_line(real_corpus, GV, 4224)) == []


def test_bare_vald_counts_in_a_close_relation_passage(real_corpus):
    # 004 lines 456–457, answer to "Arbetar verksamheten aktivt för att stoppa våld och förtryck?"
    text = "Förvaltningen arbetar aktivt för att förhindra alla former av våld."
    assert themes.tag(text) == []
    assert themes.tag(
        text, context="Arbetar verksamheten aktivt för att stoppa våld och förtryck?"
    ) == ["vald_i_nara_relation"]


def test_kwic_finds_real_lines(real_corpus):
    k = mentions.kwic("hemlös", real_corpus, width=30, doc_id=GV)
    assert list(k.columns) == mentions.KWIC_COLUMNS
    row = k[k["line"] == 3398].iloc[0]
    assert row["match"] == "hemlöshet" and row["part_id"] == "gv_boende_hemloshet"
    assert row["left"].endswith("Göteborgs Stads ") and row["section"] == "1 Inledning"
    assert "hemlös" in _line(real_corpus, GV, 3398).lower()
    for r in k.itertuples():  # every hit is on the raw line it names
        assert r.match[:6].lower() == "hemlös"
        assert r.match.lower() in _line(real_corpus, GV, r.line).lower()


def test_kwic_by_theme_and_errors(real_corpus):
    k = mentions.kwic(None, real_corpus, theme="vald_i_nara_relation", doc_id=Q)
    assert len(k) > 0 and every(k["doc_id"] == Q)
    assert 451 in set(k["line"])  # "våld i nära relation" in Strategi 4:4
    with pytest.raises(DataError):
        mentions.kwic(None, real_corpus)
    with pytest.raises(DataError):
        mentions.kwic("x", real_corpus, theme="nope")


def test_theme_prominence(real_corpus):
    df = mentions.theme_prominence(real_corpus)
    assert len(df) == 3 * len(real_corpus.parts())
    assert not df.duplicated(["doc_id", "part_id", "theme"]).any()
    row = df[(df["part_id"] == "gv_boende_hemloshet") & (df["theme"] == "hemloshet")].iloc[0]
    assert row["mentions"] > 30 and row["per_1000_words"] > 5
    assert row["per_1000_words"] == pytest.approx(1000 * row["mentions"] / row["words"], abs=1e-4)
    top = df[df["theme"] == "hemloshet"].sort_values("per_1000_words").iloc[-1]
    assert top["part_id"] == "gv_boende_hemloshet"
    arende = df[(df["part_id"] == "gv_arende")]
    assert every(arende["mentions"] == 0) and len(arende) == 3


def test_prominence_validates_against_schema(real_corpus):
    from lib.publish import registry

    df = mentions.tables(real_corpus)["theme_prominence"]
    checked = registry.validate("theme_prominence", df)
    # every part of every document, once per theme
    n_parts = sum(len(real_corpus.parts(d)) for d in real_corpus.doc_ids)
    assert len(checked) == n_parts * len(themes.theme_ids()) == len(df)
    with pytest.raises(DataError, match="theme"):
        registry.validate("theme_prominence", df.assign(theme="okänt"))


def test_bad_lexicon_is_a_data_error(tmp_path):
    bad = tmp_path / "themes.yml"
    bad.write_text(
        "themes:\n  - id: x\n    label: X\n    terms:\n      - pattern: a\n"
        "        requires: [nowhere]\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="unknown context set"):
        themes.load_lexicon(bad)
