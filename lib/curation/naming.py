"""Naming a candidate figure: the catalog id of the most similar curated figure, proposed
only when that indicator's scope fits the figure, and clearly nearer than any other id
that fits, or the only one that fits; otherwise :mod:`lib.curation.propose` suggests a
new id (a new id is better than a wrong one).

An indicator's scope is read from the catalog and from the figures curated under it:

* area: the catalog's declared ``scope`` (:data:`lib.curation.catalog.SCOPES`): a figure
  about a district fits ``stadsområde`` or ``område``, one about the city ``stad`` or
  ``område`` (:func:`lib.curation.catalog.scope_fits`); an ``enhet`` indicator fits only
  a figure about a unit it was curated for (``Etableringsenheten``: a report that never
  names the unit gets none of its ids), or any unit when it was curated for several; a
  figure that leaves a unit out (``exkl. Etableringsenheten``) fits only an indicator
  whose label or definition leaves one out (prose often leaves it unsaid, so not the
  other way round). A figure whose text names no area (its geography is the report's
  default) may be *quoted* from another: a city id fits it in a district's report, a
  unit's id when the report names that unit; it then takes that area, the unit named
  nearest to it if several (:meth:`Scope.geography`);
* unit and value type: the same (a bare count fits any count unit; ``tkr`` is not
  ``mnkr``); a change maps to the change indicator of the same family (``X`` ->
  ``X_forandring``);
* statistic: a figure its words call an average (``i genomsnitt``, ``per månad``) only
  fits a mean (not the other way round: a table row seldom says that its figure is a
  monthly average); a change or share of money (``nettokostnad``, ``avvikelse``) only
  one of money, and of a count only one of a count, where the words of both say;
* theme: one of the indicator's themes is a theme of the figure's setting (its
  passage, else its section's heading, else the passages around it); a figure whose
  setting names no theme gets no known id.

Gate (:func:`_gate`): a known id is proposed from similarity ``NAME_THRESHOLD`` and
``NAME_MARGIN`` nearer than the next id that fits; a quoted area's id from
``NAME_QUOTED`` (nearly the same words: the text does not say the area); and an id that
is the only one fitting among the ``NEAREST`` examples from ``NAME_ALONE`` (the checks
above leave no other reading). Else a count whose counted noun is like (``NOUN_ALIKE``)
that of only one fitting id's curated figures gets that id (:func:`_counted_alike`:
``sju avtalskommuner``, ``nio kranskommuner``); else an id whose catalog label and
definition the figure's words are clearly most like, with a curated figure not far off
(:func:`_catalog_agrees`).

``match``, the id's confidence, is the share of such proposals that were right in
the leave-one-report-out benchmark at the same similarity and margin
(:func:`id_confidence`; docs/benchmarks.md).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.curation.catalog import area_kind, scope_fits
from lib.curation.wording import MONEY, fold

# Similarity (0-1, with GEOGRAPHY_BONUS) from which a known id may be proposed, and how
# much nearer it must be than the next id that fits (docs/benchmarks.md, "constants
# chosen by hand").
NAME_THRESHOLD = 0.5
NAME_MARGIN = 0.02
GEOGRAPHY_BONUS = 0.1
# An id of an area the figure's text does not name (the city in a district's report, a
# unit named elsewhere in the report) needs nearly the same words; the only id that fits
# among the NEAREST examples needs less (docs/benchmarks.md).
NAME_QUOTED = 0.6
NAME_ALONE = 0.3
NEAREST = 40
# A count's counted noun as like as this (the ``noun`` channel) to the curated figures of
# only one id that fits names it when the gate above does not (docs/benchmarks.md).
NOUN_ALIKE = 0.5
# An id of the figure's own area below the gate whose catalog label and definition are the
# most like the figure's words (from CATALOG_WORDS, CATALOG_LEAD ahead of the next id that
# fits), with a curated figure similar from CATALOG_SCORE (docs/benchmarks.md).
CATALOG_SCORE = 0.35
CATALOG_WORDS = 0.25
CATALOG_LEAD = 0.05
_FAMILY = re.compile(r"_forandring(?:_[a-z]+)?$")
_MEAN_WORDS = re.compile(r"\b(?:i\s+)?(?:genomsnitt\w*|snitt)\b|\bper\s+manad\b|\bmedel\w*")


def unit_class(unit: str) -> str:
    if unit in ("procent", "procentenheter"):
        return unit
    return "money" if unit in MONEY else "count"


@dataclass
class Scope:
    """The declared scope of each known indicator (the catalog's ``scope``), the units
    its curated figures are about, and the units the report names."""

    scopes: dict[str, str]  # indicator -> scope (catalog.SCOPES)
    units: dict[str, set[str]]  # indicator of scope enhet -> the units it was curated for
    city: str
    districts: tuple[str, ...]
    named: dict[str, list[int]] = field(default_factory=dict)  # area -> lines naming it
    siblings: dict = field(default_factory=dict)  # (id, value type, unit class) -> id

    def fits(self, indicator: str, geography: str, named: bool) -> str | None:
        """Whether a figure about ``geography`` is in the indicator's declared scope:
        ``"area"`` when it is (a unit's indicator: only the units it was curated for, any
        unit when it was curated for several), ``"quoted"`` when the figure names no area
        (``geography`` is the report's default) and the indicator's area is one the report
        may be quoting (the city in a district's report, a unit the report names), else
        None."""
        scope = self.scopes.get(indicator, "")
        kind = area_kind(geography, self.city, self.districts)
        units = self.units.get(indicator, set())
        if scope != "enhet" and scope_fits(scope, geography, self.city, self.districts):
            return "area"
        if scope == "enhet" and kind == "enhet" and (geography in units or len(units) >= 2):
            return "area"
        if named:
            return None
        if (scope == "stad" and kind == "stadsområde") or (
            scope == "enhet" and units & self.named.keys()
        ):
            return "quoted"
        return None

    def geography(self, indicator: str, geography: str, line: int = 0) -> str:
        """The area of a figure proposed under ``indicator``: its own, or the one the
        indicator is about when a figure that names no area is quoted from it (the city;
        of the indicator's units that the report names, the one named nearest to the
        figure's line, the first by name if two are as near)."""
        scope = self.scopes.get(indicator, "")
        if scope != "enhet" and scope_fits(scope, geography, self.city, self.districts):
            return geography
        if scope == "stad":
            return self.city
        units = sorted(self.units.get(indicator, set()) & self.named.keys())
        if scope != "enhet" or not units:
            return geography
        return min(units, key=lambda u: min(abs(n - line) for n in self.named[u]))


def scope(
    examples: pd.DataFrame, catalog: dict[str, dict], city: str, districts: tuple[str, ...]
) -> Scope:
    """Each known indicator's declared scope, and the units the training figures of the
    unit indicators are about."""
    scopes = {ind: str(e["scope"]) for ind, e in catalog.items()}
    units: dict[str, set[str]] = {}
    for ind, geo in zip(examples.indicator, examples.o_geography, strict=True):
        if scopes.get(ind) == "enhet":
            units.setdefault(ind, set()).add(geo)
    return Scope(scopes, units, city, tuple(districts))


def is_average(r: dict) -> bool:
    """The words next to the figure say it is an average (``i genomsnitt``, ``per månad``)."""
    text = fold(f"{(r.get('before') or '')[-40:]} {(r.get('after') or '')[:30]} {r['label'] or ''}")
    return bool(_MEAN_WORDS.search(text))


def figure_themes(r: dict) -> set[str]:
    """The themes of a figure's setting: its passage's, else its section heading's, else
    the theme the passages around it name most (empty when none does)."""
    for field_ in ("passage_themes", "heading_themes"):
        found = {t for t in str(r.get(field_) or "").split(";") if t}
        if found:
            return found
    near = r.get("near_themes") or {}
    return {max(sorted(near), key=lambda t: near[t])} if near else set()


def _themes_fit(entry: dict, r: dict) -> bool:
    setting = r["_themes"]
    if not setting:
        return False  # a setting that names no theme is no theme figure's
    own = {entry["theme"], *[t for t in str(entry.get("themes") or "").split(";") if t]}
    return bool(own & setting)


_EXCLUDING = re.compile(r"\b(?:exkl|exklusive|utom|forutom|utan)\b\.?")
_DEVIATION = re.compile(r"avvikelse")


def excludes(r: dict) -> bool:
    """The figure's label or clause leaves a unit out (``exkl. Etableringsenheten``)."""
    return bool(_EXCLUDING.search(fold(f"{r['row_text'] or r['label'] or ''} {r['clause']}")))


_MONEY_WORDS = re.compile(
    r"kostnad|intakt|budget|overskott|underskott|avvikelse|kronor|belopp|resultat|bidrag"
)


def measured(text: str) -> str | None:
    """What a change or share is of: ``amount`` (money words: ``nettokostnad``,
    ``avvikelse``), ``count`` (a count noun or ``antal``), or None when the words say
    neither."""
    from lib.curation.reading import unit_from_words

    t = fold(text)
    if _MONEY_WORDS.search(t):
        return "amount"
    if re.search(r"\bantal", t) or unit_from_words(text):
        return "count"
    return None


def _measures_fit(entry: dict, r: dict) -> bool:
    """A change or share of money is not one of a count (``Nettokostnad … -18,6 %`` is no
    change in the number of households), as far as the words of both say."""
    if r["p_value_type"] == "level":
        return True
    mine = measured(f"{r['row_text'] or r['label'] or ''} {r['clause'] or ''}")
    theirs = measured(str(entry["label"]))
    return mine is None or theirs is None or mine == theirs


def _fits(entry: dict, r: dict, score: float, average: bool) -> bool:
    """Unit, value type, statistic, exclusions and theme of a catalog entry against the
    candidate."""
    if r["_excludes"] and not _EXCLUDING.search(fold(f"{entry['label']} {entry['definition']}")):
        return False
    if _DEVIATION.search(fold(r["column"] or "")) and not _DEVIATION.search(fold(entry["label"])):
        return False  # a cell of a column ``Avvikelse`` is no outcome or budget
    uclass = unit_class(r["p_unit"])
    if uclass == "money" and entry["unit"] != r["p_unit"]:
        return False  # tkr and mnkr are different indicators
    if unit_class(entry["unit"]) != uclass and not (
        r["p_unit"] == "antal" and entry["unit"] in MONEY and score >= 0.5
    ):
        return False  # (a bare number in a table may be money whose header was lost)
    if uclass == "count" and r["p_unit"] not in ("antal", entry["unit"]):
        return False
    if r["p_value_type"] in ("level", "share") and average and entry.get("statistic") != "mean":
        return False  # (a table row seldom says that its figure is a monthly average)
    return _measures_fit(entry, r) and _themes_fit(entry, r)


def _as_value_type(
    ind: str, catalog: dict[str, dict], vt: str, uclass: str, memo: dict
) -> str | None:
    """The indicator itself, or its one sibling of the family with the value type."""
    if catalog[ind]["value_type"] == vt:
        return ind
    key = (ind, vt, uclass)
    if key not in memo:
        memo[key] = _sibling(ind, catalog, vt, uclass)
    return memo[key]


def _sibling(ind: str, catalog: dict[str, dict], vt: str, uclass: str) -> str | None:
    family = _FAMILY.sub("", ind)
    siblings = [
        i
        for i, e in catalog.items()
        if _FAMILY.sub("", i) == family
        and e["value_type"] == vt
        and unit_class(e["unit"]) == uclass
    ]
    return siblings[0] if len(siblings) == 1 else None


def choose(
    examples: pd.DataFrame,
    catalog: dict[str, dict],
    scopes: Scope,
    r: dict,
    sims: np.ndarray,
    nouns: np.ndarray | None = None,
    words: dict[str, float] | None = None,
) -> tuple[str | None, float, float]:
    """The known id to propose for a candidate, its similarity and its margin over the
    next id that fits (the similarity itself when none does); (None, best similarity, 0)
    when no id fits well enough (:func:`_gate`, then :func:`_counted_alike` with the
    counted nouns' similarities ``nouns``, then :func:`_catalog_agrees` with the
    similarity of the figure's words to each id's catalog label and definition)."""
    if not len(sims):
        return None, 0.0, 0.0
    score_all = sims + GEOGRAPHY_BONUS * (examples.o_geography.to_numpy() == r["p_geography"])
    order = np.argsort(-score_all, kind="stable")[:NEAREST]
    fitting = _fitting(examples, catalog, scopes, r, score_all, order)
    if not fitting:
        return None, float(score_all[order[0]]), 0.0
    ind, top, area, _ = fitting[0]
    others = [f for f in fitting if f[0] != ind]
    margin = top - others[0][1] if others else top
    chosen = _gate(ind, top, margin, area, alone=not others)
    if chosen[0] is None and nouns is not None and unit_class(r["p_unit"]) == "count":
        chosen = _counted_alike(fitting, nouns, r) or chosen
    if chosen[0] is None and words:
        chosen = _catalog_agrees(fitting, words) or chosen
    return chosen


def _fitting(
    examples: pd.DataFrame,
    catalog: dict[str, dict],
    scopes: Scope,
    r: dict,
    score_all: np.ndarray,
    order: np.ndarray,
) -> list[tuple[str, float, str, int]]:
    """The ids that fit the candidate (:func:`_fits`, :meth:`Scope.fits`) among the
    nearest examples, nearest first: (id, similarity, ``area``/``quoted``, example)."""
    uclass, average = unit_class(r["p_unit"]), is_average(r)
    r = {**r, "_excludes": excludes(r), "_themes": figure_themes(r)}
    found = []
    for k in order:
        score = float(score_all[k])
        ind = _as_value_type(
            examples.indicator.iat[k], catalog, r["p_value_type"], uclass, scopes.siblings
        )
        if ind is None or not _fits(catalog[ind], r, score, average):
            continue
        fit = scopes.fits(examples.indicator.iat[k], r["p_geography"], r["p_geography_named"])
        if fit is not None:
            found.append((ind, score, fit, int(k)))
    return found


def _counted_alike(
    fitting: list[tuple[str, float, str, int]], nouns: np.ndarray, r: dict
) -> tuple[str, float, float] | None:
    """A count whose counted noun is like that of the curated figures of exactly one id
    that fits (``sju avtalskommuner`` and ``nio kranskommuner``, ``6 kommuner``): that id,
    whatever the other words (a table fragment or a sentence about something else says
    little); its margin over the nearest other id that fits (0 when that is nearer)."""
    if r["p_value_type"] != "level":
        return None
    alike = {ind for ind, _, _, k in fitting if nouns[k] >= NOUN_ALIKE}
    if len(alike) != 1:
        return None
    ind = alike.pop()
    score = max(s for i, s, _, _ in fitting if i == ind)
    other = max((s for i, s, _, _ in fitting if i != ind), default=0.0)
    return ind, score, max(score - other, 0.0)


def _catalog_agrees(
    fitting: list[tuple[str, float, str, int]], words: dict[str, float]
) -> tuple[str, float, float] | None:
    """An id below the gate whose catalog label and definition the figure's words are most
    like (``CATALOG_WORDS``, ``CATALOG_LEAD`` ahead of any other id that fits in the
    figure's own area), with a curated figure similar from ``CATALOG_SCORE``: the
    curators' words and the catalog's agree (``Nettokostnaden har minskat med 9,4 %``:
    ``Förändring av nettokostnad försörjningsstöd, stadsområdet``); margin 0."""
    best: dict[str, float] = {}
    for ind, score, area, _ in fitting:
        if area == "area":  # (a quoted area's id needs nearly the same words: NAME_QUOTED)
            best[ind] = max(best.get(ind, 0.0), score)
    ranked = sorted(best, key=lambda i: words.get(i, 0.0), reverse=True)
    if not ranked:
        return None
    first, alike = ranked[0], words.get(ranked[0], 0.0)
    lead = alike - (words.get(ranked[1], 0.0) if len(ranked) > 1 else 0.0)
    if best[first] >= CATALOG_SCORE and alike >= CATALOG_WORDS and lead >= CATALOG_LEAD:
        return first, best[first], 0.0
    return None


def _gate(
    ind: str, score: float, margin: float, area: str, alone: bool
) -> tuple[str | None, float, float]:
    """Propose the id when it is near enough and clearly nearer than the next id that
    fits; an id of an area the figure does not name only on nearly the same words; any
    id, when no other fits at all, from a lower similarity."""
    threshold = NAME_THRESHOLD if area == "area" else NAME_QUOTED
    if (score >= threshold and margin >= NAME_MARGIN) or (alone and score >= NAME_ALONE):
        return ind, score, margin
    return None, score, margin


# The id's confidence: a logistic curve of similarity and margin whose constants were read
# off the leave-one-report-out benchmark (docs/benchmarks.md).
_CONFIDENCE = (-1.0, 4.0, 3.0)


def id_confidence(score: float, margin: float) -> float:
    """How likely a proposed known id is the right one (0-1)."""
    b0, b1, b2 = _CONFIDENCE
    return 1.0 / (1.0 + math.exp(-(b0 + b1 * min(score, 1.0) + b2 * min(margin, 0.3))))


def gate_floor() -> float:
    """The lowest confidence an id named by the similarity gate gets (near enough with the
    least margin, or the only id that fits at the lowest similarity); the counted-noun and
    catalog-words rules may give less."""
    return min(id_confidence(NAME_THRESHOLD, NAME_MARGIN), id_confidence(NAME_ALONE, NAME_ALONE))
