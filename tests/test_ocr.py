"""OCR repair (lib.ocr): real damaged lines of both OCR'd reports and their correct forms.

Expected forms of sf_centrum_stadengemensam_2024 lines are those of its clean twin
(gemensamma_verksamheter_2024, part gv_stadengemensam); those of the delårsrapport were
written by hand from reading the report.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from lib import bench, corpus, ocr, paths
from lib.errors import TextDecodeError

OCR_000 = "sf_centrum_stadengemensam_2024"
OCR_002 = "sn_centrum_delarsrapport_2024_08"


@pytest.fixture(scope="module")
def c() -> corpus.Corpus:
    return corpus.load()


@pytest.fixture(scope="module")
def fixed(c):
    """Both OCR'd reports repaired once (loads the lexicon once for the module)."""
    return {d: ocr.repair_with_log(c.raw_lines(d)) for d in (OCR_000, OCR_002)}


def _line(fixed, doc_id: str, line: int) -> str:
    return fixed[doc_id][0][line - 1]


@pytest.mark.parametrize(("line", "expected"), [
    (3, "De stadenövergripande uppdragen och verksamheterna styrs på olika sätt beroende på"),
    (4, "grunden för uppdraget. För merparten av de verksamheter där det finns avtal med andra"),
    (36, "relationsvåldsområdet. Vi har genom avtal med bland annat Göteborgsregionen (GR),"),
    (38, "erhålla statliga medel till vissa verksamheter. Vi har ökat resurserna till "
         "Socialjouren då vi"),
    (96, "förebyggande arbete där socialtjänsten tidigt kan erbjuda stöd och hjälp till den "
         "unge och"),
    (102, "antal ungdomar från Göteborg som åkt till Stockholm eller andra som kommit hit för att"),
    (1043, " Kriscentrum för män har träffat 265 personer (340 år 2023) och har genomfört 1857"),
])
def test_real_lines_of_the_city_wide_report(fixed, line, expected):
    assert _line(fixed, OCR_000, line) == expected


@pytest.mark.parametrize(("line", "expected"), [
    (3, "Förvaltningen arbetar för att Göteborg ska vara en jämlik och trygg stad där alla"),
    (13, "Kommunfullmäktiges övergripande mål gäller för mandatperioden och"),
    (27, "minskat och förvaltningen bedömer att tillgången till familjerådgivning är säkrad."),
    (153, "Försörjningsstöd stadsområde: Antalet hushåll bedöms öka med 2,7 procent"),
    (154, "jämfört med föregående år. I takt med att pensionsåldern höjs, dröjer det innan"),
    (315, "implementering av Göteborgs Stads plan för arbetet mot våld i nära relationer."),
    (448, "i hemlöshet och undersöka nya innovativa boendelösningar för studenter. Detta kan"),
    (951, "I det här avsnittet lämnar förvaltningen fördjupad information till nämnden."),
])
def test_real_lines_of_the_delarsrapport(fixed, line, expected):
    assert _line(fixed, OCR_002, line) == expected


def test_homographs_decided_by_context(fixed):
    # 000 line 1005: "(560 &r 2023)" is a year; line 1042: "min som utsatts for vald" -> män, våld
    assert "(560 år 2023)" in _line(fixed, OCR_000, 1005)
    assert "både män som utsatts för våld" in _line(fixed, OCR_000, 1042)
    # 000 line 196: "&r nu implementerat" is the verb
    assert "LOSA! är nu implementerat även" in _line(fixed, OCR_000, 196)
    # här/har: "| det h&r avsnittet" (002 line 259) but "Vi har" stays
    assert _line(fixed, OCR_002, 259).startswith("I det här avsnittet")
    assert ocr.repair_lines(["Vi har arbetat med att sa manga som mojligt far stod."]) == [
        "Vi har arbetat med att så många som möjligt får stöd."]


def test_proper_names_and_abbreviations(fixed):
    assert _line(fixed, OCR_000, 319) == (
        "(Överförmyndare i Samverkan Mölndal, Partille, Öckerö, Härryda och Kungsbacka).")
    assert "Jämställdhetsmyndigheten (JAMY) och Länsstyrelsen i Västra Götalands län" in (
        _line(fixed, OCR_000, 37))
    line = "lagen (SoL), lagen om vard av unga (LVU), IFO och HVB i Goteborg 2024"
    assert ocr.repair_lines([line]) == [
        "lagen (SoL), lagen om vård av unga (LVU), IFO och HVB i Göteborg 2024"]


def test_compounds_split_into_known_parts():
    assert ocr.repair_lines(["inom relationsvaldsomradet och for forsorjningsstodshushall"]) == [
        "inom relationsvåldsområdet och för försörjningsstödshushåll"]


def test_line_count_and_whitespace_preserved(c, fixed):
    for doc_id in (OCR_000, OCR_002):
        raw = c.raw_lines(doc_id)
        out = fixed[doc_id][0]
        assert len(out) == len(raw)
        for a, b in zip(raw, out, strict=True):
            assert len(a.split()) == len(b.split())
            assert [ch for ch in a if ch.isspace()] == [ch for ch in b if ch.isspace()]
    assert ocr.repair_lines(["  pa  ", "", "\t&r\t"]) == ["  på  ", "", "\tär\t"]
    assert ocr.repair_lines([]) == []


def test_change_log_matches_lines(c, fixed):
    raw = c.raw_lines(OCR_000)
    out, changes = fixed[OCR_000]
    assert len(changes) > 3000
    first = changes[0]
    assert (first.line, first.before, first.after) == (3, "stadenodvergripande",
                                                       "stadenövergripande")
    for ch in changes[:500]:
        assert ch.before in raw[ch.line - 1] and ch.after in out[ch.line - 1] and ch.reason


def test_clean_reports_stay_clean(c):
    changed = total = 0
    for d in c.documents:
        if d.text_quality == "clean":
            lines = c.raw_lines(d.doc_id)
            ch, n = bench.changed_share(lines, ocr.repair_lines(lines))
            changed, total = changed + ch, total + n
    assert total > 50_000
    assert changed / total < 0.001


def test_deterministic(c):
    lines = c.raw_lines(OCR_002)[:300]
    assert ocr.repair_lines(lines) == ocr.repair_lines(list(lines))


def test_repair_document_frame(c):
    lines, frame = ocr.repair_document(c, OCR_002)
    assert len(lines) == len(c.raw_lines(OCR_002))
    assert list(frame.columns) == ["doc_id", "line", "before", "after", "reason"]
    assert set(frame["doc_id"]) == {OCR_002}
    row = frame[(frame["line"] == 153) & (frame["before"] == "Forsorjningsstod")]
    assert row["after"].tolist() == ["Försörjningsstöd"]
    clean_lines, clean_frame = ocr.repair_document(c, "sn_centrum_arsrapport_2022")
    assert clean_lines == c.raw_lines("sn_centrum_arsrapport_2022") and clean_frame.empty


def test_read_lines_bad_input(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert ocr.read_lines(empty) == []
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Vi har ökat stödet\n".encode("cp1252"))
    assert ocr.read_lines(latin) == ["Vi har ökat stödet"]
    assert "cp1252" in capsys.readouterr().err
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(TextDecodeError, match="binary"):
        ocr.read_lines(binary)
    with pytest.raises(TextDecodeError, match="no such file"):
        ocr.read_lines(tmp_path / "missing.txt")


def test_cli_repair(tmp_path):
    src = paths.RAW_DIR / "2024_sn_centrum_delarsrapport_augusti_ocr.txt"
    log = tmp_path / "changes.csv"
    res = subprocess.run([sys.executable, "-m", "lib", "repair", str(src), "--changes", str(log)],
                         capture_output=True, text=True, check=False, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    out = res.stdout.split("\n")
    n_raw = len(corpus.split_lines(src.read_text(encoding="utf-8")))
    assert out[-1] == "" and len(out) - 1 == n_raw == 2041
    assert out[152] == "Försörjningsstöd stadsområde: Antalet hushåll bedöms öka med 2,7 procent"
    assert log.read_text(encoding="utf-8").startswith("line,before,after,reason\n")
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02")
    res = subprocess.run([sys.executable, "-m", "lib", "repair", str(binary)],
                         capture_output=True, text=True, check=False, cwd=tmp_path)
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.count("\n") == 1 and "binary" in res.stderr
