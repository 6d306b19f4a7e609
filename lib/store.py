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
from lib.schemas import schema_of, validate


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


# mkstemp creates files readable by the owner only; published tables get the usual mode.
_FILE_MODE = _umask_mode()


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, _FILE_MODE)
        os.replace(tmp_path, target)
    finally:
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


def write_tables(
    tables: Mapping[str, pd.DataFrame],
    out_dir: Path = paths.PROCESSED_DIR,
    files: Mapping[str, str | bytes] | None = None,
) -> list[Path]:
    """Validate every table against its schema, then write all outputs atomically.

    Each table is written as ``<name>.csv`` and ``<name>.parquet``; ``files`` maps
    paths relative to ``out_dir`` to text or bytes (repaired reports, the Excel export). Nothing
    is replaced unless all tables validated and every temporary file was written.
    Returns the written paths.
    """
    checked = {name: validate(name, df) for name, df in tables.items()}
    jobs: list[tuple[Path, Callable[[Path], None]]] = []
    for name, df in sorted(checked.items()):
        frame = df[list(schema_of(name).columns)].reset_index(drop=True)
        jobs.append((out_dir / f"{name}.csv", partial(_write_csv, frame)))
        jobs.append((out_dir / f"{name}.parquet", partial(_write_parquet, frame)))
    for rel, content in sorted((files or {}).items()):
        jobs.append((out_dir / rel, partial(_write_file, content)))
    staged: list[tuple[Path, Path]] = []
    try:
        for target, writer in jobs:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                       dir=target.parent)
            os.close(fd)
            staged.append((Path(tmp), target))
            writer(Path(tmp))
            os.chmod(tmp, _FILE_MODE)
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    return [target for _, target in staged]
