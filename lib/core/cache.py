"""Cache of derived artefacts: the OCR lexicon and n-gram model, repaired texts, and the
structure (headings, passages) of each document.

Entries live in ``.cache/`` under the project root (the environment variable
``GBG_CACHE_DIR`` names another directory), one pickle per entry, keyed by a checksum of
everything the artefact is computed from: its input data, the code of the lib modules
that compute it (with the lib modules they import and the ``lib/data`` files they name)
and the versions of the libraries they use (:mod:`lib.core.fingerprint`). A changed input
gives a new key, so an entry is never stale, and deleting the directory is always safe:
what is missing is computed again. Entries are written to a temporary file and renamed
into place; a cache that cannot be written (read-only, disk full) only costs time.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from lib import paths
from lib.core import fingerprint

ENV_VAR = "GBG_CACHE_DIR"
T = TypeVar("T")


def cache_dir() -> Path:
    """The cache directory: ``GBG_CACHE_DIR`` or :data:`lib.paths.CACHE_DIR`."""
    override = os.environ.get(ENV_VAR)
    return Path(override) if override else paths.CACHE_DIR


def key(kind: str, *parts: object, modules: tuple[str, ...] = ()) -> str:
    """The key of an artefact: its kind, its inputs (JSON-able) and the code of ``modules``."""
    return fingerprint.digest([kind, list(parts), fingerprint.code(modules)])


@lru_cache(maxsize=8)
def corpus_digest(c: Any) -> str:  # noqa: ANN401 - a lib.sources.corpus.Corpus (not imported here)
    """A checksum of a loaded corpus (:class:`lib.sources.corpus.Corpus`): the manifest and the
    lines of every document."""
    manifest = fingerprint.sha256_file(c.manifest_path)
    return fingerprint.digest(
        [manifest, {d: fingerprint.digest(c.raw_lines(d)) for d in c.doc_ids}]
    )


def memo(kind: str, entry_key: str, compute: Callable[[], T], keep: int = 32) -> T:
    """The cached value of ``kind``/``entry_key``, or ``compute()`` stored for next time.

    At most ``keep`` entries of a kind are kept (the least recently used go).
    """
    path = cache_dir() / kind / f"{entry_key}.pickle"
    value = _load(path)
    if value is not _MISSING:
        return value  # type: ignore[return-value]
    value = compute()
    _store(path, value)
    _prune(path.parent, keep)
    return value


_MISSING = object()


def _load(path: Path) -> object:
    enabled = gc.isenabled()
    gc.disable()  # unpickling many small objects runs the collector for nothing
    try:
        with open(path, "rb") as f:
            value = pickle.load(f)
    except Exception:  # noqa: BLE001 - missing or damaged: computed again
        return _MISSING
    finally:
        if enabled:
            gc.enable()
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept by _prune
    return value


def temp_name(target: Path) -> Path:
    """A temporary file beside ``target`` whose name carries this process id (see sweep)."""
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def _store(path: Path, value: object) -> None:
    tmp = temp_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # no cache, only slower
    finally:
        tmp.unlink(missing_ok=True)


def _prune(directory: Path, keep: int) -> None:
    try:
        entries = sorted(
            directory.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True
        )
        for old in entries[keep:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def sweep() -> list[Path]:
    """Remove temporary files left in the cache by processes that no longer run."""
    from lib.core import runs

    root = cache_dir()
    return runs.sweep_temporaries(root, only_dead=True) if root.is_dir() else []
