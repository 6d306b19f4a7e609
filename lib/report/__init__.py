"""Report: reading the built tables.

Takes ``data/processed`` (:mod:`.processed`). Gives what the notebooks show: analyses
(:mod:`.analysis`), Swedish tables (:mod:`.fmt`), charts (:mod:`.plots`), search over the
reports' text (:mod:`.search`), the review notebook's tables (:mod:`.review`), and the
batch that runs the notebooks into ``outputs/`` (:mod:`.batch`).
"""
