"""Report: reading the built tables.

Takes ``data/processed`` (:mod:`.processed`). Gives what the notebooks show: the
selection of a year and area (:mod:`.selection`), every figure as a point of its
indicator's series across the reports (:mod:`.series`), key figures and data-quality
notes (:mod:`.analysis`), statistical tests (:mod:`.significance`), statements
(:mod:`.statements`), a theme's page section by section (:mod:`.page`), the reports
compared (:mod:`.comparison`, :mod:`.comparison_page`), the corpus overview
(:mod:`.overview`), Swedish tables (:mod:`.fmt`), charts (:mod:`.plots`, one indicator's:
:mod:`.indicator_chart`), search in the reports' text (:mod:`.search`) and the review
notebook's tables (:mod:`.review`); and the batch that runs the notebooks into
``outputs/`` (:mod:`.batch_plan`, :mod:`.batch`, :mod:`.pages`) with the reports' lines
that every source links to (:mod:`.sources_view`).
"""
