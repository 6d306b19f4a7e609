"""The rows of a review sheet checked as a set, in line order (not sheet order), together
with the curated figures they join (:func:`resolve`).

A figure is keyed as the build keys it: indicator, period, geography, basis, document and
part. Within one key the statements are taken in line order:

* a row that repeats a curated entry or an earlier row exactly (same line and value) is
  accepted once (an already curated one is skipped);
* two different values on one line cannot both be the figure (the processed table's key
  holds the line): the later row is refused;
* one statement is the figure: the curated one, else the first unmarked row by line, else
  the first row by line; every other is a restatement (``restatement_of: same_figure``,
  written for the sheet when it agrees with the figure). A restatement with another value
  (the report contradicts itself, kept and listed among the discrepancies) must say so in
  ``note``; without a note it is refused, naming both rows and the fixes that work.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lib.curation.discrepancies import statements_agree
from lib.errors import DataError

SAME_FIGURE = "same_figure"


@dataclass
class Statement:
    """One statement of a figure: an accepted sheet row or a curated entry."""

    where: str  # "sheet.xlsx row 7" or "observations_x.yml observation 12"
    key: tuple  # indicator, period, geography, basis, doc_id, part_id
    line: int
    entry: dict = field(default_factory=dict)
    curated: bool = False
    sheet_row: int = 0

    @property
    def value(self) -> float:
        return float(self.entry["value"])

    @property
    def qualifier(self) -> str | None:
        return self.entry.get("qualifier") or None

    @property
    def marked(self) -> bool:
        return bool(self.entry.get("restatement_of"))

    def shown(self) -> str:
        return f"{self.qualifier or ''}{self.value:g} (line {self.line})"


def _figure(key: tuple) -> str:
    indicator, period, geography, basis, doc_id, part_id = key
    where = doc_id if part_id == doc_id else f"{doc_id} part {part_id}"
    return f"{indicator} {period} {geography} {basis} in {where}"


def _which(other: Statement) -> str:
    """What a fix may change: a curated entry stays, so this row."""
    return "this row" if other.curated else "one of them"


def _same(a: Statement, b: Statement) -> bool:
    return a.line == b.line and a.value == b.value and a.qualifier == b.qualifier


def resolve(rows: list[Statement], curated: list[Statement]) -> tuple[list[Statement], list[str]]:
    """The rows to write, with ``restatement_of`` settled, and messages for the analyst
    (rows skipped or marked). Raises :class:`DataError` naming the sheet row and what to do."""
    messages: list[str] = []
    groups: dict[tuple, list[Statement]] = {}
    for s in curated:
        groups.setdefault(s.key, []).append(s)
    kept: list[Statement] = []
    for row in sorted(rows, key=lambda r: (r.key[4], r.line, r.sheet_row)):
        group = groups.setdefault(row.key, [])
        twin = next((s for s in group if _same(s, row)), None)
        if twin is not None:
            what = "already curated" if twin.curated else "the same figure as " + twin.where
            messages.append(f"{row.where}: {what} ({_figure(row.key)}); skipped.")
            continue
        clash = next((s for s in group if s.line == row.line), None)
        if clash is not None:
            raise DataError(
                f"{row.where}: {_figure(row.key)} is given at line {row.line} twice: as "
                f"{clash.shown()} by {clash.where} and as {row.shown()} here; one line states "
                f"a figure once: correct the period, geography, basis or indicator of "
                f"{_which(clash)}, or clear accept in this row."
            )
        group.append(row)
        kept.append(row)
    for key, group in groups.items():
        if any(not s.curated for s in group):
            messages += _settle(key, group)
    return kept, messages


def _primary(group: list[Statement]) -> Statement:
    """The statement that is the figure: curated, else the first unmarked, else the first."""
    by_line = sorted(group, key=lambda s: (s.line, s.sheet_row))
    for candidates in (
        [s for s in by_line if s.curated and not s.marked],
        [s for s in by_line if not s.marked],
        by_line,
    ):
        if candidates:
            return candidates[0]
    raise AssertionError("an empty group")  # pragma: no cover - groups hold a row


def _settle(key: tuple, group: list[Statement]) -> list[str]:
    """Mark every statement but the figure as a restatement; refuse an unexplained one
    with another value."""
    messages = []
    first = _primary(group)
    if first.marked and not first.curated:
        first.entry.pop("restatement_of", None)
        messages.append(
            f"{first.where}: the first statement of {_figure(key)}; restatement_of cleared."
        )
    for s in sorted(group, key=lambda s: (s.line, s.sheet_row)):
        if s is first or s.curated:
            continue
        agrees = statements_agree(first.value, first.qualifier, s.value, s.qualifier)
        if not agrees and not (s.marked and s.entry.get("note")):
            raise DataError(
                f"{s.where}: {_figure(key)} is also stated by {first.where} as "
                f"{first.shown()}, here as {s.shown()}; if they are different figures, "
                f"correct the indicator, period, geography or basis of {_which(first)}; if "
                "the report gives one figure two values, write same_figure in restatement_of "
                "and the contradiction in note of this row."
            )
        if not s.marked:
            s.entry["restatement_of"] = SAME_FIGURE
            messages.append(
                f"{s.where}: restates {_figure(key)} of {first.where}; "
                "restatement_of set to same_figure."
            )
    return messages
