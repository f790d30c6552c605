"""Training an agency's intent model, and the per-process cache of the model that answers.

`assistant_train_request` queues a training (background task, govcx/assist/tasks.py);
`assistant_train` does the work (the task and `govcx assistant train` call it). The newest
READY AssistantModel of an agency answers; `model_for_agency` loads it once per process
and reloads when a newer one is ready.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govcx.assist.model import (
    OOS,
    IntentModel,
    Progress,
    evaluate,
    model_loads,
    model_new,
    threshold_calibrate,
)
from govcx.assist.models import AssistantModel, Intent, IntentExample
from govcx.assist.out_of_scope import EXAMPLES as OUT_OF_SCOPE
from govcx.core.models import Agency

HOLDOUT_SHARE = 0.2  # of each intent's examples, held out to place the operating point
MIN_EXAMPLES = 2  # an intent needs at least this many example phrasings to be trained


class TrainingError(ValueError):
    pass


def training_data(agency: Agency, *, background: bool = True) -> tuple[list[str], list[str]]:
    """The active intents' example phrasings (already redacted when they were saved), plus
    the built-in out-of-scope background (govcx/assist/out_of_scope.py) labelled "oos"."""
    rows = (IntentExample.objects.filter(intent__agency=agency, intent__active=True)
            .values_list("text", "intent__name").order_by("id"))
    texts = [t for t, _ in rows]
    labels = [n for _, n in rows]
    if background and texts:
        texts += list(OUT_OF_SCOPE)
        labels += [OOS] * len(OUT_OF_SCOPE)
    return texts, labels


def _split(labels: list[str], share: float, seed: int = 0) -> tuple[list[int], list[int]]:
    """Per intent, hold out `share` of its examples (at least one when it has 3 or more)."""
    rng = np.random.default_rng(seed)
    by: dict[str, list[int]] = {}
    for i, lab in enumerate(labels):
        by.setdefault(lab, []).append(i)
    fit, held = [], []
    for idx in by.values():
        idx = list(rng.permutation(idx))
        k = round(len(idx) * share) if len(idx) >= 3 else 0
        if len(idx) >= 3:
            k = max(k, 1)
        held += idx[:k]
        fit += idx[k:]
    return sorted(fit), sorted(held)


def _calibrate(model: IntentModel, texts: list[str], labels: list[str]) -> float:
    s = model.scores(texts)
    gold = np.asarray(labels)
    best = np.asarray(model.intents)[s.argmax(1)]
    conf = s.max(1)
    ins = gold != OOS
    return threshold_calibrate(conf[ins], best[ins] == gold[ins],
                               conf[~ins] if (~ins).any() else None)


def model_fit(texts: list[str], labels: list[str], *, kind: str = "default",
              tune: tuple[list[str], list[str]] | None = None, threshold: float | None = None,
              progress: Progress | None = None) -> IntentModel:
    """Fit a model and place its operating point.

    - `threshold` given: use it.
    - `tune` given (texts, labels, out-of-scope labelled "oos"): fit on all of `texts`, then
      choose the threshold on `tune` (threshold_calibrate with out-of-scope examples).
    - neither: hold out HOLDOUT_SHARE of each intent, fit, choose the threshold that keeps
      most correct held-out answers, then refit on everything.
    Examples labelled "oos" in `texts` are out of scope: the model learns them as a
    background class (govcx/assist/model.py, `intent_scores`), never as an answer.
    """
    report = progress or (lambda _f, _m: None)
    if len(set(labels) - {OOS}) < 2:
        raise TrainingError("Training needs at least two intents with example phrasings.")
    if threshold is None and tune is None:
        fit_i, held_i = _split(labels, HOLDOUT_SHARE)
        if held_i:
            probe = model_new(kind).fit([texts[i] for i in fit_i], [labels[i] for i in fit_i],
                                        progress=lambda f, m: report(0.45 * f, m))
            threshold = _calibrate(probe, [texts[i] for i in held_i], [labels[i] for i in held_i])
        else:
            threshold = 0.5
    m = model_new(kind).fit(texts, labels, progress=lambda f, msg: report(0.5 + 0.45 * f, msg))
    if threshold is None and tune is not None:
        threshold = _calibrate(m, *tune)
    m.threshold = float(threshold if threshold is not None else 0.5)
    report(1.0, "ready")
    return m


def model_path(record: AssistantModel) -> Path:
    """A new file name for every training (a random part: database ids are reused when a
    database is recreated, and a cached model must never be mistaken for another)."""
    return (Path(settings.MODEL_DIR) / "assistant"
            / f"agency-{record.agency_id}-{record.pk}-{uuid.uuid4().hex[:12]}.joblib")


def assistant_train_request(*, agency: Agency, kind: str = "default",
                            user: Any = None) -> AssistantModel:
    """Queue a training of the agency's active intents; the background worker runs it."""
    if kind not in AssistantModel.Kind.values:
        raise TrainingError(f"Unknown model kind '{kind}': use default or ml.")
    record = AssistantModel.objects.create(agency=agency, kind=kind, requested_by=user)
    from govcx.assist.tasks import assistant_train_task

    transaction.on_commit(lambda: assistant_train_task.enqueue(record.pk))
    return record


def assistant_train(*, record: AssistantModel, progress: Progress | None = None) -> AssistantModel:
    """Train `record`'s agency's intents now; marks it READY (or FAILED, with the reason)."""
    record.status = AssistantModel.Status.TRAINING
    record.save(update_fields=["status"])
    last = [0.0]

    def report(f: float, msg: str) -> None:
        if progress:
            progress(f, msg)
        if f - last[0] >= 0.05 or f >= 1.0:
            last[0] = f
            AssistantModel.objects.filter(pk=record.pk).update(progress=f)

    try:
        texts, labels = training_data(record.agency)
        t0 = time.perf_counter()
        model = model_fit(texts, labels, kind=record.kind, progress=report)
        seconds = time.perf_counter() - t0
        path = model_path(record)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(model.dumps())
    except (TrainingError, ImportError) as exc:
        record.status = AssistantModel.Status.FAILED
        record.error = str(exc)
        record.finished_at = timezone.now()
        record.save(update_fields=["status", "error", "finished_at"])
        return record
    probe = evaluate(model, texts[:200], labels[:200], seconds, timed=50)
    record.status = AssistantModel.Status.READY
    record.path = str(path)
    record.progress = 1.0
    record.intents = len(set(labels) - {OOS})
    record.examples = sum(1 for lab in labels if lab != OOS)
    record.metrics = {"threshold": model.threshold, "train_seconds": round(seconds, 2),
                      "p95_ms": round(probe.p95_ms, 2)}
    record.finished_at = timezone.now()
    record.save()
    return record


_cache: dict[int, tuple[tuple[int, str], IntentModel]] = {}
_lock = threading.Lock()


def model_for_agency(agency: Agency | int) -> IntentModel | None:
    """The agency's newest ready model (None when it has none: then everything is handed
    over). Loaded once per process; a newer ready model replaces it on the next call."""
    agency_id = agency if isinstance(agency, int) else agency.pk
    latest = (AssistantModel.objects.filter(agency_id=agency_id,
                                            status=AssistantModel.Status.READY)
              .order_by("-finished_at", "-id").values_list("pk", "path").first())
    if latest is None:
        return None
    pk, path = latest
    with _lock:
        hit = _cache.get(agency_id)
        if hit is not None and hit[0] == (pk, path):
            return hit[1]
    try:
        model = model_loads(Path(path).read_bytes())
    except (OSError, ValueError, ImportError):
        return None
    with _lock:
        _cache[agency_id] = ((pk, path), model)
    return model


def intents_active(agency: Agency) -> dict[str, Intent]:
    return {i.name: i for i in Intent.objects.filter(agency=agency, active=True)
            .select_related("article", "article__published_version")}
