"""Numbers in table rows: TAB-separated rows, rows whose cells the extraction
scattered (declared in lib/data/quantities_units.yml), and space-separated year columns;
each number gets its column's period and basis and the row label's unit.
"""

from __future__ import annotations

import re

from lib.errors import DataError
from lib.text.numbers import (
    MONTH_RE,
    NUMBER,
    VOCAB_PATH,
    YEAR,
    Doc,
    Quantity,
    State,
    add_quantity,
    cut,
    parse_value,
    qualifier_before,
    vocab,
)

_HEADER_WORDS = re.compile(
    r"utfall|budget|avvikelse|mål|bokslut|prognos|kvartal|\bsol\b|\blss\b", re.IGNORECASE
)
_HEADER_NOISE = re.compile(
    rf"(?:19|20)\d\d-\d\d-\d\d|\b{YEAR}\b|kvartal\s+[1-4]|\b[0-3]?\d\s+(?:{MONTH_RE})",
    re.IGNORECASE,
)
_GROUP = re.compile(r"[-−–]?\d+(?:,\d+)?%?")  # one whitespace-free group of a table row


def _period_of_header(cell: str, doc: Doc) -> str | None:
    m = re.search(rf"kvartal\s+([1-4])\s+({YEAR})", cell, re.I)
    if m:
        q, y = int(m.group(1)), m.group(2)
        return f"{y}-{3 * q - 2:02d}/{y}-{3 * q:02d}"
    m = re.search(r"\b((?:19|20)\d\d-[01]\d-[0-3]\d)\b", cell)
    if m:
        return m.group(1)
    years = sorted(set(re.findall(rf"\b{YEAR}\b", cell)))
    if len(years) == 1:
        return years[0]
    if not years and _HEADER_WORDS.search(cell):
        return doc.report_period
    return None


def _basis_of(cell: str) -> str | None:
    c = cell.lower()
    for word, basis in (
        ("avvikelse", "avvikelse"),
        ("mål", "mål"),
        ("budget", "budget"),
        ("prognos", "prognos"),
        ("utfall", "utfall"),
        ("bokslut", "utfall"),
    ):
        if word in c:
            return basis
    return None


def _unit_hint(*texts: str) -> str | None:
    t = " ".join(texts).lower()
    for pat, unit in (
        (r"\(%\)|procent", "procent"),
        (r"\btkr\b|tusen kronor", "tkr"),
        (r"\bmn?kr\b|miljoner", "mnkr"),
        (r"\bkronor\b|\bkr\b", "kr"),
    ):
        if re.search(pat, t):
            return unit
    return None


def _cell_numbers(
    st: State,
    offset: int,
    cell: str,
    header: str | None,
    label: str,
    table_hint: str,
    unit: str | None = None,
) -> None:
    doc = st.doc
    if header and re.search(r"kod\b", header, re.I):
        for m in NUMBER.finditer(cell):
            st.add_span(offset + m.start(), offset + m.end(), "other")
        return
    for m in NUMBER.finditer(cell):
        s, e = offset + m.start(), offset + m.end()
        if not st.free(s, e):
            continue
        q = Quantity(
            s,
            e,
            parse_value(m.group("sign"), m.group("int"), m.group("frac")),
            in_table=True,
            label=cut(label) or None,
            column=cut(header) if header else None,
        )
        after = cell[m.end() :]
        if after.lstrip().startswith("%"):
            q.unit, q.unit_end = "procent", offset + m.end() + after.index("%") + 1
        else:
            q.unit = unit or _unit_hint(label, header or "", table_hint) or "antal"
            q.unit_end = e
        before = cell[: m.start()]
        q.qualifier = qualifier_before(before)
        q.approx = q.qualifier is not None
        if header:
            q.period = _period_of_header(header, doc)
            q.basis = _basis_of(header)
        add_quantity(st, q)


def tab_tables(st: State) -> None:
    doc = st.doc
    header: list[str] | None = None
    header_line = 0
    rules = [r for r in vocab().table_units if r["doc_id"] == doc.doc_id]
    for i, line in enumerate(doc.lines):
        if "\t" not in line:
            header = None
            continue
        cells = line.split("\t")
        offs = [0]
        for cell in cells[:-1]:
            offs.append(offs[-1] + len(cell) + 1)
        base = doc.line_starts[i]
        numeric = [
            j
            for j, cell in enumerate(cells[1:], 1)
            if re.fullmatch(r"\s*[<>]?\s*[-−–]?[\d  ,]+\s*%?\*?\s*", cell)
        ]
        if re.fullmatch(r"\s*\d+(?:\.\d+)*\s*", cells[0]) and numeric == [len(cells) - 1]:
            s = base + offs[-1]  # table of contents: section <TAB> heading <TAB> page
            st.add_span(s, s + len(cells[-1].rstrip()), "page")
            continue
        heads = [re.search(rf"\b{YEAR}\b", c) or _HEADER_WORDS.search(c) for c in cells[1:]]
        no_values = not any(re.search(r"\d", _HEADER_NOISE.sub("", c)) for c in cells[1:])
        if (
            no_values
            and any(heads)
            and not (numeric and not all(re.fullmatch(rf"\s*{YEAR}\s*", cells[j]) for j in numeric))
        ):
            header, header_line = cells, i + 1
            for m in re.finditer(rf"\b{YEAR}\b", line):
                if st.free(base + m.start(), base + m.end()):
                    st.add_span(base + m.start(), base + m.end(), "year")
            continue
        unit = next(
            (
                r["unit"]
                for r in rules
                if header and r["header"] == header_line and re.search(r["label"], cells[0])
            ),
            None,
        )
        for j, cell in enumerate(cells[1:], 1):
            h = header[j] if header and j < len(header) else None
            _cell_numbers(st, base + offs[j], cell, h, cells[0], header[0] if header else "", unit)
        if numeric:
            _label_numbers(st, base, cells[0])


def _label_numbers(st: State, base: int, label: str) -> None:
    """Digits in a table row's label (`0-12 år`, `inom 14 dagar`) name the row: not values."""
    for m in re.finditer(r"\d+(?:[-–,.:]\d+)*", label):
        s, e = base + m.start(), base + m.end()
        if st.free(s, e):
            st.add_span(s, e, "year" if re.fullmatch(YEAR, m.group()) else "other")


def _partitions(groups: list[tuple[int, int, str, bool]], n: int) -> list[list[list[int]]]:
    """All ways to read digit groups as exactly n Swedish numbers (space thousands separator).

    ``groups`` holds (start, end, text, forced_break_before).
    """
    out: list[list[list[int]]] = []

    def number_ends(i: int) -> list[int]:
        g = groups[i][2]
        if not re.fullmatch(r"[-−–]?\d{1,3}", g):
            return [i]
        if re.fullmatch(r"0\d\d", g):
            return []
        ends = [i]
        j = i + 1
        while (
            j < len(groups) and not groups[j][3] and re.fullmatch(r"\d{3}(?:,\d+)?%?", groups[j][2])
        ):
            ends.append(j)
            if not re.fullmatch(r"\d{3}", groups[j][2]):
                break
            j += 1
        return ends

    def walk(i: int, acc: list[list[int]]) -> None:
        if len(out) > 64:
            return
        if i == len(groups):
            if len(acc) == n:
                out.append([list(a) for a in acc])
            return
        if len(acc) >= n:
            return
        for end in number_ends(i):
            walk(end + 1, acc + [list(range(i, end + 1))])

    walk(0, [])
    return out


_ROW = re.compile(
    r"^[ \t]*(?P<label>[^\d\n|]*?[^\W\d][^\d\n|]*?)[ \t]+(?P<run>[-−–]?\d[^\n|]*?)"
    r"[ \t]*(?=\||$|[ \t]+[^\W\d])"
)


def _row(st: State, i: int, columns: list[dict], unit: str | None, header_text: str) -> bool:
    """Read line i as `label n1 n2 ...` with one number per column; True if it fits."""
    doc = st.doc
    line = doc.lines[i]
    m = _ROW.match(line)
    if not m:
        return False
    run_start = m.start("run")
    groups = []
    prev_end = None
    for g in re.finditer(r"\S+(?:[ \t]%)?", m.group("run")):
        if not _GROUP.fullmatch(g.group().replace(" ", "").replace("\t", "")):
            break
        gap = line[run_start + prev_end : run_start + g.start()] if prev_end is not None else ""
        groups.append((run_start + g.start(), run_start + g.end(), g.group(), len(gap) >= 2))
        prev_end = g.end()
    parts = _partitions(groups, len(columns)) if groups else []
    if not parts:
        return False
    best = min(
        parts,
        key=lambda p: max(sum(len(re.sub(r"\D", "", groups[k][2])) for k in idx) for idx in p),
    )
    base = doc.line_starts[i]
    label = cut(m.group("label"))
    for idx, col in zip(best, columns, strict=True):
        s, e = base + groups[idx[0]][0], base + groups[idx[-1]][1]
        raw = doc.text[s:e]
        mm = re.fullmatch(
            r"(?P<sign>[-−–])?(?P<int>[\d \u00a0\u202f]+?)(?:,(?P<frac>\d+))?"
            r"(?P<pct>[ \t]?%)?",
            raw,
        )
        if not mm or not st.free(s, e):
            continue
        q = Quantity(
            s,
            e,
            parse_value(mm.group("sign"), mm.group("int"), mm.group("frac")),
            in_table=True,
            label=label,
            column=col.get("name") or header_text,
            period=col.get("period"),
            base_period=col.get("base_period"),
            basis=col.get("basis"),
            change=col.get("base_period") is not None,
        )
        q.unit = "procent" if mm.group("pct") else (unit or "antal")
        q.unit_end = e
        if mm.group("pct"):
            q.end = e - len(mm.group("pct"))
        add_quantity(st, q)
    return True


def declared_tables(st: State) -> None:
    for spec in vocab().tables:
        if spec["doc_id"] != st.doc.doc_id:
            continue
        lo, hi = spec["lines"]
        cols = [dict(c) for c in spec["columns"]]
        for c in cols:
            c["name"] = f"{spec['name']} (rader {spec['header'][0]}–{spec['header'][1]})"
        for i in range(lo - 1, hi):
            _row(st, i, cols, spec.get("unit"), spec["name"])


_CELL_VALUE = re.compile(
    r"(?P<sign>[-−–])?(?P<int>\d[\d \u00a0\u202f]*?)(?:[,.](?P<frac>\d+))?"
    r"(?P<pct>[ \t]?%)?"
)


def cell_tables(st: State) -> None:
    """Tables whose cells the OCR scrambled, read cell by cell as declared in the vocabulary."""
    for spec in vocab().cell_tables:
        if spec["doc_id"] != st.doc.doc_id:
            continue
        for row in spec["rows"]:
            unit = row.get("unit", spec.get("unit", "antal"))
            for line, cells in row["cells"].items():
                _cell_line(st, spec, row["label"], int(line), cells, unit)


def _cell_line(st: State, spec: dict, label: str, line: int, cells: str, unit: str) -> None:
    doc = st.doc
    text, base, cursor = doc.lines[line - 1], doc.line_starts[line - 1], 0
    where = f"{VOCAB_PATH}: cell_tables {spec['name']!r}, line {line} of {doc.doc_id}"
    h0, h1 = spec["header"]
    for item in (c.strip() for c in cells.split(";")):
        tok, _, key = item.rpartition(" ")
        m = re.compile(rf"(?<![\d,.]){re.escape(tok)}(?![\d])").search(text, cursor)
        if not m or (key != "-" and key not in spec["columns"]):
            raise DataError(
                f"{where}: cannot place {item!r} (text not found after offset {cursor}"
                " or unknown column); fix the declaration"
            )
        cursor = m.end()
        s, e = base + m.start(), base + m.end()
        if key == "-":
            st.add_span(s, e, "other")
            continue
        col = spec["columns"][key]
        v = _CELL_VALUE.fullmatch(tok)
        if not v:
            raise DataError(f"{where}: {tok!r} is not a number; fix the declaration")
        q = Quantity(
            s,
            e,
            parse_value(v.group("sign"), v.group("int"), v.group("frac")),
            unit="procent" if v.group("pct") else unit,
            unit_end=e,
            in_table=True,
            label=label,
            column=f"{spec['name']}: {col['name']} (rubrik rader {h0}–{h1})",
            period=col.get("period"),
            base_period=col.get("base_period"),
            basis=col.get("basis"),
            change=col.get("base_period") is not None,
        )
        if v.group("pct"):
            q.end = e - len(v.group("pct"))
        add_quantity(st, q)


_YEAR_HEADER = re.compile(
    rf"^[ \t]*[^\W\d][^\d\n]*?[ \t]+(?P<years>{YEAR}(?:[ \t|]+{YEAR})+)"
    r"(?:[ \t|]+[^\W\d][^\d\n]*)?[ \t]*$"
)


def space_tables(st: State) -> None:
    """Tables with a one-line header of adjacent year columns (`Ärendetyp  2024 2023 Kommentar`)."""
    doc = st.doc
    for i, line in enumerate(doc.lines):
        if "\t" in line:
            continue
        m = _YEAR_HEADER.match(line)
        if not m:
            continue
        base = doc.line_starts[i]
        years = list(re.finditer(YEAR, line))
        for y in years:
            if st.free(base + y.start(), base + y.end()):
                st.add_span(base + y.start(), base + y.end(), "year")
        cols = [{"period": y.group(), "name": f"{cut(line)} (rad {i + 1})"} for y in years]
        misses = 0
        for j in range(i + 1, min(i + 60, len(doc.lines))):
            if not doc.lines[j].strip():
                continue
            if _row(st, j, cols, None, cut(line)):
                misses = 0
            else:
                misses += 1
                if misses > 6:
                    break
