"""Publish: the tables out, for people and programs without Python.

Takes every processed table with its schema (gathered by :mod:`.registry`). Gives the
SQLite database with Swedish views and full-text indexes and the data package descriptor
(:mod:`.database`), the Excel workbook (:mod:`.excel`), and Datasette over the database
(:mod:`.browse`).
"""
