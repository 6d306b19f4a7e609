"""A build stage run in a forked process (the ``parallel`` stages of :mod:`lib.build.stages`).

:class:`Forked` is the build's handle on one such process. The child is a fork of the
build: it sees every table, module and cache the build had loaded. It runs the stage,
writes the stage's tables and files to temporary files beside their targets (as
:func:`lib.build.runner` does for every stage), and sends back one message: ``("ok", (outputs,
staged files, seconds))``, ``("error", exception)`` or ``("interrupted", signal)``. The
build renames the files into place with all the others, or removes them.

A stage forked before all the tables it needs exist (an early start) gets them over the
same pipe: the build sends ``(table, path of its Parquet file)`` as each is written, and
the child's ``ctx.table`` waits for the ones it has not got yet.

Ctrl-C and SIGTERM: the child stops as the build does (:func:`lib.core.runs.stop_on_signals`),
removes its temporary files and reports the interruption; signals are blocked while it is
forked, so that none arrives before it can clean up. A child whose build process died is
ended by the kernel (Linux: ``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lib.build import stages
from lib.core import runs

# Forking (POSIX): elsewhere the build runs parallel stages in its own process.
AVAILABLE = hasattr(os, "fork")
_SIGNALS = {signal.SIGINT, signal.SIGTERM}
# Runs a stage and stages its outputs: (stage, ctx, out_dir, staged, frames) -> outputs.
Runner = Callable[..., dict[str, dict]]


@dataclass
class Forked:
    """A stage running in a forked process, and what the build decided about it.

    ``decided`` is (fingerprint, components, reason) once the build knows the stage must
    run; None while it was only started early.
    """

    stage: stages.Stage
    process: Any
    conn: Any
    wants: frozenset[str]
    sent: set[str]
    decided: tuple[str, dict, str] | None = None

    @classmethod
    def start(
        cls,
        stage: stages.Stage,
        ctx: stages.Context,
        run: Runner,
        frames: dict,
        files: dict[str, Path],
        wants: Iterable[str],
        jobs: dict[str, Forked],
    ) -> None:
        """Fork a process running ``stage`` and add it to ``jobs`` (before a signal can
        stop the build). ``frames`` are the tables in memory, ``files`` the Parquet files
        of the tables written so far, ``wants`` the tables the stage reads."""
        import multiprocessing

        # Imported once here, shared by the children: every stage's tables are DataFrames,
        # read from Parquet and checked against the schemas of these modules.
        import pandas  # noqa: F401
        import pandas.io.parquet  # noqa: F401
        import pyarrow.dataset  # noqa: F401

        from lib.publish import registry

        registry.schemas()

        ctx.scratch()  # the build owns (and removes) the scratch directory
        wants = frozenset(wants)
        mp = multiprocessing.get_context("fork")
        parent, child = mp.Pipe(duplex=True)
        others = [job.conn for job in jobs.values()]  # not the child's: closed there
        process = mp.Process(
            target=_child,
            name=f"build-{stage.name}",
            daemon=True,
            args=(
                stage,
                ctx,
                run,
                frames,
                dict(files),
                wants,
                child,
                [*others, parent],
                os.getpid(),
            ),
        )
        sys.stdout.flush()
        sys.stderr.flush()
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        try:
            process.start()
            child.close()
            jobs[stage.name] = cls(stage, process, parent, wants, set(files) & wants)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def offer(self, name: str, path: Path) -> None:
        """Send the child a table it reads, now written to ``path``."""
        if name in self.wants and name not in self.sent:
            with suppress(OSError):  # the child has ended: collect() gives its error
                self.conn.send((name, str(path)))
            self.sent.add(name)

    def collect(self) -> tuple[dict[str, dict], list[tuple[Path, Path]], float]:
        """Wait for the child: its outputs' checksums, its staged files, its seconds.
        Raises what the stage raised (:class:`lib.core.runs.Interrupted` if it was stopped)."""
        try:
            kind, payload = self.conn.recv()
        except EOFError:
            kind, payload = "error", f"stage {self.stage.name} ended without a result"
        self.process.join()
        if kind == "interrupted":
            raise runs.Interrupted(payload)
        if kind == "error":
            raise payload if isinstance(payload, BaseException) else RuntimeError(payload)
        outputs, files, seconds = payload
        return outputs, [(Path(tmp), Path(target)) for tmp, target in files], seconds

    def stop(self) -> None:
        """End the child if it still runs; remove the files of a result not collected."""
        if self.process.is_alive():
            self.process.terminate()  # the child removes its temporary files
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        with suppress(Exception):  # EOF, a closed pipe, an exception that does not unpickle
            while self.conn.poll():
                kind, payload = self.conn.recv()
                if kind == "ok":
                    _discard(Path(tmp) for tmp, _ in payload[1])
        self.conn.close()


def _child(
    stage: stages.Stage,
    ctx: stages.Context,
    run: Runner,
    frames: dict,
    files: dict[str, Path],
    wants: frozenset[str],
    conn: Any,
    others: list[Any],
    parent: int,
) -> None:
    """The forked process: run the stage, stage its outputs, report back, exit."""
    staged: list[tuple[Path, Path]] = []
    t0 = time.perf_counter()
    try:
        with runs.stop_on_signals():
            try:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
                for other in others:
                    other.close()
                _end_with_parent(parent)
                ctx.read_with(_reader(stage, frames, files, wants, conn))
                outputs = run(stage, ctx, ctx.out_dir, staged, frames)
            finally:
                signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)  # until the result is sent
        result: tuple = (
            "ok",
            (outputs, [(str(t), str(g)) for t, g in staged], time.perf_counter() - t0),
        )
    except runs.Interrupted as exc:
        _discard(tmp for tmp, _ in staged)
        result = ("interrupted", exc.signum)
    except BaseException as exc:  # noqa: BLE001 - reported to the build
        _discard(tmp for tmp, _ in staged)
        result = ("error", _portable(exc))
    with suppress(OSError):
        conn.send(result)
    os._exit(0)  # nothing of the build's to clean up here: skip its exit handlers


def _reader(
    stage: stages.Stage, frames: dict, files: dict[str, Path], wants: frozenset[str], conn: Any
) -> Callable[[str], Any]:
    """The child's ``ctx.table``: a table in memory, else its Parquet file, waiting for the
    build to send the file's path if it is not written yet."""

    def read(name: str) -> Any:  # noqa: ANN401 - a DataFrame
        if name not in frames:
            if name not in files and name not in wants:
                raise RuntimeError(
                    f"stage {stage.name} reads table {name}, which is not "
                    "among its needs (lib/build/stages.py)"
                )
            while name not in files:
                got, path = conn.recv()
                files[got] = Path(path)
            import pandas as pd

            frames[name] = pd.read_parquet(files[name])
        return frames[name]

    return read


def _end_with_parent(parent: int) -> None:
    """Have the kernel send SIGTERM to this process when the build's process dies (Linux)."""
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before that
        raise runs.Interrupted(signal.SIGTERM)


def _portable(exc: BaseException) -> BaseException | str:
    """The exception if it survives pickling, else its one-line text."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes
    except Exception:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    return exc


def _discard(temporaries: Iterable[Path]) -> None:
    for tmp in temporaries:
        tmp.unlink(missing_ok=True)
