"""Curation: figures with provenance.

Takes the corpus, the analysed text and the quantities (:mod:`lib.text`), and the YAML
files analysts edit under ``data/curated``. Gives the indicator catalog (:mod:`.catalog`),
the curated observations checked against their lines (:mod:`.observations`,
:mod:`.values`), the discrepancies between statements (:mod:`.discrepancies`) and the
stage's tables (:mod:`.indicators`); and the way new figures come in: candidates and the
rules that read them (:mod:`.wording`, :mod:`.proposal_inputs`, :mod:`.candidates`,
:mod:`.reading`, :mod:`.learning`), the review sheet (:mod:`.propose`, :mod:`.sheet`) and
``accept`` (:mod:`.accept`).
"""
