"""environment.yml (conda) and pyproject.toml (pip) declare the same packages."""

from __future__ import annotations

import re
import tomllib

import yaml

from lib import paths

# conda-forge names that differ from the PyPI names
CONDA_TO_PYPI: dict[str, str] = {}


def _split(spec: str) -> tuple[str, str]:
    name, constraint = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec).groups()
    return name.lower().replace("_", "-"), constraint.replace(" ", "")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    return dict(_split(s) for s in specs)


def _conda() -> dict[str, str]:
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, constraint = _split(dep)
            out[CONDA_TO_PYPI.get(name, name)] = constraint
    return out


def test_conda_and_pip_declare_the_same_packages_and_versions():
    conda = _conda()
    assert conda.pop("python") == ">=3.11"
    conda.pop("pip")
    assert conda == _pyproject()


def test_python_floor_agrees():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
