"""The period of each number (:func:`attach_periods`): the year or interval a figure
describes and, for a change, the period it is measured against. Conventions are in
:mod:`lib.text.quantities`.
"""

from __future__ import annotations

import bisect
import re

from lib.text.numbers import MONTH_RE, MONTHS, PAREN_PRIOR, YEAR, Doc, Quantity, State

_CHANGE_BEFORE = re.compile(
    r"(?:ök\w*|ok\w*|6k\w*|minsk\w*|höj\w*|sänk\w*|förändr\w*|skillnad\w*)"
    r"(?:\s+[\w,]+){0,5}?\s+(?:med|på)\s+(?:\S+\s+){0,1}$",
    re.IGNORECASE,
)
_AGAINST = re.compile(
    rf"(?:jämfört\s+med|jamf.rt\s+med|i\s+förhållande\s+till|i\s+forhallande\s+till|jmf\.?)"
    rf"\s+(?:(?:helåret|helaret|år|ar)\s+)?(?P<year>{YEAR})\b"
    r"|(?P<same>samma\s+(?:tids)?period\s+f.reg.ende\s+.r|samma\s+(?:tids)?period\s+f.rra\s+.ret)"
    r"|(?P<prev>f.reg.ende\s+.r|f.rra\s+.ret|året\s+innan)",
    re.IGNORECASE,
)
_BETWEEN = re.compile(rf"mellan\s+(?:år\s+)?(?P<a>{YEAR})\s+och\s+(?P<b>{YEAR})", re.I)
_YEAR_AFTER = re.compile(
    rf"[ \t\n,]*(?:(?:år|ar|under|för|for|i)\s+)?(?P<y>{YEAR})(?![\d/-])", re.IGNORECASE
)
_PERIOD_PHRASE = re.compile(
    rf"(?P<d1>[0-3]?\d)\s+(?P<m1>{MONTH_RE})\s+(?P<y1>{YEAR})\s+(?:till|-|–)\s+(?:och\s+med\s+)?"
    rf"(?P<d2>[0-3]?\d)\s+(?P<m2>{MONTH_RE})\s+(?P<y2>{YEAR})"
    rf"|(?P<ma>{MONTH_RE})\s+(?:till|-|–)\s+(?:och\s+med\s+)?(?P<mb>{MONTH_RE})\s+(?P<yb>{YEAR})"
    rf"|(?:under|för|for|år|ar|i|helår|helåret|helar|helaret|inför|infor|per)\s+(?P<y>{YEAR})"
    r"(?![\d/-])"
    rf"|^[ \t\n•]*(?P<y0>{YEAR})(?=[ \t\n]+[a-zåäö])"
    rf"|(?P<half>första|forsta|andra)\s+halv(?:å|a)ret\s+(?P<yh>{YEAR})"
    rf"|till\s+och\s+med\s+(?P<mt>{MONTH_RE})(?![ \t\n]+(?:\d|{YEAR}))"
    r"|(?P<cur>(?:under|för|for|till\s+och\s+med)\s+perioden)\b"
    r"|(?P<full>(?:för|for|under)\s+(?:hel|hela\s+)?(?:å|a)ret)(?![ \t\n]+\d)",
    re.IGNORECASE,
)
_SENT_END = re.compile(r"[.!?](?=\s+[A-ZÅÄÖ•])|•|\n[ \t]*\n(?=[ \t]*[A-ZÅÄÖ•])")


def _sentence_bounds(doc: Doc) -> list[int]:
    return [m.end() for m in _SENT_END.finditer(doc.text)]


def _shift_year(period: str, by: int) -> str:
    return re.sub(r"\d{4}", lambda m: str(int(m.group()) + by), period)


def _phrase_period(m: re.Match, doc: Doc, offset: int) -> str:
    g = m.groupdict()
    if g["y1"]:
        d1 = f"{g['y1']}-{MONTHS.index(g['m1'].lower()) + 1:02d}-{int(g['d1']):02d}"
        d2 = f"{g['y2']}-{MONTHS.index(g['m2'].lower()) + 1:02d}-{int(g['d2']):02d}"
        return f"{d1}/{d2}"
    if g["yb"]:
        a, b = MONTHS.index(g["ma"].lower()) + 1, MONTHS.index(g["mb"].lower()) + 1
        if (a, b) == (1, 12):
            return g["yb"]
        return f"{g['yb']}-{a:02d}/{g['yb']}-{b:02d}"
    if g["yh"]:
        first = g["half"].lower().startswith("f")
        return f"{g['yh']}-01/{g['yh']}-06" if first else f"{g['yh']}-07/{g['yh']}-12"
    current = doc.current_period(offset)
    if g["mt"]:
        return f"{current[:4]}-01/{current[:4]}-{MONTHS.index(g['mt'].lower()) + 1:02d}"
    if g["cur"]:
        return current
    if g["full"]:
        return current[:4]
    return g["y"] or g["y0"]


def range_units(st: State) -> None:
    """`mellan 25 och 35 procent`, `1 000 till 1 499 miljoner kronor`: the unit is written once."""
    text = st.doc.text
    prose = sorted((q for q in st.quantities if not q.in_table), key=lambda q: q.start)
    for q, nxt in zip(prose[::-1][1:], prose[::-1][:-1], strict=True):
        if (
            q.unit == "antal"
            and nxt.unit != "antal"
            and re.fullmatch(r"[ \t]*(?:till|och|à|-|–)[ \t]*", text[q.end : nxt.start])
        ):
            q.unit = nxt.unit


_REL_PRIOR = re.compile(
    r"[ \t\n]*(?:året\s+innan|året\s+före|f.reg.ende\s+år|f.rra\s+året)\b", re.IGNORECASE
)
_AFTER_PERIOD = re.compile(
    r"[ \t\n]*(?:i\s+(?:utfall|prognos)\s+)?"
    rf"(?:(?:fram\s+)?till\s+och\s+med\s+(?P<mt>{MONTH_RE})"
    r"|(?:för|for|under)\s+(?:(?P<cur>perioden)|(?P<full>(?:hel|hela\s+)?(?:å|a)ret)))"
    r"(?![ \t\n]+\d)",
    re.IGNORECASE,
)
_PROGNOS_BEFORE = re.compile(r"\b(?:i\s+)?prognos(?:en|t\w*)?\b[^.\d]{0,50}$", re.IGNORECASE)
_DURATION = ("år", "månader", "veckor", "dagar", "timmar")


def attach_periods(st: State) -> None:
    doc = st.doc
    text = doc.text
    bounds = _sentence_bounds(doc)
    prose = sorted((q for q in st.quantities if not q.in_table), key=lambda q: q.start)
    fixed = _paren_prior(st, prose, bounds)
    for k, q in enumerate(prose):
        if k in fixed:
            continue
        b = bisect.bisect_right(bounds, q.start)
        s0 = max(bounds[b - 1] if b else 0, q.start - 400)
        s1 = min(bounds[b] if b < len(bounds) else len(text), q.unit_end + 400)
        s1 = max(s1, q.unit_end)
        before = text[s0 : q.start]
        prev = prose[k - 1] if k and prose[k - 1].unit_end >= s0 else None
        nxt = prose[k + 1] if k + 1 < len(prose) and prose[k + 1].start < s1 else None
        if (
            re.search(r"\(\s*$", before)
            and prev
            and prev.change
            and re.fullmatch(r"[ \t\n]*(?:\S+[ \t\n]+){0,6}\(\s*", text[prev.unit_end : q.start])
        ):
            q.change, q.period, q.base_period = True, prev.period, prev.base_period
            continue
        tail = before[-80:]
        verb = _CHANGE_BEFORE.search(tail)
        if verb or (
            prev
            and prev.change
            and re.search(r"\boch\s+med\s+$", before)
            and len(text[prev.unit_end : q.start]) < 120
        ):
            q.change = True
            verb_start = q.start - len(tail) + verb.start() if verb else prev.unit_end  # type: ignore[union-attr]  # prev: "och med"
            q.verb_at = verb_start
            _change_period(q, doc, text, (s0, s1, verb_start), prev)
            continue
        _from_to(q, nxt, text, before, s0, s1)
        if _PROGNOS_BEFORE.search(before[-60:]):
            q.basis = "prognos"
        after = _AFTER_PERIOD.match(text, q.unit_end)
        if q.period is None and after:
            q.period = _after_period(after, doc.current_period(q.start))
        if q.period is None and _REL_PRIOR.match(text, q.unit_end):
            ref = prev.period if prev and prev.period else doc.current_period(q.start)
            q.period = _shift_year(ref, -1)
        if q.period is None:
            ym = _YEAR_AFTER.match(text, q.unit_end)
            if ym and ym.end() <= s1:
                q.period = ym.group("y")
        if q.period is None:
            phrases = list(_PERIOD_PHRASE.finditer(before))
            if phrases:
                q.period = _phrase_period(phrases[-1], doc, s0 + phrases[-1].start())
        if q.period is None and q.unit not in _DURATION and doc.context(q.start):
            q.period = doc.current_period(q.start)


def _after_period(m: re.Match, current: str) -> str:
    """The period of `… till och med augusti`, `… för perioden`, `… för helåret`."""
    if m.group("mt"):
        return f"{current[:4]}-01/{current[:4]}-{MONTHS.index(m.group('mt').lower()) + 1:02d}"
    return current if m.group("cur") else current[:4]


def _from_to(q: Quantity, nxt: Quantity | None, text: str, before: str, s0: int, s1: int) -> None:
    """`från X [år Y1] till Z [år Y2]` / `från X till Z, Y2 jämfört med Y1`."""
    if not (re.search(r"\bfr[åa]n\s+(?:\S+\s+)?$", before, re.I) and nxt):
        return
    mid = text[q.unit_end : nxt.start]
    if re.fullmatch(rf"\s*(?:(?:år\s+|ar\s+)?{YEAR}\s+)?till\s+(?:\S+\s+)?", mid, re.I):
        tail = re.match(
            rf"[\s,]*(?:år\s+|ar\s+)?(?P<b>{YEAR})\s+"
            r"(?:jämfört med|jamfort med|i förhållande till)"
            rf"\s+(?:år\s+)?(?P<a>{YEAR})",
            text[nxt.unit_end : s1],
            re.I,
        )
        between = _BETWEEN.search(text[s0:s1])
        if tail:
            q.period, nxt.period = tail.group("a"), tail.group("b")
        elif between and not re.match(rf"\s*(?:år\s+)?{YEAR}", mid):
            q.period, nxt.period = between.group("a"), between.group("b")


def _paren_prior(st: State, prose: list[Quantity], bounds: list[int]) -> set[int]:
    """`81 personer (72 år 2023)`: 72 is the 2023 value, 81 the report period's."""
    doc, text = st.doc, st.doc.text
    fixed: set[int] = set()
    for k, q in enumerate(prose):
        before = text[max(0, q.start - 20) : q.start]
        if not re.search(r"\(\s*(?:jmf\.?|j[äa]mf[öo]rt\s+med)?\s*$", before, re.I):
            continue
        pm = PAREN_PRIOR.match(text, q.unit_end)
        if not pm:
            continue
        q.period = pm.group("y")
        fixed.add(k)
        prev = prose[k - 1] if k else None
        if prev and re.fullmatch(
            r"[ \t\n]*(?:[^\W\d]+[ \t\n]+){0,2}\(\s*(?:[^\W\d]+\.?\s*){0,2}",
            text[prev.unit_end : q.start],
        ):
            prev.period = doc.current_period(prev.start)
            fixed.add(k - 1)
            if q.unit == "antal":
                q.unit = prev.unit
    return fixed


def _change_period(
    q: Quantity, doc: Doc, text: str, window: tuple[int, int, int], prev: Quantity | None
) -> None:
    """Period and base period of a change (`ökat med 9 procent jämfört med 2023`)."""
    s0, s1, verb_start = window
    current = doc.current_period(q.start)
    ym = _YEAR_AFTER.match(text, q.unit_end)
    if ym and ym.end() <= s1:
        q.period = ym.group("y")
    vy = re.match(rf"\S+\s+(?:under\s+|år\s+)?(?P<y>{YEAR})\b", text[verb_start : q.start])
    if q.period is None and vy:
        q.period = vy.group("y")
    between = _BETWEEN.search(text, s0, s1)
    if between:
        q.base_period, q.period = between.group("a"), between.group("b")
        return
    against = _AGAINST.search(text, q.unit_end, s1)
    if against is None:
        earlier = list(_AGAINST.finditer(text, s0, q.start))
        # an earlier comparison counts unless it sits inside the previous change's clause
        if earlier and not (prev and prev.change and prev.verb_at < earlier[-1].start()):
            against = earlier[-1]
    if against:
        q.period = q.period or current
        if against.group("year"):
            q.base_period = against.group("year")
            if q.period == q.base_period:
                q.period = current
        else:
            q.base_period = _shift_year(q.period, -1)
        return
    if q.period is None:
        phrases = list(_PERIOD_PHRASE.finditer(text[s0 : q.start]))
        if phrases:
            q.period = _phrase_period(phrases[-1], doc, s0 + phrases[-1].start())
    ctx = doc.context(q.start)
    if ctx and q.period in (None, ctx["period"]):
        q.period, q.base_period = ctx["period"], ctx["base_period"]
