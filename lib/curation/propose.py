"""Proposed observations: every candidate figure of a report, with the indicator, period,
unit, basis and geography it most likely has, learned from how the other reports were curated.

``python -m lib propose DOC_ID`` writes a review sheet (:mod:`lib.curation.sheet`); ``accept``
(:mod:`lib.curation.accept`) merges the rows a person marked. Nothing reads a report's own curation
when ``exclude_curated`` is set: the training set is the curation of every other report,
with the report's OCR/clean twin left out too (:func:`lib.curation.proposal_inputs.held_out`).

The stages, one module each:

* :mod:`lib.curation.candidates`: the processed tables and every candidate figure of a document with
  the words around it (clause, counted noun, paragraph lead, sentence, table row);
* :mod:`lib.curation.reading`: rules for unit, value type, basis, period, geography and sign;
* :mod:`lib.curation.learning`: the curated figures of the other reports as examples, similarity by
  TF-IDF of character n-grams over four text channels, and the confidence regression;
* :mod:`lib.curation.naming`: the known id of the nearest example whose scope fits the
  figure (area, unit, value type, statistic, theme), if near enough and clearly nearer
  than the next; ``match`` says how likely it is right;
* here: a new id with a Swedish label and draft definition where no known id is proposed,
  the id of a table cell for prose that restates it nearby, one row per known indicator
  for a figure with two coordinated subjects, and the sheet's rows sorted by confidence.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lib.curation import naming
from lib.curation.candidates import candidates, with_variants
from lib.curation.learning import (
    Model,
    _features,
    _similarity,
    catalog_similarity,
    noun_similarity,
    train,
)
from lib.curation.proposal_inputs import Tables, load_tables
from lib.curation.reading import DocInfo, annotate, areas_named, doc_info, period_of
from lib.curation.wording import MONEY, fold

# The columns of a proposal sheet, in order (docs/adding-a-report.md, "Proposing and
# accepting figures").
SHEET_COLUMNS = (
    "accept",
    "confidence",
    "doc_id",
    "line",
    "raw",
    "value",
    "qualifier",
    "unit",
    "value_type",
    "basis",
    "period",
    "geography",
    "theme",
    "indicator",
    "label",
    "definition",
    "new_indicator",
    "match",
    "restatement_of",
    "curated",
    "section",
    "sentence",
    "note",
)

# --------------------------------------------------------------------------- proposing

_STOP = {
    "och",
    "att",
    "som",
    "med",
    "för",
    "har",
    "det",
    "den",
    "till",
    "av",
    "på",
    "i",
    "om",
    "en",
    "ett",
    "är",
    "var",
    "vid",
    "under",
    "samt",
    "från",
    "de",
    "år",
    "totalt",
    "jämfört",
    "cirka",
    "ca",
    "drygt",
    "knappt",
    "ungefär",
    "än",
    "mot",
    "sig",
}
_STOP_FOLDED = frozenset(fold(s) for s in _STOP)


def _slug(text: str, n: int = 4) -> str:
    words = [w for w in re.findall(r"[a-z]+", fold(text)) if w not in _STOP_FOLDED and len(w) > 1][
        :n
    ]
    return "_".join(words) or "uppgift"


# Where the subject of a clause ends: a finite or change verb, a relative or a figure
_SUBJECT_END = re.compile(
    r"\s(?:har|hade|är|var|blev|ökade|ökat|ökar|minskade|minskat|minskar|steg|sjönk|uppgick|"
    r"uppgår|låg|ligger|bedöms|beräknas|förväntas|vilket|som|där|med\s+\d|\d)",
    re.IGNORECASE,
)


def _subject_phrase(clause: str) -> str:
    """The subject of the clause before a figure (``Förfrågningar inom socialt boende med
    stöd`` of ``… med stöd ökade med åtta procent``), if it holds two content words."""
    head = _SUBJECT_END.split(f" {clause}", maxsplit=1)[0].strip(" ,:")
    words = head.split()
    content = [w for w in words if fold(w) not in _STOP_FOLDED]
    return head if len(content) >= 2 and len(words) <= 8 else ""


def _new_indicator(model: Model, r: dict, theme: str, info: DocInfo) -> dict:
    """A suggested id, Swedish label and definition for a figure no known indicator fits."""
    vt, unit = r["p_value_type"], r["p_unit"]
    if r["label"]:
        phrase = str(r["label"]).strip()
    else:
        phrase = _subject_phrase(str(r["clause"] or ""))
        if not phrase:
            words = [w for w in r["before"].split() if not re.match(r"\d", w)][-5:]
            phrase = " ".join(words) or r["heading"]
    phrase = re.sub(r"\s+", " ", phrase).strip(" :,.-")
    suffix = {
        "change_pct": "_forandring",
        "change_pp": "_forandring_procentenheter",
        "change_abs": "_forandring_" + ("mnkr" if unit in MONEY else "antal"),
    }.get(vt, "")
    deviation = bool(r["label"]) and "avvikelse" in fold(r["column"] or "")
    if deviation:  # a cell of a column ``Avvikelse``: not the row's outcome
        suffix = "_avvikelse" + suffix
    ident = model.prefixes.get(theme, "") + _slug(phrase) + suffix
    label = phrase[:1].upper() + phrase[1:]
    if deviation:
        label = f"Avvikelse: {label}"
    if vt.startswith("change"):
        label = f"Förändring: {label}" + (", procent" if vt == "change_pct" else "")
    definition = (
        f"Föreslagen från {info.title}, rad {r['line']}: "
        f"{re.sub(chr(10), ' ', str(r['passage_text']))[:240]}"
    )
    return {"indicator": ident, "label": label, "definition": definition}


def _theme_of(r: dict, model: Model, sims: np.ndarray, themes: list[str]) -> str:
    passage = [t for t in r["passage_themes"].split(";") if t]
    near = r["near_themes"]
    if passage:  # of several, the one its setting names most
        return max(passage, key=lambda t: near.get(t, 0))
    heading = [t for t in r["heading_themes"].split(";") if t]
    if heading:  # the heading of its section (``Skyddat boende``)
        return max(heading, key=lambda t: near.get(t, 0))
    if near:
        return max(sorted(near), key=lambda t: near[t])
    if r["section_themes"]:
        return max(r["section_themes"], key=r["section_themes"].get)
    if len(sims):
        return str(model.examples.theme.iat[int(np.argmax(sims))])
    return themes[0]


def propose(
    doc_id: str,
    exclude_curated: bool = False,
    tables: Tables | None = None,
    model: Model | None = None,
) -> pd.DataFrame:
    """The proposal sheet of a document: one row per candidate figure, by confidence."""
    tables = tables if tables is not None else load_tables()
    info = doc_info(tables, doc_id)
    if model is None:
        model = train(tables, doc_id if exclude_curated else None)
    cands = annotate(
        with_variants(candidates(tables, doc_id)), info, model.learned_units, model.geographies
    )
    if cands.empty:
        return pd.DataFrame(columns=list(SHEET_COLUMNS))
    feats = _features(model, cands, model.examples, model.negatives)
    if model.classifier is None:
        raise RuntimeError("propose: the model was not trained (learning.train fits it)")
    confidence = model.classifier.predict_proba(feats)[:, 1]
    sims = _similarity(model, cands, model.examples)
    nouns = noun_similarity(model, cands, model.examples)
    catalog_ids, catalog_words = catalog_similarity(model, cands)
    themes = sorted(set(tables.indicators.theme))
    vocabulary = tables.corpus.vocabulary
    scopes = naming.scope(model.examples, model.catalog, vocabulary.city, vocabulary.districts)
    scopes.named = areas_named(tables.lines[doc_id], model.geographies)
    curated = {} if exclude_curated else _curated_at(tables, doc_id)
    rows = []
    named: dict[int, set[str | None]] = {}  # figure row -> indicators proposed for it
    for i, r in enumerate(cands.to_dict("records")):
        words = dict(zip(catalog_ids, catalog_words[i], strict=True))
        ind, score, margin = naming.choose(
            model.examples, model.catalog, scopes, r, sims[i], nouns[i], words
        )
        main = None if r["variant_of"] is None else int(r["variant_of"])
        if main is not None:
            # a coordinated subject: a row of its own only for a known indicator that the
            # figure's row does not already name
            if ind is None or ind in named.setdefault(main, set()):
                continue
            confidence[i] = confidence[main]
        named.setdefault(i if main is None else main, set()).add(ind)
        geography = r["p_geography"]
        if ind is not None:
            geography = scopes.geography(ind, geography, int(r["line"]))
            entry = model.catalog[ind]
            theme, unit, vt = entry["theme"], entry["unit"], entry["value_type"]
            label, definition, new = entry["label"], entry["definition"], ""
            match = naming.id_confidence(score, margin)
        else:
            match = 0.0
            theme = _theme_of(r, model, sims[i], themes)
            suggestion = _new_indicator(model, r, theme, info)
            ind, label, definition = (
                suggestion["indicator"],
                suggestion["label"],
                suggestion["definition"],
            )
            unit, vt, new = r["p_unit"], r["p_value_type"], "ja"
            if unit == "antal" and len(sims[i]) and sims[i].max() >= model.threshold:
                near_unit = model.examples.o_unit.iat[int(np.argmax(sims[i]))]
                if naming.unit_class(near_unit) == "count":
                    unit = near_unit  # what the most similar curated figure counts
        value = r["p_value"]
        value = int(value) if float(value).is_integer() else value
        period = r["p_period"]
        if vt != r["p_value_type"]:
            period = period_of(r, info, vt, r["p_basis"])
        rows.append(
            {
                "accept": "",
                "confidence": round(float(confidence[i]), 3),
                "doc_id": doc_id,
                "line": int(r["line"]),
                "raw": r["snippet"],
                "value": value,
                "qualifier": r["p_qualifier"],
                "unit": unit,
                "value_type": vt,
                "basis": r["p_basis"],
                "period": period,
                "geography": geography,
                "theme": theme,
                "indicator": ind,
                "label": label,
                "definition": definition,
                "new_indicator": new,
                "match": round(match, 2),
                "restatement_of": "",
                "curated": curated.get((int(r["line"]), abs(float(r["value"]))), ""),
                "section": r["heading"],
                "sentence": re.sub(r"\s+", " ", str(r["passage_text"])),
                "note": "",
                "_part": r["part_id"],
                "_row": bool(r["label"]),
            }
        )
    frame = _restated_rows(pd.DataFrame(rows), model)
    # in document order: a later repeat is the restatement,
    # as the curators mark it: the same figure (same value) stated again
    key = ["indicator", "period", "geography", "basis", "value", "_part"]
    frame.loc[frame.duplicated(key), "restatement_of"] = "same_figure"
    frame = frame.sort_values(["confidence", "line"], ascending=[False, True], kind="stable")
    return frame.drop(columns=["_part", "_row"]).reset_index(drop=True)[list(SHEET_COLUMNS)]


_RESTATED = ["value", "unit", "basis", "period", "geography", "_part"]
RESTATED_WITHIN = 60  # lines between a table cell and the prose that restates it


def _restated_rows(frame: pd.DataFrame, model: Model) -> pd.DataFrame:
    """A figure in prose given a new id takes the known id of a table cell of the same
    report part with the same value, unit, basis, period and area (``en prognos på 21
    miljoner kronor`` after a table's ``21,0``): the text restates the table, as the
    curators mark it (``same_figure``); its ``match`` is the cell's."""
    if frame.empty:
        return frame
    named = frame[frame._row & (frame.new_indicator == "")]
    cells: dict[tuple, list[int]] = {}
    for k, key in zip(named.index, named[_RESTATED].itertuples(index=False), strict=True):
        cells.setdefault(tuple(key), []).append(k)
    for k in frame.index[~frame._row & (frame.new_indicator == "ja")]:
        found = [
            j
            for j in cells.get(tuple(frame.loc[k, _RESTATED]), [])
            if abs(frame.at[j, "line"] - frame.at[k, "line"]) <= RESTATED_WITHIN
        ]
        ids = {frame.at[j, "indicator"] for j in found}
        if len(ids) != 1:
            continue  # no cell, or cells of several indicators: the words must decide
        j = found[0]
        entry = model.catalog[frame.at[j, "indicator"]]
        if frame.at[k, "theme"] not in {entry["theme"], *str(entry.get("themes") or "").split(";")}:
            continue  # the figure's setting is about something else
        for col in ("indicator", "label", "definition", "theme", "value_type", "match"):
            frame.at[k, col] = frame.at[j, col]
        frame.at[k, "new_indicator"] = ""
    return frame


def _curated_at(tables: Tables, doc_id: str) -> dict[tuple[int, float], str]:
    """Figures of the document already curated: (line, |value|) -> indicator ids."""
    out: dict[tuple[int, float], list[str]] = {}
    for o in tables.observations.to_dict("records"):
        for d, line in ((o["doc_id"], o["line"]), (o["ocr_doc_id"], o["ocr_line"])):
            if d == doc_id and line is not None:
                out.setdefault((int(line), abs(float(o["value"]))), []).append(o["indicator"])
    return {k: "; ".join(sorted(set(v))) for k, v in out.items()}
