"""nbval settings for the committed notebooks.

nbval 0.11 has no option to skip stderr, so the hook below adds the ``stderr`` stream to the
output keys nbval does not compare: warnings and log lines may differ between library
versions and machines, the figures and tables shown on stdout and as results may not.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip comparing stderr in every notebook cell collected by nbval."""
    for item in items:
        notebook = item.parent
        skip = getattr(notebook, "skip_compare", None)
        if isinstance(skip, tuple) and "stderr" not in skip:
            notebook.skip_compare = (*skip, "stderr")
