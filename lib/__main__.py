"""Command line: ``python -m lib COMMAND``. Bad input ends with one line on stderr, exit 2.

Ctrl-C (SIGINT) or SIGTERM stops a command cleanly: temporary files are removed, previous
outputs stay, and one line (``interrupted: …``) says what was done; exit status 130.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from lib.errors import DataError

# After a finished build nothing is left to clean up (outputs renamed, lock released, files
# closed): the process may end without freeing its tables and caches object by object.
_EXIT = {"at_once": False}


def _cmd_build(args: argparse.Namespace) -> int:
    import gc

    from lib import paths
    from lib.build import runner

    # The build runs without the cycle collector (lib.build.runner); the process ends after it, so
    # the collector stays off rather than scan every object once more at the end.
    gc.disable()
    outcome = runner.build(
        args.raw_dir, args.out_dir or paths.PROCESSED_DIR, full=args.full, report=runner.main_report
    )
    print(outcome.summary())
    _EXIT["at_once"] = True
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from lib.sources import corpus

    c = corpus.load(args.raw_dir)
    print(f"manifest OK: {len(c.documents)} documents, {len(c.parts())} parts, checksums verified")
    return 0


def _cmd_sha256(args: argparse.Namespace) -> int:
    from lib.sources import corpus

    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise DataError(f"{path}: no such file; give the path of a raw report.")
        print(f"{corpus.sha256_file(path)}  {path}")
    return 0


def _cmd_repair(args: argparse.Namespace) -> int:
    from lib.core import store
    from lib.text import ocr

    lines = ocr.read_lines(args.path)
    fixed, changes = ocr.repair_with_log(lines)
    if args.changes is not None:
        frame = ocr.changes_frame(changes, Path(args.path).name).drop(columns="doc_id")
        with store.atomic_path(args.changes) as tmp:
            frame.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
    out = sys.stdout
    for line in fixed:
        out.write(line + "\n")
    return 0


def _cmd_add(args: argparse.Namespace) -> int:
    from lib.sources import ingest

    fields = {f: getattr(args, f) for f in ingest.Request.__dataclass_fields__ if f != "path"}
    added = ingest.add(
        ingest.Request(path=args.path, **fields), args.raw_dir, progress=sys.stderr.isatty()
    )
    source = f" from {added.pdf_path.name} ({added.n_pages} pages)" if added.pdf_path else ""
    print(
        f"added {added.doc_id}: {added.text_path} ({added.n_lines} lines){source}; "
        "manifest.yml updated. Next: python -m lib build"
    )
    if added.empty_pages:
        pages = ", ".join(map(str, added.empty_pages))
        print(
            f"note: page(s) {pages} have no text (images or blank); OCR the PDF if they "
            "hold text (ocrmypdf -l swe --skip-text in.pdf out.pdf).",
            file=sys.stderr,
        )
    return 0


def _cmd_batch(args: argparse.Namespace) -> int:
    from lib import paths
    from lib.report import batch, batch_plan

    if args.all_years and args.year:
        raise DataError("give either --year or --all-years, not both.")
    years = batch_plan.report_years() if args.all_years else (args.year or [])
    try:
        n_jobs = int(args.jobs)
    except ValueError:
        raise DataError(f"--jobs {args.jobs!r}: give a whole number of at least 1.") from None
    outputs_dir = args.outputs_dir or paths.OUTPUTS_DIR
    if args.bless:
        if years or args.district or args.outputs_dir:
            raise DataError(
                "--bless re-runs notebooks/ with their default parameters; "
                "give only --theme and --jobs with it."
            )
        results = batch.bless(args.theme, n_jobs, paths.NOTEBOOKS_DIR)
        for r in results:
            print(
                f"{'blessed' if r.ok else 'failed'}: {r.job.notebook.name}"
                + ("" if r.ok else f": {r.error}"),
                file=sys.stdout if r.ok else sys.stderr,
            )
        return 0 if all(r.ok for r in results) else 1
    results = batch.run_batch(
        years,
        args.theme,
        args.district,
        n_jobs,
        outputs_dir=outputs_dir,
        notebooks_dir=paths.NOTEBOOKS_DIR,
    )
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(f"failed: {r.job.label}: {r.error}", file=sys.stderr)
    print(
        f"{len(results) - len(failed)} of {len(results)} notebooks OK; "
        f"index: {outputs_dir / 'index.html'}"
    )
    return 1 if failed else 0


def _cmd_propose(args: argparse.Namespace) -> int:
    from lib import paths
    from lib.curation import propose, sheet

    frame = propose.propose(args.doc_id, exclude_curated=args.exclude_curated)
    out = args.out or paths.DATA_DIR / "curated" / "proposed" / f"{args.doc_id}.xlsx"
    xlsx, csv = sheet.write(frame, out)
    print(
        f"{len(frame)} proposals for {args.doc_id} "
        f"({(frame.new_indicator == '').sum()} with a known indicator); wrote {xlsx} and {csv}"
    )
    print(f"Mark rows with ja in column accept, correct cells, then: python -m lib accept {xlsx}")
    return 0


def _cmd_accept(args: argparse.Namespace) -> int:
    from lib.build import runner
    from lib.curation import accept

    plan, written = accept.accept(args.sheet, rebuild=None if args.no_build else runner.build)
    for message in plan.skipped:
        print(message)
    if not plan.accepted:
        print("nothing to accept: no new row is marked ja, x or yes.")
        return 0
    n_ind = sum(len(v) for v in plan.indicators.values())
    print(
        f"accepted {plan.accepted} row(s), {n_ind} new indicator(s); updated "
        + ", ".join(str(p) for p in written)
        + ("" if args.no_build else "; tables rebuilt")
    )
    return 0


def _cmd_browse(args: argparse.Namespace) -> int:
    from lib.publish import browse

    try:
        port = int(args.port)
    except ValueError:
        raise DataError(f"--port {args.port!r}: give a port number such as 8001.") from None
    if not 1 <= port <= 65535:
        raise DataError(f"--port {port}: give a port number between 1 and 65535.")
    browse.serve(port)
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m lib``."""
    p = argparse.ArgumentParser(prog="python -m lib", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build all processed tables from data/raw")
    b.add_argument("--raw-dir", type=Path, default=None, help="raw directory (default data/raw)")
    b.add_argument("--out-dir", type=Path, default=None, help="output (default data/processed)")
    b.add_argument(
        "--full",
        action="store_true",
        help="run every stage, even those whose inputs did not change",
    )
    b.set_defaults(func=_cmd_build)

    c = sub.add_parser("check", help="validate the manifest and verify checksums")
    c.add_argument("--raw-dir", type=Path, default=None)
    c.set_defaults(func=_cmd_check)

    r = sub.add_parser("repair", help="print the OCR-repaired text of a report, line by line")
    r.add_argument("path", type=Path, help="text file (UTF-8; cp1252 is decoded with a warning)")
    r.add_argument(
        "--changes",
        type=Path,
        default=None,
        help="write the change log (line, before, after, reason) to this CSV",
    )
    r.set_defaults(func=_cmd_repair)

    bt = sub.add_parser("batch", help="run the notebooks into outputs/<year>/<district>/")
    bt.add_argument(
        "--year",
        action="append",
        default=[],
        metavar="YEAR",
        help="a year with a report or a figure in data/processed (repeatable)",
    )
    bt.add_argument(
        "--all-years", action="store_true", help="every year a report is for (documents.year)"
    )
    bt.add_argument(
        "--theme",
        action="append",
        default=[],
        metavar="THEME",
        help="oversikt, jamforelse or a theme id of lib/data/themes.yml (repeatable; default all)",
    )
    bt.add_argument(
        "--district",
        action="append",
        default=[],
        metavar="DISTRICT",
        help="the city or a district of the manifest's vocabulary (repeatable; default all)",
    )
    bt.add_argument("--jobs", default="2", help="notebooks run in parallel (default 2)")
    bt.add_argument("--outputs-dir", type=Path, default=None, help="default outputs/")
    bt.add_argument(
        "--bless",
        action="store_true",
        help="instead: re-execute notebooks/ in place with default parameters "
        "(new nbval reference outputs after an intended change)",
    )
    bt.set_defaults(func=_cmd_batch)

    pr = sub.add_parser("propose", help="write a review sheet of a report's candidate figures")
    pr.add_argument("doc_id", help="the report's doc_id (see data/raw/manifest.yml)")
    pr.add_argument(
        "--exclude-curated",
        action="store_true",
        help="learn only from the other reports' curation (and not the twin's)",
    )
    pr.add_argument(
        "--out",
        type=Path,
        default=None,
        help="sheet to write, .xlsx or .csv; the other is written beside it "
        "(default data/curated/proposed/DOC_ID.xlsx)",
    )
    pr.set_defaults(func=_cmd_propose)

    ac = sub.add_parser("accept", help="merge the rows marked ja in a review sheet, rebuild")
    ac.add_argument("sheet", type=Path, help="the .xlsx or .csv written by propose")
    ac.add_argument("--no-build", action="store_true", help="merge only; do not rebuild")
    ac.set_defaults(func=_cmd_accept)
    br = sub.add_parser(
        "browse", help="serve data/processed/rapporter.sqlite in Datasette on 127.0.0.1 (read-only)"
    )
    br.add_argument("--port", default="8001", help="port (default 8001)")
    br.set_defaults(func=_cmd_browse)

    a = sub.add_parser(
        "add",
        help="register a report (PDF or UTF-8 text) in data/raw and its manifest",
        description="Register a report: a PDF (its text is extracted; both files are kept) "
        "or a UTF-8 text file. The metadata options marked (required) must all "
        "be given; nothing is written unless everything validates.",
    )
    a.add_argument("path", type=Path, help="the report: a PDF with a text layer, or UTF-8 text")
    for name, text in (
        ("doc-id", "stable id, lower-case letters, digits and _"),
        ("title", "the report's title, as in the report"),
        ("issuer", "nämnd / förvaltning that issued it"),
        ("district", "a district or the city (manifest vocabulary)"),
        ("report-type", "a report type of the manifest vocabulary"),
        ("period-start", "first day of the reporting period, YYYY-MM-DD"),
        ("period-end", "last day of the reporting period, YYYY-MM-DD"),
    ):
        a.add_argument(f"--{name}", default=None, help=f"{text} (required)")
    a.add_argument("--year", default=None, help="reporting year (default: period end's year)")
    a.add_argument(
        "--short-title",
        default=None,
        help="short Swedish name tables cite it by, e.g. 'Årsrapport 2025 Hisingen'",
    )
    a.add_argument(
        "--source",
        default=None,
        help="where the report comes from (default: a note on the extraction)",
    )
    a.add_argument(
        "--file",
        default=None,
        help="text file name in data/raw (default YEAR_ISSUER_TYPE.txt; the PDF "
        "gets the same name with .pdf)",
    )
    a.add_argument("--text-quality", default=None, help="clean (default) or ocr")
    a.add_argument("--retrieved", default=None, help="date of retrieval (default today)")
    a.add_argument("--raw-dir", type=Path, default=None, help="raw directory (default data/raw)")
    a.add_argument(
        "--accept-text-layer",
        action="store_true",
        help="register a PDF whose text layer does not read as Swedish (check it first: "
        "fonts without a Unicode map give unreadable text; OCR it instead)",
    )
    a.set_defaults(func=_cmd_add)

    s = sub.add_parser("sha256", help="print the sha256 of files (for new manifest rows)")
    s.add_argument("files", nargs="+")
    s.set_defaults(func=_cmd_sha256)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run a command; a :class:`DataError` becomes one line on stderr and exit status 2."""
    from lib.core import runs

    args = parser().parse_args(argv)
    try:
        with runs.stop_on_signals():
            try:
                return args.func(args)
            except Exception as exc:
                # A signal that arrives inside a library call can surface as that library's
                # error (ctypes.ArgumentError from PDFium during `add`): it is the interruption.
                if runs.stopping():
                    raise runs.Interrupted() from exc
                raise
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # runs.Interrupted, or Ctrl-C outside the handler
        summary = getattr(exc, "summary", "") or "stopped"
        print(f"interrupted: {summary}", file=sys.stderr, flush=True)
        return runs.EXIT_INTERRUPTED


if __name__ == "__main__":
    try:
        status = main()
    except KeyboardInterrupt:  # Ctrl-C before the command's own handling began
        print("interrupted: stopped before anything was done", file=sys.stderr, flush=True)
        status = 130
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # done: a late Ctrl-C changes nothing now
    if _EXIT["at_once"] or status == 130:  # interrupted: everything is cleaned up already;
        # PDFium's objects an interrupted page left open need no freeing (nor warnings)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)
