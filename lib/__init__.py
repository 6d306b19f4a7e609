"""Göteborgs Stad's social-services reports as tidy, provenance-checked data.

The package is the pipeline a figure travels, one sub-package per stage; a stage imports
only the stages before it (``tests/test_architecture.py`` checks this):

* :mod:`lib.core` — what every stage stands on: cache, fingerprints, schemas, atomic writes,
  locks and signals, YAML reading, Swedish number formats.
* :mod:`lib.sources` — the reports in: manifest and corpus, PDF text, ``add``.
* :mod:`lib.text` — reading the text: OCR repair, structure, passages, themes, quantities.
* :mod:`lib.curation` — figures with provenance: indicator catalog, curated observations
  and their checks, and proposing and accepting new figures.
* :mod:`lib.publish` — the tables out: SQLite and data package, Excel, Datasette.
* :mod:`lib.report` — reading the built tables: analysis, charts, search, the notebook batch.
* :mod:`lib.build` — the build: the stages in order, the runner and its forked stages.

At the top: :mod:`lib.paths` (every location), :mod:`lib.errors` (the error users see) and
``__main__`` (the command line, ``python -m lib``).
"""
