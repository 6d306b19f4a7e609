"""Assertion helpers shared by the tests."""

from __future__ import annotations

import pandas as pd


def every(mask: pd.Series) -> bool:
    """Whether every value of a boolean Series holds; an empty Series fails the test, so a
    check over a selection cannot pass because the selection found nothing."""
    assert len(mask) > 0, "the selection is empty: nothing was checked"
    return bool(mask.all())
