"""Proposing and accepting observations (lib.curation: propose, sheet, accept).

Proposals are checked against real key-figure lines of the 2022 årsrapport, proposed as if
the report had never been curated. ``accept`` runs as the command line in a temporary copy
of the repository (lib and data copied to tmp_path): one accepted sheet adds its figure and
rebuilds; every error path names the sheet row in one line and leaves the files unchanged.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import repocopy
from checks import every

from benchmarks import propose as bench_propose
from lib import paths
from lib.curation import candidates, learning, proposal_inputs, propose, reading, sheet

ARS_2022 = "sn_centrum_arsrapport_2022"


@pytest.fixture(scope="module")
def ars_2022(held_out: Callable[[str], pd.DataFrame]) -> pd.DataFrame:
    """Proposals for the 2022 årsrapport, learned from the other reports only."""
    return held_out(ARS_2022)


def _at(frame: pd.DataFrame, line: int, value: float) -> pd.Series:
    rows = frame[(frame.line == line) & (frame.value.abs() == abs(value))]
    assert len(rows) == 1, f"expected one proposal at line {line} for {value}"
    return rows.iloc[0]


def test_key_figure_row_is_proposed_with_years_and_unit(ars_2022: pd.DataFrame) -> None:
    # line 121: "Antal hushåll med försörjningsstöd (stadsområde) | 1 791 | 1 694 | 1 470"
    for value, period in ((1791, "2020"), (1694, "2021"), (1470, "2022")):
        row = _at(ars_2022, 121, value)
        assert (row.unit, row.value_type, row.basis, row.period) == (
            "hushåll",
            "level",
            "utfall",
            period,
        )
        assert (row.theme, row.geography) == ("forsorjningsstod", "Centrum")
        assert row.raw.startswith("Antal hushåll med försörjningsstöd (stadsområde)")
        assert row.confidence > 0.5


def test_change_in_prose_gets_sign_period_and_indicator(ars_2022: pd.DataFrame) -> None:
    # line 140: "... antalet hushåll som får försörjningsstöd, dessa har minskat med 13 %
    # jämfört med föregående år" -- the indicator is learned from the delårsrapport 2024
    row = _at(ars_2022, 140, 13)
    assert (row.value, row.unit, row.value_type, row.period) == (
        -13,
        "procent",
        "change_pct",
        "2021/2022",
    )
    assert row.indicator == "fs_hushall_stadsomrade_forandring"
    assert row.new_indicator == ""


def test_target_row_of_table_gets_basis_mal(ars_2022: pd.DataFrame) -> None:
    # line 569: "Antal hushåll med försörjningsstöd | 1 791 | 1 694 | 1 472 | 1 648", the last
    # column is Målvärde 2022
    row = _at(ars_2022, 569, 1648)
    assert (row.basis, row.period, row.unit) == ("mal", "2022", "hushåll")


def test_number_words_are_candidates(tables: proposal_inputs.Tables) -> None:
    # gemensamma 2024 line 4216: "Förvaltningen har rekryterat fem" (socialsekreterare)
    frame = candidates.candidates(tables, "gemensamma_verksamheter_2024")
    row = frame[(frame.line == 4216) & (frame.value == 5)]
    assert list(row.source) == ["word"]


def test_sheet_is_sorted_by_confidence(ars_2022: pd.DataFrame) -> None:
    assert ars_2022.confidence.is_monotonic_decreasing
    assert list(ars_2022.columns) == list(propose.SHEET_COLUMNS)
    assert every(ars_2022.accept == "")


def test_held_out_includes_the_twin(tables: proposal_inputs.Tables) -> None:
    docs, parts = proposal_inputs.held_out(tables.documents, "sf_centrum_stadengemensam_2024")
    assert ("gemensamma_verksamheter_2024", "gv_stadengemensam") in parts
    assert "gemensamma_verksamheter_2024" not in docs  # its other parts stay in training
    docs, _ = proposal_inputs.held_out(tables.documents, "gemensamma_verksamheter_2024")
    assert "sf_centrum_stadengemensam_2024" in docs
    kept = proposal_inputs.training_observations(tables, "gemensamma_verksamheter_2024")
    assert not kept.doc_id.isin(
        ["gemensamma_verksamheter_2024", "sf_centrum_stadengemensam_2024"]
    ).any()
    kept = proposal_inputs.training_observations(tables, "sf_centrum_stadengemensam_2024")
    assert not (kept.part_id == "gv_stadengemensam").any()
    assert (kept.part_id == "gv_spink").any()


def test_exclude_curated_never_reads_the_reports_curation(
    tables: proposal_inputs.Tables, ars_2022: pd.DataFrame
) -> None:
    """Scrambling the held-out report's own curation changes nothing in its proposals."""
    obs = tables.observations.copy()
    own = obs.doc_id == ARS_2022
    obs.loc[own, "indicator"] = "fs_hushall_stadsomrade"
    obs.loc[own, "period"] = "1999"
    scrambled = tables.replace(observations=obs)
    again = propose.propose(ARS_2022, exclude_curated=True, tables=scrambled)
    pd.testing.assert_frame_equal(again, ars_2022)


def test_benchmark_scores_the_questionnaire(
    tables: proposal_inputs.Tables, held_out: Callable[[str], pd.DataFrame]
) -> None:
    doc = "sf_sydvast_trygghet_uppfoljning_2023"
    frame = held_out(doc)
    s = bench_propose.score(tables, doc, frame)
    # two curated figures: "har en person som" (line 517) and 10 % of e-ansökningar (525)
    assert (s.n, s.recalled) == (2, 2)
    assert s.proposals == len(frame)


DELAR_2024 = "sn_centrum_delarsrapport_2024_08"


@pytest.fixture(scope="module")
def delar_2024(held_out: Callable[[str], pd.DataFrame]) -> pd.DataFrame:
    """Proposals for the OCR'd delårsrapport 2024, learned from the other reports only."""
    return held_out(DELAR_2024)


def _indicators_at(frame: pd.DataFrame, line: int, value: float) -> set[str]:
    return set(frame[(frame.line == line) & (frame.value.abs() == abs(value))].indicator)


def test_two_subjects_of_one_figure_get_a_row_each(delar_2024: pd.DataFrame) -> None:
    # line 195: "Boende vuxna: Antalet boendedygn och nettokostnaden har minskat med 12
    # procent" -- the 2022 report curated a boendedygn and a nettokostnad change
    assert _indicators_at(delar_2024, 195, 12) == {
        "hem_boendedygn_vuxna_forandring",
        "hem_nettokostnad_boende_vuxna_forandring",
    }
    # one figure, one subject: one row
    assert len(delar_2024[(delar_2024.line == 139) & (delar_2024.value == -6.8)]) == 1


def test_respektive_gives_each_figure_its_subject(delar_2024: pd.DataFrame) -> None:
    # lines 161-163: "Försörjningsstöd etablering: Nettokostnaden och antal hushåll har
    # minskat med 18,6 procent respektive 15 procent" -- the lead names Etableringsenheten
    assert _indicators_at(delar_2024, 163, 18.6) == {"fs_nettokostnad_etablering_forandring"}
    assert _indicators_at(delar_2024, 163, 15) == {"fs_hushall_etablering_forandring"}
    row = _at(delar_2024, 163, 15)
    assert (row.value, row.geography, row.period) == (-15, "Etableringsenheten", "2024-01/2024-08")


def test_table_row_continuation_names_the_area(delar_2024: pd.DataFrame) -> None:
    # line 128-129: "Nettokostnad försörjningsstöd -18,6 % -5,6 %" / "etableringsenheten";
    # line 122-123: "Nettokostnad försörjningsstöd (exkl 8,2% 8,7 %" / "etableringsenheten)"
    assert _at(delar_2024, 128, 18.6).geography == "Etableringsenheten"
    assert _at(delar_2024, 128, 18.6).indicator == "fs_nettokostnad_etablering_forandring"
    assert _at(delar_2024, 122, 8.2).geography == "Centrum"  # Etableringsenheten excluded


def test_lead_of_paragraph_names_the_indicator(ars_2022: pd.DataFrame) -> None:
    # line 144: "Etableringsenheten: Nettokostnaden har minskat med 3,8 % för 2022 jämfört
    # med 2021" -- learned from the delårsrapport's table row and prose
    row = _at(ars_2022, 144, 3.8)
    assert (row.indicator, row.value, row.period) == (
        "fs_nettokostnad_etablering_forandring",
        -3.8,
        "2021/2022",
    )


def test_tfidf_and_logistic_regression_agree_with_scikit_learn(
    tables: proposal_inputs.Tables,
) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    model = learning.train(tables, ARS_2022)
    cands = reading.annotate(
        candidates.candidates(tables, ARS_2022),
        reading.doc_info(tables, ARS_2022),
        model.learned_units,
        model.geographies,
    )
    for channel in learning.CHANNELS:
        texts = cands[channel]
        ref = TfidfVectorizer(analyzer="char_wb", ngram_range=learning.NGRAMS, sublinear_tf=True)
        expected = ref.fit_transform(texts).toarray()
        mine = learning.Tfidf.fit(texts)
        assert mine.vocabulary == ref.vocabulary_
        assert abs(mine.idf - ref.idf_).max() < 1e-12
        assert abs(mine.transform(texts).toarray() - expected).max() < 1e-12
    # the confidence features of the 2022 report and whether each figure was curated
    x = learning._features(model, cands, model.examples, model.negatives)
    curated = {
        (o["line"], abs(o["value"]))
        for o in tables.observations[tables.observations.doc_id == ARS_2022].to_dict("records")
    }
    y = [int((r["line"], abs(float(r["value"]))) in curated) for r in cands.to_dict("records")]
    ref_p = (
        LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
        .fit(x, y)
        .predict_proba(x)[:, 1]
    )
    assert (
        abs(learning.Logistic.fit(x, pd.Series(y).to_numpy()).predict_proba(x)[:, 1] - ref_p).max()
        < 0.01
    )


def test_cache_gives_the_same_proposals_and_is_safe_to_delete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ars_2022: pd.DataFrame
) -> None:
    monkeypatch.setenv("GBG_CACHE_DIR", str(tmp_path / "cache"))
    first = propose.propose(ARS_2022, exclude_curated=True, tables=propose.load_tables())
    pd.testing.assert_frame_equal(first, ars_2022)
    assert list((tmp_path / "cache" / "propose-model").glob("*.pickle"))
    assert len(list((tmp_path / "cache" / "propose-candidates").glob("*.pickle"))) >= 4

    def computed(*_args: object) -> None:
        raise AssertionError("computed again instead of read from the cache")

    with monkeypatch.context() as m:
        m.setattr(learning, "_train", computed)
        m.setattr(candidates, "_candidates", computed)
        again = propose.propose(ARS_2022, exclude_curated=True, tables=propose.load_tables())
    pd.testing.assert_frame_equal(again, ars_2022)
    # Safe to delete: the first run above started from no cache and gave the same sheet.


def test_cache_key_follows_the_inputs(tmp_path: Path, tables: proposal_inputs.Tables) -> None:
    """A changed processed table gives a new key; tables given in memory are never cached."""
    copy = tmp_path / "processed"
    shutil.copytree(paths.PROCESSED_DIR, copy)
    same = propose.load_tables(copy)
    assert same.digest(tuple(proposal_inputs.TABLES)) == tables.digest(
        tuple(proposal_inputs.TABLES)
    )
    obs = pd.read_parquet(copy / "observations.parquet")
    obs.iloc[1:].to_parquet(copy / "observations.parquet")
    changed = propose.load_tables(copy)
    assert changed.digest(tuple(proposal_inputs.TABLES)) != tables.digest(
        tuple(proposal_inputs.TABLES)
    )
    # the candidates do not depend on the curation: their key stays
    kept = candidates._CANDIDATE_TABLES
    assert changed.digest(kept) == tables.digest(kept)
    assert tables.replace(observations=obs).digest(tuple(proposal_inputs.TABLES)) is None


def test_sheet_opens_well_in_excel(tmp_path: Path, ars_2022: pd.DataFrame) -> None:
    xlsx, csv = sheet.write(ars_2022.head(30), tmp_path / "p.xlsx")
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Förslag"]
    assert ws.freeze_panes == "C2"
    header = [c.value for c in ws[1]]
    assert header[0] == "accept" and "Förklaring" in wb.sheetnames
    value_col = header.index("value") + 1
    assert isinstance(ws.cell(2, value_col).value, int | float)
    assert ws.column_dimensions["A"].width >= 8
    back = sheet.read(csv)
    assert list(back.sheet_row[:2]) == [2, 3] and len(back) == 30
    assert not list(tmp_path.glob(".*.tmp"))


# ------------------------------------------------------------------ accept, in a copy


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory, built_repo: Path) -> Path:
    """A temporary copy of the session's built repository (tests/repocopy.py)."""
    root = tmp_path_factory.mktemp("repo") / "repo"
    shutil.copytree(built_repo, root)
    return root


@pytest.fixture
def accept_in(repo: Path, shared_cache: Path):  # noqa: ANN201
    """``python -m lib accept SHEET`` in the copy, with the session's cache."""
    return lambda sheet: repocopy.run(repo, shared_cache, "accept", str(sheet))


def _snapshot(repo: Path) -> dict[str, str]:
    files = list((repo / "data" / "curated").glob("*.yml"))
    files += list((repo / "data" / "curated" / "indicators").glob("*.yml"))
    return {str(f): f.read_text(encoding="utf-8") for f in files}


def _base_row(ars_2022: pd.DataFrame, line: int, value: float) -> dict:
    row = _at(ars_2022, line, value).to_dict()
    row["accept"] = "ja"
    return row


def _sheet(repo: Path, name: str, rows: list[dict]) -> Path:
    frame = pd.DataFrame(rows, columns=list(propose.SHEET_COLUMNS))
    xlsx, csv = sheet.write(frame, repo / name)
    return xlsx if name.endswith(".xlsx") else csv


@pytest.mark.slow
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"accept": "kanske"}, "accept 'kanske' is not a mark"),
        ({"raw": "Antal familjehemsplaceringar"}, "is not on line 130"),
        ({"value": 1234}, "cannot be read back"),
        ({"indicator": "fs_hushall_stadsomrade", "unit": "barn"}, "differ from the catalog"),
        ({"indicator": "fs_ny_indikator_utan_etikett", "label": ""}, "has no label"),
        ({"restatement_of": "ja"}, "restatement_of 'ja'; write same_figure"),
        ({"geography": "Etableringsenheten"}, "is given for the unit 'Etableringsenheten' here"),
    ],
)
def test_accept_error_names_row_and_merges_nothing(
    accept_in, repo: Path, ars_2022: pd.DataFrame, change: dict, expected: str
) -> None:
    good = {
        **_base_row(ars_2022, 130, 149),
        "indicator": "fs_barn_unga_familjehem_test",
        "label": "Antal barn och unga i familjehem",
        "new_indicator": "ja",
    }
    bad = {**good, **change}
    # the bad row comes second: the first (valid) row must not be merged either
    path = _sheet(repo, "fel.csv", [{**good, "value": 148, "period": "2021"}, bad])
    before = _snapshot(repo)
    result = accept_in(path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("error: fel.csv row 3: ") and expected in lines[0]
    assert _snapshot(repo) == before


@pytest.mark.slow
def test_accept_skips_already_curated(accept_in, repo: Path, ars_2022: pd.DataFrame) -> None:
    # line 121, 2022: curated as fs_hushall_stadsomrade 1 470 (utfall, Centrum)
    row = {**_base_row(ars_2022, 121, 1470), "indicator": "fs_hushall_stadsomrade"}
    path = _sheet(repo, "redan.xlsx", [row])
    before = _snapshot(repo)
    result = accept_in(path)
    assert result.returncode == 0, result.stderr
    assert "redan.xlsx row 2: already curated" in result.stdout
    assert _snapshot(repo) == before


@pytest.mark.slow
def test_accept_adds_observation_and_indicator_and_rebuilds(
    accept_in, repo: Path, ars_2022: pd.DataFrame
) -> None:
    # line 130: "Antal barn och unga i familjehem | 144 | 148 | 149" is not curated
    row = {
        **_base_row(ars_2022, 130, 149),
        "indicator": "fs_barn_unga_familjehem_test",
        "label": "Antal barn och unga i familjehem",
        "theme": "forsorjningsstod",
        "note": "Test: antagen från förslagsarket.",
    }
    path = _sheet(repo, "forslag.xlsx", [row])
    before = _snapshot(repo)
    result = accept_in(path)
    assert result.returncode == 0, result.stderr
    assert "accepted 1 row(s), 1 new indicator(s)" in result.stdout
    after = _snapshot(repo)
    changed = [f for f in after if after[f] != before.get(f)]
    assert len(changed) == 2
    for f in changed:  # appended: comments and earlier entries untouched
        assert after[f].startswith(before[f])
    obs = pd.read_parquet(repo / "data" / "processed" / "observations.parquet")
    new = obs[obs.indicator == "fs_barn_unga_familjehem_test"]
    assert len(new) == 1
    got = new.iloc[0]
    assert (got.value, got.period, got.unit, got.line, got.doc_id) == (
        149.0,
        "2022",
        "barn",
        130,
        ARS_2022,
    )
    assert got.note == "Test: antagen från förslagsarket."
    catalog = pd.read_parquet(repo / "data" / "processed" / "indicators.parquet")
    assert "Antal barn och unga i familjehem" in set(catalog.label)
    new_entry = catalog[catalog.id == "fs_barn_unga_familjehem_test"]
    assert list(new_entry.scope) == ["stadsområde"]  # the scope of its figure (Centrum)


def test_accept_waits_while_another_accept_holds_the_curated_files(
    tmp_path: Path, ars_2022: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two accepts at once would both append and one could undo the other: while another
    holds data/curated (a copy here; the lock is held by the test) the second says it
    waits and writes nothing, then appends to the files as they are."""
    import threading
    import time

    from lib.core import runs
    from lib.curation import accept, observations
    from lib.curation.catalog import CATALOG_DIR, load_catalog

    curated = tmp_path / "curated"
    shutil.copytree(observations.CURATED_DIR, curated, ignore=shutil.ignore_patterns("proposed"))
    catalog = curated / CATALOG_DIR.name
    row = {
        **_base_row(ars_2022, 130, 148),
        "period": "2021",
        "indicator": "fs_barn_unga_familjehem_vantar",
        "theme": "forsorjningsstod",
        "label": "Antal barn och unga i familjehem",
        "new_indicator": "ja",
    }
    p = accept.plan(_sheet(tmp_path, "vantar.csv", [row]), curated, catalog)
    before = {f: f.read_bytes() for f in curated.rglob("*.yml")}
    written: list[list[Path]] = []
    with runs.exclusive(curated, "test"):
        waiting = threading.Thread(target=lambda: written.append(accept.apply(p, curated, catalog)))
        waiting.start()
        deadline = time.monotonic() + 30
        while "waiting: another accept" not in capsys.readouterr().err:
            assert time.monotonic() < deadline, "the second accept did not wait"
            time.sleep(0.05)
        assert {f: f.read_bytes() for f in curated.rglob("*.yml")} == before and not written
    waiting.join(timeout=60)
    [files] = written
    assert len(files) == 2 and all(f.read_bytes().startswith(before[f]) for f in files)
    got = observations.curated_observations(curated_dir=curated, catalog=load_catalog(catalog))
    new = got[got.indicator == "fs_barn_unga_familjehem_vantar"]
    assert list(zip(new.value, new.period, new.line, strict=True)) == [(148.0, "2021", 130)]
