"""Temporary copies of the repository for tests that run ``python -m lib`` as a real process.

A copy holds the package (``lib/``) and the data it builds from (``data/raw``,
``data/curated``), optionally the notebooks; ``python -m lib`` run in the copy imports the
copy's ``lib`` and reads and writes the copy's ``data/``, so a test may edit any of it.
The cache of derived artefacts is a directory of the test's choosing (``GBG_CACHE_DIR``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from lib import paths

STAGE_RAN = re.compile(r"^(\w+): running \(", re.MULTILINE)


def make(target: Path, notebooks: Path | None = None, processed: bool = False) -> Path:
    """A copy of the repository's package and data (and ``notebooks``) at ``target``.

    ``processed`` copies data/processed too (the tables as built), so a run in the copy
    starts from a complete build; proposal sheets (data/curated/proposed) are never copied.
    """
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(paths.PACKAGE_DIR, target / "lib", ignore=ignore)
    shutil.copytree(paths.RAW_DIR, target / "data" / "raw")
    shutil.copytree(
        paths.CURATED_DIR, target / "data" / "curated", ignore=shutil.ignore_patterns("proposed")
    )
    if processed:
        shutil.copytree(
            paths.PROCESSED_DIR,
            target / "data" / "processed",
            ignore=shutil.ignore_patterns(".*.tmp", ".*.lock"),
        )
    for f in (target / "data" / "raw").iterdir():
        f.chmod(0o644)
    if notebooks is not None:
        shutil.copytree(notebooks, target / "notebooks", ignore=ignore)
    return target


def env(cache_dir: Path, **extra: str) -> dict[str, str]:
    """The environment for a run in a copy: this interpreter's, with the given cache."""
    out = {k: v for k, v in os.environ.items() if not k.startswith("GBG_")}
    out.update({"GBG_CACHE_DIR": str(cache_dir), "PYTHONUNBUFFERED": "1", **extra})
    return out


def command(*args: str) -> list[str]:
    """``python -m lib ARGS`` with this interpreter."""
    return [sys.executable, "-m", "lib", *args]


def run(root: Path, cache_dir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    """Run ``python -m lib ARGS`` in the copy and wait for it (output captured as text)."""
    return subprocess.run(
        command(*args),
        cwd=root,
        env=env(cache_dir, **extra),
        capture_output=True,
        text=True,
        timeout=600,
    )


def ran(stdout: str) -> set[str]:
    """The stages a build reported running."""
    return set(STAGE_RAN.findall(stdout))


def outputs(directory: Path) -> dict[str, bytes]:
    """Every output file under ``directory`` by relative path (hidden files left out)."""
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    }


def temporaries(*roots: Path) -> list[Path]:
    """Hidden temporary files and directories (``.*.tmp``) under the roots."""
    return [p for root in roots if root.exists() for p in root.rglob(".*.tmp")]


def start(root: Path, cache_dir: Path, *args: str, **extra: str) -> subprocess.Popen:
    """Start ``python -m lib ARGS`` in the copy in its own process group, as a terminal
    would start a command (output to pipes, read with :func:`wait_for_line`)."""
    return subprocess.Popen(
        command(*args),
        cwd=root,
        env=env(cache_dir, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for_line(proc: subprocess.Popen, pattern: str, timeout: float = 300) -> list[str]:
    """Read the process's stdout until a line matches ``pattern``; return the lines read."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(
                f"ended before {pattern!r}; output: {lines}; "
                f"stderr: {proc.stderr.read() if proc.stderr else ''}"
            )
        lines.append(line.rstrip("\n"))
        if re.search(pattern, line):
            return lines
    raise AssertionError(f"no line matching {pattern!r} within {timeout} s: {lines}")


def interrupt(proc: subprocess.Popen, how: str) -> float:
    """Stop a started run as a user would: ``ctrl-c`` (SIGINT to its process group, as a
    terminal sends it), ``sigterm`` (to the process, as ``kill`` does) or ``sigkill``
    (to the whole group: a hard kill). Return the seconds until the process ended."""
    t0 = time.monotonic()
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)
    elif how == "sigterm":
        proc.send_signal(signal.SIGTERM)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    return time.monotonic() - t0
