"""Benchmark of the OCR repair of :mod:`lib.text.ocr` (``make bench-ocr``).

Word accuracy of the repaired city-wide 2024 report (sf_centrum_stadengemensam_2024)
against its clean rendering (part gv_stadengemensam of gemensamma_verksamheter_2024),
before and after repair, with the clean twin left out of the repair's vocabulary and
n-gram model; the share of words the repair changes in the clean reports; and the CPU
time of repairing all reports with cold caches (after start-up), measured several times.
The figures are printed as text and as a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import difflib
import statistics
import sys
import time

OCR_DOC = "sf_centrum_stadengemensam_2024"
TWIN_DOC = "gemensamma_verksamheter_2024"
TWIN_PART = "gv_stadengemensam"
_STRIP = "\"'()[]{}.,;:!?*•–—-/”“’‘«»…"


def words(lines: list[str]) -> list[str]:
    """Evaluation tokens: whitespace-separated, outer punctuation stripped, case kept."""
    out = []
    for line in lines:
        for tok in line.split():
            tok = tok.strip(_STRIP)
            if tok:
                out.append(tok)
    return out


def word_accuracy(hyp: list[str], ref: list[str]) -> float:
    """Share of reference tokens matched by the aligned hypothesis tokens (difflib)."""
    sm = difflib.SequenceMatcher(None, hyp, ref, autojunk=False)
    return sum(b.size for b in sm.get_matching_blocks()) / max(len(ref), 1)


def errors(hyp: list[str], ref: list[str]) -> list[tuple[str, str]]:
    """Aligned (hypothesis, reference) token pairs that differ, for inspection."""
    sm = difflib.SequenceMatcher(None, hyp, ref, autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "equal":
            out.append((" ".join(hyp[i1:i2]), " ".join(ref[j1:j2])))
    return out


def changed_share(before: list[str], after: list[str]) -> tuple[int, int]:
    """(changed, total) words between two line-aligned texts."""
    changed = total = 0
    for a, b in zip(before, after, strict=True):
        wa, wb = a.split(), b.split()
        total += len(wa)
        changed += sum(x != y for x, y in zip(wa, wb, strict=False)) + abs(len(wa) - len(wb))
    return changed, total


def _repair_all(c) -> tuple[float, int, int]:
    """CPU seconds to repair every report with cold caches; changed and total clean words."""
    from lib.text import ocr, ocr_candidates

    ocr_candidates.clear_caches()
    t0 = time.process_time()
    outputs = [(d, ocr.repair_lines(c.raw_lines(d.doc_id))) for d in c.documents]
    cpu = time.process_time() - t0
    changed = total = 0
    for d, out in outputs:
        if d.text_quality == "clean":
            ch, n = changed_share(c.raw_lines(d.doc_id), out)
            changed, total = changed + ch, total + n
    return cpu, changed, total


def markdown(fig: dict[str, float]) -> str:
    """The figures as a Markdown table (for docs/benchmarks.md)."""
    rows = [
        ("Word accuracy before repair", f"{100 * fig['before']:.2f} %"),
        ("Word accuracy after repair (twin left out)", f"{100 * fig['after']:.2f} %"),
        (
            "Words changed in the clean reports",
            f"{fig['clean_changed_n']:.0f} of {fig['clean_total']:.0f} "
            f"({100 * fig['clean_changed']:.3f} %)",
        ),
        (
            f"CPU to repair all reports, median of {fig['repeats']:.0f} (after start-up)",
            f"{fig['cpu_all']:.2f} s ({fig['cpu_min']:.2f}–{fig['cpu_max']:.2f} s)",
        ),
        ("CPU start-up (lexicon and n-gram model)", f"{fig['cpu_start']:.2f} s"),
    ]
    lines = ["| Measure | Value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines)


def bench_ocr(show_errors: int = 0, repeats: int = 3) -> dict[str, float]:
    """Run the OCR benchmark, print its figures and return them."""
    from lib.sources import corpus
    from lib.text import ocr, ocr_candidates

    c = corpus.load()
    part = c.part(TWIN_DOC, TWIN_PART)
    ref_lines = c.raw_lines(TWIN_DOC)[part.line_start - 1 : part.line_end]
    ocr_lines = c.raw_lines(OCR_DOC)

    t0 = time.process_time()
    ocr_candidates.set_exclusion(((TWIN_DOC, part.line_start, part.line_end),))
    ocr_candidates.get_lexicon()
    ocr.repair_lines(["start"])
    t_start = time.process_time() - t0
    t0 = time.process_time()
    fixed = ocr.repair_lines(ocr_lines)
    t_twin = time.process_time() - t0
    ref = words(ref_lines)
    before = word_accuracy(words(ocr_lines), ref)
    after = word_accuracy(words(fixed), ref)

    ocr_candidates.set_exclusion(())
    ocr_candidates.get_lexicon()
    runs = [_repair_all(c) for _ in range(max(repeats, 1))]
    cpus = [r[0] for r in runs]
    _, changed, total = runs[0]
    fig = {
        "before": before,
        "after": after,
        "clean_changed": changed / total,
        "clean_changed_n": changed,
        "clean_total": total,
        "cpu_all": statistics.median(cpus),
        "cpu_min": min(cpus),
        "cpu_max": max(cpus),
        "cpu_start": t_start,
        "repeats": len(cpus),
    }

    print(
        f"OCR repair benchmark: {OCR_DOC} against {TWIN_DOC} lines "
        f"{part.line_start}-{part.line_end} (twin left out of the vocabulary)"
    )
    print(f"  reference words          {len(ref)}")
    print(f"  word accuracy before     {100 * before:.2f} %")
    print(f"  word accuracy after      {100 * after:.2f} %")
    print(f"  clean reports changed    {changed} of {total} words ({100 * changed / total:.3f} %)")
    print(f"  CPU, start-up            {t_start:.2f} s")
    print(f"  CPU, repair {OCR_DOC}    {t_twin:.2f} s")
    print(
        f"  CPU, repair all reports  {fig['cpu_all']:.2f} s   (median of {len(cpus)}: "
        + ", ".join(f"{x:.2f}" for x in cpus)
        + " s)"
    )
    print()
    print(markdown(fig))
    if show_errors:
        print()
        for h, r in errors(words(fixed), ref)[:show_errors]:
            print(f"    {h!r} -> {r!r}")
    return fig


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m benchmarks.ocr [--errors N] [--repeat N]``."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.ocr", description=__doc__)
    p.add_argument("--errors", type=int, default=0, help="print the first N remaining errors")
    p.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="time the repair of all reports N times (median; default 3)",
    )
    args = p.parse_args(argv)
    bench_ocr(args.errors, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
