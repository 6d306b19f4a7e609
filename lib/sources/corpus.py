"""The raw reports: manifest, checksums, robust text reading, documents, parts and lines.

Raw 1-based line numbers are the provenance of every figure in the project. A
line is what an editor shows: the text is split on line breaks (LF, CRLF or a
lone CR), a final fragment without a line break is a line too, and no other
character (form feed, U+2028 …) starts a new line.

Typical use::

    from lib.sources import corpus
    c = corpus.load()                      # validates the manifest, verifies checksums
    c.parts_frame()                        # one row per document part
    c.lines("gemensamma_verksamheter_2024", part_id="gv_boende_hemloshet")
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from lib import paths
from lib.core import yamlio
from lib.core.schemas import Column, Schema
from lib.errors import (
    ChecksumError,
    ManifestError,
    MissingFileError,
    TextDecodeError,
    UnknownDocumentError,
)

TEXT_QUALITIES = ("clean", "ocr")
# Layouts the structure step reads differently from running text (lib/text/layout.py).
LAYOUTS = ("questionnaire",)

DOC_FIELDS = (
    "doc_id",
    "file",
    "title",
    "issuer",
    "district",
    "report_type",
    "period_start",
    "period_end",
    "year",
    "text_quality",
    "sha256",
    "source",
    "origin_file",
    "retrieved",
)
# Optional, together: a report registered from a PDF keeps the PDF beside its text.
PDF_FIELDS = ("pdf", "pdf_sha256", "extraction")
PART_FIELDS = ("part_id", "title", "unit", "line_start", "line_end", "first_line")

_ID_RE = re.compile(r"^[a-z0-9_]+$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_BOM = b"\xef\xbb\xbf"


# --------------------------------------------------------------------------- text


def decode_text(data: bytes, name: str) -> str:
    """Decode a report's bytes as UTF-8 (BOM optional) and normalise line breaks to LF.

    Raises :class:`TextDecodeError` for an empty, binary or non-UTF-8 file.
    """
    if not data.strip():
        raise TextDecodeError(f"{name}: the file is empty; replace it with the report's text.")
    if b"\x00" in data:
        raise TextDecodeError(
            f"{name}: looks like a binary file (contains NUL bytes); "
            "data/raw takes plain-text extractions only."
        )
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TextDecodeError(
            f"{name}: not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8."
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_lines(text: str) -> list[str]:
    """Split text into lines on LF only; a trailing LF does not start an empty line."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- manifest


@dataclass(frozen=True)
class Vocabulary:
    """The manifest's controlled values: the city-wide area, the districts, the report types.

    They are data (``vocabulary:`` at the top of data/raw/manifest.yml), never constants in
    code: a report from a new district or of a new type is added there.
    """

    city: str
    districts: tuple[str, ...]
    report_types: tuple[str, ...]

    @property
    def areas(self) -> tuple[str, ...]:
        """The city first, then the districts (the values of a document's ``district``)."""
        return (self.city, *self.districts)


@dataclass(frozen=True)
class Part:
    """A contiguous range of raw lines of a document (the whole file if it has no parts)."""

    doc_id: str
    part_id: str
    title: str
    unit: str
    line_start: int
    line_end: int
    first_line: str | None = None


@dataclass(frozen=True)
class Document:
    """One raw file and its provenance record."""

    doc_id: str
    file: str
    title: str
    issuer: str
    district: str
    report_type: str
    period_start: dt.date
    period_end: dt.date
    year: int
    text_quality: str
    sha256: str
    source: str
    origin_file: str
    retrieved: dt.date
    twin_doc_id: str | None = None
    twin_part_id: str | None = None
    declared_parts: tuple[Part, ...] = field(default=())
    short_title: str = ""
    layout: str | None = None
    pdf: str | None = None
    pdf_sha256: str | None = None
    extraction: str | None = None
    page_lines: tuple[int, ...] = field(default=())

    @property
    def label(self) -> str:
        """The short Swedish name tables cite the report by (``short_title``, else the title)."""
        return self.short_title or self.title


def _require(row: dict, fields: tuple[str, ...], where: str) -> None:
    missing = [f for f in fields if row.get(f) in (None, "")]
    if missing:
        raise ManifestError(f"{where}: missing field(s) {', '.join(missing)}; fill them in.")


def _as_date(value, where: str, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ManifestError(f"{where}: {name}={value!r} is not an ISO date (YYYY-MM-DD).") from None


def _as_int(value, where: str, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ManifestError(f"{where}: {name}={value!r} must be a whole number.")
    return value


def _choice(value, allowed: tuple[str, ...], where: str, name: str) -> str:
    if value not in allowed:
        raise ManifestError(f"{where}: {name}={value!r}; use one of {', '.join(allowed)}.")
    return value


def _parse_pdf(row: dict, where: str) -> dict:
    """The optional fields of a report registered from a PDF (``python -m lib add``)."""
    given = [f for f in PDF_FIELDS if row.get(f) not in (None, "")]
    if not given:
        if row.get("page_lines"):
            raise ManifestError(f"{where}: page_lines belongs to a row with a pdf.")
        return {}
    if len(given) < len(PDF_FIELDS):
        raise ManifestError(
            f"{where}: a row with a PDF needs all of {', '.join(PDF_FIELDS)}; "
            f"missing {', '.join(f for f in PDF_FIELDS if f not in given)}."
        )
    pdf, sha = str(row["pdf"]), str(row["pdf_sha256"]).lower()
    if not pdf.lower().endswith(".pdf") or Path(pdf).name != pdf:
        raise ManifestError(f"{where}: pdf={pdf!r} must be a file name in data/raw ending in .pdf.")
    if not _SHA_RE.match(sha):
        raise ManifestError(
            f"{where}: pdf_sha256 must be 64 hex digits (python -m lib sha256 FILE)."
        )
    starts = row.get("page_lines") or []
    if (
        not isinstance(starts, list)
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in starts)
        or starts != sorted(starts)
        or (starts and starts[0] != 1)
    ):
        raise ManifestError(
            f"{where}: page_lines must list, per page, the raw line where it "
            "starts: whole numbers from 1, never decreasing."
        )
    return {
        "pdf": pdf,
        "pdf_sha256": sha,
        "extraction": str(row["extraction"]),
        "page_lines": tuple(starts),
    }


def _parse_part(doc_id: str, row: dict, where: str) -> Part:
    if not isinstance(row, dict):
        raise ManifestError(f"{where}: each part must be a mapping of {', '.join(PART_FIELDS)}.")
    where = f"{where} part {row.get('part_id', '?')}"
    _require(row, PART_FIELDS, where)
    if not _ID_RE.match(str(row["part_id"])):
        raise ManifestError(f"{where}: part_id must be lower-case letters, digits and _.")
    start = _as_int(row["line_start"], where, "line_start")
    end = _as_int(row["line_end"], where, "line_end")
    if not 1 <= start <= end:
        raise ManifestError(f"{where}: line_start={start}, line_end={end}; need 1 ≤ start ≤ end.")
    return Part(
        doc_id,
        str(row["part_id"]),
        str(row["title"]),
        str(row["unit"]),
        start,
        end,
        str(row["first_line"]),
    )


def parse_vocabulary(data: object, where: str) -> Vocabulary:
    """Validate the manifest's ``vocabulary:`` mapping (city, districts, report_types)."""
    if not isinstance(data, dict):
        raise ManifestError(
            f"{where}: expected a top-level 'vocabulary:' mapping with city, "
            "districts and report_types."
        )
    city = data.get("city")
    lists: dict[str, Any] = {k: data.get(k) for k in ("districts", "report_types")}
    if not isinstance(city, str) or not city.strip():
        raise ManifestError(f"{where}: vocabulary.city must name the city-wide area.")
    for key, value in lists.items():
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v.strip() for v in value)
        ):
            raise ManifestError(f"{where}: vocabulary.{key} must be a non-empty list of names.")
        if len(set(value)) != len(value):
            raise ManifestError(f"{where}: vocabulary.{key} lists a name twice.")
    if city in lists["districts"]:
        raise ManifestError(f"{where}: vocabulary.city {city!r} is listed among the districts.")
    return Vocabulary(city, tuple(lists["districts"]), tuple(lists["report_types"]))


def _parse_document(row: dict, where: str, vocab: Vocabulary) -> Document:
    if not isinstance(row, dict):
        raise ManifestError(f"{where}: each document must be a mapping of fields.")
    where = f"{where} ({row.get('doc_id') or row.get('file') or 'no doc_id'})"
    _require(row, DOC_FIELDS, where)
    doc_id = str(row["doc_id"])
    if not _ID_RE.match(doc_id):
        raise ManifestError(f"{where}: doc_id must be lower-case letters, digits and _.")
    sha = str(row["sha256"]).lower()
    if not _SHA_RE.match(sha):
        raise ManifestError(f"{where}: sha256 must be 64 hex digits (python -m lib sha256 FILE).")
    start = _as_date(row["period_start"], where, "period_start")
    end = _as_date(row["period_end"], where, "period_end")
    if start > end:
        raise ManifestError(f"{where}: period_start {start} is after period_end {end}.")
    twin = row.get("twin") or {}
    if twin and not (isinstance(twin, dict) and twin.get("doc_id") and twin.get("part_id")):
        raise ManifestError(f"{where}: twin needs both doc_id and part_id.")
    parts = row.get("parts") or []
    if not isinstance(parts, list):
        raise ManifestError(f"{where}: parts must be a list.")
    return Document(
        doc_id=doc_id,
        file=str(row["file"]),
        title=str(row["title"]),
        issuer=str(row["issuer"]),
        district=_choice(row["district"], vocab.areas, where, "district"),
        report_type=_choice(row["report_type"], vocab.report_types, where, "report_type"),
        period_start=start,
        period_end=end,
        year=_as_int(row["year"], where, "year"),
        text_quality=_choice(row["text_quality"], TEXT_QUALITIES, where, "text_quality"),
        sha256=sha,
        source=str(row["source"]).strip(),
        origin_file=str(row["origin_file"]),
        retrieved=_as_date(row["retrieved"], where, "retrieved"),
        twin_doc_id=twin.get("doc_id"),
        twin_part_id=twin.get("part_id"),
        declared_parts=tuple(_parse_part(doc_id, p, where) for p in parts),
        short_title=str(row.get("short_title") or "").strip(),
        layout=(_choice(row["layout"], LAYOUTS, where, "layout") if row.get("layout") else None),
        **_parse_pdf(row, where),
    )


def parse_manifest(path: Path) -> tuple[Vocabulary, list[Document]]:
    """Read and validate the manifest's structure (not yet the files it names)."""
    if not path.is_file():
        raise MissingFileError(f"{path}: manifest not found; data/raw must hold manifest.yml.")
    try:
        data = yamlio.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        at = f" near line {line + 1}" if line is not None else ""
        raise ManifestError(f"{path}: not valid YAML{at}; fix the syntax.") from None
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        raise ManifestError(f"{path}: expected a top-level 'documents:' list.")
    vocab = parse_vocabulary(data.get("vocabulary"), path.name)
    docs = [
        _parse_document(row, f"{path.name} row {i}", vocab)
        for i, row in enumerate(data["documents"], start=1)
    ]
    for key in ("doc_id", "file"):
        seen: set[str] = set()
        for d in docs:
            for value in (getattr(d, key), d.pdf if key == "file" else None):
                if value is None:
                    continue
                if value in seen:
                    raise ManifestError(f"{path.name}: {key} {value!r} is listed twice.")
                seen.add(value)
    part_ids = [p.part_id for d in docs for p in d.declared_parts] + [d.doc_id for d in docs]
    dup = sorted({p for p in part_ids if part_ids.count(p) > 1})
    if dup:
        raise ManifestError(f"{path.name}: part_id(s) {', '.join(dup)} used twice.")
    by_id = {d.doc_id: d for d in docs}
    for d in docs:
        if d.twin_doc_id is None:
            continue
        twin = by_id.get(d.twin_doc_id)
        if twin is None or d.twin_part_id not in {p.part_id for p in _parts_or_whole(twin, 0)}:
            raise ManifestError(
                f"{path.name}: {d.doc_id} names twin {d.twin_doc_id}/{d.twin_part_id}, "
                "which the manifest does not list."
            )
    return vocab, docs


def _parts_or_whole(doc: Document, n_lines: int) -> tuple[Part, ...]:
    if doc.declared_parts:
        return doc.declared_parts
    return (Part(doc.doc_id, doc.doc_id, doc.title, doc.issuer, 1, max(n_lines, 1)),)


# --------------------------------------------------------------------------- corpus


def _verify(path: Path, data: bytes, expected: str | None) -> None:
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ChecksumError(
            f"{path.name}: sha256 mismatch, expected {expected}, actual {actual}; "
            "raw files are immutable: restore the original."
        )


def _scope(d: Document) -> dict[str, object]:
    """Issuer, area, kind and period of a report: the columns `documents` and `parts` share."""
    return {
        "issuer": d.issuer,
        "district": d.district,
        "report_type": d.report_type,
        "period_start": d.period_start.isoformat(),
        "period_end": d.period_end.isoformat(),
        "year": d.year,
        "text_quality": d.text_quality,
    }


class Corpus:
    """The validated raw corpus of one data/raw directory."""

    def __init__(self, raw_dir: Path = paths.RAW_DIR, verify: bool = True) -> None:
        self.raw_dir = Path(raw_dir)
        self.manifest_path = self.raw_dir / "manifest.yml"
        self.vocabulary, self.documents = parse_manifest(self.manifest_path)
        self._by_id = {d.doc_id: d for d in self.documents}
        self._lines: dict[str, list[str]] = {}
        for doc in self.documents:
            self._check_file(doc, verify)

    # -- validation

    def _check_file(self, doc: Document, verify: bool) -> None:
        path = self.raw_dir / doc.file
        if not path.is_file():
            raise MissingFileError(
                f"{path}: listed in manifest.yml (doc_id {doc.doc_id}) but missing; "
                "restore it from ../shared/reports or remove the row."
            )
        data = path.read_bytes()
        if verify:
            _verify(path, data, doc.sha256)
        if doc.pdf is not None:
            pdf = self.raw_dir / doc.pdf
            if not pdf.is_file():
                raise MissingFileError(
                    f"{pdf}: listed in manifest.yml (doc_id {doc.doc_id}, pdf) but missing; "
                    "restore the report's PDF or remove the row."
                )
            if verify:
                _verify(pdf, pdf.read_bytes(), doc.pdf_sha256)
        lines = split_lines(decode_text(data, path.name))
        self._lines[doc.doc_id] = lines
        self._check_parts(doc, lines)
        if doc.page_lines and doc.page_lines[-1] > max(len(lines), 1):
            raise ManifestError(
                f"manifest.yml {doc.doc_id}: page_lines reach line {doc.page_lines[-1]}, "
                f"past the end of {doc.file} ({len(lines)} lines)."
            )

    @staticmethod
    def _check_parts(doc: Document, lines: list[str]) -> None:
        previous_end = 0
        for part in doc.declared_parts:
            where = f"manifest.yml {doc.doc_id} part {part.part_id}"
            if part.line_start <= previous_end:
                raise ManifestError(
                    f"{where}: starts at line {part.line_start}, overlapping the previous "
                    f"part (ends at {previous_end}); parts must be in order without overlap."
                )
            if part.line_end > len(lines):
                raise ManifestError(
                    f"{where}: ends at line {part.line_end}, past the end of {doc.file} "
                    f"({len(lines)} lines)."
                )
            actual = lines[part.line_start - 1].strip()
            if part.first_line is not None and actual != part.first_line.strip():
                raise ManifestError(
                    f"{where}: line {part.line_start} reads {actual!r}, "
                    f"not {part.first_line!r}; correct line_start or first_line."
                )
            previous_end = part.line_end

    # -- access

    @property
    def doc_ids(self) -> list[str]:
        """All doc_ids in manifest order."""
        return [d.doc_id for d in self.documents]

    def document(self, doc_id: str) -> Document:
        """Return a document's record; unknown ids raise with the valid ones listed."""
        try:
            return self._by_id[doc_id]
        except KeyError:
            raise UnknownDocumentError(
                f"unknown doc_id {doc_id!r}; valid: {', '.join(self.doc_ids)}."
            ) from None

    def path(self, doc_id: str) -> Path:
        """Path of a document's raw file."""
        return self.raw_dir / self.document(doc_id).file

    def parts(self, doc_id: str | None = None) -> list[Part]:
        """The parts of one document (or of all), a file without parts being one part."""
        docs = [self.document(doc_id)] if doc_id else self.documents
        return [p for d in docs for p in _parts_or_whole(d, len(self._lines[d.doc_id]))]

    def part(self, doc_id: str, part_id: str) -> Part:
        """One part of a document; unknown part ids raise with the valid ones listed."""
        parts = {p.part_id: p for p in self.parts(doc_id)}
        if part_id not in parts:
            raise UnknownDocumentError(
                f"unknown part_id {part_id!r} for {doc_id}; valid: {', '.join(parts)}."
            )
        return parts[part_id]

    def raw_lines(self, doc_id: str) -> list[str]:
        """All lines of a document; index i holds raw line i + 1."""
        self.document(doc_id)
        return self._lines[doc_id]

    def lines(self, doc_id: str, part_id: str | None = None) -> pd.DataFrame:
        """A document's or part's lines as a DataFrame with columns line (1-based raw) and text."""
        all_lines = self.raw_lines(doc_id)
        start, end = 1, len(all_lines)
        if part_id is not None:
            p = self.part(doc_id, part_id)
            start, end = p.line_start, p.line_end
        return pd.DataFrame(
            {"line": range(start, end + 1), "text": all_lines[start - 1 : end]}
        ).astype({"line": "int64", "text": "string"})

    def page_of_line(self, doc_id: str, line: int) -> int | None:
        """The PDF page (1-based) that holds a raw line, for reports added from a PDF."""
        starts = self.document(doc_id).page_lines
        if not starts:
            return None
        return bisect.bisect_right(starts, line)

    def part_of_line(self, doc_id: str, line: int) -> str:
        """The part_id that holds a raw line of a document."""
        for p in self.parts(doc_id):
            if p.line_start <= line <= p.line_end:
                return p.part_id
        raise UnknownDocumentError(f"{doc_id}: line {line} lies outside every part.")

    # -- tables

    def documents_frame(self) -> pd.DataFrame:
        """One row per document with its provenance record."""
        rows = []
        for d in self.documents:
            rows.append(
                {
                    "doc_id": d.doc_id,
                    "file": d.file,
                    "title": d.title,
                    **_scope(d),
                    "n_lines": len(self._lines[d.doc_id]),
                    "n_parts": len(self.parts(d.doc_id)),
                    "sha256": d.sha256,
                    "twin_doc_id": d.twin_doc_id,
                    "twin_part_id": d.twin_part_id,
                    "origin_file": d.origin_file,
                    "retrieved": d.retrieved.isoformat(),
                    "source": d.source,
                }
            )
        return pd.DataFrame(rows)

    def parts_frame(self) -> pd.DataFrame:
        """One row per document part, with its document's metadata (the `documents` table)."""
        rows = []
        # Both renderings of a twinned report point at each other.
        twins: dict[tuple[str, str | None], str] = {}
        for d in self.documents:
            if d.twin_doc_id:
                twins[(d.doc_id, d.doc_id)] = f"{d.twin_doc_id}/{d.twin_part_id}"
                twins[(d.twin_doc_id, d.twin_part_id)] = f"{d.doc_id}/{d.doc_id}"
        for d in self.documents:
            for p in self.parts(d.doc_id):
                twin = twins.get((d.doc_id, p.part_id))
                rows.append(
                    {
                        "doc_id": d.doc_id,
                        "part_id": p.part_id,
                        "file": d.file,
                        "doc_title": d.title,
                        "part_title": p.title,
                        "unit": p.unit,
                        **_scope(d),
                        "line_start": p.line_start,
                        "line_end": p.line_end,
                        "n_lines": p.line_end - p.line_start + 1,
                        "same_report_as": twin,
                        "sha256": d.sha256,
                        "short_title": d.label,
                    }
                )
        return pd.DataFrame(rows)

    def areas_frame(self) -> pd.DataFrame:
        """The manifest's areas: the city (kind ``stad``) and its districts (``stadsområde``)."""
        v = self.vocabulary
        return pd.DataFrame(
            {
                "area": list(v.areas),
                "kind": ["stad"] + ["stadsområde"] * len(v.districts),
                "sort_order": range(len(v.areas)),
            }
        )

    @cached_property
    def part_index(self) -> dict[str, Part]:
        """All parts keyed by part_id (part ids are unique across the corpus)."""
        return {p.part_id: p for p in self.parts()}


_DEFAULT: Corpus | None = None


def load(raw_dir: Path | None = None, verify: bool = True) -> Corpus:
    """Load (and cache, for the default directory) the validated corpus."""
    global _DEFAULT
    if raw_dir is not None and Path(raw_dir).resolve() != paths.RAW_DIR.resolve():
        return Corpus(Path(raw_dir), verify=verify)
    if _DEFAULT is None:
        _DEFAULT = Corpus(paths.RAW_DIR, verify=verify)
    return _DEFAULT


# --------------------------------------------------------------------------- tables

_S, _I = "string", "int64"

SCHEMAS: dict[str, Schema] = {
    "documents": Schema(
        key=("doc_id", "part_id"),
        columns={
            "doc_id": Column(_S, "Document id from data/raw/manifest.yml"),
            "part_id": Column(_S, "Part id; equals doc_id for a file without parts"),
            "file": Column(_S, "File name in data/raw/"),
            "doc_title": Column(_S, "Title of the document (file)"),
            "part_title": Column(_S, "Title of the part (report) within the file"),
            "unit": Column(_S, "Organisational home of the part"),
            "issuer": Column(_S, "Issuing nämnd / förvaltning"),
            "district": Column(
                _S,
                "District, or the city for a city-wide report (values: "
                "vocabulary in data/raw/manifest.yml)",
            ),
            "report_type": Column(_S, "Report type (values: vocabulary in data/raw/manifest.yml)"),
            "period_start": Column(_S, "First day of the reporting period (ISO date)"),
            "period_end": Column(_S, "Last day of the reporting period (ISO date)"),
            "year": Column(_I, "Reporting year"),
            "text_quality": Column(
                _S, "clean, or ocr for OCR-damaged text", allowed=("clean", "ocr")
            ),
            "line_start": Column(_I, "First raw line of the part (1-based, inclusive)"),
            "line_end": Column(_I, "Last raw line of the part (1-based, inclusive)"),
            "n_lines": Column(_I, "Number of raw lines in the part"),
            "same_report_as": Column(
                _S, "doc_id/part_id of the same report in another rendering", nullable=True
            ),
            "sha256": Column(_S, "sha256 of the raw file"),
            "short_title": Column(
                _S,
                "Short Swedish name tables cite the report by "
                "(manifest short_title, else the title)",
            ),
        },
    ),
    "areas": Schema(
        key=("area",),
        columns={
            "area": Column(
                _S, "The city or one of its districts (vocabulary in data/raw/manifest.yml)"
            ),
            "kind": Column(
                _S,
                "stad (the whole city) or stadsområde (a district)",
                allowed=("stad", "stadsområde"),
            ),
            "sort_order": Column(_I, "Order in which tables and pages list the areas"),
        },
    ),
}
