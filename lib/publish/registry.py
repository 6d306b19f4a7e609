"""The processed tables: every table's declared schema, gathered from the module that
builds it (the ``SCHEMAS`` dict beside the code, :mod:`lib.core.schemas`).

The build validates each table against these before writing it, the database and the
data package describe them, and the data dictionary lists them.
"""

from __future__ import annotations

import pandas as pd

from lib.core import schemas as schemas_mod
from lib.core.schemas import Schema
from lib.curation import indicators
from lib.errors import DataError
from lib.sources import corpus
from lib.text import mentions, quantities, questionnaire, repaired, structure

# The modules that build processed tables, in build order.
BUILDERS = (corpus, repaired, quantities, structure, mentions, questionnaire, indicators)


def schemas() -> dict[str, Schema]:
    """Every processed table's schema, by table name."""
    out: dict[str, Schema] = {}
    for module in BUILDERS:
        out.update(module.SCHEMAS)
    return out


def schema_of(name: str) -> Schema:
    """The declared schema of a table; an undeclared table is an error."""
    found = schemas()
    if name not in found:
        raise DataError(
            f"table {name!r} has no declared schema; declare it in the SCHEMAS "
            "dict of the module that builds it and list that module in "
            "lib/publish/registry.py."
        )
    return found[name]


def validate(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Check a processed table against its declared schema (:func:`lib.core.schemas.validate`)."""
    return schemas_mod.validate(name, df, schema_of(name))
