"""Writing processed tables: validated, deterministic and atomic.

All tables of one build are first written to temporary files beside their
targets and renamed into place only when every one of them succeeded, so a
failed build leaves the previous tables intact.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pandas as pd

from lib import paths
from lib.core import runs
from lib.core.schemas import Schema, validate


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


# mkstemp creates files readable by the owner only; published tables get the usual mode.
_FILE_MODE = _umask_mode()


def temp_beside(target: Path) -> Path:
    """A new empty temporary file beside ``target`` (hidden, named with this process id)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=runs.temp_prefix(target.name), suffix=".tmp", dir=target.parent
    )
    os.close(fd)
    return Path(tmp)


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success."""
    tmp_path: Path | None = None
    try:
        with runs.deferred():  # a signal waits until the file is known, so it is removed
            tmp_path = temp_beside(target)
        yield tmp_path
        os.chmod(tmp_path, _FILE_MODE)
        with runs.deferred():
            os.replace(tmp_path, target)
    finally:
        if tmp_path is not None:
            tmp_path.unlink(missing_ok=True)


def _write_file(content: str | bytes, path: Path) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="\n")


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    df.to_parquet(path, index=False, engine="pyarrow", compression="zstd")


Staged = list[tuple[Path, Path]]  # (temporary file, target)


def _stage(target: Path, writer: Callable[[Path], None], staged: Staged) -> None:
    with runs.deferred():  # a signal waits until the file is in ``staged`` (and removed)
        tmp = temp_beside(target)
        staged.append((tmp, target))
    writer(tmp)
    os.chmod(tmp, _FILE_MODE)


def stage_table(
    name: str, df: pd.DataFrame, schema: Schema, out_dir: Path, staged: Staged
) -> pd.DataFrame:
    """Validate a table against its schema and write its CSV and Parquet to temporary files
    beside their targets (appended to ``staged``); return the table as written."""
    frame = validate(name, df, schema)[list(schema.columns)].reset_index(drop=True)
    _stage(out_dir / f"{name}.csv", partial(_write_csv, frame), staged)
    _stage(out_dir / f"{name}.parquet", partial(_write_parquet, frame), staged)
    return frame


def stage_file(rel: str, content: str | bytes | Path, out_dir: Path, staged: Staged) -> None:
    """Write a file (text as UTF-8 with LF line ends) to a temporary file beside its target;
    a :class:`~pathlib.Path` is a file already written, moved there (same file system)."""
    if isinstance(content, Path):
        _stage(out_dir / rel, partial(os.replace, content), staged)
    else:
        _stage(out_dir / rel, partial(_write_file, content), staged)


def commit(staged: Staged) -> None:
    """Rename every staged file onto its target (a signal waits until all are renamed)."""
    with runs.deferred():
        for tmp, target in staged:
            os.replace(tmp, target)


def discard(staged: Staged) -> None:
    """Remove the temporary files of ``staged`` that were not renamed."""
    for tmp, _ in staged:
        tmp.unlink(missing_ok=True)


def write_tables(
    tables: Mapping[str, pd.DataFrame],
    schemas: Mapping[str, Schema],
    out_dir: Path = paths.PROCESSED_DIR,
    files: Mapping[str, str | bytes] | None = None,
) -> list[Path]:
    """Validate every table against its schema (in ``schemas``), then write all outputs
    atomically.

    Each table is written as ``<name>.csv`` and ``<name>.parquet``; ``files`` maps
    paths relative to ``out_dir`` to text or bytes (repaired reports, the Excel export). Nothing
    is replaced unless all tables validated and every temporary file was written.
    Returns the written paths.
    """
    checked = {name: validate(name, df, schemas[name]) for name, df in tables.items()}
    staged: Staged = []
    try:
        for name, df in sorted(checked.items()):
            stage_table(name, df, schemas[name], out_dir, staged)
        for rel, content in sorted((files or {}).items()):
            stage_file(rel, content, out_dir, staged)
        commit(staged)
    finally:
        discard(staged)
    return [target for _, target in staged]
