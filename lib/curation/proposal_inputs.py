"""What proposing reads: the processed tables and analysed texts (:class:`Tables`, each
read on first use, with a checksum of everything it was read from), and which curation it
may learn from when a report is left out (:func:`held_out`, :func:`training_observations`).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import pandas as pd

from lib import paths
from lib.errors import DataError
from lib.sources import corpus

# --------------------------------------------------------------------------- inputs


# The processed tables proposing reads: attribute -> table name in data/processed.
TABLES = {
    "quantities": "quantities",
    "tokens": "numeric_tokens",
    "passages": "passages",
    "sections": "sections",
    "documents": "documents",
    "observations": "observations",
    "indicators": "indicators",
}


class Tables:
    """The processed tables proposing reads (``make data`` writes them), each read on first
    use, and the analysed text of every document (``lines``: repaired for OCR'd reports;
    ``raw_lines``: as in data/raw).

    Tables given as frames (``replace``) are used as they are and nothing computed from
    them is cached.
    """

    def __init__(
        self, processed_dir: Path = paths.PROCESSED_DIR, c: corpus.Corpus | None = None
    ) -> None:
        self.processed_dir = processed_dir
        self._corpus = c
        self._frames: dict[str, pd.DataFrame] = {}
        self._given: set[str] = set()
        self._digests: dict[tuple[str, ...], str] = {}
        self.lines = _Lines(self, repaired=True)
        self.raw_lines = _Lines(self, repaired=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise AttributeError(name)
        if name not in self._frames:
            self._frames[name] = _read(self.processed_dir, TABLES[name])
        return self._frames[name]

    @property
    def corpus(self) -> corpus.Corpus:
        if self._corpus is None:
            self._corpus = corpus.load()
        return self._corpus

    def replace(self, **frames: pd.DataFrame) -> Tables:
        """A copy with some tables replaced by the given frames."""
        unknown = set(frames) - set(TABLES)
        if unknown:
            raise TypeError(f"unknown tables: {', '.join(sorted(unknown))}")
        other = Tables(self.processed_dir, self._corpus)
        other._frames = {**self._frames, **frames}
        other._given = self._given | set(frames)
        other.lines, other.raw_lines = self.lines, self.raw_lines
        return other

    def digest(self, names: tuple[str, ...]) -> str | None:
        """A checksum of the named tables' files, the analysed texts, the manifest and the
        code of lib; None when one of them was given as a frame (then nothing is cached)."""
        if self._given & set(names):
            return None
        if names not in self._digests:
            self._digests[names] = self._checksum(names)
        return self._digests[names]

    def _checksum(self, names: tuple[str, ...]) -> str:
        files = [self.processed_dir / f"{TABLES[n]}.parquet" for n in names]
        files += sorted((self.processed_dir / "repaired").glob("*.txt"))
        files += [self.corpus.manifest_path]
        return _checksum(files, [_code_digest()])


class _Lines:
    """The lines of each document, read on first use."""

    def __init__(self, tables: Tables, repaired: bool) -> None:
        self._tables, self._repaired = tables, repaired
        self._lines: dict[str, list[str]] = {}

    def __getitem__(self, doc_id: str) -> list[str]:
        if doc_id not in self._lines:
            self._lines[doc_id] = self._read(doc_id)
        return self._lines[doc_id]

    def _read(self, doc_id: str) -> list[str]:
        c = self._tables.corpus
        doc = next((d for d in c.documents if d.doc_id == doc_id), None)
        if doc is None:
            raise DataError(
                f"doc_id {doc_id!r} is not in the manifest; choose one of "
                f"{', '.join(sorted(c.doc_ids))}."
            )
        if not self._repaired or doc.text_quality != "ocr":
            return c.raw_lines(doc_id)
        repaired = self._tables.processed_dir / "repaired" / doc.file
        if not repaired.is_file():
            raise DataError(f"{repaired}: not found; run `make data` first.")
        return repaired.read_text(encoding="utf-8").split("\n")


def _checksum(files: list[Path], extra: list[str]) -> str:
    from lib.core import fingerprint

    h = hashlib.sha256()
    for path in files:
        try:
            h.update(f"{path.name}:{fingerprint.sha256_file(path)}".encode())
        except OSError as e:
            raise DataError(
                f"{path}: cannot be read ({e.strerror}); run `make data` "
                "(python -m lib build) first."
            ) from None
    for s in extra:
        h.update(s.encode())
    return h.hexdigest()


@cache
def _code_digest() -> str:
    """The code proposing runs (this module, the lib modules it imports and the lib/data
    files they name) and the versions of the libraries they use."""
    from lib.core import fingerprint

    return fingerprint.digest(fingerprint.code(("lib.curation.propose",)))


def _read(processed_dir: Path, name: str) -> pd.DataFrame:
    path = processed_dir / f"{name}.parquet"
    if not path.is_file():
        raise DataError(f"{path}: not found; run `make data` (python -m lib build) first.")
    frame = pd.read_parquet(path)
    # plain Python objects (None for missing) keep the row-wise code below simple
    return frame.astype(object).where(frame.notna(), None)


def load_tables(
    processed_dir: Path = paths.PROCESSED_DIR, c: corpus.Corpus | None = None
) -> Tables:
    """The processed tables and the analysed text of every document (read when used)."""
    return Tables(processed_dir, c)


def held_out(documents: pd.DataFrame, doc_id: str) -> tuple[set[str], set[tuple[str, str]]]:
    """The documents and (document, part) pairs that are the same report as ``doc_id``.

    The report itself, every part of it, and the twin rendering of any of its parts
    (``same_report_as``, in either direction) are held out together.
    """
    docs, parts = {doc_id}, set()
    rows = documents.to_dict("records")
    for r in rows:
        if r["doc_id"] == doc_id:
            parts.add((r["doc_id"], r["part_id"]))
    changed = True
    while changed:
        changed = False
        for r in rows:
            twin = r.get("same_report_as")
            if not twin:
                continue
            this = (r["doc_id"], r["part_id"])
            other = _parse_twin(twin, rows)
            if other is None:
                continue
            if (this in parts or r["doc_id"] in docs) and other not in parts:
                parts.add(other)
                changed = True
            if (other in parts or other[0] in docs) and this not in parts:
                parts.add(this)
                changed = True
    # a document all of whose parts are held out is held out as a whole
    for r in rows:
        if all((x["doc_id"], x["part_id"]) in parts for x in rows if x["doc_id"] == r["doc_id"]):
            docs.add(r["doc_id"])
    return docs, parts


def _parse_twin(value: str, rows: list[dict]) -> tuple[str, str] | None:
    """``same_report_as`` names a part (or a document) of the other rendering."""
    for r in rows:
        if value in (
            r["part_id"],
            r["doc_id"],
            f"{r['doc_id']}:{r['part_id']}",
            f"{r['doc_id']}/{r['part_id']}",
        ):
            return r["doc_id"], r["part_id"]
    return None


def training_observations(tables: Tables, doc_id: str | None) -> pd.DataFrame:
    """The curated observations proposing may learn from: all, or all but ``doc_id``'s report."""
    obs = tables.observations
    if doc_id is None:
        return obs
    docs, parts = held_out(tables.documents, doc_id)
    keep = [
        not (
            r["doc_id"] in docs or (r["doc_id"], r["part_id"]) in parts or (r["ocr_doc_id"] in docs)
        )
        for r in obs.to_dict("records")
    ]
    return obs[keep].reset_index(drop=True)
