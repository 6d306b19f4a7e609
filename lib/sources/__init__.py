"""Sources: the reports in.

Takes the files of ``data/raw`` and their manifest. Gives the validated, checksum-verified
corpus with each report's parts and metadata (:mod:`.corpus`), the text layer of a PDF
(:mod:`.pdftext`), known Swedish words and line-end hyphenation (:mod:`.words`), and
``python -m lib add``, which registers a new report (:mod:`.ingest`).
"""
