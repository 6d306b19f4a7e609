"""Build every processed table from data/raw (``python -m lib build``), incrementally.

The build runs the stages of :mod:`lib.stages` in order. Each stage gets a fingerprint:
the checksums of its input files (raw reports and manifest, curated files and catalogs),
of the tables of earlier stages it needs, of its code (with the lib modules it imports
and the ``lib/data`` files they name) and the versions of the libraries involved. A
stage whose fingerprint equals the one recorded by the previous build, and whose
outputs are still as that build wrote them, is skipped; later stages read its tables
back from Parquet. ``full=True`` (``--full``) runs every stage.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from lib import fingerprint, paths, runs, stages

STATE_FILE = ".build-state.json"
LOCK_FILE = ".build.lock"
STATE_FORMAT = 1
# Every stage's tables are validated and written by this code: part of every stage's code.
WRITER = ("lib.store",)


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
        where = _display(self.out_dir)
        if not self.ran:
            return f"build: up to date ({len(self.skipped)} stages unchanged); {where}"
        took = ", ".join(f"{name} {seconds:.1f} s" for name, _, seconds in self.ran)
        return (f"build: {len(self.ran)} of {len(self.ran) + len(self.skipped)} stages ran "
                f"({took}) in {self.seconds:.1f} s; {where}")


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(paths.ROOT).as_posix()
    except ValueError:
        return str(path)


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
                raise ValueError(f"stage {stage.name}: input {spec!r} must start with "
                                 f"{', '.join(k + ':' for k in roots)}")
            prefix = "" if kind == "root" else f"{kind}/"
            found = {prefix + rel: sha for rel, sha in
                     fingerprint.files(roots[kind], [pattern]).items()}
            if exclude:
                out = {k: v for k, v in out.items() if k not in found}
            else:
                out.update(found)
    return out


@cache
def _functions(module_file: Path) -> dict[str, str]:
    source = module_file.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    return {node.name: "".join(lines[node.lineno - 1:node.end_lineno])
            for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}


def code_roots(stage: stages.Stage) -> tuple[tuple[str, ...], str | None]:
    """The lib modules a stage's code starts from, and its function's own source if the
    function lives in :mod:`lib.stages` (the rest of that module is not its code) or
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


def components(stage: stages.Stage, raw_dir: Path, table_sha: dict[str, str],
               table_names: tuple[str, ...]) -> dict[str, str]:
    """Everything the stage's outputs depend on, by name -> checksum or version."""
    roots, source = code_roots(stage)
    parts = {"stage": fingerprint.digest([stage.name, stage.inputs, stage.needs, stage.tables,
                                          stage.files, stage.code, stage.run.__name__])}
    if source is not None:
        parts[f"function:{stage.run.__name__}"] = fingerprint.digest(source)
    parts.update(input_files(stage, raw_dir))
    parts.update(fingerprint.code((*roots, *WRITER)))
    needs = table_sha if stages.ALL_TABLES in stage.needs else \
        {t: table_sha[t] for t in stage.needs}
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
    from lib import store

    text = json.dumps({"format": STATE_FORMAT, "stages": state}, indent=1, sort_keys=True,
                      ensure_ascii=False)
    with store.atomic_path(out_dir / STATE_FILE) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _reusable(stage: stages.Stage, old: dict | None, fp: str,
              out_dir: Path) -> dict[str, str] | None:
    """The checksums of a stage's tables if the previous build's outputs of the stage can
    stand: same fingerprint, every output still with the size and time it was given."""
    if not old or old.get("fingerprint") != fp:
        return None
    outputs = old.get("outputs")
    try:
        if not outputs or any(_stat(out_dir / rel) != rec["stat"]
                              for rel, rec in outputs.items()):
            return None
        return {t: outputs[f"{t}.parquet"]["sha256"] for t in stage.tables}
    except (KeyError, TypeError):
        return None


# --------------------------------------------------------------------------- build


def build(raw_dir: Path | None = None, out_dir: Path = paths.PROCESSED_DIR, full: bool = False,
          report: Callable[[str], None] | None = None) -> Outcome:
    """Build the outputs of every stage whose inputs changed (all with ``full``).

    ``report`` gets a line as each stage starts. Raises :class:`lib.runs.Interrupted` with a
    summary if stopped by a signal (inside :func:`lib.runs.stop_on_signals`).
    """
    raw_dir = Path(raw_dir) if raw_dir is not None else paths.RAW_DIR
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with runs.exclusive(out_dir / LOCK_FILE, f"build of {_display(out_dir)}"):
        runs.sweep_temporaries(out_dir)  # under the lock every temporary file there is stale
        from lib import cache

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
            raise RuntimeError(f"two stages are named {stage.name!r} (lib/stages.py)")
        names.add(stage.name)
        missing = [t for t in stage.needs if t != stages.ALL_TABLES and t not in made]
        if missing:
            raise RuntimeError(f"stage {stage.name} needs {missing}, which no stage before it "
                               "makes (lib/stages.py)")
        made.update(stage.tables)


def _build(raw_dir: Path, out_dir: Path, full: bool, report: Callable[[str], None]) -> Outcome:
    check_stages(stages.STAGES)
    start = time.perf_counter()
    outcome = Outcome(out_dir)
    previous = read_state(out_dir)
    table_names = tuple(t for s in stages.STAGES for t in s.tables)
    state: dict[str, dict] = {}
    frames: dict[str, object] = {}
    table_sha: dict[str, str] = {}
    staged: list[tuple[Path, Path]] = []  # (temporary file, target), see lib.store
    done = 0
    committed = False

    def read(name: str):  # noqa: ANN202 - a DataFrame
        if name not in frames:
            import pandas as pd

            frames[name] = pd.read_parquet(out_dir / f"{name}.parquet")
        return frames[name]

    ctx = stages.Context(raw_dir, out_dir, table_names, read)
    forked: list[_Forked] = []
    try:
        for stage in stages.STAGES:
            parts = components(stage, raw_dir, table_sha, table_names)
            fp = fingerprint.digest(parts)
            old = previous.get(stage.name)
            kept = None if full else _reusable(stage, old, fp, out_dir)
            if kept is not None:
                state[stage.name] = old  # type: ignore[assignment]
                table_sha.update(kept)
                outcome.skipped.append(stage.name)
                done += 1
                continue
            reason = "--full" if full else _changed(parts, old)
            report(f"{stage.name}: running ({reason})")
            if stage.parallel:
                forked.append(_Forked.start(stage, ctx, out_dir, frames, fp, parts, reason))
                continue
            t0 = time.perf_counter()
            outputs = _run(stage, ctx, out_dir, staged, frames)
            state[stage.name] = {"fingerprint": fp, "components": parts, "outputs": outputs}
            table_sha.update({t: outputs[f"{t}.parquet"]["sha256"] for t in stage.tables})
            outcome.ran.append((stage.name, reason, time.perf_counter() - t0))
            done += 1
        while forked:
            job = forked.pop(0)
            outputs, seconds = job.collect(staged)
            state[job.stage.name] = {"fingerprint": job.fp, "components": job.parts,
                                     "outputs": outputs}
            outcome.ran.append((job.stage.name, job.reason, seconds))
            done += 1
        outcome.ran.sort(key=lambda r: [s.name for s in stages.STAGES].index(r[0]))
        if outcome.ran:
            _commit(out_dir, staged, state, previous)
            outcome.written = [target for _, target in staged]
        committed = True
    except runs.Interrupted as exc:
        n = len(stages.STAGES)
        summary = (f"{n} of {n} stages done; outputs written" if committed else
                   f"{done} of {n} stages done; previous outputs kept")
        raise runs.Interrupted(exc.signum, summary) from None
    finally:
        for job in forked:  # stopped or failed: the forked stages go too
            job.stop()
        for tmp, _ in staged:  # what was not renamed into place
            tmp.unlink(missing_ok=True)
        ctx.close()
    outcome.seconds = time.perf_counter() - start
    return outcome


def _run(stage: stages.Stage, ctx: stages.Context, out_dir: Path, staged: list,
         frames: dict[str, object]) -> dict[str, dict]:
    """Run a stage and stage its outputs; return their checksums by relative path."""
    import fnmatch

    from lib import store

    result = stage.run(ctx)
    missing = [t for t in stage.tables if t not in result]
    if missing:
        raise RuntimeError(f"stage {stage.name} did not return its tables {missing}")
    first = len(staged)
    for name, value in result.items():
        if name in stage.tables:
            frames[name] = store.stage_table(name, value, out_dir, staged)  # type: ignore[arg-type]
        elif isinstance(value, str | bytes | Path) and any(fnmatch.fnmatch(name, p)
                                                           for p in stage.files):
            store.stage_file(name, value, out_dir, staged)
        else:
            raise RuntimeError(f"stage {stage.name} returned {name!r}, which it does not "
                               "declare in its tables or files")
    return {target.relative_to(out_dir).as_posix(): {"sha256": fingerprint.sha256_file(tmp)}
            for tmp, target in staged[first:]}


@dataclass
class _Forked:
    """A ``parallel`` stage running in a forked process (it sees the tables built so far).

    The child stages the stage's files beside their targets, as :func:`_run` does, and
    sends back their checksums and temporary paths; the parent commits them with the rest.
    A child that fails sends its one-line error, which the parent raises as its own.
    """

    stage: stages.Stage
    fp: str
    parts: dict
    reason: str
    process: Any
    conn: Any

    @classmethod
    def start(cls, stage: stages.Stage, ctx: stages.Context, out_dir: Path,
              frames: dict[str, object], fp: str, parts: dict, reason: str) -> _Forked:
        import multiprocessing

        for name in ctx.table_names:  # read in the parent once, shared with the child
            ctx.table(name)
        ctx.scratch()  # the parent owns (and removes) the scratch directory
        mp = multiprocessing.get_context("fork")
        parent, child = mp.Pipe(duplex=False)
        process = mp.Process(target=_forked_stage, args=(stage, ctx, out_dir, frames, child),
                             name=f"build-{stage.name}", daemon=True)
        process.start()
        child.close()
        return cls(stage, fp, parts, reason, process, parent)

    def collect(self, staged: list) -> tuple[dict[str, dict], float]:
        """Wait for the child; add its staged files to ``staged``; its outputs and seconds."""
        try:
            kind, payload = self.conn.recv()
        except EOFError:
            kind, payload = "error", f"stage {self.stage.name} ended without a result"
        self.process.join()
        if kind == "error":
            raise payload if isinstance(payload, BaseException) else RuntimeError(payload)
        outputs, files, seconds = payload
        staged.extend((Path(tmp), Path(target)) for tmp, target in files)
        return outputs, seconds

    def stop(self) -> None:
        """End the child if it still runs (its temporary files are swept by the next build)."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=5)
        self.conn.close()


def _forked_stage(stage: stages.Stage, ctx: stages.Context, out_dir: Path,
                  frames: dict[str, object], conn: Any) -> None:
    """The child of :class:`_Forked`: run the stage, stage its files, report back."""
    import pickle

    staged: list[tuple[Path, Path]] = []
    t0 = time.perf_counter()
    try:
        with runs.stop_on_signals():
            outputs = _run(stage, ctx, out_dir, staged, frames)
        conn.send(("ok", (outputs, [(str(t), str(g)) for t, g in staged],
                          time.perf_counter() - t0)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        try:
            pickle.dumps(exc)
            conn.send(("error", exc))
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _commit(out_dir: Path, staged: list, state: dict[str, dict],
            previous: dict[str, dict]) -> None:
    """Rename the staged outputs into place, remove outputs no longer made, record state."""
    from lib import store

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

