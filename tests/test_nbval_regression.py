"""nbval catches a changed number: the committed notebook fails when one observation in a
temporary copy of the processed tables changes. (That it passes as it is, is the nbval run
of ``make test`` over every committed notebook.)

Also checks that the sanitize file (notebooks/sanitize.cfg) removes run-to-run noise but
never a figure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from nbval.plugin import get_sanitize_patterns

from lib import paths

SANITIZE = paths.NOTEBOOKS_DIR / "sanitize.cfg"
NOTEBOOK = paths.NOTEBOOKS_DIR / "10_hemloshet.ipynb"
ENV_VAR = "GBG_PROCESSED_DIR"  # lib.report.processed reads the tables from here when set


def _sanitize(text: str) -> str:
    for regex, replace in get_sanitize_patterns(SANITIZE.read_text(encoding="utf-8")):
        text = re.sub(regex, replace, text)
    return text


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("<Figure size 640x480 with 1 Axes>", "<Figure size 1000x600 with 3 Axes>"),
        (
            "[<matplotlib.lines.Line2D at 0x7f3a2c1b9d50>]",
            "[<matplotlib.lines.Line2D at 0x7f00aa>]",
        ),
        ("läst 2025-01-31T12:34:56.789+01:00", "läst 2024-12-01 08:00:00"),
        (
            "/work/main/data/processed/observations.parquet",
            "/tmp/pytest-of-x/pytest-3/test0/data/processed/observations.parquet",
        ),
        ("andel 0.30000000000000004", "andel 0.3000000000000001"),
        ("residual 1.3877787807814457e-17", "residual -2.7755575615628914e-17"),
    ],
)
def test_sanitize_removes_noise(first: str, second: str) -> None:
    assert first != second and _sanitize(first) == _sanitize(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("3\xa0392 händelser", "3\xa0393 händelser"),
        ("andel 0.123456", "andel 0.123457"),
        ("p = 0.0312", "p = 0.0313"),
        ("förändring −4,9 %", "förändring −5,9 %"),
        (
            "2024_gemensamma_verksamheter_arsrapporter.txt, rad 3898",
            "2024_gemensamma_verksamheter_arsrapporter.txt, rad 3899",
        ),
    ],
)
def test_sanitize_keeps_figures(first: str, second: str) -> None:
    assert _sanitize(first) != _sanitize(second)


def _nbval(workdir: Path, processed: Path | None) -> subprocess.Popen[str]:
    """Start nbval on the copy of the notebook in ``workdir`` (a subprocess)."""
    env = {k: v for k, v in os.environ.items() if k != ENV_VAR}
    if processed is not None:
        env[ENV_VAR] = str(processed)
    nbdir = workdir / "notebooks"
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        str(nbdir / "sanitize.cfg"),
        str(nbdir / NOTEBOOK.name),
    ]
    return subprocess.Popen(
        cmd, cwd=workdir, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


@pytest.mark.slow
def test_changed_observation_fails_nbval(tmp_path: Path) -> None:
    if not NOTEBOOK.is_file():
        pytest.fail(f"{NOTEBOOK} is missing")
    workdir = tmp_path / "changed"
    (workdir / "notebooks").mkdir(parents=True)
    for name in (NOTEBOOK.name, "sanitize.cfg", "conftest.py"):
        shutil.copy(paths.NOTEBOOKS_DIR / name, workdir / "notebooks" / name)
    processed = workdir / "processed"
    shutil.copytree(paths.PROCESSED_DIR, processed)

    # One real observation shown in the notebook's district table (2024, whole city):
    # "... av de totalt 3392 registrerade händelserna" (gemensamma verksamheter, line 3898).
    obs = pd.read_parquet(processed / "observations.parquet")
    hit = (
        (obs.indicator == "hem_socialjouren_handelser_boende")
        & (obs.geography == "Göteborg")
        & (obs.period == "2024")
    )
    assert obs.loc[hit, ["value", "line"]].values.tolist() == [[3392.0, 3898]]
    obs.loc[hit, "value"] = 3393.0
    obs.to_parquet(processed / "observations.parquet", index=False)

    run = _nbval(workdir, processed)
    out = run.communicate(timeout=600)[0]
    assert run.returncode == 1, out[-3000:]
    # It is the comparison of outputs that fails (no cell raised), in the few cells showing
    # the figure, and only there: the rest of the notebook still matches.
    assert "Cell outputs differ" in out
    assert "Cell execution caused an exception" not in out
    assert "3\xa0393" in out or "3\\xa0393" in out
    failed = re.findall(r"^FAILED .*?::(Cell \d+)", out, flags=re.MULTILINE)
    passed = re.search(r"(\d+) passed", out)
    assert 1 <= len(failed) <= 3, failed
    import nbformat

    code_cells = [c for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code"]
    assert passed and int(passed.group(1)) == len(code_cells) - len(failed) >= 6, out[-500:]


@pytest.mark.slow
def test_stderr_is_not_compared(tmp_path: Path) -> None:
    """notebooks/conftest.py makes nbval skip stderr; without it the same notebook fails."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    cell = new_code_cell(
        'import sys\nprint("varning B", file=sys.stderr)\nprint("värde 42")',
        execution_count=1,
        outputs=[
            new_output("stream", name="stderr", text="varning A\n"),
            new_output("stream", name="stdout", text="värde 42\n"),
        ],
    )
    meta = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    started = {}
    for name, with_conftest in (("with", True), ("without", False)):
        nbdir = tmp_path / name / "notebooks"
        nbdir.mkdir(parents=True)
        nbformat.write(new_notebook(cells=[cell], metadata=meta), str(nbdir / NOTEBOOK.name))
        shutil.copy(SANITIZE, nbdir / "sanitize.cfg")
        if with_conftest:
            shutil.copy(paths.NOTEBOOKS_DIR / "conftest.py", nbdir / "conftest.py")
        started[name] = _nbval(tmp_path / name, None)  # both run at once
    status = {}
    for name, run in started.items():
        out = run.communicate(timeout=300)[0]
        status[name] = (run.returncode, out[-2000:])
    assert status["with"][0] == 0, status["with"][1]
    assert status["without"][0] == 1 and "mismatch 'stderr'" in status["without"][1]
