"""Suggest a category for a citizen's report: a linear classifier over character n-grams.

Chinese has no spaces, and a word segmenter (jieba) added nothing measurable on the hotline's
messages while costing more than the whole prediction budget, so features are the characters and
character pairs of the title and of the detail, each part weighted by TF-IDF and normalised on its
own: the short title then counts as much as the long detail, which is what the messages need (the
title usually names the matter, the detail buries it among addresses and history).

The decision is the mean of a linear SVM and a ridge classifier fitted to the same features (both
linear, so their mean is one linear layer and prediction a single small matrix product), turned into
confidences by a softmax whose temperature is fitted on held-out decisions during training.

A category scheme's own words help where a few hundred examples per label are thin: a *glossary*
gives each label the names of its subcategories (for a hotline sector, the second- and third-level
headings of the city's scheme).  Each entry is one more training example of its label, and a prior:
a label also scores the cosine of the text with its closest entry, times a weight fitted on held-out
decisions together with the temperature (0 when the glossary does not help).  Being close to one
named subcategory is something a linear layer over n-grams cannot express (on the hotline's messages
it was worth about 2 points of macro-F1, where the entries as examples only, or keyword counts, gave
a few tenths).  It costs a prediction a gather over the entries that share the text's n-grams.

Prediction and loading use numpy only: scikit-learn (slow to import) is needed for `train` and the
metrics, never to answer an intake request.  Models serialise to an `.npz` archive of arrays and a
JSON header, never pickle, because they are stored in the database and unpickling is code execution.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
UIntArray = npt.NDArray[np.uint32]
Glossary = Mapping[str, Iterable[str]]

FORMAT = "gongzhi.text-classifier"
# 2: an optional glossary prior (entries, their labels, its weight).  Version 1 models still load.
VERSION = 2
READABLE_VERSIONS = (1, 2)
COLUMNS = ("title", "detail", "label")

NGRAM_RANGE = (1, 2)
# Character triples and longer were worse in cross-validation: too sparse for a few hundred
# examples per label.  Pairs seen in one detail only are noise (names, addresses), but every title
# pair is kept, titles being short and to the point.
TITLE_MIN_DF = 1
DETAIL_MIN_DF = 2
# Caps keep a model trained on a large, varied corpus small enough to store and load quickly: at most
# these many features per part, fewer when there are so many labels that the weights would pass the
# budget (3M float32 weights, 12 MB before compression).
TITLE_MAX_FEATURES = 20_000
DETAIL_MAX_FEATURES = 60_000
WEIGHT_BUDGET = 3_000_000
SVM_C = 1.0
RIDGE_ALPHA = 0.3
# The decision is the mean of an SVM and a ridge classifier, which beat either alone in cross-validation.
# The ridge is solved through an n × n kernel, affordable for a few thousand examples; a larger corpus
# gets the SVM alone.
RIDGE_MAX_SAMPLES = 4_000
# Held-out decisions for the temperature: all of a small training set (3-fold), at least this many
# of a large one (the remaining folds are skipped: the fit is the costly part).
CALIBRATION_FOLDS = 3
CALIBRATION_ENOUGH = 2_000
# Glossary terms that name no topic ("other"): an entry of nothing else is left out.
GENERIC_TERMS = frozenset({"其他", "其它"})

# Anonymised place codes (A市, L9县, A2区) carry no topic; the hotline's export also leaks Excel's
# escaped carriage return.  Numbers matter as "a number", not as which one.
_PLACE_CODE = re.compile(r"[A-Z]\d*(?=[市县区])")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def case_text(title: str, detail: str) -> str:
    """A case as classifier input: the title on the first line, the detail after it."""
    return f"{_SPACE.sub(' ', title or '').strip()}\n{(detail or '').strip()}"


def _parts(text: str) -> tuple[str, str]:
    """(title, detail) of a `case_text`; free text without a line break stands for both."""
    title, newline, detail = text.partition("\n")
    return (title, detail) if newline else (text, text)


def _normalise(text: str) -> str:
    text = text.replace("_x000D_", " ")
    text = _PLACE_CODE.sub("", text)
    text = _DIGITS.sub("0", text)
    return _SPACE.sub(" ", text).strip().lower()


def _grams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    text = _normalise(text)
    low, high = ngram_range
    return [text[i : i + n] for n in range(low, high + 1) for i in range(len(text) - n + 1)]


def _empty_uint(size: int = 0) -> UIntArray:
    return np.zeros(size, dtype=np.uint32)


def _empty_float() -> FloatArray:
    return np.zeros(0, dtype=np.float32)


@dataclass(eq=False)
class TextClassifier:
    """A trained model: vocabularies and idf of the two parts, one linear layer, a softmax temperature,
    and optionally a glossary prior.

    `coef` has one row per feature (title features first, then detail features) and one column per
    label, so a text's few present features pick their rows directly.  Glossary entry `e` is the sparse
    feature vector `glossary_indices[glossary_indptr[e]:glossary_indptr[e + 1]]` (weights in
    `glossary_values`, computed as a text's) of label `glossary_labels[e]`; a label's prior is its best
    entry's cosine with the text, added to its decision times `glossary_weight`.
    """

    labels: list[str]
    title_vocabulary: list[str]
    title_idf: FloatArray
    detail_vocabulary: list[str]
    detail_idf: FloatArray
    coef: FloatArray
    intercept: FloatArray
    temperature: float = 1.0
    ngram_range: tuple[int, int] = NGRAM_RANGE
    glossary_labels: UIntArray = field(default_factory=_empty_uint)
    glossary_indptr: UIntArray = field(default_factory=lambda: _empty_uint(1))
    glossary_indices: UIntArray = field(default_factory=_empty_uint)
    glossary_values: FloatArray = field(default_factory=_empty_float)
    glossary_weight: float = 0.0
    _title_index: dict[str, int] = field(init=False, repr=False)
    _detail_index: dict[str, int] = field(init=False, repr=False)
    # The glossary by feature (feature f's entries are _by_feature_entries[_by_feature_indptr[f]:…[f + 1]]),
    # so that a text's few features find the entries they occur in.
    _by_feature_indptr: npt.NDArray[np.intp] = field(init=False, repr=False)
    _by_feature_entries: npt.NDArray[np.intp] = field(init=False, repr=False)
    _by_feature_values: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n_title, n_detail = len(self.title_vocabulary), len(self.detail_vocabulary)
        n_labels = len(self.labels)
        if n_labels < 2 or len(set(self.labels)) != n_labels:
            raise ValueError(f"a classifier needs at least two distinct labels, got {self.labels!r}")
        shapes = {
            "title_idf": (self.title_idf.shape, (n_title,)),
            "detail_idf": (self.detail_idf.shape, (n_detail,)),
            "coef": (self.coef.shape, (n_title + n_detail, n_labels)),
            "intercept": (self.intercept.shape, (n_labels,)),
        }
        for name, (actual, expected) in shapes.items():
            if actual != expected:
                raise ValueError(f"{name} has shape {actual}, expected {expected}")
        if not (math.isfinite(self.temperature) and self.temperature > 0):
            raise ValueError(f"temperature must be a positive number, got {self.temperature!r}")
        low, high = self.ngram_range
        if not 1 <= low <= high:
            raise ValueError(f"bad n-gram range {self.ngram_range!r}")
        self._title_index = {gram: i for i, gram in enumerate(self.title_vocabulary)}
        self._detail_index = {gram: i for i, gram in enumerate(self.detail_vocabulary)}
        if len(self._title_index) != n_title or len(self._detail_index) != n_detail:
            raise ValueError("a vocabulary lists the same n-gram twice")
        self._index_glossary(n_title + n_detail)

    def _index_glossary(self, n_features: int) -> None:
        labels, indptr, indices, values = (
            self.glossary_labels,
            self.glossary_indptr,
            self.glossary_indices,
            self.glossary_values,
        )
        n_entries = len(labels)
        if labels.ndim != 1 or indptr.shape != (n_entries + 1,) or indices.ndim != 1:
            raise ValueError(f"glossary arrays disagree: {n_entries} labels, indptr of shape {indptr.shape}")
        if values.shape != indices.shape or int(indptr[0]) != 0 or int(indptr[-1]) != len(indices):
            raise ValueError(f"glossary_values has shape {values.shape}, expected {indices.shape} as the indices")
        if np.any(np.diff(indptr.astype(np.int64)) < 0):
            raise ValueError("glossary_indptr is not ascending")
        if n_entries and (int(labels.max()) >= len(self.labels) or (len(indices) and int(indices.max()) >= n_features)):
            raise ValueError("a glossary entry points past the labels or the features")
        if not (math.isfinite(self.glossary_weight) and self.glossary_weight >= 0):
            raise ValueError(f"glossary_weight must be a number >= 0, got {self.glossary_weight!r}")
        sizes = np.diff(indptr.astype(np.intp)).astype(np.intp)
        entry_of = np.repeat(np.arange(n_entries, dtype=np.intp), sizes)
        order = np.argsort(indices, kind="stable")
        self._by_feature_entries = entry_of[order]
        self._by_feature_values = np.ascontiguousarray(values[order], dtype=np.float32)
        self._by_feature_indptr = np.concatenate(
            [[0], np.cumsum(np.bincount(indices.astype(np.intp), minlength=n_features))]
        ).astype(np.intp)

    # ------------------------------------------------------------------------------ predict

    def predict(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The `k` likeliest labels with their probabilities, best first."""
        probabilities = _softmax(self._decision(text) / self.temperature)
        order = np.argsort(-probabilities, kind="stable")[: max(k, 0)]
        return [(self.labels[i], float(probabilities[i])) for i in order]

    def predict_many(self, texts: Iterable[str]) -> list[str]:
        """The likeliest label of each text."""
        return [self.labels[int(np.argmax(self._decision(text)))] for text in texts]

    def _decision(self, text: str) -> npt.NDArray[np.float64]:
        rows, values = self._features(text)
        decision = np.asarray(values @ self.coef[rows] + self.intercept, dtype=np.float64)
        if self.glossary_weight > 0 and len(rows):
            decision += self.glossary_weight * self._glossary_prior(rows, values)
        return decision

    def _glossary_prior(self, rows: npt.NDArray[np.intp], values: FloatArray) -> npt.NDArray[np.float64]:
        """Per label, the cosine of the text with its closest glossary entry (0 for a label without one)."""
        starts = self._by_feature_indptr[rows]
        lengths = self._by_feature_indptr[rows + 1] - starts
        total = int(lengths.sum())
        best = np.zeros(len(self.labels))
        if total == 0:
            return best
        # The positions of every (text feature, entry) pair, concatenated: a ragged gather without a loop.
        positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        products = np.repeat(values.astype(np.float64), lengths) * self._by_feature_values[positions]
        n_entries = len(self.glossary_labels)
        cosines = np.bincount(self._by_feature_entries[positions], weights=products, minlength=n_entries)
        np.maximum.at(best, self.glossary_labels, cosines)
        return best

    def _features(self, text: str) -> tuple[npt.NDArray[np.intp], FloatArray]:
        """Indices and TF-IDF weights of the text's known features (sublinear tf, each part l2-normalised)."""
        title, detail = _parts(text)
        n_title = len(self.title_vocabulary)
        blocks = (
            (title, self._title_index, self.title_idf, 0),
            (detail, self._detail_index, self.detail_idf, n_title),
        )
        all_rows: list[npt.NDArray[np.intp]] = []
        all_values: list[FloatArray] = []
        for part, index, idf, offset in blocks:
            # Counter and map run in C: this loop is most of a prediction's cost.
            counts = Counter(map(index.get, _grams(part, self.ngram_range)))
            counts.pop(None, None)
            if not counts:
                continue
            columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
            weights = (1.0 + np.log(tf)) * idf[columns]
            weights /= np.linalg.norm(weights)
            all_rows.append(columns + offset)
            all_values.append(weights.astype(np.float32))
        if not all_rows:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        return np.concatenate(all_rows), np.concatenate(all_values)

    # ------------------------------------------------------------------------ serialisation

    def to_bytes(self) -> bytes:
        header = {
            "format": FORMAT,
            "version": VERSION,
            "labels": self.labels,
            "title_vocabulary": self.title_vocabulary,
            "detail_vocabulary": self.detail_vocabulary,
            "temperature": self.temperature,
            "ngram_range": list(self.ngram_range),
            "glossary_weight": self.glossary_weight,
        }
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            # ASCII escapes: any string Python holds survives, even a lone surrogate from a broken import.
            header=np.frombuffer(json.dumps(header).encode("ascii"), dtype=np.uint8),
            title_idf=self.title_idf,
            detail_idf=self.detail_idf,
            coef=self.coef,
            intercept=self.intercept,
            glossary_labels=self.glossary_labels,
            glossary_indptr=self.glossary_indptr,
            glossary_indices=self.glossary_indices,
            glossary_values=self.glossary_values,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TextClassifier:
        """The model `to_bytes` wrote; ValueError for anything else."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in archive.files}
            header = json.loads(bytes(arrays["header"]).decode("utf-8"))
        except (OSError, EOFError, zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"not a serialised TextClassifier: {exc}") from exc
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ValueError("not a serialised TextClassifier: unknown header")
        version = header.get("version")
        if version not in READABLE_VERSIONS:
            raise ValueError(f"TextClassifier format version {version!r} is not supported")
        try:
            glossary: dict[str, Any] = {}
            if version >= 2:
                glossary = {
                    "glossary_labels": _uint_array(arrays["glossary_labels"]),
                    "glossary_indptr": _uint_array(arrays["glossary_indptr"]),
                    "glossary_indices": _uint_array(arrays["glossary_indices"]),
                    "glossary_values": _float_array(arrays["glossary_values"]),
                    "glossary_weight": float(header["glossary_weight"]),
                }
            return cls(
                labels=[str(label) for label in header["labels"]],
                title_vocabulary=[str(gram) for gram in header["title_vocabulary"]],
                title_idf=_float_array(arrays["title_idf"]),
                detail_vocabulary=[str(gram) for gram in header["detail_vocabulary"]],
                detail_idf=_float_array(arrays["detail_idf"]),
                coef=_float_array(arrays["coef"]),
                intercept=_float_array(arrays["intercept"]),
                temperature=float(header["temperature"]),
                ngram_range=(int(header["ngram_range"][0]), int(header["ngram_range"][1])),
                **glossary,
            )
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise ValueError(f"not a valid serialised TextClassifier: {exc}") from exc


def _float_array(array: npt.NDArray[Any]) -> FloatArray:
    if array.dtype.kind != "f":
        raise ValueError(f"expected a float array, got {array.dtype}")
    return np.ascontiguousarray(array, dtype=np.float32)


def _uint_array(array: npt.NDArray[Any]) -> UIntArray:
    if array.dtype.kind != "u" or array.ndim != 1:
        raise ValueError(f"expected a one-dimensional unsigned array, got {array.dtype} of shape {array.shape}")
    return np.ascontiguousarray(array, dtype=np.uint32)


def _softmax(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    result: npt.NDArray[np.float64] = e / e.sum(axis=-1, keepdims=True)
    return result


# ------------------------------------------------------------------------------------ train


@dataclass
class _Part:
    """One part's vocabulary and idf, fitted like scikit-learn's smooth idf."""

    vocabulary: list[str]
    idf: FloatArray

    @classmethod
    def fit(cls, docs: Sequence[list[str]], min_df: int, max_features: int) -> _Part:
        df: Counter[str] = Counter()
        for grams in docs:
            df.update(set(grams))
        kept = [(gram, n) for gram, n in df.items() if n >= min_df]
        # Ties broken by the n-gram itself, so the same data always gives the same model.
        kept.sort(key=lambda item: (-item[1], item[0]))
        kept = sorted(kept[:max_features])
        n_docs = len(docs)
        idf = np.array([math.log((1 + n_docs) / (1 + n)) + 1.0 for _, n in kept], dtype=np.float32)
        return cls([gram for gram, _ in kept], idf)


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    unlabeled: Sequence[str] = (),
    glossary: Glossary | None = None,
) -> TextClassifier:
    """Fit a classifier on `case_text`s and their labels.

    `unlabeled` texts only widen the vocabulary and sharpen the idf; they are never given a label.
    `glossary` maps a label to short texts naming its subcategories (see `read_glossary_csv`); entries
    of labels without examples are ignored.  Each entry is trained on as one more example of its label
    and kept for the prior, whose weight is fitted on held-out decisions (0 when it does not help).
    """
    from scipy import sparse
    from sklearn.svm import LinearSVC

    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise ValueError("need examples of at least two labels")
    entries = _glossary_entries(glossary, classes)
    entry_texts = [entry for entry, _ in entries]

    title_grams = [_grams(_parts(text)[0], NGRAM_RANGE) for text in [*texts, *unlabeled, *entry_texts]]
    detail_grams = [_grams(_parts(text)[1], NGRAM_RANGE) for text in [*texts, *unlabeled, *entry_texts]]
    share = min(1.0, WEIGHT_BUDGET / ((TITLE_MAX_FEATURES + DETAIL_MAX_FEATURES) * len(classes)))
    title = _Part.fit(title_grams, TITLE_MIN_DF, int(TITLE_MAX_FEATURES * share))
    detail = _Part.fit(detail_grams, DETAIL_MIN_DF, int(DETAIL_MAX_FEATURES * share))
    shell = TextClassifier(
        labels=classes,
        title_vocabulary=title.vocabulary,
        title_idf=title.idf,
        detail_vocabulary=detail.vocabulary,
        detail_idf=detail.idf,
        coef=np.zeros((len(title.vocabulary) + len(detail.vocabulary), len(classes)), dtype=np.float32),
        intercept=np.zeros(len(classes), dtype=np.float32),
    )
    x = _matrix(shell, texts)
    y = np.array(labels, dtype=object)
    # Entries none of whose n-grams made the vocabulary say nothing: left out.
    g = _matrix(shell, entry_texts)
    kept = np.flatnonzero(np.diff(g.indptr) > 0)
    g = g[kept]
    g_y = np.array([entries[i][1] for i in kept], dtype=object)
    g_label = np.array([classes.index(label) for label in g_y], dtype=np.intp)

    def fit(rows: npt.NDArray[np.intp]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """(coef, intercept), features × labels, of the model fitted on `rows` (and the glossary) alone."""
        present = sorted(set(y[rows]))
        columns = [classes.index(label) for label in present]
        own = np.isin(g_label, columns)
        x_fit = sparse.vstack([x[rows], g[own]], format="csr") if own.any() else x[rows]
        y_fit = np.concatenate([y[rows], g_y[own]])
        # Balanced class weights: the smaller sectors would otherwise lose their borderline cases.
        svm = LinearSVC(C=SVM_C, class_weight="balanced", random_state=0).fit(x_fit, y_fit)
        w, b = np.asarray(svm.coef_).T, np.asarray(svm.intercept_)
        if len(present) == 2:
            # A binary SVM scores the second label only; one-vs-rest would give the first the opposite.
            w, b = np.hstack([-w, w]), np.concatenate([-b, b])
        if x_fit.shape[0] <= RIDGE_MAX_SAMPLES:
            ridge_w, ridge_b = _ridge(x_fit, y_fit, present)
            w, b = (w + ridge_w) / 2, (b + ridge_b) / 2
        coef = np.zeros((x.shape[1], len(classes)))
        intercept = np.zeros(len(classes))
        coef[:, columns] = w
        intercept[columns] = b
        return coef, intercept

    def prior(rows: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        """The glossary prior of `rows`, texts × labels, as `TextClassifier._glossary_prior` computes it."""
        part = x[rows]
        best = np.zeros((len(rows), len(classes)))
        for label in np.unique(g_label):
            # Sparse all the way (cosines are >= 0, so the implicit zeros do not change a maximum).
            best[:, label] = (part @ g[g_label == label].T).max(axis=1).toarray().ravel()
        return best

    temperature, weight = _calibrate(x, y, classes, fit, prior if len(kept) else None)
    coef, intercept = fit(np.arange(len(y)))
    return TextClassifier(
        labels=[str(label) for label in classes],
        title_vocabulary=title.vocabulary,
        title_idf=title.idf,
        detail_vocabulary=detail.vocabulary,
        detail_idf=detail.idf,
        coef=coef.astype(np.float32),
        intercept=intercept.astype(np.float32),
        temperature=temperature,
        glossary_labels=g_label.astype(np.uint32),
        glossary_indptr=g.indptr.astype(np.uint32),
        glossary_indices=g.indices.astype(np.uint32),
        glossary_values=g.data.astype(np.float32),
        glossary_weight=weight,
    )


def _glossary_entries(glossary: Glossary | None, classes: Sequence[str]) -> list[tuple[str, str]]:
    """(entry, label) of the glossary's labels that have examples, each pair once, in a stable order."""
    known = set(classes)
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str]] = []
    for label in sorted(glossary or {}):
        if label not in known:
            continue
        for entry in (glossary or {})[label]:
            # One line: free text, read as both title and detail (see `_parts`).
            text = _SPACE.sub(" ", str(entry)).strip()
            if text and (text, label) not in seen:
                seen.add((text, label))
                out.append((text, label))
    return out


def _matrix(model: TextClassifier, texts: Sequence[str]) -> Any:
    """The texts' features as a CSR matrix, built by the very code that serves predictions."""
    from scipy import sparse

    n_features = len(model.title_vocabulary) + len(model.detail_vocabulary)
    if not texts:
        return sparse.csr_matrix((0, n_features), dtype=np.float64)
    indptr, indices, values = [0], [], []
    for text in texts:
        rows, weights = model._features(text)
        indices.append(rows)
        values.append(weights)
        indptr.append(indptr[-1] + len(rows))
    return sparse.csr_matrix(
        (np.concatenate(values), np.concatenate(indices), np.array(indptr)),
        shape=(len(texts), n_features),
        dtype=np.float64,
    )


def _ridge(x: Any, y: npt.NDArray[Any], classes: list[str]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """One-vs-rest ridge regression onto ±1 with balanced weights and an intercept, solved in the dual.

    Equals scikit-learn's RidgeClassifier(class_weight="balanced"), whose iterative solver takes a
    second for a few hundred texts; here it is one n × n solve, however many labels there are.
    """
    n = x.shape[0]
    counts = Counter(y.tolist())
    s = np.array([n / (len(counts) * counts[label]) for label in y.tolist()])
    targets = np.where(y[:, None] == np.array(classes, dtype=object)[None, :], 1.0, -1.0)
    x_mean = np.asarray(x.T @ s).ravel() / s.sum()
    y_mean = s @ targets / s.sum()
    gram = (x @ x.T).toarray()
    projected = x @ x_mean
    centred = gram - projected[:, None] - projected[None, :] + x_mean @ x_mean
    root = np.sqrt(s)
    kernel = root[:, None] * centred * root[None, :]
    dual = np.linalg.solve(kernel + RIDGE_ALPHA * np.eye(n), root[:, None] * (targets - y_mean))
    weighted = root[:, None] * dual
    w = np.asarray(x.T @ weighted) - np.outer(x_mean, weighted.sum(axis=0))
    return w, y_mean - x_mean @ w


def _calibrate(x: Any, y: npt.NDArray[Any], classes: list[str], fit: Any, prior: Any = None) -> tuple[float, float]:
    """(softmax temperature, glossary weight) that best explain held-out decisions.

    (1.0, 0.0) when there are too few examples to hold any out; the weight is 0 without a glossary.
    """
    from scipy.optimize import minimize, minimize_scalar
    from sklearn.model_selection import StratifiedKFold

    # A label seen once cannot be both trained on and held out; calibrate on the others.
    counts = Counter(y.tolist())
    usable = np.array([i for i, label in enumerate(y.tolist()) if counts[label] >= 2], dtype=np.intp)
    if len({y[i] for i in usable}) < 2:
        return 1.0, 0.0
    folds = min(CALIBRATION_FOLDS, *(counts[y[i]] for i in usable))
    # Columns of the labels left out would score 0 against everyone's negative margins and skew the fit.
    columns = sorted({classes.index(y[i]) for i in usable})
    decisions: list[npt.NDArray[np.float64]] = []
    priors: list[npt.NDArray[np.float64]] = []
    truth: list[int] = []
    splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
    for train_part, test_part in splitter.split(usable, y[usable]):
        coef, intercept = fit(usable[train_part])
        test_rows = usable[test_part]
        decisions.append((x[test_rows] @ coef + intercept)[:, columns])
        if prior is not None:
            priors.append(prior(test_rows)[:, columns])
        truth.extend(columns.index(classes.index(label)) for label in y[test_rows])
        if len(truth) >= CALIBRATION_ENOUGH:
            break
    z = np.vstack(decisions)
    picked = np.arange(len(truth)), np.array(truth)

    if prior is None:

        def nll(log_t: float) -> float:
            scaled = z / math.exp(log_t)
            scaled -= scaled.max(axis=1, keepdims=True)
            log_p = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
            return float(-log_p[picked].mean())

        best = minimize_scalar(nll, bounds=(-6.0, 3.0), method="bounded")
        return float(math.exp(best.x)), 0.0

    p = np.vstack(priors)

    def nll_and_gradient(params: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        # Logits a·z + c·p with a = 1/temperature, c = weight/temperature: convex in (a, c).
        a, c = params
        scores = a * z + c * p
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        total = exp.sum(axis=1)
        loss = float(-(scores[picked] - np.log(total)).mean())
        residual = exp / total[:, None]
        residual[picked] -= 1.0
        n = len(truth)
        return loss, np.array([(residual * z).sum() / n, (residual * p).sum() / n])

    fitted = minimize(
        nll_and_gradient,
        x0=np.array([1.0, 0.0]),
        jac=True,
        method="L-BFGS-B",
        bounds=[(math.exp(-3.0), math.exp(6.0)), (0.0, 1e3)],
    )
    a, c = (float(v) for v in fitted.x)
    return 1.0 / a, c / a


# ------------------------------------------------------------------------------- evaluate


def evaluate(model: TextClassifier, texts: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Top-1 accuracy and macro-F1 (over the labels present in `labels`)."""
    from sklearn.metrics import accuracy_score, f1_score

    if not labels or len(texts) != len(labels):
        raise ValueError(f"need as many texts as labels, at least one: got {len(texts)} and {len(labels)}")
    predicted = model.predict_many(texts)
    return {
        "n": len(labels),
        "accuracy": round(float(accuracy_score(labels, predicted)), 4),
        "macro_f1": round(
            float(f1_score(labels, predicted, labels=sorted(set(labels)), average="macro", zero_division=0)), 4
        ),
    }


def cross_validate(
    texts: Sequence[str], labels: Sequence[str], folds: int = 5, seed: int = 0, *, glossary: Glossary | None = None
) -> dict[str, Any]:
    """Stratified k-fold scores: the mean over folds, and each fold's (each fold's model gets the glossary)."""
    from sklearn.model_selection import StratifiedKFold

    per_fold = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_rows, test_rows in splitter.split(np.zeros(len(labels)), labels):
        model = train([texts[i] for i in train_rows], [labels[i] for i in train_rows], glossary=glossary)
        per_fold.append(evaluate(model, [texts[i] for i in test_rows], [labels[i] for i in test_rows]))
    return {
        "n": len(labels),
        "folds": folds,
        "accuracy": round(sum(f["accuracy"] for f in per_fold) / folds, 4),
        "macro_f1": round(sum(f["macro_f1"] for f in per_fold) / folds, 4),
        "fold_accuracy": [f["accuracy"] for f in per_fold],
        "fold_macro_f1": [f["macro_f1"] for f in per_fold],
    }


def read_labeled_csv(path: str | Path) -> tuple[list[str], list[str]]:
    """(case_texts, labels) from a CSV with title, detail and label columns, UTF-8 with or without BOM."""
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        texts, labels = [], []
        for number, row in enumerate(reader, start=1):
            label = (row["label"] or "").strip()
            if not label:
                raise ValueError(f"{path}: row {number} has an empty label")
            texts.append(case_text(row["title"] or "", row["detail"] or ""))
            labels.append(label)
    return texts, labels


def read_glossary_csv(path: str | Path) -> dict[str, list[str]]:
    """label → glossary entries from a CSV whose first column is the label and whose other columns name
    the label's subcategories, broadest first (a city scheme's 一级分类, 二级分类, 三级分类).

    An entry is one leaf of the scheme, its terms joined by a space.  Generic terms ("其他") name no
    topic and are dropped; an entry that is only the beginning of a more specific one of the same label
    (the "其他" leaf of a second level that has named leaves) adds nothing and is left out.  UTF-8 with
    or without BOM; the first row is the header.
    """
    path = Path(path)
    paths: dict[str, list[tuple[str, ...]]] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or len(header) < 2:
            raise ValueError(f"{path}: expected a header with a label column and at least one term column")
        for row in reader:
            if not row or not row[0].strip():
                continue
            terms = tuple(term.strip() for term in row[1:] if term.strip() and term.strip() not in GENERIC_TERMS)
            known = paths.setdefault(row[0].strip(), [])
            if terms and terms not in known:
                known.append(terms)
    glossary: dict[str, list[str]] = {}
    for label, known in paths.items():
        leaves = [
            " ".join(terms)
            for terms in known
            if not any(len(other) > len(terms) and other[: len(terms)] == terms for other in known)
        ]
        if leaves:
            glossary[label] = leaves
    return glossary
