"""Shared fixtures: the real corpus, and a writable copy of data/raw for error-path tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lib import paths
from lib.sources import corpus


@pytest.fixture(scope="session")
def real_corpus() -> corpus.Corpus:
    """The corpus of data/raw, validated and checksum-verified."""
    return corpus.load()


@pytest.fixture(scope="session")
def c(real_corpus: corpus.Corpus) -> corpus.Corpus:
    """Short name for the real corpus, as the module tests use it."""
    return real_corpus


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A writable copy of data/raw (manifest and reports) in a temporary directory."""
    target = tmp_path / "raw"
    shutil.copytree(paths.RAW_DIR, target)
    for f in target.iterdir():
        f.chmod(0o644)
    return target


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache of derived artefacts for tests that build in a copy of the repository: a
    copy of the repository's own cache (warm after ``make data``), or empty."""
    from lib.core import cache

    target = tmp_path_factory.mktemp("cache") / "cache"
    source = cache.cache_dir()
    if source.is_dir():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(".*"))
    else:
        target.mkdir()
    return target


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> Path:
    """A temporary copy of the repository (tests/repocopy.py) with a complete build in its
    data/processed, made by ``python -m lib build`` in a real process."""
    import repocopy

    root = repocopy.make(tmp_path_factory.mktemp("built") / "repo")
    result = repocopy.run(root, shared_cache, "build")
    assert result.returncode == 0, result.stderr
    return root
