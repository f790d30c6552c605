"""Writes to the rollups: applied in the response's own transaction, rebuilt on demand."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from govcx.metrics.models import DRIVER_FIELDS, ResponseDaily

COUNTERS = (
    ["responses", "offered", "trust_n", "trust_pos", "score_n", "score_sum", "score_sumsq"]
    + [f"pos_{d}" for d in DRIVER_FIELDS]
    + [f"neg_{d}" for d in DRIVER_FIELDS]
    + ["lang_es"]
)
KEYS = ["agency_id", "service_id", "touchpoint_id", "channel", "day"]
_TABLE = ResponseDaily._meta.db_table
_COLS = KEYS + COUNTERS
# Table and column names come from the model, never from input; values are parameters.
_PLACEHOLDERS = ", ".join(["%s"] * len(_COLS))
_UPDATES = ", ".join(f"{c} = {_TABLE}.{c} + excluded.{c}" for c in COUNTERS)
_UPSERT = (
    f"INSERT INTO {_TABLE} ({', '.join(_COLS)}) VALUES ({_PLACEHOLDERS}) "  # noqa: S608
    f"ON CONFLICT (touchpoint_id, day) DO UPDATE SET {_UPDATES}"
)


def local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def response_counts(
    *, trust_positive: bool | None, trust_score: int | None, drivers_positive: Iterable[str],
    drivers_negative: Iterable[str], language: str,
) -> dict[str, int]:
    """The counter increments one response contributes."""
    c: dict[str, int] = {"responses": 1}
    if trust_positive is not None:
        c["trust_n"] = 1
        c["trust_pos"] = int(trust_positive)
    if trust_score is not None:
        c["score_n"] = 1
        c["score_sum"] = trust_score
        c["score_sumsq"] = trust_score * trust_score
    for d in set(drivers_positive):
        c[f"pos_{d}"] = 1
    for d in set(drivers_negative):
        c[f"neg_{d}"] = 1
    if language == "es":
        c["lang_es"] = 1
    return c


def rollup_add(
    *, agency_id: int, service_id: int, touchpoint_id: int, channel: str, day: dt.date,
    counts: dict[str, int], sign: int = 1,
) -> None:
    """Add (or with sign=-1 subtract) counts to one touchpoint-day, in one upsert."""
    values: list[Any] = [agency_id, service_id, touchpoint_id, channel, day]
    values += [sign * counts.get(c, 0) for c in COUNTERS]
    with connection.cursor() as cur:
        cur.execute(_UPSERT, values)


def rollups_rebuild(*, service_ids: Iterable[int] | None = None) -> int:
    """Recompute the rollups from raw responses and offers. Returns rows written."""
    from govcx.feedback.models import Response  # reads only; metrics owns the rollups
    from govcx.feedback.selectors import offers_by_touchpoint_day

    qs = Response.objects.filter(quarantined=False)
    if service_ids is not None:
        service_ids = list(service_ids)
        qs = qs.filter(service_id__in=service_ids)
    acc: dict[tuple[int, int, int, str, dt.date], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(COUNTERS, 0)
    )
    fields = ("agency_id", "service_id", "touchpoint_id", "channel", "submitted_at",
              "trust_positive", "trust_score", "drivers_positive", "drivers_negative", "language")
    for a, s, t, ch, at, tp, ts, dp, dn, lang in qs.values_list(*fields).iterator(chunk_size=5000):
        row = acc[(a, s, t, ch, local_day(at))]
        for k, v in response_counts(trust_positive=tp, trust_score=ts, drivers_positive=dp,
                                    drivers_negative=dn, language=lang).items():
            row[k] += v
    for (a, s, t, ch, day), n in offers_by_touchpoint_day(service_ids=service_ids).items():
        acc[(a, s, t, ch, day)]["offered"] += n
    with transaction.atomic():
        old = ResponseDaily.objects.all()
        if service_ids is not None:
            old = old.filter(service_id__in=service_ids)
        old.delete()
        ResponseDaily.objects.bulk_create(
            [
                ResponseDaily(agency_id=a, service_id=s, touchpoint_id=t, channel=ch, day=day,
                              **counts)
                for (a, s, t, ch, day), counts in acc.items()
            ],
            batch_size=2000,
        )
    return len(acc)
