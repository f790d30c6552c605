"""Topic suggestion: a classifier trained on an agency's own resolved cases.

Text of a case = its subject + the body of its first inbound contact; label = the case's topic.
The queue suggested with a topic is the queue most of that topic's resolved cases ended in.

The model (one per agency) is a scikit-learn pipeline: TF-IDF over word 1–2-grams and
character 3–5-grams (within word boundaries, so misspellings and word forms still match),
sublinear term frequency, then multinomial logistic regression.

Why logistic regression and not a linear SVM (measured on BANKING77, 20% stratified hold-out,
seed 42, one run each on a 2-core machine; bench/contact/topics.py, docs/benchmarks.md):
LogisticRegression(C=10) reached 90.8% accuracy / 90.9% macro-F1 against 90.4% / 90.4% for
LinearSVC calibrated with CalibratedClassifierCV (sigmoid, 3 folds), and answers a query in
1.1 ms (p50) against 4.5 ms, because its probabilities come straight from the model instead of
77 per-class calibrators. The SVM trains about 3× faster (8 s against 24 s on 8,000 texts),
which matters less: training runs in the background, suggestions run on every new case.
A suggestion's confidence is that probability.

Trained models are joblib files under settings.MODEL_DIR (default BASE_DIR/var/models), named
by agency slug, written atomically (temporary file + rename), and loaded once per process
(reloaded when the file changes).

Enough data: at least MIN_TOPICS topics with MIN_CASES_PER_TOPIC or more resolved cases each;
topics with fewer cases are left out of training (and named in the training report).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from govcx.contact.models import Case, Contact, Queue
from govcx.core.models import Agency

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

# scikit-learn and joblib are imported where used: importing this module (e.g. for
# FOLLOW_UP_TOPIC) must not cost the ~1 s scikit-learn import on every request.

MIN_TOPICS = 2
MIN_CASES_PER_TOPIC = 5
TOP_K = 3
MAX_TEXT_CHARS = 2000  # long emails: the need is stated near the top; quoted text follows
MODEL_FORMAT = 1
FOLLOW_UP_TOPIC = "follow-up"  # cases opened by contact.loop; not a topic a person asks about

NEEDS = (f"Topic suggestions need at least {MIN_TOPICS} topics with {MIN_CASES_PER_TOPIC} or "
         f"more resolved cases each")


def build_pipeline() -> Pipeline:
    """The one topic pipeline: used by the product and by bench/contact/topics.py."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True,
                                  strip_accents="unicode")),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                  lowercase=True, strip_accents="unicode")),
    ])
    return Pipeline([("features", features),
                     ("model", LogisticRegression(C=10.0, max_iter=2000))])


def case_text(subject: str, body: str) -> str:
    text = f"{subject or ''}\n{body or ''}".replace("\x00", "")
    return " ".join(text.split())[:MAX_TEXT_CHARS]


def model_dir() -> Path:
    return Path(getattr(settings, "MODEL_DIR", settings.BASE_DIR / "var" / "models"))


def model_path(agency: Agency) -> Path:
    return model_dir() / f"topics-{agency.slug}.joblib"


@dataclass
class TrainReport:
    agency: str
    ok: bool
    reason: str = ""
    cases: int = 0
    topics: list[str] = field(default_factory=list)
    left_out: dict[str, int] = field(default_factory=dict)  # topic -> cases (too few)
    seconds: float = 0.0
    path: str = ""

    def summary(self) -> str:
        if not self.ok:
            return f"{self.agency}: not trained. {self.reason}"
        out = (f"{self.agency}: trained on {self.cases} cases, {len(self.topics)} topics, "
               f"in {self.seconds:.1f} s; saved to {self.path}")
        if self.left_out:
            out += (f". Left out (fewer than {MIN_CASES_PER_TOPIC} cases): "
                    + ", ".join(f"{t} ({n})" for t, n in sorted(self.left_out.items())))
        return out


def training_rows(agency: Agency) -> list[tuple[str, str, int | None]]:
    """(text, topic, queue_id) of the agency's resolved or closed cases that have a topic."""
    first_body = (Contact.objects.filter(case=OuterRef("pk"), direction=Contact.Direction.INBOUND)
                  .order_by("at", "id").values("body")[:1])
    rows = (Case.objects.filter(agency=agency, merged_into__isnull=True,
                                status__in=(Case.Status.RESOLVED, Case.Status.CLOSED))
            .exclude(topic="").exclude(topic=FOLLOW_UP_TOPIC)
            .annotate(first_body=Subquery(first_body))
            .values_list("subject", "first_body", "topic", "queue_id").order_by("pk"))
    return [(case_text(s, b or ""), t, q) for s, b, t, q in rows.iterator(chunk_size=2000)]


def _eligible(topics: Iterable[str]) -> tuple[dict[str, int], dict[str, int]]:
    counts = Counter(topics)
    keep = {t: n for t, n in counts.items() if n >= MIN_CASES_PER_TOPIC}
    return keep, {t: n for t, n in counts.items() if n < MIN_CASES_PER_TOPIC}


def _dump_atomic(obj: Any, path: Path) -> None:
    import joblib

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        joblib.dump(obj, tmp, compress=3)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def topics_train(*, agency: Agency,
                 progress: Callable[[str], None] | None = None) -> TrainReport:
    """Train the agency's topic model from its resolved cases and store it."""
    say = progress or (lambda _msg: None)
    say(f"Reading resolved cases of {agency.slug}…")
    rows = training_rows(agency)
    keep, left_out = _eligible(t for _, t, _ in rows)
    report = TrainReport(agency=agency.slug, ok=False, left_out=left_out)
    if len(keep) < MIN_TOPICS:
        have = ", ".join(f"{t} ({n})" for t, n in sorted(Counter(t for _, t, _ in rows).items()))
        report.reason = (f"{NEEDS}; {agency.name} has "
                         f"{have or 'no resolved cases with a topic'}.")
        say(report.reason)
        return report
    rows = [r for r in rows if r[1] in keep]
    say(f"Training on {len(rows)} cases in {len(keep)} topics…")
    started = time.perf_counter()
    pipeline = build_pipeline()
    pipeline.fit([r[0] for r in rows], [r[1] for r in rows])
    seconds = time.perf_counter() - started
    by_topic: dict[str, Counter[int]] = defaultdict(Counter)
    for _, topic, queue_id in rows:
        if queue_id is not None:
            by_topic[topic][queue_id] += 1
    queues = {t: c.most_common(1)[0][0] for t, c in by_topic.items()}
    path = model_path(agency)
    say(f"Saving to {path}…")
    _dump_atomic({"format": MODEL_FORMAT, "agency_id": agency.pk, "pipeline": pipeline,
                  "queues": queues, "cases": len(rows), "trained_at": timezone.now()}, path)
    _cache.pop(str(path), None)
    report.ok, report.cases, report.topics = True, len(rows), sorted(keep)
    report.seconds, report.path = seconds, str(path)
    say(report.summary())
    return report


def topics_train_enqueue(*, agency: Agency) -> None:
    """Train in the background (`govcx db_worker`) once the current transaction commits."""
    from govcx.contact.tasks import topics_train_task

    agency_id = agency.pk
    transaction.on_commit(lambda: topics_train_task.enqueue(agency_id))


# --- suggesting ------------------------------------------------------------------------------

_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def _load(agency: Agency) -> dict[str, Any] | None:
    path = model_path(agency)
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    import joblib

    hit = _cache.get(str(path))
    if hit is not None and hit[0] == mtime:
        return hit[1]
    bundle = joblib.load(path)
    if not isinstance(bundle, dict) or bundle.get("format") != MODEL_FORMAT \
            or bundle.get("agency_id") != agency.pk:
        return None
    _cache[str(path)] = (mtime, bundle)
    return bundle


def topic_model_problem(*, agency: Agency) -> str | None:
    """Why this agency gets no suggestions (None when it has a trained model)."""
    if _load(agency) is not None:
        return None
    keep, _ = _eligible(t for _, t, _ in training_rows(agency))
    if len(keep) < MIN_TOPICS:
        return (f"{NEEDS}; {agency.name} has {len(keep)} such "
                f"topic{'s' if len(keep) != 1 else ''}.")
    return (f"{agency.name} has enough resolved cases but no trained topic model yet: run "
            f"`govcx topics train --agency {agency.slug}`.")


def topic_suggest(*, agency: Agency, text: str,
                  k: int = TOP_K) -> list[tuple[str, int | None, float]]:
    """Up to `k` (topic, queue_id, confidence 0–1) best first; [] without a model or text."""
    text = case_text(text, "")
    if not text:
        return []
    bundle = _load(agency)
    if bundle is None:
        return []
    pipeline: Pipeline = bundle["pipeline"]
    probs = pipeline.predict_proba([text])[0]
    classes = pipeline.classes_
    order = probs.argsort()[::-1][:k]
    queues: dict[str, int] = bundle["queues"]
    wanted = {queues.get(str(classes[i])) for i in order} - {None}
    alive = set(Queue.objects.filter(agency=agency, pk__in=wanted).values_list("pk", flat=True))
    out = []
    for i in order:
        topic = str(classes[i])
        q = queues.get(topic)
        out.append((topic, q if q in alive else None, round(float(probs[i]), 4)))
    return out


def topics_suggest_for_case(case: Case) -> list[tuple[str, int | None, float]]:
    """Suggestions for a case: its subject and first inbound contact's body."""
    first = (Contact.objects.filter(case=case, direction=Contact.Direction.INBOUND)
             .order_by("at", "id").values_list("body", flat=True).first())
    return topic_suggest(agency=case.agency, text=case_text(case.subject, first or ""))
