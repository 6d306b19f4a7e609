"""Benchmarks of the pipeline, run by ``make bench-…`` (figures in docs/benchmarks.md).

Each module measures one command against a floor measured in the same run and prints
the figures as text and as a Markdown table. They are not part of the installed package.
"""
