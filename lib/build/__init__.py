"""Build: the stages in order and the runner.

Takes every stage package. Gives the list of stages with their inputs, tables and outputs
(:mod:`.stages`) and the incremental, atomic build that runs them (:mod:`.runner`), some
in forked processes beside it (:mod:`.forked`).
"""
