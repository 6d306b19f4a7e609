"""Benchmark of the published database: ``python -m benchmarks.publish`` (``make bench-publish``).

* **Build cost**: the wall time :func:`lib.publish.database.files` adds to a build (the database
  and the data package), measured in fresh processes (in the state of a build: processed
  tables loaded, analysed texts cached, table modules imported), against a floor in the same
  processes: writing the same tables as CSV and Parquet (:func:`lib.core.store.write_tables`).
  Target: under 0.5 s.
* **Size** of ``rapporter.sqlite`` (target: under 20 MB).
* **Full-text query**: the median time of the query "Sök i rapporterna" for a list of
  words and phrases, with and without å/ä/ö, against a floor in the same run: scanning
  the passages with ``LIKE`` for the same words. Target: under 50 ms.

Figures vary with the load of the machine; quote medians and ratios.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

from lib import paths
from lib.publish import database
from lib.report import processed

QUERIES = (
    "försörjningsstöd",
    "forsorjningsstod",
    "hemlös",
    "skyddat boende",
    "vräkning",
    "våld i nära relation",
    "ekonomiskt bistånd",
    "hushåll",
    "barn",
    "kvinnojour",
)

_COLD = """
import json, tempfile, time
from pathlib import Path
from lib.sources import corpus
from lib.report import processed
from lib.publish import database
from lib.core import store
from lib.publish import registry
from lib.text import repaired, themes
c = corpus.load()
tables = {n: processed.load(n) for n in processed.TABLES}
# The state of a build when it publishes: analysed texts cached, table modules imported,
# theme lexicon loaded.
for d in c.doc_ids:
    repaired.analysis_lines(c, d)
registry.schemas()
themes.lexicon()
t0 = time.perf_counter()
files = database.files(tables, c)
t1 = time.perf_counter()
with tempfile.TemporaryDirectory() as tmp:
    store.write_tables(tables, registry.schemas(), Path(tmp))
t2 = time.perf_counter()
print(json.dumps({"publish": t1 - t0, "floor": t2 - t1}))
"""


def build_cost(repeats: int = 5) -> dict[str, float]:
    """Median seconds of database.files and of the CSV + Parquet floor, fresh processes."""
    runs = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", _COLD],
            capture_output=True,
            text=True,
            check=True,
            cwd=paths.ROOT,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    pub = [r["publish"] for r in runs]
    floor = [r["floor"] for r in runs]
    return {
        "publish_s": statistics.median(pub),
        "publish_min_s": min(pub),
        "publish_max_s": max(pub),
        "floor_s": statistics.median(floor),
        "ratio": statistics.median(pub) / statistics.median(floor),
    }


def _prepare_as_datasette_does(conn: sqlite3.Connection, plugin: Path) -> None:
    """Register the plugin's SQL functions (gbg_fts, …) on ``conn``, as Datasette does."""
    spec = importlib.util.spec_from_file_location("svensk_sokning", plugin)
    assert spec is not None and spec.loader is not None, plugin
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.prepare_connection(conn)


def query_times(repeats: int = 20) -> dict[str, float]:
    """Median ms of the search query over :data:`QUERIES` and of a LIKE scan (floor)."""
    from datasette.utils import escape_fts

    from lib.publish import browse

    sql = browse.metadata()["databases"]["rapporter"]["queries"]["sok"]["sql"]
    path = processed.processed_dir() / database.DATABASE
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.create_function("escape_fts", 1, escape_fts)
    _prepare_as_datasette_does(conn, browse.PLUGINS_DIR / "svensk_sokning.py")
    fts, like, hits = [], [], {}
    for _ in range(repeats):
        for q in QUERIES:
            t0 = time.perf_counter()
            hits[q] = len(conn.execute(sql, {"ord": q, "rapport": "", "ar": ""}).fetchall())
            t1 = time.perf_counter()
            conn.execute("select count(*) from passages where text like ?", (f"%{q}%",)).fetchone()
            t2 = time.perf_counter()
            fts.append((t1 - t0) * 1000)
            like.append((t2 - t1) * 1000)
    conn.close()
    return {
        "fts_ms": statistics.median(fts),
        "fts_max_ms": max(fts),
        "like_ms": statistics.median(like),
        "fts_ratio": statistics.median(fts) / statistics.median(like),
        "min_hits": min(hits.values()),
    }


def main(argv: list[str] | None = None) -> int:
    """Print the figures and a Markdown table for docs/benchmarks.md."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.publish", description=__doc__)
    p.add_argument("--repeat", type=int, default=5, help="fresh processes for the build cost")
    args = p.parse_args(argv)
    size = (processed.processed_dir() / database.DATABASE).stat().st_size / 1e6
    q = query_times()
    b = build_cost(args.repeat)
    print(f"Database: {size:.1f} MB (target < 20 MB)")
    print(
        f"Search query: median {q['fts_ms']:.1f} ms (max {q['fts_max_ms']:.1f} ms) over "
        f"{len(QUERIES)} queries; LIKE scan floor {q['like_ms']:.1f} ms; "
        f"ratio {q['fts_ratio']:.2f} (target < 50 ms)"
    )
    print(
        f"Build cost: database.files median {b['publish_s']:.2f} s "
        f"({b['publish_min_s']:.2f}–{b['publish_max_s']:.2f} s, {args.repeat} fresh processes); "
        f"CSV + Parquet floor {b['floor_s']:.2f} s; ratio {b['ratio']:.2f} (target < 0.5 s)"
    )
    print()
    print("| measure | figure | target |")
    print("|---|---|---|")
    print(f"| `rapporter.sqlite` size | {size:.1f} MB | < 20 MB |")
    print(
        f"| database + data package added to the build, median of {args.repeat} | "
        f"{b['publish_s']:.2f} s ({b['ratio']:.2f} × writing the same tables as CSV + "
        f"Parquet, {b['floor_s']:.2f} s) | < 0.5 s |"
    )
    print(
        f'| query "Sök i rapporterna", median of {len(QUERIES)} queries × 20 | '
        f"{q['fts_ms']:.1f} ms ({q['fts_ratio']:.2f} × a LIKE scan of the passages, "
        f"{q['like_ms']:.1f} ms) | < 50 ms |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
