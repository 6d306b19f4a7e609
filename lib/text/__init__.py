"""Text: reading the reports' lines.

Takes the corpus (:mod:`lib.sources`). Gives the OCR-repaired text with its change log
(:mod:`.lexicon`, :mod:`.ocr`, :mod:`.repaired`), each report's structure, sections and
passages (:mod:`.structure`), theme matching (:mod:`.themes`) and the themes of every
passage, keyword in context and theme prominence (:mod:`.mentions`), and every number
with its unit, scale and period (:mod:`.quantities`).
"""
