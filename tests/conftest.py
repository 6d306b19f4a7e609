"""Shared fixtures: the real corpus, writable copies of data/raw, and repository copies
built once per test session.

Tests run in parallel (pytest-xdist, ``make test``): fixtures that are costly and read-only
(a built repository copy and the cache its build filled) are made once for the whole
session by the first worker that needs them, under a file lock, and reused by the others.
Everything a test changes is its own copy. Nothing is read from a cache this session did
not fill: in-process code starts from an empty cache directory (so the extraction code
runs under pytest), and the subprocess tests' cache is filled by the session's first build.

Process-level tests (a real ``python -m lib``, a kernel, a browser, a server) are marked
``slow``; ``make check`` leaves them out (``-m "not slow"``), and a test not marked slow
that starts a process fails, naming the marker.
"""

from __future__ import annotations

import fcntl
import multiprocessing.process
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from lib import paths
from lib.curation import observations, proposal_inputs, propose
from lib.curation.catalog import Indicator, load_catalog
from lib.sources import corpus

# --------------------------------------------------------------------------- once per session


def _session_dir(factory: pytest.TempPathFactory) -> Path:
    """A directory shared by every worker of this session (the parent of the workers'
    base temporary directories under xdist, the base directory otherwise)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """``<session dir>/<name>``, made by ``make`` once for the whole session."""
    root = _session_dir(factory)
    target = root / name
    with _locked(root / f".{name}.lock"):
        done = root / f".{name}.done"
        if not done.exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            make(target)
            done.touch()
    return target


@pytest.fixture(scope="session", autouse=True)
def empty_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """In-process code caches derived artefacts in a directory this session starts empty,
    not in the .cache/ that ``make data`` filled: the OCR repair, structure and quantities
    run under pytest instead of being read back."""
    directory = once(tmp_path_factory, "cache-in-process", lambda _: None)
    patch = pytest.MonkeyPatch()
    patch.setenv("GBG_CACHE_DIR", str(directory))
    yield directory
    patch.undo()


def _built(target: Path) -> None:
    import repocopy

    (target / "cache").mkdir()
    root = repocopy.make(target / "repo")
    result = repocopy.run(root, target / "cache", "build")
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def built_session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Once per session: a repository copy built by ``python -m lib build`` in a real
    process, starting from an empty cache (``repo/``), and that cache (``cache/``)."""
    return once(tmp_path_factory, "built", _built)


@pytest.fixture(scope="session")
def shared_cache(built_session: Path) -> Path:
    """The cache of derived artefacts filled by this session's first build, for tests that
    build in a copy of the repository (entries are keyed by their inputs and code, so a
    test that changes either computes anew)."""
    return built_session / "cache"


@pytest.fixture(scope="session")
def built_repo(built_session: Path) -> Path:
    """A copy of the repository (tests/repocopy.py) with a complete build in its
    data/processed; read-only: a test that changes anything copies it first."""
    return built_session / "repo"


# --------------------------------------------------------------------------- processes


@contextmanager
def _no_process_unless_slow(item: pytest.Item) -> Iterator[None]:
    """While a test not marked ``slow`` is set up and runs (its fixtures included), starting
    a process fails, naming the marker (make check leaves slow tests out)."""
    if item.get_closest_marker("slow"):
        yield
        return

    def refuse(self: subprocess.Popen, *args: object, **kwargs: object) -> None:
        raise AssertionError(
            f"{item.nodeid} starts a process ({args[0]!r}); mark it @pytest.mark.slow"
        )

    def refuse_fork(self: multiprocessing.process.BaseProcess) -> None:
        raise AssertionError(
            f"{item.nodeid} starts a process ({self.name}); mark it @pytest.mark.slow"
        )

    popen, start = subprocess.Popen.__init__, multiprocessing.process.BaseProcess.start
    subprocess.Popen.__init__ = refuse  # type: ignore[method-assign]
    multiprocessing.process.BaseProcess.start = refuse_fork  # type: ignore[method-assign]
    try:
        yield
    finally:
        subprocess.Popen.__init__ = popen  # type: ignore[method-assign]
        multiprocessing.process.BaseProcess.start = start  # type: ignore[method-assign]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    with _no_process_unless_slow(item):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    with _no_process_unless_slow(item):
        yield


# --------------------------------------------------------------------------- the corpus


@pytest.fixture(scope="session")
def real_corpus() -> corpus.Corpus:
    """The corpus of data/raw, validated and checksum-verified."""
    return corpus.load()


@pytest.fixture(scope="session")
def c(real_corpus: corpus.Corpus) -> corpus.Corpus:
    """Short name for the real corpus, as the module tests use it."""
    return real_corpus


@pytest.fixture(scope="session")
def tables() -> proposal_inputs.Tables:
    """The processed tables proposing reads (read-only; test_publish's ``tables`` are its
    own)."""
    return propose.load_tables()


@pytest.fixture(scope="session")
def held_out(tables: proposal_inputs.Tables) -> Callable[[str], pd.DataFrame]:
    """A report's leave-one-out proposals (``propose --exclude-curated``), computed once
    per session and worker for every module that reads them; each call returns a copy."""
    made: dict[str, pd.DataFrame] = {}

    def proposals(doc_id: str) -> pd.DataFrame:
        if doc_id not in made:
            made[doc_id] = propose.propose(doc_id, exclude_curated=True, tables=tables)
        return made[doc_id].copy()

    return proposals


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A writable copy of data/raw (manifest and reports) in a temporary directory."""
    target = tmp_path / "raw"
    shutil.copytree(paths.RAW_DIR, target)
    for f in target.iterdir():
        f.chmod(0o644)
    return target


@pytest.fixture(scope="session")
def printed(tmp_path_factory: pytest.TempPathFactory, real_corpus: corpus.Corpus) -> Path:
    """A folder with real report text printed to PDF by every available generator (headless
    Chromium, LibreOffice) at line spacing 1.0, 1.15 and 1.5, once per session
    (tests/pdf_generators.py says what the PDFs hold); starts processes: for slow tests."""
    import pdf_generators as gen

    lines = gen.source_lines(real_corpus)

    def make(folder: Path) -> None:
        for g in gen.GENERATORS:
            for s in gen.SPACINGS if gen.missing(g) is None else ():
                gen.print_pdf(g, s, lines, folder)

    return once(tmp_path_factory, "pdf-generators", make)


@pytest.fixture(scope="module")
def catalog() -> dict[str, Indicator]:
    """The indicator catalog in data/curated/indicators (read-only in the tests)."""
    return load_catalog()


@pytest.fixture(scope="module")
def obs(catalog: dict[str, Indicator]) -> pd.DataFrame:
    """The curated observations, checked against the catalog."""
    return observations.curated_observations(catalog=catalog)
