"""Exception types whose messages tell the user what went wrong and what to do.

Every error raised on bad input is a :class:`DataError` (or a subclass). The
command line prints its message as one line, without a traceback.
"""

from __future__ import annotations


class DataError(Exception):
    """Bad input: the message names the file or parameter and what to do."""


class ManifestError(DataError):
    """The manifest is malformed or inconsistent with the files."""


class MissingFileError(DataError):
    """A file listed in the manifest is not in data/raw."""


class ChecksumError(DataError):
    """A raw file's sha256 differs from the manifest's."""


class UnknownDocumentError(DataError):
    """A doc_id or part_id that the manifest does not list."""


class TextDecodeError(DataError):
    """A file is empty, binary or not valid UTF-8."""
