"""Report: reading the built tables.

Takes ``data/processed`` (:mod:`.processed`). Gives what the notebooks show: the
selection of a year and area (:mod:`.selection`), key figures, series and data-quality
notes (:mod:`.analysis`), statistical tests (:mod:`.significance`), statements
(:mod:`.statements`), the corpus overview (:mod:`.overview`), Swedish tables (:mod:`.fmt`),
charts (:mod:`.plots`), search in the reports' text (:mod:`.search`) and the review
notebook's tables (:mod:`.review`); and the batch that runs the notebooks into
``outputs/`` (:mod:`.batch_plan`, :mod:`.batch`, :mod:`.pages`).
"""
