"""Runs that stop cleanly and one at a time, tested with real processes and real signals.

``build`` and ``batch`` run as ``python -m lib`` in temporary copies of the repository
(tests/repocopy.py); Ctrl-C is sent as a terminal sends it (SIGINT to the process group),
SIGTERM as ``kill`` sends it (to the process). The notebooks of the batch tests are the
tiny fixtures of tests/fixtures/notebooks; the "slow" one is made here from a fixture by
adding a cell that sleeps, so that a batch can be stopped while a kernel is busy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import repocopy

from lib.build import runner, stages
from lib.core import runs
from lib.report import batch

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
N_STAGES = len(stages.STAGES)


@pytest.fixture
def repo(built_repo: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built repository."""
    root = tmp_path / "repo"
    shutil.copytree(built_repo, root)
    return root


def _last_line(stderr: str) -> str:
    """The last line of stderr as a terminal shows it (progress bars redraw with \\r)."""
    return stderr.strip().splitlines()[-1].split("\r")[-1]


# --------------------------------------------------------------------------- build


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_interrupted_build_stops_and_keeps_previous_outputs(
    repo: Path, tmp_path: Path, how: str
) -> None:
    processed = repo / "data" / "processed"
    before = repocopy.outputs(processed)
    cache_dir = tmp_path / "empty-cache"  # the OCR repair then takes seconds: time to stop it
    proc = repocopy.start(repo, cache_dir, "build", "--full")
    repocopy.wait_for_line(proc, r"^ocr: running")
    assert repocopy.temporaries(processed)  # the documents stage's outputs, not yet in place
    seconds = repocopy.interrupt(proc, how)
    err = proc.stderr.read()
    assert proc.returncode == runs.EXIT_INTERRUPTED
    assert err.strip().splitlines() == [
        f"interrupted: 1 of {N_STAGES} stages done; previous outputs kept"
    ]
    assert seconds < 5
    assert repocopy.outputs(processed) == before
    assert not repocopy.temporaries(processed, cache_dir)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_build_interrupted_while_forked_stages_run_leaves_no_process_or_temporary(
    repo: Path, tmp_path: Path, how: str
) -> None:
    """Stopped while the stages that read the reports run in forked processes (with an
    empty cache they take a second or more): every one of them ends, none leaves a file."""
    processed = repo / "data" / "processed"
    before = repocopy.outputs(processed)
    cache_dir = tmp_path / "empty-cache"
    proc = repocopy.start(repo, cache_dir, "build", "--full")
    forked = [
        s.name for s in stages.STAGES if s.parallel and stages.RAW in s.inputs and not s.needs
    ]
    repocopy.wait_for_line(proc, rf"^{forked[-1]}: running")
    children: list[psutil.Process] = []

    def all_forked() -> bool:
        children[:] = psutil.Process(proc.pid).children(recursive=True)
        return len(children) >= len(forked)

    _wait_until(all_forked, timeout=30)
    seconds = repocopy.interrupt(proc, how)
    err = proc.stderr.read()
    assert proc.returncode == runs.EXIT_INTERRUPTED
    assert re.fullmatch(
        rf"interrupted: [12] of {N_STAGES} stages done; previous outputs kept", err.strip()
    ), err  # documents (and quantities, if it was collected)
    assert seconds < 5
    _wait_until(
        lambda: not any(c.is_running() and c.status() != psutil.STATUS_ZOMBIE for c in children),
        timeout=5,
    )
    assert not _run_processes(repo)
    assert repocopy.outputs(processed) == before
    assert not repocopy.temporaries(processed, cache_dir)


@pytest.mark.slow
def test_hard_killed_build_leaves_temporaries_that_the_next_build_removes(
    repo: Path, tmp_path: Path, shared_cache: Path
) -> None:
    processed = repo / "data" / "processed"
    before = repocopy.outputs(processed)
    proc = repocopy.start(repo, tmp_path / "empty-cache", "build", "--full")
    repocopy.wait_for_line(proc, r"^ocr: running")
    repocopy.interrupt(proc, "sigkill")
    assert repocopy.temporaries(processed)  # what the killed build had staged
    result = repocopy.run(repo, shared_cache, "build")
    assert result.returncode == 0, result.stderr
    assert "build: up to date" in result.stdout  # the killed build changed nothing
    assert not repocopy.temporaries(processed)
    assert repocopy.outputs(processed) == before


@pytest.mark.slow
def test_two_builds_at_once_run_one_after_the_other(
    repo: Path, built_repo: Path, shared_cache: Path
) -> None:
    first = repocopy.start(repo, shared_cache, "build", "--full")
    repocopy.wait_for_line(first, r"^documents: running")  # it holds the lock
    second = repocopy.start(repo, shared_cache, "build")
    waiting = second.stderr.readline().strip()
    assert waiting == (
        f"waiting: another build of data/processed is running (process "
        f"{first.pid}); this one starts when it has finished"
    )
    first_out, first_err = first.communicate(timeout=300)
    second_out, second_err = second.communicate(timeout=300)
    assert (first.returncode, second.returncode) == (0, 0)
    assert "Traceback" not in first_err + second_err
    assert "build: up to date" in second_out  # the first one built the same inputs
    single = repocopy.outputs(built_repo / "data" / "processed")
    assert repocopy.outputs(repo / "data" / "processed") == single


@pytest.mark.slow
def test_sweep_removes_only_temporaries_of_processes_that_ended(tmp_path: Path) -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = int(ended.stdout)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        names = {
            f".x.pickle.{dead}.tmp": True,
            f".y.pickle.{alive.pid}.tmp": False,
            f".z.pickle.{os.getpid()}.tmp": False,
            "kept.pickle": False,
        }
        for name in names:
            (tmp_path / name).write_text("x")
        removed = runs.sweep_temporaries(tmp_path, only_dead=True)
        assert [p.name for p in removed] == [n for n, gone in names.items() if gone]
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            n for n, gone in names.items() if not gone
        )
    finally:
        alive.kill()
        alive.wait()


@pytest.mark.parametrize("write", ["staged", "atomic"])
def test_signal_just_after_a_temporary_file_is_made_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: str
) -> None:
    """The narrowest window of a stopped build (seen once in CI): Ctrl-C arrives the moment
    the temporary file exists, before the writer knows its name. Simulated by sending
    SIGINT to this process from inside ``mkstemp``; the file must still be removed."""
    import tempfile

    import pandas as pd

    from lib.core import store

    real = tempfile.mkstemp

    def mkstemp_then_ctrl_c(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        made = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)
        return made

    monkeypatch.setattr(store.tempfile, "mkstemp", mkstemp_then_ctrl_c)
    staged: list = []
    with pytest.raises(runs.Interrupted), runs.stop_on_signals():
        try:
            if write == "staged":
                store.stage_file("ocr_changes.csv", "a,b\n", tmp_path, staged)
            else:
                with store.atomic_path(tmp_path / "documents.csv") as tmp:
                    pd.DataFrame({"a": [1]}).to_csv(tmp)
        finally:
            store.discard(staged)
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------- batch

BATCH = (
    "batch",
    "--year",
    "2024",
    "--theme",
    "oversikt",
    "--theme",
    "hemloshet",
    "--district",
    "Centrum",
    "--jobs",
    "2",
    "--outputs-dir",
)
# One quick notebook (the overview fixture): enough for the tests of locks and waiting.
ONE = ("batch", "--year", "2024", "--theme", "oversikt", "--jobs", "1", "--outputs-dir")
# The slow notebook alone: a batch killed while it runs.
SLOW = (
    "batch",
    "--year",
    "2024",
    "--theme",
    "hemloshet",
    "--district",
    "Centrum",
    "--jobs",
    "1",
    "--outputs-dir",
)


def _slow_copy(source: Path, target: Path) -> None:
    """The fixture notebook with a last cell that sleeps for two minutes."""
    nb = json.loads(source.read_text(encoding="utf-8"))
    nb["cells"].append(
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "sov",
            "metadata": {},
            "outputs": [],
            "source": ["import time\n", "time.sleep(120)\n"],
        }
    )
    target.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")


@pytest.fixture
def batch_repo(repo: Path) -> Path:
    """The copy with a notebooks directory of fixtures: the overview (quick) and a slow
    hemlöshet notebook."""
    nbdir = repo / "notebooks"
    nbdir.mkdir()
    shutil.copy(FIXTURES / "00_oversikt.ipynb", nbdir / "00_oversikt.ipynb")
    _slow_copy(FIXTURES / "10_hemloshet.ipynb", nbdir / "10_hemloshet.ipynb")
    return repo


def _previous_report(out: Path) -> Path:
    """An earlier published report of the slow notebook (made here) that must survive."""
    folder = out / "2024" / "Centrum" / "10_hemloshet"
    folder.mkdir(parents=True)
    (folder / "10_hemloshet.html").write_text("<p>Tidigare rapport</p>\n", encoding="utf-8")
    return folder


def _wait_until(check, timeout: float = 120) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _run_processes(*places: Path) -> list[psutil.Process]:
    """Processes still running in (or below) the given directories."""
    found = []
    for proc in psutil.process_iter():
        try:
            cwd = proc.cwd()
        except psutil.Error:
            continue
        if any(cwd == str(p) or cwd.startswith(f"{p}/") for p in places):
            found.append(proc)
    return found


def _start_slow_batch(
    batch_repo: Path, tmp_path: Path, cache: Path, command: tuple = BATCH
) -> tuple[Path, Path, dict, subprocess.Popen]:
    """Start a batch with the slow notebook over an earlier report of it: the outputs
    directory, the earlier report's folder and bytes, and the process."""
    out = tmp_path / "outputs"
    previous = _previous_report(out)
    return (
        out,
        previous,
        repocopy.outputs(previous),
        repocopy.start(batch_repo, cache, *command, str(out)),
    )


def _slow_running(out: Path) -> bool:
    """The slow notebook is executing in a temporary directory."""
    return bool(list((out / "2024" / "Centrum").glob(".10_hemloshet.*.tmp")))


def _started(out: Path) -> bool:
    """The overview is published and the slow notebook is executing in a temporary dir."""
    published = (out / "2024" / "Göteborg" / "00_oversikt" / "00_oversikt.html").is_file()
    return published and _slow_running(out)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_interrupted_batch_stops_kernels_and_keeps_finished_outputs(
    batch_repo: Path, tmp_path: Path, shared_cache: Path, how: str
) -> None:
    out, previous, before, proc = _start_slow_batch(batch_repo, tmp_path, shared_cache)
    try:
        _wait_until(lambda: _started(out))
        assert [p for p in _run_processes(out) if "ipykernel" in " ".join(p.cmdline())]
        seconds = repocopy.interrupt(proc, how)
        err = proc.stderr.read()
        assert proc.returncode == runs.EXIT_INTERRUPTED
        assert _last_line(err) == (
            "interrupted: 1 of 2 notebooks done; outputs of finished notebooks kept"
        )
        assert "Traceback" not in err
        assert seconds < 5
        assert repocopy.outputs(previous) == before
        assert "00_oversikt/00_oversikt.html" in (out / "index.html").read_text("utf-8")
        assert not repocopy.temporaries(out)
        _wait_until(lambda: not _run_processes(out, batch_repo), timeout=5)
    finally:
        for leftover in _run_processes(out, batch_repo):
            leftover.kill()


@pytest.mark.slow
def test_hard_killed_batch_leaves_temporaries_that_the_next_batch_removes(
    batch_repo: Path, tmp_path: Path, shared_cache: Path
) -> None:
    out, previous, before, proc = _start_slow_batch(batch_repo, tmp_path, shared_cache, SLOW)
    try:
        _wait_until(lambda: _slow_running(out))
        repocopy.interrupt(proc, "sigkill")
    finally:
        for leftover in _run_processes(out, batch_repo):  # as after a power loss
            leftover.kill()
    left = repocopy.temporaries(out)
    assert any(p.name.startswith(".10_hemloshet.") for p in left)
    result = repocopy.run(
        batch_repo,
        shared_cache,
        "batch",
        "--year",
        "2024",
        "--theme",
        "oversikt",
        "--outputs-dir",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert not repocopy.temporaries(out)
    assert repocopy.outputs(previous) == before


def _quick_notebook(repo: Path) -> None:
    """A notebooks directory in the copy with the quick overview fixture."""
    nbdir = repo / "notebooks"
    nbdir.mkdir()
    shutil.copy(FIXTURES / "00_oversikt.ipynb", nbdir / "00_oversikt.ipynb")


@pytest.mark.slow
def test_two_batches_at_once_run_one_after_the_other(
    repo: Path, tmp_path: Path, shared_cache: Path
) -> None:
    _quick_notebook(repo)
    single = tmp_path / "single"
    reference = repocopy.run(repo, shared_cache, *ONE, str(single))
    assert reference.returncode == 0, reference.stderr

    out = tmp_path / "outputs"
    first = repocopy.start(repo, shared_cache, *ONE, str(out))
    lock = out / batch.LOCK_FILE
    _wait_until(lambda: lock.is_file() and lock.read_text().strip() == str(first.pid))
    second = repocopy.start(repo, shared_cache, *ONE, str(out))
    first_out, first_err = first.communicate(timeout=300)
    second_out, second_err = second.communicate(timeout=300)
    assert (first.returncode, second.returncode) == (0, 0)
    assert second_err.startswith(
        f"waiting: another batch into {out} is running (process "
        f"{first.pid}); this one starts when it has finished\n"
    )
    assert "Traceback" not in first_err + second_err
    assert repocopy.outputs(out) == repocopy.outputs(single)


def _stderr_line(proc: subprocess.Popen, timeout: float = 60) -> str:
    """The next line the started process writes to stderr (failing after ``timeout``)."""
    import select

    ready, _, _ = select.select([proc.stderr], [], [], timeout)
    assert ready, "no line on stderr"
    return proc.stderr.readline()


@pytest.mark.slow
def test_a_build_waits_while_a_batch_reads_the_tables(repo: Path, shared_cache: Path) -> None:
    """A batch holds the tables' lock shared (held here, as run_batch holds it): a build
    started meanwhile says so, writes nothing until the batch is done, then builds."""
    processed = repo / "data" / "processed"
    before = repocopy.outputs(processed)
    with runs.shared(processed / runs.PROCESSED_LOCK, "test"):
        proc = repocopy.start(repo, shared_cache, "build", "--full")
        assert _stderr_line(proc) == (
            "waiting: a batch is reading data/processed; this one starts when it has finished\n"
        )
        time.sleep(0.3)
        assert proc.poll() is None and repocopy.outputs(processed) == before
        assert not repocopy.temporaries(processed)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert repocopy.outputs(processed) == before  # the same inputs: the same tables


@pytest.mark.slow
def test_a_batch_waits_while_a_build_writes_the_tables(
    repo: Path, tmp_path: Path, shared_cache: Path
) -> None:
    _quick_notebook(repo)
    out = tmp_path / "outputs"
    with runs.exclusive(repo / "data" / "processed" / runs.PROCESSED_LOCK, "build"):
        proc = repocopy.start(repo, shared_cache, *ONE, str(out))
        assert _stderr_line(proc) == (
            "waiting: a build of data/processed is writing the "
            "tables; this one starts when it has finished\n"
        )
        time.sleep(0.3)
        assert proc.poll() is None and not out.exists()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert (out / "2024" / "Göteborg" / "00_oversikt" / "00_oversikt.html").is_file()


def test_build_lock_file_names_the_holder(tmp_path: Path) -> None:
    with runs.exclusive(tmp_path / runner.LOCK_FILE, "build"):
        assert (tmp_path / runner.LOCK_FILE).read_text().strip() == str(os.getpid())
    assert (tmp_path / runner.LOCK_FILE).read_text() == ""
