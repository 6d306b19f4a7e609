"""Learning from the curated reports: each curated figure of the training reports, matched
to its candidate, is an example; a candidate is named after the most similar example (TF-IDF
of character n-grams over four text channels, :data:`CHANNELS`), and a logistic regression
of "this figure was curated" gives the confidence.

The TF-IDF and the regression are fitted and applied with numpy and scipy (:class:`Tfidf`,
:class:`Logistic`; the tests check them against scikit-learn, whose import alone costs a
third of the time budget of a proposal). A trained model is cached (:mod:`lib.core.cache`) by
checksums of the tables, texts, manifest and code it is learned from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lib.core.cache import memo
from lib.curation.candidates import _plain, candidates
from lib.curation.proposal_inputs import TABLES, Tables, held_out, training_observations
from lib.curation.reading import annotate, doc_info
from lib.curation.wording import MONEY, fold

# Similarity (0-1) from which a new id takes the unit of the nearest curated figure (a bare
# count in a table); whether a known id is proposed is decided in lib.curation.naming.
NAME_THRESHOLD = 0.3


def _label_positives(cands: pd.DataFrame, obs: pd.DataFrame) -> list[list[int]]:
    """For each candidate, the indices of the observations it states (same line, value)."""
    index: dict[tuple[str, int, float], list[int]] = {}
    for i, o in enumerate(obs.to_dict("records")):
        index.setdefault((o["doc_id"], int(o["line"]), abs(float(o["value"]))), []).append(i)
        if o.get("ocr_line") is not None and o.get("ocr_doc_id"):
            index.setdefault(
                (o["ocr_doc_id"], int(o["ocr_line"]), abs(float(o["value"]))), []
            ).append(i)
    out = []
    for r in cands.to_dict("records"):
        hits: list[int] = []
        for line in range(int(r["line"]), int(r["line_end"]) + 1):
            hits += index.get((r["doc_id"], line, abs(float(r["value"]))), [])
        out.append(hits)
    return out


def _split_coordinated(cands: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    """A training figure with two coordinated subjects that was curated under two
    indicators becomes one row per subject, each with the indicator whose id shares most
    with the subject's words (``boendedygn`` -> ``hem_boendedygn_vuxna_forandring``)."""
    split = [
        bool(c) and len({obs.indicator.iat[k] for k in h}) >= 2
        for c, h in zip(cands.conjuncts, cands._hits, strict=True)
    ]
    if not any(split):
        return cands
    rows = []
    for r in cands.to_dict("records"):
        ids = {obs.indicator.iat[k] for k in r["_hits"]}
        if not r["conjuncts"] or len(ids) < 2:
            rows.append(r)
            continue
        a, b, tail = r["conjuncts"]
        parts: dict[str, list[int]] = {a: [], b: []}
        for k in r["_hits"]:
            ident = obs.indicator.iat[k]
            parts[max((a, b), key=lambda s: _shared_grams(s, ident))].append(k)
        for subject, hits in parts.items():
            rows.append({**r, "clause": f"{subject} {tail}", "clause_role": "coord", "_hits": hits})
    return _plain(pd.DataFrame(rows)) if rows else cands


def _shared_grams(text: str, ident: str, n: int = 4) -> int:
    """Character n-grams that words of ``text`` share with the words of an indicator id."""

    def grams(words: list[str]) -> set[str]:
        return {w[k : k + n] for w in words for k in range(max(1, len(w) - n + 1))}

    return len(grams(fold(text).split()) & grams(ident.split("_")))


@dataclass
class Model:
    """What proposing learned from the curated reports."""

    examples: pd.DataFrame  # one row per curated figure matched to a candidate
    negatives: pd.DataFrame  # candidates of curated reports that were not curated
    vectorizers: dict  # channel -> fitted TF-IDF vectorizer
    classifier: Logistic | None  # fitted by train()
    learned_units: dict[str, str]
    geographies: list[str]
    catalog: dict[str, dict]  # known indicators: id -> catalog row
    prefixes: dict[str, str]  # theme -> id prefix (hem_, vnr_, fs_)
    threshold: float = 0.0  # similarity needed to name a known indicator
    cache: dict = field(default_factory=dict)  # TF-IDF vectors of frames, by frame
    matrices: dict = field(default_factory=dict)  # channel -> vectors of training candidates


# The text channels compared between a candidate and a curated figure, weighted equally
# in the similarity (docs/benchmarks.md, "Proposing, leave one report out", shows other
# weightings).
CHANNELS = {"near": 0.25, "noun": 0.25, "subject": 0.25, "wide": 0.25}


def _fit_vectorizers(allc: pd.DataFrame) -> tuple[dict, dict]:
    """TF-IDF of character n-grams (Swedish compounds and inflections share n-grams) per
    channel, and the vectors of the training candidates."""
    vectorizers, matrices = {}, {}
    for c in CHANNELS:
        vectorizers[c] = Tfidf.fit(allc[c])
        matrices[c] = vectorizers[c].transform(allc[c])
    return vectorizers, matrices


NGRAMS = (3, 5)


@dataclass
class Tfidf:
    """TF-IDF of character n-grams within words, as scikit-learn's ``TfidfVectorizer(
    analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)`` computes it (smoothed idf,
    l2 norm); the tests check both give the same vocabulary, idf and vectors."""

    vocabulary: dict[str, int]
    idf: np.ndarray

    @classmethod
    def fit(cls, texts) -> Tfidf:
        """The vocabulary (every n-gram, in sorted order) and the smoothed inverse document
        frequencies ``ln((1 + n) / (1 + df)) + 1`` of the texts."""
        texts = list(texts)
        words = {w for text in texts for w in str(text).lower().split()}
        vocabulary = {g: j for j, g in enumerate(sorted({g for w in words for g in _grams(w)}))}
        counts = cls(vocabulary, np.ones(len(vocabulary)))._counts(texts)
        df = np.bincount(counts.indices, minlength=len(vocabulary))
        return cls(vocabulary, np.log((1 + len(texts)) / (1 + df)) + 1.0)

    def transform(self, texts) -> Any:  # noqa: ANN401 - a scipy sparse matrix
        """The l2-normalised TF-IDF vectors of the texts (a sparse matrix, one row each)."""
        from scipy.sparse import diags

        x = self._counts(texts)
        x.data = (1.0 + np.log(x.data)) * self.idf[x.indices]
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        return (diags(1.0 / np.where(norms > 0, norms, 1.0)) @ x).tocsr()

    def _counts(self, texts) -> Any:  # noqa: ANN401 - a scipy sparse matrix
        """How often each n-gram of the vocabulary occurs in each text."""
        from scipy.sparse import csr_matrix

        columns: dict[str, list[int]] = {}  # a word's n-grams in the vocabulary
        indices: list[int] = []
        indptr = [0]
        vocabulary = self.vocabulary
        for text in texts:
            for w in str(text).lower().split():
                cols = columns.get(w)
                if cols is None:
                    cols = columns[w] = [
                        j for g in _grams(w) if (j := vocabulary.get(g)) is not None
                    ]
                indices += cols
            indptr.append(len(indices))
        x = csr_matrix(
            (np.ones(len(indices)), np.array(indices, dtype=np.int32), np.array(indptr)),
            shape=(len(indptr) - 1, len(self.idf)),
        )
        x.sum_duplicates()
        return x


def _grams(word: str) -> list[str]:
    """The character n-grams of a word padded with spaces (as scikit-learn's ``char_wb``)."""
    w, lo, hi = f" {word} ", *NGRAMS
    out = []
    for n in range(lo, hi + 1):
        out += [w[k : k + n] for k in range(max(1, len(w) - n + 1))]
        if len(w) <= n:  # a short word counts once
            break
    return out


@dataclass
class Logistic:
    """A fitted binary logistic regression (coefficients and intercept)."""

    coef: np.ndarray
    intercept: float

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, c: float = 1.0) -> Logistic:
        """L2-regularised logistic regression with balanced class weights: minimises
        ``c * sum(weight * log-loss) + |coef|² / 2`` (intercept not penalised) by L-BFGS,
        the objective of scikit-learn's ``LogisticRegression(C=c, class_weight="balanced")``.
        """
        from scipy.optimize import minimize

        y = np.asarray(y, dtype=float)
        n, pos = len(y), y.sum()
        weight = np.where(y == 1, n / (2 * pos), n / (2 * (n - pos))) * c
        sign = 2 * y - 1

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            coef, b = theta[:-1], theta[-1]
            margin = sign * (x @ coef + b)
            g = -sign * weight / (1.0 + np.exp(margin))  # d loss / d z
            value = float(weight @ np.logaddexp(0.0, -margin) + 0.5 * coef @ coef)
            return value, np.append(x.T @ g + coef, g.sum())

        res = minimize(
            loss,
            np.zeros(x.shape[1] + 1),
            jac=True,
            method="L-BFGS-B",
            options={
                "maxiter": 2000,
                "gtol": 1e-4,  # scikit-learn's settings
                "ftol": 64 * np.finfo(float).eps,
            },
        )
        return cls(res.x[:-1].copy(), float(res.x[-1]))

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-(x @ self.coef + self.intercept)))
        return np.column_stack([1.0 - p, p])


def _vectors(model: Model, frame: pd.DataFrame) -> dict:
    if "_row" in frame.columns:  # rows of the training candidates: vectors computed once
        rows = frame._row.to_numpy(dtype=int)
        return {c: m[rows] for c, m in model.matrices.items()}
    key = id(frame)
    hit = model.cache.get(key)
    if hit is None or hit[0] is not frame:
        hit = (frame, {c: v.transform(frame[c]) for c, v in model.vectorizers.items()})
        model.cache[key] = hit
    return hit[1]


def _similarity(model: Model, frame: pd.DataFrame, examples: pd.DataFrame) -> np.ndarray:
    if examples.empty or frame.empty:
        return np.zeros((len(frame), len(examples)))
    f, e = _vectors(model, frame), _vectors(model, examples)
    total = sum(w * (f[c] @ e[c].T) for c, w in CHANNELS.items()).toarray()
    # a channel empty on either side (no noun written) does not count against the pair
    weights = np.array(list(CHANNELS.values()))
    fa = np.column_stack([_nonempty(f[c]) for c in CHANNELS]) * weights
    ea = np.column_stack([_nonempty(e[c]) for c in CHANNELS])
    return total / np.maximum(fa @ ea.T, 1e-9)


def noun_similarity(model: Model, frame: pd.DataFrame, examples: pd.DataFrame) -> np.ndarray:
    """How alike the counted nouns of each candidate and curated figure are (the ``noun``
    channel alone, 0-1); -1 where either wrote none."""
    if examples.empty or frame.empty:
        return np.zeros((len(frame), len(examples)))
    f, e = _vectors(model, frame)["noun"], _vectors(model, examples)["noun"]
    both = np.outer(_nonempty(f), _nonempty(e)) > 0
    return np.where(both, (f @ e.T).toarray(), -1.0)


def catalog_similarity(model: Model, frame: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    """How like each candidate's naming words (the ``near`` channel: row label or clause,
    without its unit and value-type tokens) are to the catalog's own label and definition
    of each indicator curated in the training reports (0-1): the ids, and a candidates ×
    ids matrix."""
    ids = sorted(set(model.examples.indicator))
    if frame.empty or not ids:
        return ids, np.zeros((len(frame), len(ids)))
    vectorizer = model.vectorizers["near"]
    words = [_TOKENS.sub(" ", str(t)) for t in frame["near"]]
    texts = [fold(f"{model.catalog[i]['label']} {model.catalog[i]['definition']}") for i in ids]
    return ids, (vectorizer.transform(words) @ vectorizer.transform(texts).T).toarray()


_TOKENS = re.compile(r"\b[uv]_\S+")


def _nonempty(m) -> np.ndarray:
    return (np.diff(m.tocsr().indptr) > 0).astype(float)


_UNIT_CLASSES = ("procent", "money", "antal", "count")


def _features(
    model: Model, frame: pd.DataFrame, examples: pd.DataFrame, negatives: pd.DataFrame
) -> np.ndarray:
    sim = _similarity(model, frame, examples)
    sim_neg = _similarity(model, frame, negatives)
    same_vt = (
        frame.p_value_type.to_numpy()[:, None] == examples.p_value_type.to_numpy()[None, :]
        if len(examples)
        else np.zeros_like(sim, dtype=bool)
    )
    rows = []
    for i, r in enumerate(frame.to_dict("records")):
        unit = r["p_unit"]
        uclass = (
            "procent"
            if unit in ("procent", "procentenheter")
            else "money"
            if unit in MONEY
            else "antal"
            if unit == "antal"
            else "count"
        )
        v = abs(float(r["value"]))
        themes = [t for t in r["passage_themes"].split(";") if t]
        sec = max(r["section_themes"].values()) if r["section_themes"] else 0.0
        rows.append(
            [
                sim[i].max() if sim.shape[1] else 0.0,
                (sim[i] * same_vt[i]).max() if sim.shape[1] else 0.0,
                sim_neg[i].max() if sim_neg.shape[1] else 0.0,
                1.0 if themes else 0.0,
                sec,
                1.0 if r["label"] else 0.0,
                *[1.0 if uclass == c else 0.0 for c in _UNIT_CLASSES],
                1.0 if r["source"] in ("word", "fraction") else 0.0,
                1.0 if r["source"] == "token" else 0.0,
                1.0 if r["period"] else 0.0,
                1.0 if (float(v).is_integer() and 1990 <= v <= 2035) else 0.0,
                1.0 if r["approx"] else 0.0,
                1.0 if r["p_value_type"].startswith("change") else 0.0,
                np.log1p(v) / 10,
                1.0 if r["passage_kind"] == "heading" else 0.0,
            ]
        )
    return np.asarray(rows, dtype=float)


def _catalog(tables: Tables, obs: pd.DataFrame) -> dict[str, dict]:
    """The indicators curated in the training observations, with their catalog entries."""
    ids = set(obs.indicator)
    return {r["id"]: r for r in tables.indicators.to_dict("records") if r["id"] in ids}


def _prefixes(tables: Tables) -> dict[str, str]:
    """Each theme's id prefix, as the catalog writes it (the part before the first _)."""
    out: dict[str, dict[str, int]] = {}
    for r in tables.indicators.to_dict("records"):
        p = r["id"].split("_")[0] + "_"
        out.setdefault(r["theme"], {})
        out[r["theme"]][p] = out[r["theme"]].get(p, 0) + 1
    return {t: max(c, key=lambda p: c[p]) for t, c in out.items()}


def train(tables: Tables, exclude: str | None) -> Model:
    """Learn from the curated reports (all but ``exclude``'s report when it is given); the
    model is cached by the checksums of the tables, texts and code it is learned from."""
    key = tables.digest(tuple(TABLES))
    if key is None:
        return _train(tables, exclude)
    return memo(
        "propose-model", f"{key[:40]}-{exclude or 'all'}", lambda: _train(tables, exclude), keep=16
    )


def _train(tables: Tables, exclude: str | None) -> Model:
    obs = training_observations(tables, exclude)
    docs_out, parts_out = held_out(tables.documents, exclude) if exclude else (set(), set())
    train_docs = sorted(
        {d for d in set(obs.doc_id) | set(obs.ocr_doc_id.dropna()) if d not in docs_out}
    )
    ex_rows = []
    units: dict[str, dict[str, int]] = {}
    geos: dict[str, int] = {}
    for o in obs.to_dict("records"):
        geos[o["geography"]] = geos.get(o["geography"], 0) + 1
    for doc in train_docs:
        cands = candidates(tables, doc)
        cands = cands[[(doc, p) not in parts_out for p in cands.part_id]]
        hits = _label_positives(cands, obs)
        for r, h in zip(cands.to_dict("records"), hits, strict=True):
            if r["unit"] not in ("antal",) and h:
                u = obs.iloc[h[0]].unit
                units.setdefault(r["unit"], {}).setdefault(u, 0)
                units[r["unit"]][u] += 1
        cands = _split_coordinated(cands.assign(_hits=hits), obs)
        ex_rows.append(cands)
    learned = {}
    for qunit, counts in units.items():
        best = max(counts, key=lambda u: counts[u])
        if counts[best] >= 2 and counts[best] / sum(counts.values()) >= 0.6:
            learned[qunit] = best
    geographies = sorted(geos, key=lambda g: (-len(g), g))
    model = Model(
        pd.DataFrame(),
        pd.DataFrame(),
        {},
        None,
        learned,
        geographies,
        _catalog(tables, obs),
        _prefixes(tables),
        NAME_THRESHOLD,
    )
    annotated = []
    for doc, cands in zip(train_docs, ex_rows, strict=True):
        annotated.append(annotate(cands, doc_info(tables, doc), learned, geographies))
    allc = pd.concat(annotated, ignore_index=True) if annotated else pd.DataFrame()
    allc["_row"] = range(len(allc))
    examples, negatives = [], []
    for r in allc.to_dict("records"):
        if r["_hits"]:
            for k in r["_hits"]:
                o = obs.iloc[k]
                examples.append(
                    {
                        **r,
                        "indicator": o.indicator,
                        "theme": o.theme,
                        "o_unit": o.unit,
                        "o_value_type": o.value_type,
                        "o_geography": o.geography,
                    }
                )
        else:
            negatives.append(r)
    model.examples = pd.DataFrame(examples).reset_index(drop=True)
    model.negatives = pd.DataFrame(negatives).reset_index(drop=True)
    model.vectorizers, model.matrices = _fit_vectorizers(allc)
    # confidence: features of each training candidate against the examples of the
    # *other* reports, as at proposing time
    feats, labels = [], []
    groups = {doc: held_out(tables.documents, doc) for doc in train_docs}
    for doc in train_docs:
        grp_docs, grp_parts = groups[doc]
        mine = allc[allc.doc_id == doc].reset_index(drop=True)
        if mine.empty:
            continue
        others_ex = model.examples[
            ~model.examples.doc_id.isin(grp_docs)
            & ~model.examples.part_id.isin({p for _, p in grp_parts})
        ]
        others_neg = model.negatives[~model.negatives.doc_id.isin(grp_docs)]
        feats.append(
            _features(
                model, mine, others_ex.reset_index(drop=True), others_neg.reset_index(drop=True)
            )
        )
        labels.append(np.array([1 if h else 0 for h in mine._hits]))
    x, y = np.vstack(feats), np.concatenate(labels)
    model.classifier = Logistic.fit(x, y)
    return _compact(model)


def _compact(model: Model) -> Model:
    """Keep only what proposing reads: the columns of the curated figures and the vectors
    of the training candidates they and the uncurated ones refer to."""
    ex = model.examples[
        [
            "doc_id",
            "part_id",
            "line",
            "_row",
            "p_value_type",
            "indicator",
            "theme",
            "o_unit",
            "o_value_type",
            "o_geography",
        ]
    ]
    neg = model.negatives[["doc_id", "part_id", "_row", "p_value_type"]]
    rows = sorted(set(ex._row) | set(neg._row))
    position = {r: k for k, r in enumerate(rows)}
    model.examples = ex.assign(_row=[position[r] for r in ex._row])
    model.negatives = neg.assign(_row=[position[r] for r in neg._row])
    model.matrices = {c: m[rows] for c, m in model.matrices.items()}
    model.cache = {}
    return model
