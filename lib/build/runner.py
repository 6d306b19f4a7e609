"""Build every processed table from data/raw (``python -m lib build``), incrementally.

The build runs the stages of :mod:`lib.build.stages` in order. Each stage gets a fingerprint:
the checksums of its input files (raw reports and manifest, curated files and catalogs),
of the tables of earlier stages it needs, of its code (with the lib modules it imports
and the ``lib/data`` files they name) and the versions of the libraries involved. A
stage whose fingerprint equals the one recorded by the previous build, and whose
outputs are still as that build wrote them, is skipped; later stages read its tables
back from Parquet. ``full=True`` (``--full``) runs every stage.

Stages marked ``parallel`` run in forked processes beside the others, and ``publish``
starts before the indicators it waits for (the module docstring of :mod:`lib.build.stages`
explains how; :mod:`lib.build.forked` is the process side).

Outputs are validated against their schemas and written to temporary files as each
stage finishes; only when every stage succeeded are they renamed into place, and then
the record of fingerprints (``.build-state.json``) is written. A failed or interrupted
build leaves the previous outputs as they were. One build at a time writes an output
directory (a lock file, ``.build.lock``); temporary files of killed builds are removed
at the start of the next.
"""

from __future__ import annotations

import ast
import gc
import json
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lib import paths
from lib.build import forked, stages
from lib.core import fingerprint, runs

STATE_FILE = ".build-state.json"
LOCK_FILE = runs.PROCESSED_LOCK
STATE_FORMAT = 1
# Every stage's tables are validated and written by this code: part of every stage's code.
WRITER = ("lib.core.store",)


@dataclass
class Outcome:
    """What one build did: per stage ``ran`` or ``up to date``, with the reason it ran."""

    out_dir: Path
    ran: list[tuple[str, str, float]] = field(default_factory=list)  # name, reason, seconds
    skipped: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for the command line."""
        where = paths.shown(self.out_dir)
        if not self.ran:
            return f"build: up to date ({len(self.skipped)} stages unchanged); {where}"
        took = ", ".join(f"{name} {seconds:.1f} s" for name, _, seconds in self.ran)
        return (
            f"build: {len(self.ran)} of {len(self.ran) + len(self.skipped)} stages ran "
            f"({took}) in {self.seconds:.1f} s; {where}"
        )


# --------------------------------------------------------------------------- fingerprints


def _input_roots(raw_dir: Path) -> dict[str, Path]:
    return {"raw": raw_dir, "curated": paths.CURATED_DIR, "root": paths.ROOT}


def input_files(stage: stages.Stage, raw_dir: Path) -> dict[str, str]:
    """sha256 of the stage's input files, by ``raw/…``, ``curated/…`` or root-relative name."""
    roots = _input_roots(raw_dir)
    out: dict[str, str] = {}
    for exclude in (False, True):  # "!kind:pattern" removes what the others matched
        for spec in stage.inputs:
            if spec.startswith("!") != exclude:
                continue
            kind, _, pattern = spec.lstrip("!").partition(":")
            if kind not in roots:
                raise ValueError(
                    f"stage {stage.name}: input {spec!r} must start with "
                    f"{', '.join(k + ':' for k in roots)}"
                )
            prefix = "" if kind == "root" else f"{kind}/"
            found = {
                prefix + rel: sha for rel, sha in fingerprint.files(roots[kind], [pattern]).items()
            }
            if exclude:
                out = {k: v for k, v in out.items() if k not in found}
            else:
                out.update(found)
    return out


@cache
def _functions(module_file: Path) -> dict[str, str]:
    source = module_file.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    return {
        node.name: "".join(lines[node.lineno - 1 : node.end_lineno])
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef)
    }


def code_roots(stage: stages.Stage) -> tuple[tuple[str, ...], str | None]:
    """The lib modules a stage's code starts from, and its function's own source if the
    function lives in :mod:`lib.build.stages` (the rest of that module is not its code) or
    outside lib."""
    module = stage.run.__module__
    if module.startswith("lib.") and module != stages.__name__:
        return (module, *stage.code), None
    if module == stages.__name__:
        source = _functions(fingerprint.module_file(module))[stage.run.__name__]
    else:
        import inspect

        try:
            source = inspect.getsource(stage.run)
        except (OSError, TypeError):
            source = f"{module}.{stage.run.__qualname__}"
    return (*sorted(fingerprint.imports_in(source)), *stage.code), source


def components(
    stage: stages.Stage, raw_dir: Path, table_sha: dict[str, str], table_names: tuple[str, ...]
) -> dict[str, str]:
    """Everything the stage's outputs depend on, by name -> checksum or version."""
    roots, source = code_roots(stage)
    parts = {
        "stage": fingerprint.digest(
            [
                stage.name,
                stage.inputs,
                stage.needs,
                stage.tables,
                stage.files,
                stage.code,
                stage.run.__name__,
            ]
        )
    }
    if source is not None:
        parts[f"function:{stage.run.__name__}"] = fingerprint.digest(source)
    parts.update(input_files(stage, raw_dir))
    parts.update(fingerprint.code((*roots, *WRITER)))
    needs = (
        table_sha if stages.ALL_TABLES in stage.needs else {t: table_sha[t] for t in stage.needs}
    )
    parts.update({f"table:{t}": sha for t, sha in needs.items()})
    if stage.table_list:
        parts["tables"] = fingerprint.digest(list(table_names))
    return parts


def _changed(new: dict[str, str], old: dict | None) -> str:
    """Why a stage runs: the components that differ from the previous build's."""
    if old is None:
        return "no previous build"
    before = old.get("components", {})
    diff = sorted(k for k in new.keys() | before.keys() if new.get(k) != before.get(k))
    if not diff:
        return "outputs changed since the last build"
    shown = ", ".join(diff[:3]) + (f" and {len(diff) - 3} more" if len(diff) > 3 else "")
    return f"changed: {shown}"


# --------------------------------------------------------------------------- state


def read_state(out_dir: Path) -> dict[str, dict]:
    """The previous build's record of stages (empty if there is none or it is unreadable)."""
    try:
        data = json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        return {}
    return data.get("stages") or {}


def _write_state(out_dir: Path, state: dict[str, dict]) -> None:
    from lib.core import store

    text = json.dumps(
        {"format": STATE_FORMAT, "stages": state}, indent=1, sort_keys=True, ensure_ascii=False
    )
    with store.atomic_path(out_dir / STATE_FILE) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _reusable(
    stage: stages.Stage, old: dict | None, fp: str, out_dir: Path
) -> dict[str, str] | None:
    """The checksums of a stage's tables if the previous build's outputs of the stage can
    stand: same fingerprint, every output still with the size and time it was given."""
    if not old or old.get("fingerprint") != fp:
        return None
    outputs = old.get("outputs")
    try:
        if not outputs or any(_stat(out_dir / rel) != rec["stat"] for rel, rec in outputs.items()):
            return None
        return {t: outputs[f"{t}.parquet"]["sha256"] for t in stage.tables}
    except (KeyError, TypeError):
        return None


# --------------------------------------------------------------------------- build


def build(
    raw_dir: Path | None = None,
    out_dir: Path = paths.PROCESSED_DIR,
    full: bool = False,
    report: Callable[[str], None] | None = None,
) -> Outcome:
    """Build the outputs of every stage whose inputs changed (all with ``full``).

    ``report`` gets a line as each stage starts. Raises :class:`lib.core.runs.Interrupted` with a
    summary if stopped by a signal (inside :func:`lib.core.runs.stop_on_signals`).
    """
    raw_dir = Path(raw_dir) if raw_dir is not None else paths.RAW_DIR
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with runs.exclusive(
        out_dir / LOCK_FILE,
        f"build of {paths.shown(out_dir)}",
        readers=f"a batch is reading {paths.shown(out_dir)}",
    ):
        runs.sweep_temporaries(out_dir)  # under the lock every temporary file there is stale
        from lib.core import cache

        cache.sweep()
        # A build allocates many long-lived objects (tables, passages) and little cyclic
        # garbage; the cycle collector would rescan them all every few thousand allocations.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return _build(raw_dir, out_dir, full, report or (lambda line: None))
        finally:
            if collecting:
                gc.enable()


def check_stages(records: tuple[stages.Stage, ...]) -> None:
    """Stage names are unique and a stage needs only tables of the stages before it."""
    made: set[str] = set()
    names: set[str] = set()
    for stage in records:
        if stage.name in names:
            raise RuntimeError(f"two stages are named {stage.name!r} (lib/build/stages.py)")
        names.add(stage.name)
        missing = [t for t in stage.needs if t != stages.ALL_TABLES and t not in made]
        if missing:
            raise RuntimeError(
                f"stage {stage.name} needs {missing}, which no stage before it "
                "makes (lib/build/stages.py)"
            )
        made.update(stage.tables)


def _build(raw_dir: Path, out_dir: Path, full: bool, report: Callable[[str], None]) -> Outcome:
    check_stages(stages.STAGES)
    start = time.perf_counter()
    run = _Build(raw_dir, out_dir, full, report)
    outcome = run.outcome
    committed = False
    try:
        for i in range(len(stages.STAGES)):
            run.step(i)
        run.collect_all()
        outcome.ran.sort(key=lambda r: [s.name for s in stages.STAGES].index(r[0]))
        if outcome.ran:
            _commit(out_dir, run.staged, run.state, run.previous)
            outcome.written = [target for _, target in run.staged]
        committed = True
    except runs.Interrupted as exc:
        n = len(stages.STAGES)
        summary = (
            f"{n} of {n} stages done; outputs written"
            if committed
            else f"{run.done} of {n} stages done; previous outputs kept"
        )
        raise runs.Interrupted(exc.signum, summary) from None
    finally:
        run.close()
    outcome.seconds = time.perf_counter() - start
    return outcome


class _Build:
    """One build in progress: what each stage did, where its tables are, which stages run
    in forked processes (:mod:`lib.build.forked`; see the docstring of
    :mod:`lib.build.stages`)."""

    def __init__(
        self, raw_dir: Path, out_dir: Path, full: bool, report: Callable[[str], None]
    ) -> None:
        self.raw_dir, self.out_dir, self.full, self.report = raw_dir, out_dir, full, report
        self.previous = read_state(out_dir)
        self.table_names = tuple(t for s in stages.STAGES for t in s.tables)
        self.outcome = Outcome(out_dir)
        self.state: dict[str, dict] = {}
        self.table_sha: dict[str, str] = {}
        self.frames: dict[str, object] = {}  # tables in this process
        self.files: dict[str, Path] = {}  # table -> the Parquet file holding it now
        self.staged: list[tuple[Path, Path]] = []  # (temporary file, target), see lib.core.store
        self.jobs: dict[str, forked.Forked] = {}  # stages running in forked processes
        self.done = 0
        self.shared = False
        self.ctx = stages.Context(raw_dir, out_dir, self.table_names, self.read)

    def read(self, name: str):  # noqa: ANN201 - a DataFrame
        """A table for ``ctx.table``: in memory, else from its Parquet file."""
        if name not in self.frames:
            import pandas as pd

            self.frames[name] = pd.read_parquet(
                self.files.get(name) or self.out_dir / f"{name}.parquet"
            )
        return self.frames[name]

    @staticmethod
    def wants(i: int) -> tuple[str, ...]:
        """The tables stage ``i`` reads: its needs, or all tables of the stages before it."""
        stage = stages.STAGES[i]
        if stages.ALL_TABLES not in stage.needs:
            return stage.needs
        return tuple(t for s in stages.STAGES[:i] for t in s.tables)

    def step(self, i: int) -> None:
        """Decide stage ``i``: skip it, run it here, fork it, or let its early start run."""
        stage = stages.STAGES[i]
        self.await_tables(self.wants(i))
        parts = components(stage, self.raw_dir, self.table_sha, self.table_names)
        fp = fingerprint.digest(parts)
        old = self.previous.get(stage.name)
        kept = None if self.full else _reusable(stage, old, fp, self.out_dir)
        early = self.jobs.get(stage.name)
        if kept is not None:
            if early is not None:  # started early, not needed after all
                self.jobs.pop(stage.name).stop()
            self.state[stage.name] = old  # type: ignore[assignment]
            self.table_sha.update(kept)
            self.outcome.skipped.append(stage.name)
            self.done += 1
            self.tables_written({t: self.out_dir / f"{t}.parquet" for t in stage.tables})
            return
        reason = "--full" if self.full else _changed(parts, old)
        self.report(f"{stage.name}: running ({reason})")
        if early is None and stage.parallel and forked.AVAILABLE:
            self.fork(i)
        if stage.name in self.jobs:
            self.jobs[stage.name].decided = (fp, parts, reason)
            return
        self.start_early(i)
        t0 = time.perf_counter()
        first = len(self.staged)
        outputs = _run(stage, self.ctx, self.out_dir, self.staged, self.frames)
        self.finish(
            stage, (fp, parts, reason), outputs, self.staged[first:], time.perf_counter() - t0
        )

    def fork(self, i: int) -> None:
        """Start stage ``i`` in a forked process."""
        stage = stages.STAGES[i]
        if stages.RAW in stage.inputs and not self.shared:
            self.ctx.share()
            self.shared = True
        forked.Forked.start(
            stage, self.ctx, _run, self.frames, self.files, self.wants(i), self.jobs
        )

    def start_early(self, i: int) -> None:
        """Before stage ``i`` runs here: fork the later parallel stages that need its tables
        and whose other tables exist (waiting for forked stages that make them)."""
        made = set(stages.STAGES[i].tables) if forked.AVAILABLE else set()
        before = {t for s in stages.STAGES[: i + 1] for t in s.tables}
        for j in range(i + 1, len(stages.STAGES)):
            later, wants = stages.STAGES[j], set(self.wants(j))
            if later.parallel and later.name not in self.jobs and wants & made and wants <= before:
                self.await_tables(wants - made)
                self.fork(j)

    def await_tables(self, tables: Iterable[str]) -> None:
        """Collect the forked stages that make any of ``tables``."""
        wanted = set(tables)
        for name in [n for n, job in self.jobs.items() if wanted & set(job.stage.tables)]:
            self.collect(name)

    def collect(self, name: str) -> None:
        """Wait for a forked stage and take its outputs over."""
        job = self.jobs[name]
        outputs, staged, seconds = job.collect()
        self.staged.extend(staged)
        del self.jobs[name]  # after the hand-over: close() sweeps what a signal cut off
        assert job.decided is not None
        self.finish(job.stage, job.decided, outputs, staged, seconds)

    def collect_all(self) -> None:
        """Collect every forked stage, in stage order."""
        for stage in stages.STAGES:
            if stage.name in self.jobs:
                self.collect(stage.name)

    def finish(
        self,
        stage: stages.Stage,
        decided: tuple[str, dict, str],
        outputs: dict[str, dict],
        staged: list[tuple[Path, Path]],
        seconds: float,
    ) -> None:
        """Record a stage that ran; tell the forked stages that wait for its tables."""
        fp, parts, reason = decided
        self.state[stage.name] = {"fingerprint": fp, "components": parts, "outputs": outputs}
        self.table_sha.update({t: outputs[f"{t}.parquet"]["sha256"] for t in stage.tables})
        self.outcome.ran.append((stage.name, reason, seconds))
        self.done += 1
        tmp = {target.name: path for path, target in staged}
        self.tables_written({t: tmp[f"{t}.parquet"] for t in stage.tables})

    def tables_written(self, files: dict[str, Path]) -> None:
        """Tables now in these Parquet files: later stages and forked stages read them there."""
        self.files.update(files)
        for job in self.jobs.values():
            for name, path in files.items():
                job.offer(name, path)

    def close(self) -> None:
        """Stop the forked stages still running; remove what was not renamed into place."""
        forked_any = bool(self.jobs)
        for job in self.jobs.values():
            job.stop()
        self.jobs.clear()
        for tmp, _ in self.staged:
            tmp.unlink(missing_ok=True)
        if forked_any:  # a signal between a child's result and its hand-over: ended children
            runs.sweep_temporaries(self.out_dir, only_dead=True)
        self.ctx.close()


def _run(
    stage: stages.Stage, ctx: stages.Context, out_dir: Path, staged: list, frames: dict[str, object]
) -> dict[str, dict]:
    """Run a stage and stage its outputs; return their checksums by relative path."""
    import fnmatch

    from lib.core import store
    from lib.publish import registry

    result = stage.run(ctx)
    missing = [t for t in stage.tables if t not in result]
    if missing:
        raise RuntimeError(f"stage {stage.name} did not return its tables {missing}")
    first = len(staged)
    for name, value in result.items():
        if name in stage.tables:
            frames[name] = store.stage_table(name, value, registry.schema_of(name), out_dir, staged)
        elif isinstance(value, str | bytes | Path) and any(
            fnmatch.fnmatch(name, p) for p in stage.files
        ):
            store.stage_file(name, value, out_dir, staged)
        else:
            raise RuntimeError(
                f"stage {stage.name} returned {name!r}, which it does not "
                "declare in its tables or files"
            )
    return {
        target.relative_to(out_dir).as_posix(): {"sha256": fingerprint.sha256_file(tmp)}
        for tmp, target in staged[first:]
    }


def _commit(out_dir: Path, staged: list, state: dict[str, dict], previous: dict[str, dict]) -> None:
    """Rename the staged outputs into place, remove outputs no longer made, record state."""
    from lib.core import store

    with runs.deferred():
        store.commit(staged)
        produced = {rel for rec in state.values() for rel in rec["outputs"]}
        for name, old in previous.items():
            if state.get(name) is not old:
                for rel in old.get("outputs", {}):
                    if rel not in produced:
                        (out_dir / rel).unlink(missing_ok=True)
        for rec in state.values():
            for rel, out in rec["outputs"].items():
                out["stat"] = _stat(out_dir / rel)
        _write_state(out_dir, state)


def main_report(line: str) -> None:
    """Print a progress line at once (the default reporter of ``python -m lib build``)."""
    print(line, file=sys.stdout, flush=True)
