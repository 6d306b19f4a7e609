"""Writing processed tables: validated, deterministic and atomic.

All tables of one build are first written to temporary files beside their
targets and renamed into place only when every one of them succeeded, so a
failed build leaves the previous tables intact.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    df.to_parquet(path, index=False, engine="pyarrow", compression="zstd")


def write_tables(
    tables: Mapping[str, pd.DataFrame], out_dir: Path = paths.PROCESSED_DIR
) -> list[Path]:
    """Validate every table against its schema, then write each as CSV and Parquet atomically.

    Returns the written paths. Nothing is replaced unless all tables validated and
    all temporary files were written.
    """
    checked = {name: validate(name, df) for name, df in tables.items()}
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, df in sorted(checked.items()):
            frame = df[list(schema_of(name).columns)].reset_index(drop=True)
            for suffix, writer in ((".csv", _write_csv), (".parquet", _write_parquet)):
                target = out_dir / f"{name}{suffix}"
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=out_dir)
                os.close(fd)
                staged.append((Path(tmp), target))
                writer(frame, Path(tmp))
                os.chmod(tmp, _FILE_MODE)
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    return [target for _, target in staged]
