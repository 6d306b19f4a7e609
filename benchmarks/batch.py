"""Benchmark: ``python -m benchmarks.batch`` times the notebook batch against its floor.

The batch is ``lib.report.batch.run_batch`` for every report year, theme and district (as
``python -m lib batch --all-years`` runs it), written to a temporary outputs directory.
The floor starts the same number of kernels with the same parallelism, each importing
pandas, seaborn and lib and doing nothing else. Both are wall-clock times measured in
the same run, after one untimed warm-up kernel; with ``--rounds N`` they alternate and
the medians are reported. Printed as text and as a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from lib.report import batch, batch_plan

FLOOR_CODE = "import pandas, seaborn, lib"
TARGET = 1.5


def _start_importing_kernel(_: int = 0) -> None:
    """Start one kernel of the batch's kind, import the floor's modules, shut it down."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_CODE)])
    NotebookClient(
        nb,
        kernel_name=batch.KERNEL_NAME,
        shutdown_kernel="immediate",
        kernel_manager_class=batch._kernel_manager_class(),
    ).execute()
    errors = [o for o in nb.cells[0].outputs if o.output_type == "error"]
    if errors:
        raise RuntimeError(f"floor kernel failed: {errors[0].ename}: {errors[0].evalue}")


def time_floor(n_kernels: int, n_jobs: int) -> float:
    """Wall time of ``n_kernels`` importing kernels, ``n_jobs`` at a time."""
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=batch.pool_context()) as pool:
        list(pool.map(_start_importing_kernel, range(n_kernels)))
    return time.perf_counter() - start


def time_batch(years: tuple[int, ...], n_jobs: int) -> tuple[float, int]:
    """Wall time and notebook count of the batch into a temporary outputs directory."""
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        start = time.perf_counter()
        results = batch.run_batch(years, n_jobs=n_jobs, outputs_dir=Path(tmp), progress=False)
        elapsed = time.perf_counter() - start
    failed = [r for r in results if not r.ok]
    if failed:
        raise RuntimeError(
            f"{len(failed)} notebooks failed, first: {failed[0].job.label}: {failed[0].error}"
        )
    return elapsed, len(results)


def markdown(batch_s: float, floor_s: float, n: int, n_jobs: int, years: tuple[int, ...]) -> str:
    """The table for docs/benchmarks.md."""
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    return "\n".join(
        [
            f"| Notebook batch {span} ({n} notebooks, {n_jobs} in parallel) | wall time |",
            "|---|---:|",
            f"| `python -m lib batch --all-years` | {batch_s:.1f} s |",
            f"| floor: {n} kernels importing pandas, seaborn and lib | {floor_s:.1f} s |",
            f"| ratio batch / floor (target ≤ {TARGET}) | {batch_s / floor_s:.2f} |",
            "",
            f"_Measured with `python -m benchmarks.batch` on {platform.python_implementation()} "
            f"{platform.python_version()}, {platform.machine()}._",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.batch", description=__doc__)
    p.add_argument("--jobs", type=int, default=2, help="parallel notebooks (default 2)")
    p.add_argument("--rounds", type=int, default=1, help="alternating rounds (default 1)")
    p.add_argument(
        "--year",
        type=int,
        action="append",
        default=[],
        help="restrict to a year (repeatable; default every report year)",
    )
    args = p.parse_args(argv)
    years = tuple(batch_plan.parse_years(args.year)) if args.year else batch_plan.report_years()
    n = len(batch_plan.plan(years))
    print(
        f"warming up; then {args.rounds} round(s) of {n} kernels / notebooks, "
        f"{args.jobs} in parallel",
        file=sys.stderr,
    )
    _start_importing_kernel()
    floors, batches = [], []
    for _ in range(args.rounds):
        floors.append(time_floor(n, args.jobs))
        elapsed, count = time_batch(years, args.jobs)
        batches.append(elapsed)
        assert count == n
    floor_s, batch_s = statistics.median(floors), statistics.median(batches)
    ratio = batch_s / floor_s
    print(
        f"batch: {batch_s:.1f} s  ({n} notebooks, {args.jobs} in parallel; "
        f"rounds: {', '.join(f'{b:.1f}' for b in batches)})"
    )
    print(
        f"floor: {floor_s:.1f} s  ({n} kernels importing pandas, seaborn, lib; "
        f"rounds: {', '.join(f'{f:.1f}' for f in floors)})"
    )
    print(f"ratio: {ratio:.2f}  (target ≤ {TARGET}: {'met' if ratio <= TARGET else 'NOT met'})")
    print()
    print(markdown(batch_s, floor_s, n, args.jobs, years))
    return 0


if __name__ == "__main__":
    sys.exit(main())
