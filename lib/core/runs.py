"""Runs that stop cleanly and one at a time: signals, locks and stale temporary files.

* :func:`stop_on_signals` turns Ctrl-C (SIGINT) and SIGTERM into :class:`Interrupted`,
  raised in the main thread, so that ``finally`` blocks remove temporary files and the
  command can say what was kept (``python -m lib`` prints one line and exits 130).
  Inside :func:`deferred` (renaming finished outputs into place) a signal waits until the
  block is done, so outputs are never half-replaced.
* :func:`exclusive` takes a lock file (``fcntl.flock``): a second build or batch on the
  same directory waits for the first and says so. The lock goes with the process, also
  when it is killed.
* :func:`sweep_temporaries` removes the hidden ``.*.tmp`` files and directories a killed
  run left behind. Our temporary names carry the process id (:func:`temp_prefix`), so
  outside a lock only those of processes that no longer run are removed.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

EXIT_INTERRUPTED = 130
# The lock file of a processed-tables directory: builds hold it exclusively, batches
# (which read the tables) shared.
PROCESSED_LOCK = ".build.lock"
_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_PID_RE = re.compile(r"\.(\d+)\.(?:[A-Za-z0-9_]+\.)*tmp$")


class Interrupted(KeyboardInterrupt):
    """A run was stopped by SIGINT or SIGTERM; ``summary`` says what was done and kept."""

    def __init__(self, signum: int = signal.SIGINT, summary: str = "") -> None:
        super().__init__(summary or signal.Signals(signum).name)
        self.signum = signum
        self.summary = summary


class _State:
    depth = 0  # nesting of deferred()
    pending: int | None = None
    raised = False


def _handler(signum: int, frame: object) -> None:
    if _State.raised:
        return  # already stopping: let the clean-up finish
    if _State.depth:
        _State.pending = signum
        return
    _State.raised = True
    raise Interrupted(signum)


def stopping() -> bool:
    """Whether a signal has been turned into :class:`Interrupted` and the run is stopping."""
    return _State.raised


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` in the main thread while inside.

    Only the first signal raises; later ones are ignored while the run cleans up. Outside
    the main thread this does nothing (signals are delivered to the main thread only).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _handler) for s in _SIGNALS}
    _State.raised, _State.pending = False, None
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
        _State.raised, _State.pending = False, None


@contextmanager
def deferred() -> Iterator[None]:
    """A block that a signal does not cut short: it raises :class:`Interrupted` at the end."""
    _State.depth += 1
    try:
        yield
    finally:
        _State.depth -= 1
    if not _State.depth and _State.pending is not None and not _State.raised:
        signum, _State.pending = _State.pending, None
        _State.raised = True
        raise Interrupted(signum)


# --------------------------------------------------------------------------- locks


@contextmanager
def exclusive(
    lock_file: Path, what: str, stream: TextIO | None = None, readers: str = ""
) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_file``; if another process holds it, say so and wait.

    ``what`` names the run in the message (``"build of data/processed"``). The holder's
    process id is written into the file for the message; ``readers`` is the message when
    the holders are readers (:func:`shared`, which records no id). An existing directory is
    locked as it is (nothing is written into it: data/raw and data/curated stay as they are).
    """
    is_dir = lock_file.is_dir()
    if not is_dir:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = (
        os.open(lock_file, os.O_RDONLY)
        if is_dir
        else os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    )

    def busy() -> str:
        holder = "" if is_dir else os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        who = f" (process {holder})" if holder.isdigit() else ""
        return readers if readers and not who else f"another {what} is running{who}"

    try:
        _acquire(fd, fcntl.LOCK_EX, busy, stream)
        if not is_dir:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            if not is_dir:
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def shared(lock_file: Path, busy: str, stream: TextIO | None = None) -> Iterator[None]:
    """Hold a shared (reader's) lock on ``lock_file``, the lock file of :func:`exclusive`.

    Readers run side by side; while one runs, :func:`exclusive` waits, and while an
    exclusive holder runs, this waits and prints ``waiting: <busy>; …``. Nothing is written
    into the file.
    """
    try:
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        fd = None
    if fd is None:  # a read-only directory: nothing can build into it either
        yield
        return
    try:
        _acquire(fd, fcntl.LOCK_SH, lambda: busy, stream)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, mode: int, busy: Callable[[], str], stream: TextIO | None) -> None:
    """Take the flock ``mode`` on ``fd``; if it is held, print ``waiting: <busy()>; …`` and
    wait for it."""
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        print(
            f"waiting: {busy()}; this one starts when it has finished",
            file=stream or sys.stderr,
            flush=True,
        )
        fcntl.flock(fd, mode)


# --------------------------------------------------------------------------- temporaries


def temp_prefix(name: str) -> str:
    """The prefix of a temporary file or directory standing in for ``name``: hidden, with
    this process id (``.documents.csv.4242.``); give ``suffix=".tmp"`` with it."""
    return f".{name}.{os.getpid()}."


def pid_alive(pid: int) -> bool:
    """True if a process with this id runs (or exists under another user)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale(path: Path) -> bool:
    m = _PID_RE.search(path.name)
    if m is None:
        return True
    pid = int(m.group(1))
    return pid != os.getpid() and not pid_alive(pid)


def sweep_temporaries(root: Path, only_dead: bool = False) -> list[Path]:
    """Remove hidden temporary files and directories (``.*.tmp``) under ``root``.

    With ``only_dead``, only those whose name carries the id of a process that no longer
    runs (or no id at all) are removed; without it, the caller holds the lock of ``root``
    and every one is stale. Returns what was removed.
    """
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            if not (name.startswith(".") and name.endswith(".tmp")):
                continue
            path = Path(dirpath) / name
            if only_dead and not _stale(path):
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
        dirnames[:] = [d for d in dirnames if not (d.startswith(".") and d.endswith(".tmp"))]
    return removed


# --------------------------------------------------------------------------- processes


def stop_children(grace: float = 1.5) -> None:
    """Stop every process this one started, and theirs (a batch's workers and kernels).

    For the command line, where every child process belongs to the run being stopped.
    The processes are suspended as they are found (so they start nothing new), then asked
    to terminate (SIGTERM) and killed if still there after ``grace`` seconds.
    multiprocessing's resource tracker is left to clean up after the pool at exit.
    """
    import psutil

    found: dict[int, psutil.Process] = {}
    for _ in range(5):  # a process may have started a child while we looked
        new = [
            p
            for p in psutil.Process().children(recursive=True)
            if p.pid not in found and not _is_resource_tracker(p)
        ]
        if not new:
            break
        for proc in new:
            with suppress(psutil.Error):
                proc.suspend()
                found[proc.pid] = proc
    procs = list(found.values())
    for proc in procs:
        with suppress(psutil.Error):
            proc.terminate()
            proc.resume()
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for proc in alive:
        with suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(alive, timeout=grace)


def _is_resource_tracker(proc: object) -> bool:
    import psutil

    try:
        return "resource_tracker" in " ".join(proc.cmdline())  # type: ignore[attr-defined]
    except psutil.Error:
        return False
