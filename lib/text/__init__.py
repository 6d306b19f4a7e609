"""Text: reading the reports' lines.

Takes the corpus (:mod:`lib.sources`). Gives the OCR-repaired text with its change log
(:mod:`.lexicon`, :mod:`.ocr_candidates`, :mod:`.ocr`, :mod:`.repaired`), each line's role
and the headings (:mod:`.layout`), sections and passages (:mod:`.structure`), the
questionnaire (:mod:`.questionnaire`), theme matching (:mod:`.themes`), the themes of
every passage (:mod:`.mentions`), Swedish word forms for search (:mod:`.stems`), and every
number with its unit, scale and period (:mod:`.numbers`, :mod:`.number_tables`,
:mod:`.periods`, :mod:`.quantities`).
"""
