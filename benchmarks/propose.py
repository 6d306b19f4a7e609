"""Leave-one-report-out benchmark of proposing (``make bench-propose``).

For each report, ``propose --exclude-curated`` (the report's own curation and its twin's
left out) is compared with the report's curated observations:

* recall: a curated figure is proposed at its line (the OCR twin's line for the OCR
  rendering) with its value (sign aside: the validation reads values back without sign);
* period, unit, basis right: among the recalled figures, the best-matching proposal has
  the curated period, unit and basis;
* theme, sign and value type ("statistic": level, share or a kind of change) right, as
  period, unit and basis;
* indicator right: among recalled figures whose indicator is curated in another report
  (not the twin), the proposal names that indicator;
* existing id right: among recalled figures whose best-matching proposal names an id of
  the catalog (``new_indicator`` empty), the share where that id is the curated one
  (learnable or not: a known id proposed for a figure no known id fits is wrong), and
  the mean ``match`` of those proposals (the id's own confidence, to set against it);
* new-id rate: the share of recalled figures proposed under a new id;
* known ids off the curation: proposals under a catalog id for a figure nobody curated
  (most of them wrong: what a new report's reviewer would have to undo);
* page furniture proposed: proposals on a line the layout marks as page furniture
  (page numbers, running headers and footers, stamps) or whose figure is part of a
  document number (``dnr``); must be 0;
* recall within the top 2.5 × N proposals by confidence (N = the report's curated figures);
* seconds for the command ``python -m lib propose DOC --exclude-curated`` run as a
  process, median of 3: with an empty cache (each run gets a new ``GBG_CACHE_DIR``: the
  model and every report's candidates are computed) and with a warm one (a cache filled by
  one earlier run: what every later proposal of the report costs until the curation, the
  processed tables or the code change); also as ratios to a floor measured in the same
  run: a process that imports pandas, pyarrow and yaml
  (``python -c "import pandas, pyarrow.parquet, yaml"``).

``--no-cli`` leaves the timings out (accuracy only).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from benchmarks.build import FLOOR
from lib import paths
from lib.core.cache import ENV_VAR
from lib.curation import proposal_inputs, propose

TOP_FACTOR = 2.5


@dataclass
class Score:
    """Benchmark figures of one report."""

    doc_id: str
    n: int = 0
    recalled: int = 0
    in_top: int = 0
    period: int = 0
    unit: int = 0
    basis: int = 0
    learnable: int = 0
    learnable_recalled: int = 0
    indicator: int = 0
    theme: int = 0
    sign: int = 0
    value_type: int = 0
    existing: int = 0  # recalled figures proposed under a catalog id
    existing_right: int = 0
    existing_match: float = 0.0  # sum of the match column of those
    new: int = 0  # recalled figures proposed under a new id
    uncurated_known: int = 0  # proposals under a catalog id where no figure is curated
    furniture: int = 0  # proposals on page furniture
    proposals: int = 0
    cold: float | None = None  # seconds, command with an empty cache
    warm: float | None = None  # seconds, command with a warm cache


def curated_of(tables: proposal_inputs.Tables, doc_id: str) -> pd.DataFrame:
    """The report's curated figures, at their line in this rendering."""
    obs = tables.observations
    own = obs[obs.doc_id == doc_id].assign(at_line=lambda f: f.line)
    twin = obs[obs.ocr_doc_id == doc_id].assign(at_line=lambda f: f.ocr_line)
    return pd.concat([own, twin], ignore_index=True)


def _learnable(tables: proposal_inputs.Tables, doc_id: str) -> set[str]:
    """Indicators curated in a report other than this one and its twin."""
    return set(proposal_inputs.training_observations(tables, doc_id).indicator)


def score(tables: proposal_inputs.Tables, doc_id: str, sheet: pd.DataFrame) -> Score:
    """Compare a leave-one-out proposal sheet with the report's curation."""
    s = Score(doc_id, proposals=len(sheet), furniture=furniture_proposed(tables, doc_id, sheet))
    gold = curated_of(tables, doc_id)
    learnable = _learnable(tables, doc_id)
    s.n = len(gold)
    curated = {(int(line), abs(float(v))) for line, v in zip(gold.at_line, gold.value, strict=True)}
    known = sheet[sheet.new_indicator != "ja"]
    s.uncurated_known = sum(
        (int(line), abs(float(v))) not in curated
        for line, v in zip(known.line, known.value, strict=True)
    )
    ranked = sheet.reset_index(drop=True)
    top = int(TOP_FACTOR * s.n + 0.5)
    by_key: dict[tuple[int, float], list[int]] = {}
    for rank, r in enumerate(ranked.to_dict("records")):
        by_key.setdefault((int(r["line"]), abs(float(r["value"]))), []).append(rank)
    for g in gold.to_dict("records"):
        ranks = by_key.get((int(g["at_line"]), abs(float(g["value"]))), [])
        is_learnable = g["indicator"] in learnable
        s.learnable += is_learnable
        if not ranks:
            continue
        s.recalled += 1
        s.in_top += min(ranks) < top
        best = max(ranks, key=lambda k: _agreement(ranked.iloc[k], g))
        p = ranked.iloc[best]
        s.period += str(p.period) == str(g["period"])
        s.unit += p.unit == g["unit"]
        s.basis += p.basis == g["basis"]
        s.theme += p.theme == g["theme"]
        s.sign += (float(p.value) < 0) == (float(g["value"]) < 0)
        s.value_type += p.value_type == g["value_type"]
        if p.new_indicator == "ja":
            s.new += 1
        else:
            s.existing += 1
            s.existing_right += p.indicator == g["indicator"]
            s.existing_match += float(p.match)
        if is_learnable:
            s.learnable_recalled += 1
            s.indicator += p.indicator == g["indicator"]
    return s


_DNR = re.compile(r"\b(?:dnr|diarienr|diarienummer)\b", re.IGNORECASE)


def furniture_proposed(tables: proposal_inputs.Tables, doc_id: str, sheet: pd.DataFrame) -> int:
    """Proposals on a line of page furniture, or whose text is a document number."""
    from lib.text import layout

    marked = {i + 1 for i in layout.document_layout(tables.corpus, doc_id).furniture}
    return sum(
        int(r["line"]) in marked or bool(_DNR.search(str(r["raw"])))
        for r in sheet.to_dict("records")
    )


def _agreement(p: pd.Series, g: dict) -> tuple:
    """How well a proposal at the figure's line and absolute value matches it: the same
    signed value first (``3 437`` and ``-3 437`` on one row are two figures), then the
    fields."""
    return (
        float(p.value) == float(g["value"]),
        p.indicator == g["indicator"],
        str(p.period) == str(g["period"]),
        p.basis == g["basis"],
        p.unit == g["unit"],
        p.confidence,
    )


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "–"


_SUMMED = (
    "n",
    "recalled",
    "in_top",
    "period",
    "unit",
    "basis",
    "learnable",
    "learnable_recalled",
    "indicator",
    "theme",
    "sign",
    "value_type",
    "existing",
    "existing_right",
    "existing_match",
    "new",
    "uncurated_known",
    "furniture",
    "proposals",
)


def _with_total(scores: list[Score]) -> list[Score]:
    total = Score("**all reports**")
    for s in scores:
        for f in _SUMMED:
            setattr(total, f, getattr(total, f) + getattr(s, f))
        for f in ("cold", "warm"):
            if getattr(s, f) is not None:
                setattr(total, f, max(getattr(total, f) or 0.0, getattr(s, f)))
    return scores + [total]


def table(scores: list[Score], floor: float | None = None) -> str:
    """The per-report tables and totals, in Markdown (docs/benchmarks.md carries them):
    reading (recall and the fields of the recalled figures), then naming and time."""
    lines = [
        "| report | N | proposals | recall | in top 2.5N | period | unit | basis | theme | "
        "sign | value type |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows = _with_total(scores)
    for s in rows:
        r = s.recalled
        lines.append(
            f"| {s.doc_id} | {s.n} | {s.proposals} | {_ratio(r, s.n)} ({r}) | "
            f"{_ratio(s.in_top, s.n)} | {_ratio(s.period, r)} | {_ratio(s.unit, r)} | "
            f"{_ratio(s.basis, r)} | {_ratio(s.theme, r)} | {_ratio(s.sign, r)} | "
            f"{_ratio(s.value_type, r)} |"
        )
    lines += [
        "",
        "| report | indicator (learnable) | existing id right | mean match of those | "
        "new id | known ids off the curation | furniture proposed | s, empty cache | "
        "s, warm cache |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in rows:
        mean_match = f"{s.existing_match / s.existing:.2f}" if s.existing else "–"
        lines.append(
            f"| {s.doc_id} | {_ratio(s.indicator, s.learnable_recalled)} ({s.indicator}/"
            f"{s.learnable_recalled}) | {_ratio(s.existing_right, s.existing)} "
            f"({s.existing_right}/{s.existing}) | {mean_match} | "
            f"{_ratio(s.new, s.recalled)} ({s.new}) | {s.uncurated_known} | {s.furniture} | "
            f"{_seconds(s.cold, floor)} | {_seconds(s.warm, floor)} |"
        )
    lines.append(
        "\nTotals pool the figures of all reports (the twin's figures count in both "
        "renderings); the time columns of the totals row are the slowest report."
    )
    return "\n".join(lines)


def _seconds(value: float | None, floor: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f} ({value / floor:.1f} ×)" if floor else f"{value:.1f}"


RUNS = 3


def _median_seconds(command: list[str], cache: Callable[[], str] | None = None) -> float:
    """Median wall time of ``RUNS`` runs; ``cache()`` names the cache directory of each."""
    times = []
    for _ in range(RUNS):
        env = {**os.environ, ENV_VAR: cache()} if cache else None
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=paths.ROOT, env=env)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _command(doc_id: str, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "lib",
        "propose",
        doc_id,
        "--exclude-curated",
        "--out",
        str(out / f"{doc_id}.xlsx"),
    ]


def _time_commands(s: Score, scratch: Path) -> None:
    """Cold (a new, empty cache per run) and warm (a cache filled by one run) timings."""
    empty = iter(range(RUNS))
    s.cold = _median_seconds(
        _command(s.doc_id, scratch), lambda: str(scratch / f"cold-{s.doc_id}-{next(empty)}")
    )
    warm = str(scratch / f"warm-{s.doc_id}")
    subprocess.run(
        _command(s.doc_id, scratch),
        check=True,
        capture_output=True,
        cwd=paths.ROOT,
        env={**os.environ, ENV_VAR: warm},
    )
    s.warm = _median_seconds(_command(s.doc_id, scratch), lambda: warm)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark over every report and print the table."""
    from tqdm import tqdm

    args = argv if argv is not None else sys.argv[1:]
    timed = "--no-cli" not in args
    tables = propose.load_tables()
    docs = sorted(set(tables.documents.doc_id))
    scores = []
    with tempfile.TemporaryDirectory(prefix="bench_propose_") as tmp:
        floor = _median_seconds(FLOOR) if timed else None
        for doc_id in tqdm(docs, desc="propose --exclude-curated", unit="report"):
            sheet = propose.propose(doc_id, exclude_curated=True, tables=tables)
            s = score(tables, doc_id, sheet)
            if timed:
                _time_commands(s, Path(tmp))
            scores.append(s)
    print(table(scores, floor))
    if timed:
        print(
            f"\nfloor ({FLOOR[-1]}), median of {RUNS}: {floor:.2f} s; slowest command "
            f"{max(s.cold for s in scores):.2f} s with an empty cache, "
            f"{max(s.warm for s in scores):.2f} s with a warm one (target: under 5 s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
