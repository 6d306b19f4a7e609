"""Registering a new report: ``python -m lib add`` (a PDF or a UTF-8 text file).

A PDF's text is extracted by :mod:`lib.sources.pdftext`; the PDF and its text are kept side by side
in data/raw/, both checksummed in the manifest. A text file is copied unchanged. The manifest
row is appended as text (comments and order of the file untouched), the whole manifest is
validated with the new row and the new files in a staging directory, and only then are the
files renamed into place, the manifest last: on any failure data/raw is as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from lib import paths
from lib.core import runs
from lib.errors import DataError
from lib.sources import corpus
from lib.sources.pdftext import extract_pdf

# --------------------------------------------------------------------------- add


REQUIRED = ("doc_id", "title", "issuer", "district", "report_type", "period_start", "period_end")


@dataclass
class Request:
    """What ``python -m lib add`` was asked to register (options as given, strings)."""

    path: Path
    doc_id: str | None = None
    title: str | None = None
    issuer: str | None = None
    district: str | None = None
    report_type: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    year: str | None = None
    short_title: str | None = None
    source: str | None = None
    file: str | None = None
    text_quality: str | None = None
    retrieved: str | None = None
    accept_text_layer: bool = False  # register a PDF whose words are mostly not Swedish


@dataclass(frozen=True)
class Added:
    """The outcome of a registration: the new manifest row and the files written."""

    doc_id: str
    text_path: Path
    pdf_path: Path | None
    n_lines: int
    n_pages: int | None
    empty_pages: list[int]


def slug(text: str) -> str:
    """A file-name fragment: ASCII letters and digits, words joined by _ (å, ä → a, ö → o)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "_".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise DataError(
            f"{_option(name)} {value!r} is not a date; give it as YYYY-MM-DD."
        ) from None


def _check_request(
    req: Request, vocab: corpus.Vocabulary, docs: list[corpus.Document], manifest: Path
) -> dict:
    """Validate the options against the manifest; return the row's metadata fields."""
    missing = [_option(f) for f in REQUIRED if not (getattr(req, f) or "").strip()]
    if missing:
        raise DataError(
            f"add: missing {', '.join(missing)}; give every one "
            "(python -m lib add --help lists them)."
        )
    given = {f: str(getattr(req, f)).strip() for f in REQUIRED}  # each present (checked)
    doc_id = given["doc_id"]
    if not re.fullmatch(r"[a-z0-9_]+", doc_id):
        raise DataError(
            f"--doc-id {doc_id!r}: use lower-case letters, digits and _ "
            "(e.g. sn_hisingen_arsrapport_2025)."
        )
    for d in docs:
        if doc_id == d.doc_id:
            raise DataError(
                f"--doc-id {doc_id!r} is already in {manifest} (file {d.file}); "
                "choose another doc_id."
            )
    choices = {"district": vocab.areas, "report_type": vocab.report_types}
    key = {"district": "districts", "report_type": "report_types"}
    for name, allowed in choices.items():
        value = given[name]
        if value not in allowed:
            raise DataError(
                f"{_option(name)} {value!r} is not in the manifest's vocabulary; use one of "
                f"{', '.join(allowed)}, or add it to vocabulary.{key[name]} in {manifest}."
            )
    start = _date(given["period_start"], "period_start")
    end = _date(given["period_end"], "period_end")
    if end < start:
        raise DataError(
            f"--period-end {end} is before --period-start {start}; "
            "give the reporting period's first and last day."
        )
    year = end.year
    if req.year is not None:
        if not re.fullmatch(r"\d{4}", str(req.year).strip()):
            raise DataError(f"--year {req.year!r}: give a four-digit year.")
        year = int(req.year)
    quality = (req.text_quality or "clean").strip()
    if quality not in corpus.TEXT_QUALITIES:
        raise DataError(
            f"--text-quality {quality!r}: use one of {', '.join(corpus.TEXT_QUALITIES)}."
        )
    retrieved = _date(req.retrieved, "retrieved") if req.retrieved else dt.date.today()
    return {
        "doc_id": doc_id,
        "title": given["title"],
        "issuer": given["issuer"],
        "short_title": (req.short_title or "").strip() or None,
        "district": given["district"],
        "report_type": given["report_type"],
        "period_start": start,
        "period_end": end,
        "year": year,
        "text_quality": quality,
        "retrieved": retrieved,
    }


def _file_name(req: Request, meta: dict, raw_dir: Path, taken: set[str]) -> str:
    """The text file's name in data/raw: --file, or year_issuer_type.txt."""
    if req.file:
        name = req.file.strip()
        if Path(name).name != name or not name.endswith(".txt") or name.startswith("."):
            raise DataError(
                f"--file {name!r}: give a plain file name ending in .txt "
                "(it is created in data/raw)."
            )
    else:
        name = (
            f"{meta['year']}_{slug(meta['issuer'])[:40].strip('_')}_{slug(meta['report_type'])}.txt"
        )
    pdf_name = name[:-4] + ".pdf"
    for candidate in (name, pdf_name):
        if candidate in taken or (raw_dir / candidate).exists():
            raise DataError(
                f"{raw_dir / candidate} already exists; give another name with --file NAME.txt."
            )
    return name


def _read_input(path: Path) -> bytes:
    if not path.exists():
        raise DataError(f"{path}: no such file; give the path of the report's PDF or text file.")
    if not path.is_file():
        raise DataError(f"{path}: not a file; give the path of the report's PDF or text file.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(
            f"{path}: cannot be read ({exc.strerror}); check its permissions."
        ) from None
    if not data.strip():
        raise DataError(f"{path}: the file is empty; give the report's PDF or text file.")
    return data


# The manifest's fields in the order of its hand-written rows: the required ones with the
# optional short title after the title, then the PDF's.
ROW_ORDER = (*corpus.DOC_FIELDS[:3], "short_title", *corpus.DOC_FIELDS[3:], *corpus.PDF_FIELDS)


class _RowDumper(yaml.SafeDumper):
    """Long strings folded (``>-``) like the hand-written rows of the manifest."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = ">" if len(value) > 60 and " " in value and "\n" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_RowDumper.add_representer(str, _str)


def manifest_row(row: dict, page_starts: list[int] | None = None) -> str:
    """The YAML text of one ``documents:`` entry, indented to append to the manifest."""
    ordered = {k: row[k] for k in ROW_ORDER if row.get(k) is not None}
    body = yaml.dump([ordered], Dumper=_RowDumper, allow_unicode=True, sort_keys=False, width=84)
    lines = ["  " + line for line in body.splitlines()]
    if page_starts:
        items = [str(n) for n in page_starts]
        chunks = [", ".join(items[i : i + 14]) for i in range(0, len(items), 14)]
        lines.append("    page_lines: [" + ",\n      ".join(chunks) + "]")
    return "\n".join(lines) + "\n"


def _append_row(manifest_text: str, row_text: str) -> str:
    return manifest_text.rstrip("\n") + "\n\n" + row_text


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _stage(
    staging: Path,
    raw_dir: Path,
    docs: list[corpus.Document],
    new_files: dict[str, bytes],
    manifest_text: str,
) -> None:
    """Fill a hidden directory in raw_dir with the corpus as it will be after the addition."""
    for d in docs:
        for name in filter(None, (d.file, d.pdf)):
            if (raw_dir / name).is_file():
                _link_or_copy(raw_dir / name, staging / name)
    for name, data in new_files.items():
        (staging / name).write_bytes(data)
    (staging / "manifest.yml").write_text(manifest_text, encoding="utf-8")


def _commit(staging: Path, raw_dir: Path, names: list[str]) -> None:
    """Rename the new files, then the manifest, into raw_dir; undo the files on failure."""
    placed: list[Path] = []
    try:
        for name in names:
            target = raw_dir / name
            if target.exists():
                raise DataError(f"{target} appeared while adding; nothing was changed.")
            (staging / name).chmod(0o444)  # raw files are immutable
            os.replace(staging / name, target)
            placed.append(target)
        manifest = raw_dir / "manifest.yml"
        shutil.copymode(manifest, staging / "manifest.yml")
        os.replace(staging / "manifest.yml", manifest)
    except BaseException:
        for target in placed:
            target.unlink(missing_ok=True)
        raise


def add(req: Request, raw_dir: Path | None = None, progress: bool = False) -> Added:
    """Register a report (PDF or UTF-8 text) in data/raw and its manifest; all or nothing.

    Everything is checked before anything is written: the options against the manifest and
    its vocabulary, the input file (readable, UTF-8 text or a PDF with a text layer), its
    checksum against the registered files, and finally the whole new manifest with the new
    files, loaded and verified as a corpus in a staging directory.
    """
    raw_dir = Path(raw_dir) if raw_dir is not None else paths.RAW_DIR
    if not raw_dir.is_dir():  # the corpus names what is missing
        corpus.parse_manifest(raw_dir / "manifest.yml")
    # Two additions at once would both append to the manifest: the second waits.
    with runs.exclusive(raw_dir, f"addition to {raw_dir}"):
        return _add(req, raw_dir, progress)


def _add(req: Request, raw_dir: Path, progress: bool) -> Added:
    manifest = raw_dir / "manifest.yml"
    vocab, docs = corpus.parse_manifest(manifest)
    meta = _check_request(req, vocab, docs, manifest)
    data = _read_input(req.path)
    taken = {n for d in docs for n in (d.file, d.pdf) if n}
    name = _file_name(req, meta, raw_dir, taken)
    known = {s: d for d in docs for s in (d.sha256, d.pdf_sha256) if s}
    is_pdf = data.lstrip()[:5] == b"%PDF-"
    if not is_pdf and req.path.suffix.lower() == ".pdf":
        raise DataError(
            f"{req.path}: named .pdf but is not a PDF (no %PDF header); "
            "give the report's PDF or a UTF-8 text file."
        )
    sha = hashlib.sha256(data).hexdigest()
    if sha in known:
        d = known[sha]
        raise DataError(
            f"{req.path}: the same file is already registered as {d.doc_id} "
            f"({d.pdf if d.pdf_sha256 == sha else d.file}); nothing to add."
        )
    row = dict(meta, file=name, origin_file=req.path.name)
    new_files: dict[str, bytes]
    if is_pdf:
        extraction = extract_pdf(
            req.path, progress=progress, accept_text_layer=bool(req.accept_text_layer)
        )
        text = extraction.text.encode("utf-8")
        pdf_name = name[:-4] + ".pdf"
        row.update(
            pdf=pdf_name,
            pdf_sha256=sha,
            extraction=extraction.tool,
            sha256=hashlib.sha256(text).hexdigest(),
        )
        default_source = (
            f"Text extracted from the PDF {req.path.name} with "
            f"{extraction.tool} by python -m lib add: one line per text line, "
            "table rows with TAB between cells."
        )
        new_files = {name: text, pdf_name: data}
        starts, n_lines = extraction.page_lines, len(extraction.lines)
    else:
        lines = corpus.split_lines(corpus.decode_text(data, str(req.path)))
        row.update(sha256=sha)
        default_source = f"Text file {req.path.name}, registered with python -m lib add."
        new_files = {name: data}
        starts, n_lines = None, len(lines)
    if row["sha256"] in known:
        d = known[row["sha256"]]
        raise DataError(
            f"{req.path}: its text is already registered as {d.doc_id} ({d.file}); nothing to add."
        )
    row["source"] = (req.source or default_source).strip()
    old_text = manifest.read_text(encoding="utf-8")
    new_text = _append_row(old_text, manifest_row(row, starts))
    staging = Path(tempfile.mkdtemp(prefix=".add-", dir=raw_dir))
    try:
        _stage(staging, raw_dir, docs, new_files, new_text)
        _validate_staged(staging, meta["doc_id"], len(docs))
        _commit(staging, raw_dir, list(new_files))  # on Ctrl-C, takes back what it placed
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Added(
        meta["doc_id"],
        raw_dir / name,
        raw_dir / row["pdf"] if is_pdf else None,
        n_lines,
        len(starts) if starts else None,
        extraction.empty_pages if is_pdf else [],
    )


def _validate_staged(staging: Path, doc_id: str, n_before: int) -> None:
    """Load the staged corpus; the new row must be the last document and load cleanly."""
    try:
        staged = corpus.Corpus(staging)
    except DataError as exc:
        raise DataError(
            f"the manifest with the new row does not validate ({exc}); nothing was changed."
        ) from None
    if len(staged.documents) != n_before + 1 or staged.documents[-1].doc_id != doc_id:
        raise DataError(
            "manifest.yml: the new row could not be appended to the documents: "
            "list (it must be the file's last top-level key); nothing was changed."
        )
