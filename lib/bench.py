"""Benchmarks: ``python -m lib.bench ocr`` measures the OCR repair of :mod:`lib.ocr`.

Word accuracy of the repaired city-wide 2024 report (sf_centrum_stadengemensam_2024)
against its clean rendering (part gv_stadengemensam of gemensamma_verksamheter_2024),
before and after repair, with the clean twin left out of the repair's n-gram model;
the share of words the repair changes in the clean reports; and the CPU time.
"""

from __future__ import annotations

import argparse
import difflib
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


def bench_ocr(show_errors: int = 0) -> dict[str, float]:
    """Run the OCR benchmark and print its figures."""
    from lib import corpus, ocr

    c = corpus.load()
    part = c.part(TWIN_DOC, TWIN_PART)
    ref_lines = c.raw_lines(TWIN_DOC)[part.line_start - 1:part.line_end]
    ocr_lines = c.raw_lines(OCR_DOC)

    t0 = time.process_time()
    ocr.set_exclusion(((TWIN_DOC, part.line_start, part.line_end),))
    ocr.get_lexicon()
    ocr.repair_lines(["start"])
    t_start = time.process_time() - t0
    t0 = time.process_time()
    fixed = ocr.repair_lines(ocr_lines)
    t_twin = time.process_time() - t0
    ref = words(ref_lines)
    before = word_accuracy(words(ocr_lines), ref)
    after = word_accuracy(words(fixed), ref)

    ocr.set_exclusion(())
    ocr.get_lexicon()
    ocr.repair_lines(["start"])
    t0 = time.process_time()
    changed = total = 0
    for d in c.documents:
        lines = c.raw_lines(d.doc_id)
        out = ocr.repair_lines(lines)
        if d.text_quality == "clean":
            ch, n = changed_share(lines, out)
            changed, total = changed + ch, total + n
    t_all = time.process_time() - t0

    print(f"OCR repair benchmark: {OCR_DOC} against {TWIN_DOC} lines "
          f"{part.line_start}-{part.line_end} (twin left out of the n-gram model)")
    print(f"  reference words          {len(ref)}")
    print(f"  word accuracy before     {100 * before:.2f} %")
    print(f"  word accuracy after      {100 * after:.2f} %")
    print(f"  clean reports changed    {changed} of {total} words ({100 * changed / total:.3f} %)")
    print(f"  CPU, start-up            {t_start:.2f} s")
    print(f"  CPU, repair {OCR_DOC}    {t_twin:.2f} s")
    print(f"  CPU, repair all reports  {t_all:.2f} s")
    if show_errors:
        for h, r in errors(words(fixed), ref)[:show_errors]:
            print(f"    {h!r} -> {r!r}")
    return {"before": before, "after": after, "clean_changed": changed / total,
            "cpu_all": t_all}


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m lib.bench ocr [--errors N]``."""
    p = argparse.ArgumentParser(prog="python -m lib.bench", description=__doc__)
    p.add_argument("what", choices=["ocr"])
    p.add_argument("--errors", type=int, default=0, help="print the first N remaining errors")
    args = p.parse_args(argv)
    bench_ocr(args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
