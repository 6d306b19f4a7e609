"""All filesystem locations of the project, resolved from the package location.

Nothing in the project builds a path from the current working directory: import
the constants below instead.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR: Path = Path(__file__).resolve().parent
ROOT: Path = PACKAGE_DIR.parent

DATA_DIR: Path = ROOT / "data"
RAW_DIR: Path = DATA_DIR / "raw"
PROCESSED_DIR: Path = DATA_DIR / "processed"
MANIFEST: Path = RAW_DIR / "manifest.yml"
# Figures read from the reports, the indicator catalog and the data tests: analysts edit these.
CURATED_DIR: Path = DATA_DIR / "curated"
CATALOG_DIR: Path = CURATED_DIR / "indicators"

NOTEBOOKS_DIR: Path = ROOT / "notebooks"
OUTPUTS_DIR: Path = ROOT / "outputs"

# Reviewable data files that ship with the package (lexicons, catalogs).
PACKAGE_DATA_DIR: Path = PACKAGE_DIR / "data"

# Derived artefacts (OCR lexicon, repaired texts, document structure); safe to delete.
CACHE_DIR: Path = ROOT / ".cache"


def shown(path: Path) -> str:
    """``path`` as messages show it: relative to the repository when inside it."""
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)
