"""Accepting a review sheet checks its rows as a set, in line order, and validates the whole
merged curation before anything is written (lib.curation.accept, accept_set).

Two kinds of test:

* the round trip of every report: propose it as if it had never been curated
  (``--exclude-curated``), mark ``ja`` every proposal that matches a curated figure (same
  line and value, as ``benchmarks/propose.py`` matches them) with the cells an analyst
  corrects it to (the curated reading), accept the sheet — in the order propose wrote it,
  by confidence — into a copy of data/curated without the report's curation: it must
  succeed and give back the curated figures;
* sheets made by the test (fixtures: rows as propose writes them, at real lines of the
  2022 årsrapport, under indicator ids the catalog does not have), accepted into a copy
  of data/curated: repeats, contradictions and clashes on one line, each refusal naming
  the sheet row with a fix that works when followed.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import repocopy
import yaml

from benchmarks import propose as bench_propose
from lib.curation import accept, observations, proposal_inputs, propose, sheet
from lib.curation.catalog import load_catalog
from lib.errors import DataError
from lib.sources import corpus

ARS_2022 = "sn_centrum_arsrapport_2022"
# The cells an analyst corrects a proposal to; the curated reading of the figure.
_READING = (
    "indicator",
    "period",
    "geography",
    "basis",
    "value",
    "qualifier",
    "unit",
    "value_type",
    "restatement_of",
    "note",
    "theme",
)
_FIGURE = ["indicator", "period", "geography", "basis", "value", "qualifier", "line"]


def _cell(value: object) -> object:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else value


def reviewed_sheet(
    tables: proposal_inputs.Tables, proposed: pd.DataFrame, doc_id: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The report's proposals (``--exclude-curated``) with ``ja`` on the best proposal of each
    curated figure, corrected to the curated reading; in propose's order. Also the curated
    figures (at their line in this rendering)."""
    proposals, gold, matches = _matched(tables, proposed, doc_id)
    rows = []
    for best, g in matches:
        row = {**proposals.iloc[best].to_dict(), "accept": "ja"}
        row.update({f: _cell(g[f]) for f in _READING})
        if g["doc_id"] == doc_id:  # the OCR rendering keeps its own line's text
            row["raw"] = g["raw"]
        rows.append((best, row))
    ordered = [row for _, row in sorted(rows, key=lambda br: br[0])]
    return pd.DataFrame(ordered, columns=list(propose.SHEET_COLUMNS)), gold


def _matched(
    tables: proposal_inputs.Tables, proposed: pd.DataFrame, doc_id: str
) -> tuple[pd.DataFrame, pd.DataFrame, list[tuple[int, dict]]]:
    """The report's proposals, its curated figures, and for each curated figure the rank of
    the proposal that matches it best (as ``benchmarks/propose.py`` picks it)."""
    proposals = proposed.reset_index(drop=True)
    gold = bench_propose.curated_of(tables, doc_id)
    ranks: dict[tuple[int, float], list[int]] = {}
    for rank, r in enumerate(proposals.to_dict("records")):
        ranks.setdefault((int(r["line"]), abs(float(r["value"]))), []).append(rank)
    matches = []
    for g in gold.to_dict("records"):
        found = ranks.get((int(g["at_line"]), abs(float(g["value"]))), [])
        assert found, f"{doc_id} line {g['at_line']}: curated {g['value']} is not proposed"
        matches.append(
            (max(found, key=lambda k: bench_propose._agreement(proposals.iloc[k], g)), g)
        )
    return proposals, gold, matches


def curation_without(tables: proposal_inputs.Tables, doc_id: str, target: Path) -> Path:
    """A copy of data/curated without the report's curated figures (for an OCR rendering:
    the figures its twin's lines are curated for), and without data tests that would then
    have nothing to test."""
    shutil.copytree(observations.CURATED_DIR, target, ignore=shutil.ignore_patterns("proposed"))
    obs = tables.observations
    own = set(
        obs[(obs.doc_id == doc_id) | (obs.ocr_doc_id == doc_id)][["doc_id", "line"]].itertuples(
            index=False, name=None
        )
    )
    left: set[tuple] = set()  # (indicator, period, geography, basis) still curated
    for path in target.glob("observations_*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["observations"] = [
            o for o in data["observations"] if (o["doc_id"], o["line"]) not in own
        ]
        left |= {
            (o["indicator"], str(o["period"]), o["geography"], o["basis"])
            for o in data["observations"]
        }
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    path = target / "consistency.yml"
    checks = yaml.safe_load(path.read_text(encoding="utf-8"))
    checks["sums"] = [
        s
        for s in checks["sums"]
        if all(
            (i, str(period), s["geography"], s.get("basis", "utfall")) in left
            for i in (s["total"], *s["parts"])
            for period in s["periods"]
        )
    ]
    path.write_text(yaml.safe_dump(checks, allow_unicode=True, sort_keys=False), "utf-8")
    return target


def _figures(frame: pd.DataFrame) -> list[tuple]:
    rows = frame[_FIGURE].astype(object).where(frame[_FIGURE].notna(), None)
    return sorted(rows.itertuples(index=False, name=None), key=repr)


@pytest.mark.parametrize("doc_id", [d.doc_id for d in corpus.load().documents])
def test_every_report_round_trips(tables, held_out, tmp_path: Path, doc_id: str) -> None:
    reviewed, gold = reviewed_sheet(tables, held_out(doc_id), doc_id)
    assert len(reviewed) == len(gold) > 0
    curated = curation_without(tables, doc_id, tmp_path / "curated")
    path = sheet.write(reviewed, tmp_path / "granskat.xlsx")[0]
    plan = accept.plan(path, curated, curated / "indicators")
    accept.apply(plan, curated, curated / "indicators")
    assert plan.accepted == len(gold)
    got = observations.curated_observations(curated, load_catalog(curated / "indicators"))
    got = got[got.doc_id == doc_id]
    expected = gold.assign(line=gold.at_line)
    assert _figures(got) == _figures(expected)
    assert sorted(got.restatement_of.fillna("")) == sorted(gold.restatement_of.fillna(""))


@pytest.mark.parametrize("doc_id", [d.doc_id for d in corpus.load().documents])
def test_matched_proposals_as_written_are_merged_or_refused_by_row(
    tables, held_out, tmp_path: Path, doc_id: str
) -> None:
    """Marked ``ja`` without correcting a cell, the proposals either merge into a curation
    that validates as the build validates it, or the first wrong one is refused in one line
    naming its sheet row; nothing is half-written."""
    proposals, gold, matches = _matched(tables, held_out(doc_id), doc_id)
    rows = proposals.iloc[sorted({best for best, _ in matches})].assign(accept="ja")
    curated = curation_without(tables, doc_id, tmp_path / "curated")
    before = {p: p.read_bytes() for p in curated.rglob("*.yml")}
    path = sheet.write(rows, tmp_path / "som_foreslaget.xlsx")[0]
    try:
        plan = accept.plan(path, curated, curated / "indicators")
    except DataError as exc:
        assert re.match(r"som_foreslaget\.xlsx row \d+: \S", str(exc)), exc
        assert "\n" not in str(exc)
        assert {p: p.read_bytes() for p in curated.rglob("*.yml")} == before
        return
    accept.apply(plan, curated, curated / "indicators")
    got = observations.curated_observations(curated, load_catalog(curated / "indicators"))
    assert (got.doc_id == doc_id).sum() == plan.accepted > 0


@pytest.mark.slow
def test_the_command_round_trips_a_report_and_rebuilds(
    tables, held_out, tmp_path: Path, built_repo: Path, shared_cache: Path
) -> None:
    """``python -m lib accept`` in a copy of the repository without the curation of the report
    with the most restatements: it accepts the reviewed sheet and the rebuilt observations
    table holds the curated figures."""
    obs = tables.observations
    doc_id = obs[obs.restatement_of.notna()].doc_id.value_counts().index[0]
    reviewed, gold = reviewed_sheet(tables, held_out(doc_id), doc_id)
    root = tmp_path / "repo"
    shutil.copytree(built_repo, root)
    shutil.rmtree(root / "data" / "curated")
    curation_without(tables, doc_id, root / "data" / "curated")
    path = sheet.write(reviewed, root / "granskat.xlsx")[0]
    result = repocopy.run(root, shared_cache, "accept", str(path))
    assert result.returncode == 0, result.stderr
    assert f"accepted {len(gold)} row(s), 0 new indicator(s)" in result.stdout
    built = pd.read_parquet(root / "data" / "processed" / "observations.parquet")
    assert _figures(built[built.doc_id == doc_id]) == _figures(gold)


# ------------------------------------------------------------------ sheets made by the test


@pytest.fixture
def curated(tmp_path: Path) -> Path:
    target = tmp_path / "curated"
    shutil.copytree(observations.CURATED_DIR, target, ignore=shutil.ignore_patterns("proposed"))
    return target


def _row(c: corpus.Corpus, line: int, value: float, period: str, **cells: object) -> dict:
    """A sheet row as propose writes it, at a real line of the 2022 årsrapport, for a new
    indicator of households (``fs_test_…``)."""
    row = dict.fromkeys(propose.SHEET_COLUMNS, "")
    row.update(
        accept="ja",
        doc_id=ARS_2022,
        line=line,
        raw=c.raw_lines(ARS_2022)[line - 1].strip(),
        value=value,
        unit="hushåll",
        value_type="level",
        basis="utfall",
        period=period,
        geography="Centrum",
        theme="forsorjningsstod",
        indicator="fs_test_hushall",
        label="Antal hushåll (test)",
        definition="Antal hushåll med försörjningsstöd i stadsområdet (testindikator).",
        new_indicator="ja",
    )
    row.update(cells)
    return row


def _accept(curated: Path, tmp_path: Path, rows: list[dict]) -> accept.Plan:
    path = sheet.write(pd.DataFrame(rows), tmp_path / "ark.xlsx")[0]
    plan = accept.plan(path, curated, curated / "indicators")
    accept.apply(plan, curated, curated / "indicators")
    return plan


def _added(curated: Path, indicator: str = "fs_test_hushall") -> pd.DataFrame:
    got = observations.curated_observations(curated, load_catalog(curated / "indicators"))
    return got[got.indicator == indicator].sort_values("line")


def _files(curated: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in curated.rglob("*.yml")}


def test_a_repeat_sorted_before_its_first_statement_is_accepted(c, curated, tmp_path) -> None:
    # lines 373 and 394 both give 1 426 ärenden for 2021; the sheet lists the repeat first,
    # once marked as propose marks it and once unmarked
    cells = dict(unit="ärenden", label="Antal ärenden (test)", indicator="fs_test_arenden")
    repeat = _row(c, 394, 1426, "2021", restatement_of="same_figure", **cells)
    plan = _accept(curated, tmp_path, [repeat, _row(c, 373, 1426, "2021", **cells)])
    got = _added(curated, "fs_test_arenden")
    assert plan.accepted == 2 and list(got.line) == [373, 394]
    assert list(got.restatement_of.fillna("")) == ["", "same_figure"]
    # unmarked, the later line becomes the restatement, and the sheet is told so
    repeat = _row(c, 394, 1336, "2022", **cells)
    plan = _accept(curated, tmp_path, [repeat, _row(c, 373, 1336, "2022", **cells)])
    assert plan.accepted == 2
    assert any(
        "row 2: restates" in m and "restatement_of set to same_figure" in m for m in plan.skipped
    )


def test_a_contradiction_is_refused_until_the_row_says_so(c, curated, tmp_path) -> None:
    # line 121 gives 1 470 households for 2022, line 569 1 472 (a contradiction of the report)
    later = _row(c, 569, 1472, "2022")
    rows = [later, _row(c, 121, 1470, "2022")]
    before = _files(curated)
    with pytest.raises(
        DataError,
        match=r"ark.xlsx row 2: .* also stated by ark.xlsx row 3 as 1470 \(line 121\), "
        r"here as 1472 \(line 569\); .*write same_figure in restatement_of "
        r"and the contradiction in note",
    ):
        _accept(curated, tmp_path, rows)
    assert _files(curated) == before
    # following the advice: the row says it restates the figure, and why the value differs
    later.update(restatement_of="same_figure", note="Motsägelse: rad 121 anger 1 470.")
    assert _accept(curated, tmp_path, rows).accepted == 2
    got = _added(curated)
    assert list(zip(got.line, got.value, got.restatement_of.fillna(""), strict=True)) == [
        (121, 1470.0, ""),
        (569, 1472.0, "same_figure"),
    ]


def test_two_values_on_one_line_are_refused_until_one_is_corrected(c, curated, tmp_path) -> None:
    # line 121: "… | 1 791 | 1 694 | 1 470", both read as 2022: the observations table is keyed
    # by line, and a rebuild would fail; accept refuses the later row in the sheet
    rows = [_row(c, 121, 1791, "2022"), _row(c, 121, 1694, "2022")]
    before = _files(curated)
    with pytest.raises(
        DataError,
        match=r"ark.xlsx row 3: .* is given at line 121 twice: "
        r"as 1791 \(line 121\) by ark.xlsx row 2 and as 1694",
    ):
        _accept(curated, tmp_path, rows)
    assert _files(curated) == before
    rows[1]["period"] = "2021"  # the advice: correct the period of one
    assert _accept(curated, tmp_path, rows).accepted == 2
    got = _added(curated)
    assert sorted(zip(got.period, got.value, strict=True)) == [("2021", 1694.0), ("2022", 1791.0)]


def test_the_same_row_twice_is_accepted_once(c, curated, tmp_path) -> None:
    row = _row(c, 121, 1470, "2022")
    plan = _accept(curated, tmp_path, [row, dict(row)])
    assert plan.accepted == 1 and len(_added(curated)) == 1
    assert any(
        m.startswith("ark.xlsx row 3: the same figure as ark.xlsx row 2") for m in plan.skipped
    )


def test_a_restatement_mark_other_than_same_figure_is_refused(c, curated, tmp_path) -> None:
    with pytest.raises(DataError, match="ark.xlsx row 2: restatement_of 'ja'; write same_figure"):
        _accept(curated, tmp_path, [_row(c, 121, 1470, "2022", restatement_of="ja")])


def test_a_new_indicator_gets_the_scope_of_its_figures(c, curated, tmp_path) -> None:
    _accept(curated, tmp_path, [_row(c, 121, 1470, "2022")])
    assert load_catalog(curated / "indicators")["fs_test_hushall"].scope == "stadsområde"
    # the same new id for a district's figure and a unit's: one of them needs another id
    rows = [
        _row(c, 121, 1694, "2021", indicator="fs_test_blandad"),
        _row(c, 144, 275, "2022", indicator="fs_test_blandad", geography="Etableringsenheten"),
    ]
    with pytest.raises(
        DataError,
        match="new indicator 'fs_test_blandad' is given for the unit 'Etableringsenheten'",
    ):
        _accept(curated, tmp_path, rows)


def test_a_figure_curated_in_the_clean_rendering_is_skipped_in_the_ocr_one(
    c, curated, tmp_path
) -> None:
    """A sheet of the OCR rendering restating, at the twin's line, a figure curated in the
    clean rendering (with its ``ocr_line``) adds nothing."""
    obs = observations.curated_observations()
    twins = obs[obs.ocr_line.notna() & obs.restatement_of.isna()]
    assert not twins.empty
    g = twins.iloc[0]
    row = {k: _cell(g[k]) for k in _READING}
    row.update(
        accept="ja",
        doc_id=g.ocr_doc_id,
        line=int(g.ocr_line),
        raw=c.raw_lines(g.ocr_doc_id)[int(g.ocr_line) - 1].strip(),
    )
    before = _files(curated)
    plan = _accept(curated, tmp_path, [row])
    assert plan.accepted == 0 and _files(curated) == before
    assert plan.skipped and "already curated" in plan.skipped[0]


def test_an_error_of_the_merged_files_names_the_sheet_row_of_an_appended_entry(curated) -> None:
    path = observations.curated_path("forsorjningsstod", curated)
    n = len(yaml.safe_load(path.read_text(encoding="utf-8"))["observations"])
    plan = accept.Plan(sources={"forsorjningsstod": ["ark.xlsx row 9", "ark.xlsx row 4"]})
    message = f"{path.name} observation {n + 2} (fs_x): something"
    assert accept._name_rows(message, plan, curated) == (
        f"{path.name} observation {n + 2} (from ark.xlsx row 4) (fs_x): something"
    )
    untouched = f"{path.name} observation {n} (fs_x): something"
    assert accept._name_rows(untouched, plan, curated) == untouched
