"""Curation: figures with provenance.

Takes the corpus, the analysed text and the quantities (:mod:`lib.text`), and the YAML
files analysts edit under ``data/curated``. Gives the indicator catalog, the curated
observations with their checks and the discrepancies between statements
(:mod:`.indicators`); and the way new figures come in: candidates and the rules that read
them (:mod:`.candidates`, :mod:`.reading`, :mod:`.learning`), the review sheet
(:mod:`.propose`, :mod:`.sheet`) and ``accept`` (:mod:`.accept`).
"""
