"""Build benchmark (``make bench-build``): the build's wall time as a ratio to the import floor.

In one run, in a temporary copy of the repository (package, raw and curated data), each
measured ``repeats`` times, interleaved, and reported as the median:

* the floor: ``python -c "import pandas, pyarrow.parquet, yaml"``;
* a full build with an empty cache of derived artefacts (``build --full``, new cache);
* a full build with the cache warm (``build --full``);
* a build with nothing changed (what ``make data`` runs);
* a build after editing one curated file (a note of an observation in
  ``data/curated/observations_hemloshet.yml`` of the copy; the real data is not touched).

The copy's ``lib`` is byte-compiled first, as Python does when a checkout's modules are
first imported and as pip did at install for the floor's libraries; with
``PYTHONDONTWRITEBYTECODE`` set in the environment every build would otherwise compile
``lib`` again (``--no-compile`` measures that: about 0.08 s more per build).

Wall time is the target's measure (issue 10: full ≤ 3, no-op ≤ 1, one curated file ≤ 2
times the floor). CPU time (user + system of the process) is printed beside it: on a
machine shared with other work it varies less than wall time. The load average before
and after is printed with the figures.
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lib import paths

FLOOR = [sys.executable, "-c", "import pandas, pyarrow.parquet, yaml"]
EDITED = Path("data") / "curated" / "observations_hemloshet.yml"
TARGETS = {
    "full build, cache warm": 3.0,
    "no-op build (`make data`)": 1.0,
    "build after editing one curated file": 2.0,
}


def copy_repository(target: Path, compiled: bool = True) -> Path:
    """A copy of the package and the data it builds from; ``python -m lib`` run there uses
    the copy's lib and data. ``compiled``: with the package byte-compiled."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(paths.PACKAGE_DIR, target / "lib", ignore=ignore)
    shutil.copytree(paths.RAW_DIR, target / "data" / "raw")
    shutil.copytree(paths.CURATED_DIR, target / "data" / "curated")
    if compiled:
        compileall.compile_dir(target / "lib", quiet=1)
    return target


STAGE_TIME = re.compile(r"(\w+) (\d+\.\d) s[,)]")


def _timed(
    cmd: list[str], cwd: Path, env: dict[str, str], stages: dict[str, list[float]] | None = None
) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``cmd`` (which must succeed); the seconds of each
    stage a build reports are added to ``stages``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if stages is not None and summary.startswith("build:"):
        for name, seconds in STAGE_TIME.findall(summary):
            stages.setdefault(name, []).append(float(seconds))
    return wall, cpu


def _edit_curated(root: Path, n: int) -> None:
    """Give the first observation's note a new text (a real edit: the table changes)."""
    path = root / EDITED
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^  note: .*$", f"  note: Redigerad anteckning {n}.", text, count=1)
    path.write_text(text, encoding="utf-8")


def measure(
    repeats: int = 3, stages: dict[str, dict[str, list[float]]] | None = None, compiled: bool = True
) -> dict[str, list[tuple[float, float]]]:
    """Run every measurement ``repeats`` times, interleaved; (wall, CPU) per run. The
    seconds of each stage of each build go to ``stages[measure][stage]``."""
    build = [sys.executable, "-m", "lib", "build"]
    runs: dict[str, list[tuple[float, float]]] = {}
    stages = stages if stages is not None else {}
    with tempfile.TemporaryDirectory(prefix="gbg-bench-build-") as tmp_name:
        tmp = Path(tmp_name)
        root = copy_repository(tmp / "repo", compiled)
        base = {k: v for k, v in os.environ.items() if not k.startswith("GBG_")}
        warm = {**base, "GBG_CACHE_DIR": str(tmp / "cache")}
        _timed(build, root, warm)  # fills the cache and data/processed of the copy
        for i in range(repeats):
            cold = {**base, "GBG_CACHE_DIR": str(tmp / f"empty-cache-{i}")}
            steps: list[tuple[str, list[str], dict[str, str], Callable[[], None] | None]] = [
                ("floor", FLOOR, base, None),
                (
                    "full build, cache empty",
                    [*build, "--full", "--out-dir", str(tmp / f"out-{i}")],
                    cold,
                    None,
                ),
                ("full build, cache warm", [*build, "--full"], warm, None),
                ("no-op build (`make data`)", build, warm, None),
                (
                    "build after editing one curated file",
                    build,
                    warm,
                    lambda i=i: _edit_curated(root, i),
                ),
            ]
            for name, cmd, env, prepare in steps:
                if prepare is not None:
                    prepare()
                runs.setdefault(name, []).append(
                    _timed(cmd, root, env, stages.setdefault(name, {}))
                )
    return runs


def report(
    runs: dict[str, list[tuple[float, float]]],
    load: tuple[float, float],
    stages: dict[str, dict[str, list[float]]] | None = None,
    compiled: bool = True,
) -> str:
    """The figures as text and as a Markdown table for docs/benchmarks.md; below it, the median
    seconds of each stage that ran (as the build reports them)."""
    floor_wall = statistics.median(w for w, _ in runs["floor"])
    floor_cpu = statistics.median(c for _, c in runs["floor"])
    cores = os.cpu_count() or 1
    lines = [
        f"Build benchmark: median of {len(runs['floor'])} runs each, interleaved, in a "
        "temporary copy of the repository",
        f"load average (1 min) before {load[0]:.2f}, after {load[1]:.2f}, on {cores} "
        "cores"
        + ("  -- the machine was busy: wall times are inflated" if max(load) > 0.5 * cores else ""),
        "lib byte-compiled in the copy"
        if compiled
        else "lib not byte-compiled (--no-compile): builds compile it when the environment "
        "forbids writing bytecode",
        "",
        "| measure | wall time | × floor | CPU time | × floor (CPU) | target |",
        "|---|---|---|---|---|---|",
    ]
    for name, values in runs.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        target = f"≤ {TARGETS[name]:g} × floor" if name in TARGETS else ""
        lines.append(
            f"| {name} | {wall:.2f} s | {wall / floor_wall:.2f} | {cpu:.2f} s | "
            f"{cpu / floor_cpu:.2f} | {target} |"
        )
    lines.append("")
    for name, per_stage in (stages or {}).items():
        if per_stage:
            lines.append(
                f"{name}, stages (median s): "
                + ", ".join(f"{stage} {statistics.median(v):.2f}" for stage, v in per_stage.items())
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m benchmarks.build [--repeat N]``."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.build", description=__doc__)
    p.add_argument("--repeat", type=int, default=3, help="runs of each measurement (median)")
    p.add_argument(
        "--no-compile", action="store_true", help="do not byte-compile the copy's lib first"
    )
    args = p.parse_args(argv)
    before = os.getloadavg()[0]
    stages: dict[str, dict[str, list[float]]] = {}
    runs = measure(max(args.repeat, 1), stages, compiled=not args.no_compile)
    print(report(runs, (before, os.getloadavg()[0]), stages, compiled=not args.no_compile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
