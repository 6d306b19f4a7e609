"""`make lab` passes --allow-root to JupyterLab only when run as root (as in a container)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from lib import paths


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
@pytest.mark.parametrize(("uid", "flag"), [("0", True), ("1000", False)])
def test_lab_allows_root_only_for_root(tmp_path: Path, uid: str, flag: bool) -> None:
    dry = subprocess.run(
        ["make", "-n", "lab"], cwd=paths.ROOT, capture_output=True, text=True, check=True
    ).stdout
    line = next(x for x in dry.splitlines() if "jupyter lab" in x)
    # run the recipe's command line with jupyter replaced by echo and id faking the user
    (tmp_path / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (tmp_path / "id").chmod(0o755)
    command = re.sub(r"\S*/jupyter lab", "echo", line)
    out = subprocess.run(
        ["sh", "-c", command],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"},
    ).stdout
    assert out.split() == ["--notebook-dir=notebooks", *(["--allow-root"] if flag else [])]
