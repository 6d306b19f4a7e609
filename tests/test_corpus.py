"""The raw corpus: manifest ⇔ files, checksums, parts, robust reading and every error path."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lib import paths
from lib.errors import (
    ChecksumError,
    DataError,
    ManifestError,
    MissingFileError,
    TextDecodeError,
    UnknownDocumentError,
)
from lib.sources import corpus

JOINT = "gemensamma_verksamheter_2024"


def _edit_manifest(raw: Path, edit) -> None:
    path = raw / "manifest.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _doc(data: dict, doc_id: str) -> dict:
    return next(d for d in data["documents"] if d["doc_id"] == doc_id)


def _set_file(raw: Path, name: str, content: bytes) -> None:
    """Replace a raw file and update its manifest checksum, so only the content is at fault."""
    (raw / name).write_bytes(content)

    def edit(data):
        row = next(d for d in data["documents"] if d["file"] == name)
        row["sha256"] = hashlib.sha256(content).hexdigest()
        row.pop("parts", None)

    _edit_manifest(raw, edit)


# ---------------------------------------------------------------- the real data


def test_manifest_lists_exactly_the_files_in_data_raw(real_corpus):
    on_disk = {
        p.name
        for p in paths.RAW_DIR.iterdir()
        if p.name != "manifest.yml" and not p.name.startswith(".")
    }
    listed = {f for d in real_corpus.documents for f in (d.file, d.pdf) if f}
    assert on_disk == listed


def test_checksums_hold(real_corpus):
    for d in real_corpus.documents:
        assert corpus.sha256_file(paths.RAW_DIR / d.file) == d.sha256


def test_five_documents_with_expected_metadata(real_corpus):
    docs = real_corpus.documents_frame().set_index("doc_id")
    assert len(docs) == 5
    assert sorted(docs.index[docs.text_quality == "ocr"]) == [
        "sf_centrum_stadengemensam_2024",
        "sn_centrum_delarsrapport_2024_08",
    ]
    assert docs.loc["sn_centrum_arsrapport_2022", "year"] == 2022
    assert docs.loc["sn_centrum_delarsrapport_2024_08", "period_end"] == "2024-08-31"
    assert docs.loc[JOINT, "report_type"] == "ärende"


def test_joint_file_parts_cover_it_in_order_without_overlap(real_corpus):
    parts = real_corpus.parts(JOINT)
    assert len(parts) == 7
    assert parts[0].line_start == 1
    for before, after in zip(parts, parts[1:], strict=False):
        assert after.line_start == before.line_end + 1
    assert parts[-1].line_end == len(real_corpus.raw_lines(JOINT))


@pytest.mark.parametrize(
    "part_id, line, text",
    [
        ("gv_arende", 1, "Ärendet"),
        ("gv_efk", 53, "1 Inledning"),
        ("gv_digitalisering", 610, "1 Årsrapport 2024 - Integrerad"),
        ("gv_spink", 807, "Socialförvaltningen Sydväst"),
        ("gv_sku", 3092, "Inledning"),
        ("gv_boende_hemloshet", 3396, "1. Inledning"),
        ("gv_stadengemensam", 3742, "Inledning"),
    ],
)
def test_first_line_of_each_part_is_what_the_manifest_says(real_corpus, part_id, line, text):
    part = real_corpus.part(JOINT, part_id)
    assert part.line_start == line
    assert part.first_line == text
    assert real_corpus.raw_lines(JOINT)[line - 1].strip() == text


def test_ocr_twin_is_recorded(real_corpus):
    doc = real_corpus.document("sf_centrum_stadengemensam_2024")
    assert (doc.twin_doc_id, doc.twin_part_id) == (JOINT, "gv_stadengemensam")
    table = real_corpus.parts_frame().set_index("part_id")
    assert table.loc["gv_stadengemensam", "same_report_as"].startswith(
        "sf_centrum_stadengemensam_2024"
    )
    # Both renderings end with the same sentence.
    assert real_corpus.raw_lines(JOINT)[5373].strip() == "deltog 3034 personer."
    assert real_corpus.raw_lines("sf_centrum_stadengemensam_2024")[-2] == "deltog 3034 personer."


def test_lines_carry_raw_line_numbers(real_corpus):
    lines = real_corpus.lines(JOINT, "gv_boende_hemloshet")
    assert lines.line.iloc[0] == 3396
    assert lines.line.iloc[-1] == 3741
    assert lines.set_index("line").loc[3396, "text"].strip() == "1. Inledning"
    assert real_corpus.part_of_line(JOINT, 3742) == "gv_stadengemensam"
    whole = real_corpus.lines("sn_centrum_arsrapport_2022")
    assert whole.set_index("line").loc[5, "text"] == "Årsrapport 2022"


# ---------------------------------------------------------------- robust reading


def test_bom_and_crlf_give_the_same_lines():
    text = "Första raden\nAndra 23 315 kr\n"
    plain = corpus.split_lines(corpus.decode_text(text.encode(), "x"))
    crlf = corpus.split_lines(
        corpus.decode_text(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(), "x")
    )
    assert plain == crlf == ["Första raden", "Andra 23 315 kr"]


def test_only_line_feeds_split_lines():
    assert corpus.split_lines("a\x0cb\u2028c\nd") == ["a\x0cb\u2028c", "d"]


def test_bom_and_crlf_file_loads_and_verifies(raw_copy):
    name = "2023_sf_sydvast_trygghetsprogram_uppfoljning.txt"
    original = (raw_copy / name).read_bytes()
    _set_file(raw_copy, name, b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n"))
    c = corpus.Corpus(raw_copy)
    real = corpus.load()
    doc = "sf_sydvast_trygghet_uppfoljning_2023"
    assert c.raw_lines(doc) == real.raw_lines(doc)


# ---------------------------------------------------------------- error paths


def test_missing_file_is_named(raw_copy):
    (raw_copy / "2022_sn_centrum_arsrapport.txt").unlink()
    with pytest.raises(MissingFileError, match="2022_sn_centrum_arsrapport.txt.*missing"):
        corpus.Corpus(raw_copy)


def test_checksum_mismatch_names_file_expected_and_actual(raw_copy):
    path = raw_copy / "2022_sn_centrum_arsrapport.txt"
    path.write_bytes(path.read_bytes() + b"x")
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(ChecksumError) as info:
        corpus.Corpus(raw_copy)
    msg = str(info.value)
    assert "2022_sn_centrum_arsrapport.txt" in msg
    assert "a1abafa40b2bc2fe47df63a1f23e89a5e667b8f66e1bdfa808fa4327cc65938c" in msg
    assert actual in msg


def test_unknown_doc_id_lists_the_valid_ones(real_corpus):
    with pytest.raises(UnknownDocumentError) as info:
        real_corpus.lines("arsrapport_2099")
    for doc_id in real_corpus.doc_ids:
        assert doc_id in str(info.value)
    with pytest.raises(UnknownDocumentError, match="gv_spink"):
        real_corpus.part(JOINT, "gv_nope")


def test_empty_file_is_refused(raw_copy):
    _set_file(raw_copy, "2022_sn_centrum_arsrapport.txt", b"")
    with pytest.raises(TextDecodeError, match="2022_sn_centrum_arsrapport.txt: the file is empty"):
        corpus.Corpus(raw_copy)


def test_undecodable_file_is_refused(raw_copy):
    latin1 = "Försörjningsstöd ökade".encode("latin-1")
    _set_file(raw_copy, "2022_sn_centrum_arsrapport.txt", latin1)
    with pytest.raises(TextDecodeError, match="not valid UTF-8.*re-save the file as UTF-8"):
        corpus.Corpus(raw_copy)


def test_binary_file_is_refused(raw_copy):
    _set_file(raw_copy, "2022_sn_centrum_arsrapport.txt", b"%PDF-1.7\x00\x01\x02")
    with pytest.raises(TextDecodeError, match="binary"):
        corpus.Corpus(raw_copy)


@pytest.mark.parametrize("field", ["sha256", "period_start", "district", "title"])
def test_manifest_row_missing_field(raw_copy, field):
    _edit_manifest(raw_copy, lambda d: _doc(d, "sn_centrum_arsrapport_2022").pop(field))
    with pytest.raises(ManifestError, match=f"sn_centrum_arsrapport_2022.*missing field.*{field}"):
        corpus.Corpus(raw_copy)


def test_manifest_bad_value_lists_allowed(raw_copy):
    _edit_manifest(
        raw_copy, lambda d: _doc(d, "sn_centrum_arsrapport_2022").update(district="Majorna")
    )
    with pytest.raises(ManifestError, match="district='Majorna'.*Centrum"):
        corpus.Corpus(raw_copy)


def test_overlapping_parts_are_refused(raw_copy):
    _edit_manifest(raw_copy, lambda d: _doc(d, JOINT)["parts"][1].update(line_end=620))
    with pytest.raises(ManifestError, match="gv_digitalisering.*overlapping"):
        corpus.Corpus(raw_copy)


def test_part_past_end_of_file_is_refused(raw_copy):
    _edit_manifest(raw_copy, lambda d: _doc(d, JOINT)["parts"][-1].update(line_end=6000))
    with pytest.raises(ManifestError, match="gv_stadengemensam.*past the end.*5375 lines"):
        corpus.Corpus(raw_copy)


def test_wrong_first_line_is_refused(raw_copy):
    _edit_manifest(raw_copy, lambda d: _doc(d, JOINT)["parts"][3].update(line_start=808))
    with pytest.raises(ManifestError, match="gv_spink.*line 808"):
        corpus.Corpus(raw_copy)


def test_invalid_yaml_is_refused(raw_copy):
    (raw_copy / "manifest.yml").write_text("documents: [\n  - doc_id: x\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="not valid YAML"):
        corpus.Corpus(raw_copy)


def test_all_errors_are_data_errors():
    for exc in (
        ManifestError,
        MissingFileError,
        ChecksumError,
        UnknownDocumentError,
        TextDecodeError,
    ):
        assert issubclass(exc, DataError)


@pytest.mark.slow
def test_command_line_prints_one_line_and_no_traceback(raw_copy):
    (raw_copy / "2022_sn_centrum_arsrapport.txt").unlink()
    result = subprocess.run(
        [sys.executable, "-m", "lib", "check", "--raw-dir", str(raw_copy)],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ") and "2022_sn_centrum_arsrapport.txt" in result.stderr


def test_vocabulary_comes_from_the_manifest(real_corpus):
    v = real_corpus.vocabulary
    assert v.city == "Göteborg"
    assert v.districts == ("Centrum", "Hisingen", "Nordost", "Sydväst")
    assert "delårsrapport" in v.report_types


def test_new_district_is_accepted_once_the_vocabulary_lists_it(raw_copy):
    def edit(d):
        d["vocabulary"]["districts"].append("Majorna")
        _doc(d, "sn_centrum_arsrapport_2022").update(district="Majorna")

    _edit_manifest(raw_copy, edit)
    c = corpus.Corpus(raw_copy)
    assert c.document("sn_centrum_arsrapport_2022").district == "Majorna"


def test_missing_vocabulary_is_refused(raw_copy):
    _edit_manifest(raw_copy, lambda d: d.pop("vocabulary"))
    with pytest.raises(ManifestError, match="vocabulary"):
        corpus.Corpus(raw_copy)
