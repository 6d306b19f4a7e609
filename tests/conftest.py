"""Shared fixtures: the real corpus, and a writable copy of data/raw for error-path tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lib import corpus, paths


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
