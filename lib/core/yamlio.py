"""Reading the project's YAML files: libyaml's C loader where installed, one-line errors."""

from __future__ import annotations

from pathlib import Path

import yaml

from lib.errors import DataError

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


def parse_yaml(text: str, where: str) -> object:
    """Parse YAML text (safe subset); a syntax error names ``where`` and the line."""
    try:
        return safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" near line {mark.line + 1}" if mark is not None else ""
        raise DataError(f"{where}: not valid YAML{at}; fix the syntax.") from None


def load_yaml(path: Path) -> object:
    """Read and parse a YAML file; a missing file or a syntax error is a one-line DataError."""
    if not path.is_file():
        raise DataError(f"{path}: not found; restore it (see README.md).")
    return parse_yaml(path.read_text(encoding="utf-8-sig"), str(path))


def safe_load(text: str) -> object:
    """Parse YAML text with the same loader, letting :class:`yaml.YAMLError` through (for
    callers that word their own errors, such as the manifest's).

    The parsed value is kept in the cache of derived artefacts (:mod:`lib.core.cache`), keyed by
    the text, PyYAML's version and this code: building Python objects from the parse costs
    more than reading them back.
    """
    from lib.core import cache, fingerprint

    key = cache.key(
        "yaml", fingerprint.sha256_bytes(text.encode("utf-8")), modules=("lib.core.yamlio",)
    )
    return cache.memo("yaml", key, lambda: yaml.load(text, Loader=_Loader), keep=64)  # noqa: S506
