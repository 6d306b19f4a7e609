"""What an output depends on, as checksums: files, lib code and library versions.

The build (:mod:`lib.build.runner`) fingerprints each stage with these, and the cache of derived
artefacts (:mod:`lib.core.cache`) keys its entries with them. The code a computation depends on
is found from the source: a module, the lib modules it imports (at the top or inside a
function, transitively), the files of ``lib/data`` their code names (``"themes.yml"``),
and the versions of the libraries they import. Nothing here imports pandas, so a build
with nothing to do stays fast.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from lib import paths

# Libraries every processed table passes through (DataFrames, Parquet).
BASE_LIBRARIES = ("pandas", "pyarrow", "numpy")
# Import names of the libraries that shape outputs, and their distribution names.
LIBRARIES = {
    "pandas": "pandas",
    "pyarrow": "pyarrow",
    "numpy": "numpy",
    "yaml": "PyYAML",
    "wordfreq": "wordfreq",
    "openpyxl": "openpyxl",
    "scipy": "scipy",
}

_FROM_LIB = re.compile(
    r"^[ \t]*from[ \t]+(lib(?:\.\w+)*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)", re.MULTILINE
)
_IMPORT_LIB = re.compile(r"^[ \t]*import[ \t]+(lib(?:\.\w+)+)", re.MULTILINE)
_IMPORT_ANY = re.compile(
    r"^[ \t]*(?:from[ \t]+(\w+)[\w.]*[ \t]+import|import[ \t]+(\w+))", re.MULTILINE
)
_LITERAL = re.compile(r"[\"']([\w.\-]+)[\"']")


def digest(value: object) -> str:
    """sha256 of a JSON-serialisable value (keys sorted), as hex."""
    data = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of bytes."""
    return hashlib.sha256(data).hexdigest()


@cache
def _sha256_file(path: str, size: int, mtime_ns: int) -> str:
    return sha256_bytes(Path(path).read_bytes())


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file (remembered per process while its size and mtime hold)."""
    st = Path(path).stat()
    return _sha256_file(str(path), st.st_size, st.st_mtime_ns)


def files(root: Path, patterns: Iterable[str]) -> dict[str, str]:
    """sha256 of every file under ``root`` matching the glob patterns, by relative path.

    Hidden files and directories (``.x``) and Python caches are left out.
    """
    out: dict[str, str] = {}
    root = Path(root)
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            rel = path.relative_to(root)
            if path.is_file() and not any(
                p.startswith(".") or p == "__pycache__" for p in rel.parts
            ):
                out[rel.as_posix()] = sha256_file(path)
    return out


# --------------------------------------------------------------------------- code


def module_file(name: str) -> Path:
    """The source file of a lib module (``lib.text.structure`` -> lib/text/structure.py; a
    package, ``lib.text``, -> lib/text/__init__.py)."""
    parts = name.split(".")
    if parts[0] != "lib":
        raise ValueError(f"{name}: not a module of lib")
    base = paths.PACKAGE_DIR.joinpath(*parts[1:])
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


@cache
def _source(name: str) -> str:
    return module_file(name).read_text(encoding="utf-8")


def _is_module(name: str) -> bool:
    """Whether ``lib.a.b`` names a module file or package of lib."""
    base = paths.PACKAGE_DIR.joinpath(*name.split(".")[1:])
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


@cache
def imports_of(name: str) -> frozenset[str]:
    """The lib modules a lib module imports anywhere in its source."""
    return imports_in(_source(name)) - {name}


def imports_in(source: str) -> frozenset[str]:
    """The lib modules imported by a piece of Python source (at any indentation).

    ``from lib.text import structure`` names the module ``lib.text.structure``; a name that
    is not a module (``from lib.text.structure import Passage``) names the module it is
    imported from. A package's ``__init__`` (a docstring) is not counted as imported.
    """
    found: set[str] = set()
    for base, names in _FROM_LIB.findall(source):
        for item in names.strip("()").split(","):
            word = item.split("#")[0].split(" as ")[0].strip()
            if word and _is_module(f"{base}.{word}"):
                found.add(f"{base}.{word}")
            elif word and base != "lib":
                found.add(base)
    found.update(m for m in _IMPORT_LIB.findall(source) if _is_module(m))
    return frozenset(n for n in found if module_file(n).name != "__init__.py")


def closure(names: Iterable[str]) -> tuple[str, ...]:
    """The named lib modules and every lib module they import, transitively (sorted)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(imports_of(name) - seen)
    return tuple(sorted(seen))


def _data_entries() -> dict[str, Path]:
    data_dir = paths.PACKAGE_DATA_DIR
    return {p.name: p for p in data_dir.iterdir()} if data_dir.is_dir() else {}


def data_files(modules: Iterable[str]) -> tuple[Path, ...]:
    """Files of lib/data that the modules' code names as a string (``"themes.yml"``),
    a named directory standing for every file in it."""
    return _data_files(tuple(sorted(modules)))


@cache
def _data_files(modules: tuple[str, ...]) -> tuple[Path, ...]:
    entries = _data_entries()
    found: set[Path] = set()
    for name in modules:
        for literal in _LITERAL.findall(_source(name)):
            entry = entries.get(literal)
            if entry is not None and entry.is_dir():
                found.update(p for p in entry.rglob("*") if p.is_file())
            elif entry is not None:
                found.add(entry)
    return tuple(sorted(found))


def libraries(modules: Iterable[str]) -> dict[str, str]:
    """Versions of the output-shaping libraries the modules import, plus the base ones."""
    return dict(_libraries(tuple(sorted(modules))))


@cache
def _libraries(modules: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    dists = set(BASE_LIBRARIES)
    for name in modules:
        for a, b in _IMPORT_ANY.findall(_source(name)):
            dist = LIBRARIES.get(a or b)
            if dist:
                dists.add(dist)
    return tuple((d, version(d)) for d in sorted(dists))


@cache
def version(dist: str) -> str:
    """The installed version of a distribution ('missing' if it is not installed).

    Read from the name of its ``.dist-info`` directory on ``sys.path`` where there is one
    (importlib.metadata, the fallback, costs more than a no-op build may take).
    """
    found = _dist_info_versions().get(_normalise(dist))
    if found:
        return found
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "missing"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@cache
def _dist_info_versions() -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            m = re.fullmatch(r"(.+?)-([^-]+)\.dist-info", name)
            if m:
                out.setdefault(_normalise(m.group(1)), m.group(2))
    return out


def code(modules: Iterable[str]) -> dict[str, str]:
    """Everything the named modules' code depends on, by name: ``lib/x.py`` and
    ``lib/data/y`` checksums, ``library:pandas`` versions and the Python version."""
    mods = closure(modules)
    out = {
        module_file(m).relative_to(paths.ROOT).as_posix(): sha256_file(module_file(m)) for m in mods
    }
    out.update({p.relative_to(paths.ROOT).as_posix(): sha256_file(p) for p in data_files(mods)})
    out.update({f"library:{d}": v for d, v in libraries(mods).items()})
    out["python"] = ".".join(map(str, sys.version_info[:3]))
    return out
