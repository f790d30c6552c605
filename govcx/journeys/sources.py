"""Where a service's journey events come from when a map is drawn: two sources, one frame.

1. **Stored events** (`JourneyEvent`): what the contact centre, the assistant and the help
   centre recorded as it happened, and what agencies imported. Read with one SQL query whose
   rows go straight into Polars columns (no model instances: a million events load in about a
   second on SQLite); the timestamp is fetched as text and parsed column-wise.

2. **Survey offers and answers, read from the feedback tables** (a read-side adapter).
   `feedback.services.response_submit` is the hottest, measured write path of the product (the
   public survey submission); adding a journey-event INSERT to it would double its writes for
   data the feedback tables already hold. So nothing is written there: when a journey is
   mined, this module turns the rows into the same events:

   * an email/SMS **invitation** sent to a known person → "Survey offered" (channel: the
     invitation's channel) at `sent_at`, for the touchpoint's service;
   * a **response** from a known person, not quarantined → "Survey answered" at
     `submitted_at`, with the response's service and channel, and attributes `trust`
     ("positive"/"negative"/"" when not asked), `trust_score`, `language`.

   Only responses and invitations linked to a customer are journey events (case key
   ``customer:<id>``, the same key the other apps use): an anonymous response cannot be joined
   to anything, and as a journey of one step it would only dilute the map. The cost moves to
   read time, where it is one indexed query on (service, submitted_at) per map.

**Snapshots for large agencies.** Fetching rows one by one from SQLite costs about 1-3 µs a row
in Python, too slow for a million-event map (the bar is a page in under 2 s). When an agency
has at least `SNAPSHOT_MIN_EVENTS` stored events, its events' map columns are kept in a
Parquet snapshot (`JOURNEY_CACHE_DIR`, default var/journey-cache/, one file per database and
agency, sorted by service and time) and a map reads the snapshot (about 0.1 s for 1M events)
plus the events appended since (by id). The snapshot is checked against the database on
every read with one indexed query (count, max and sum of the ids). Journey events are never
updated in place (a re-key deletes and re-inserts, see services.py), so rows appended since
are read by id, rows deleted since (a re-key, a purge) are dropped by id (one query for the
ids, about 0.3 s for 1M), and if the result still does not account for exactly the rows in
the database, the snapshot is rebuilt from scratch (about 3 s for 1M). It is rewritten after
such a change, when more than `APPENDED_MAX` rows were appended, and after every import.
It is a cache: deleting the directory is always safe.

The frame has the event-log columns (`eventlog.CASE`, `ACTIVITY`, `TIMESTAMP`) plus `channel`,
`source`, `customer_id` and the tie order columns `seq`, `id` (the adapter's rows get ids
after every stored one). `journey_frame` returns it ordered by (seq, id), which is the tie
order for events of one case at the same instant once `eventlog.from_frame` sorts it by case
and time (its sort is stable on row position).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q, QuerySet, Sum, TextField
from django.db.models.functions import Cast

from govcx.feedback.models import Invitation, Response
from govcx.journeys import eventlog
from govcx.journeys.eventlog import ACTIVITY, CASE, TIMESTAMP
from govcx.journeys.models import JourneyEvent
from govcx.journeys.services import SURVEY_ANSWERED, SURVEY_OFFERED

SCHEMA: dict[str, Any] = {
    CASE: pl.String, ACTIVITY: pl.String, TIMESTAMP: eventlog.TS_DTYPE, "channel": pl.String,
    "source": pl.String, "customer_id": pl.Int64, "seq": pl.Int64, "id": pl.Int64,
}
ADAPTER_ID_BASE = 1 << 62  # adapter rows sort after stored rows at equal (case, time, seq)


def _parse_text_ts(text: pl.Series) -> pl.Series:
    """Database text timestamps: SQLite's naive UTC text, or PostgreSQL's ``+00`` form."""
    naive = text.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="ns", time_zone="UTC",
                                 strict=False)
    if naive.null_count() == text.null_count():
        return naive.alias(TIMESTAMP)
    aware = text.str.to_datetime("%Y-%m-%d %H:%M:%S%.f%#z", time_unit="ns", strict=False)
    return naive.fill_null(aware.dt.convert_time_zone("UTC")).alias(TIMESTAMP)


def events_scope(*, agency_id: int, service_id: int, start: dt.datetime, end: dt.datetime,
                 unattributed: bool = True) -> QuerySet[JourneyEvent]:
    """Stored events of one service in [start, end); with `unattributed`, also the events
    without a service (help centre, assistant, contacts with no service chosen) of the same
    journeys (case keys) in the period."""
    base = JourneyEvent.objects.filter(agency_id=agency_id, at__gte=start, at__lt=end)
    if not unattributed:
        return base.filter(service_id=service_id)
    keys = base.filter(service_id=service_id).values("case_key")
    return base.filter(Q(service_id=service_id) | Q(service__isnull=True, case_key__in=keys))


def stored_frame(qs: QuerySet[JourneyEvent], *, with_service: bool = False) -> pl.DataFrame:
    """The events of a queryset as a frame, fetched with one raw query (see the docstring);
    `SCHEMA` columns, plus service_id when asked."""
    names = [CASE, ACTIVITY, "at_text", "channel", "source", "customer_id", "seq", "id"]
    fields = ["case_key", "activity", "at_text", "channel", "source", "customer_id", "seq", "id"]
    if with_service:
        names.append("service_id")
        fields.append("service_id")
    ints = ("customer_id", "seq", "id", "service_id")
    schema = {n: (pl.Int64 if n in ints else pl.String) for n in names}
    rows = qs.annotate(at_text=Cast("at", TextField())).values_list(*fields)
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = pl.DataFrame(cursor.fetchall(), schema=schema, orient="row")
    ts = _parse_text_ts(raw.get_column("at_text"))
    out = [*SCHEMA, "service_id"] if with_service else list(SCHEMA)
    return raw.drop("at_text").with_columns(ts).select(out)


def _adapter_rows(rows: list[tuple[Any, ...]], start_id: int) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema={CASE: pl.String, ACTIVITY: pl.String,
                                       TIMESTAMP: pl.Datetime("us", "UTC"), "channel": pl.String,
                                       "customer_id": pl.Int64, "language": pl.String,
                                       "trust": pl.String},
                         orient="row")
    return frame.with_columns(
        pl.col(TIMESTAMP).cast(eventlog.TS_DTYPE),
        pl.lit("feedback").alias("source"),
        pl.lit(0, dtype=pl.Int64).alias("seq"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + start_id).alias("id"),
    )


def survey_frame(*, agency_id: int, service_id: int, start: dt.datetime,
                 end: dt.datetime) -> pl.DataFrame:
    """Survey offers and answers of known people for one service and period, as events,
    with `language` and `trust` columns for filtering (the read-side adapter, see above)."""
    rows: list[tuple[Any, ...]] = []
    for cid, at, channel, lang, positive in (
        Response.objects.filter(agency_id=agency_id, service_id=service_id,
                                submitted_at__gte=start, submitted_at__lt=end,
                                customer__isnull=False, quarantined=False)
        .values_list("customer_id", "submitted_at", "channel", "language", "trust_positive")
        .iterator(chunk_size=5000)
    ):
        trust = "" if positive is None else ("positive" if positive else "negative")
        rows.append((f"customer:{cid}", SURVEY_ANSWERED, at, channel, cid, lang, trust))
    for cid, sent, channel in (
        Invitation.objects.filter(touchpoint__agency_id=agency_id,
                                  touchpoint__service_id=service_id, sent_at__gte=start,
                                  sent_at__lt=end, customer__isnull=False)
        .values_list("customer_id", "sent_at", "channel").iterator(chunk_size=5000)
    ):
        if sent is not None:
            rows.append((f"customer:{cid}", SURVEY_OFFERED, sent, channel, cid, "", ""))
    if not rows:
        return pl.DataFrame(schema={**SCHEMA, "language": pl.String, "trust": pl.String})
    return _adapter_rows(rows, ADAPTER_ID_BASE)


SNAPSHOT_MIN_EVENTS = 200_000
APPENDED_MAX = 20_000  # rows read by id on top of the snapshot before it is rewritten
SNAPSHOT_SCHEMA: dict[str, Any] = {
    "service_id": pl.Int64, CASE: pl.String, ACTIVITY: pl.String, TIMESTAMP: eventlog.TS_DTYPE,
    "channel": pl.String, "seq": pl.Int64, "id": pl.Int64,
}


def _snapshot_path(agency_id: int) -> Path:
    root = Path(getattr(settings, "JOURNEY_CACHE_DIR",
                        Path(settings.BASE_DIR) / "var" / "journey-cache"))
    db = hashlib.sha1(str(settings.DATABASES["default"].get("NAME", "")).encode(),
                      usedforsecurity=False).hexdigest()[:12]
    return root / f"{db}-agency-{agency_id}.parquet"


def _agency_stats(agency_id: int) -> dict[str, int]:
    got = JourneyEvent.objects.filter(agency_id=agency_id).aggregate(
        count=Count("id"), max_id=Max("id"), sum_id=Sum("id"))
    return {k: int(v or 0) for k, v in got.items()}


def _snapshot_rows(qs: QuerySet[JourneyEvent]) -> pl.DataFrame:
    frame = stored_frame(qs, with_service=True)
    return frame.select(list(SNAPSHOT_SCHEMA))


def _snapshot_write(agency_id: int, frame: pl.DataFrame, stats: dict[str, int]) -> None:
    path = _snapshot_path(agency_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    frame.sort(["service_id", TIMESTAMP], nulls_last=True).write_parquet(
        tmp, statistics=True, row_group_size=128_000)
    os.replace(tmp, path)
    path.with_suffix(".json").write_text(json.dumps(stats))


def snapshot_refresh(*, agency_id: int) -> pl.DataFrame:
    """Rebuild an agency's snapshot from the database; returns its frame."""
    stats = _agency_stats(agency_id)
    frame = _snapshot_rows(JourneyEvent.objects.filter(agency_id=agency_id))
    _snapshot_write(agency_id, frame, stats)
    return frame


def snapshot_update(*, agency_id: int) -> None:
    """Bring a large agency's snapshot up to date now (after an import), so the next map
    does not pay for it."""
    stats = _agency_stats(agency_id)
    if stats["count"] >= SNAPSHOT_MIN_EVENTS:
        snapshot_frame(agency_id=agency_id, stats=stats, write=True)


def snapshot_frame(*, agency_id: int, stats: dict[str, int] | None = None,
                   write: bool = False) -> pl.DataFrame:
    """The agency's stored events (snapshot columns), from the snapshot when it accounts for
    exactly the database's rows, with appended rows read by id (see the module docstring)."""
    stats = stats or _agency_stats(agency_id)
    path = _snapshot_path(agency_id)
    meta_path = path.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text())
        snap = pl.read_parquet(path)
    except (OSError, ValueError, pl.exceptions.PolarsError):
        return snapshot_refresh(agency_id=agency_id)
    if meta == stats and snap.height == stats["count"]:
        return snap
    new = _snapshot_rows(JourneyEvent.objects.filter(agency_id=agency_id,
                                                     id__gt=meta.get("max_id", 0)))
    appended_only = (snap.height == meta.get("count")
                     and meta["count"] + new.height == stats["count"]
                     and meta["sum_id"] + int(new.get_column("id").sum() or 0)
                     == stats["sum_id"])
    if not appended_only:  # rows were deleted (a re-key, a purge): drop them by id
        ids_sql, params = (JourneyEvent.objects.filter(agency_id=agency_id,
                                                       id__lte=meta.get("max_id", 0))
                           .values_list("id").query.sql_with_params())
        with connection.cursor() as cursor:
            cursor.execute(ids_sql, params)
            kept = pl.DataFrame(cursor.fetchall(), schema={"id": pl.Int64}, orient="row")
        snap = snap.join(kept, on="id", how="semi", maintain_order="left")
        if (snap.height + new.height != stats["count"]
                or int(snap.get_column("id").sum() or 0)
                + int(new.get_column("id").sum() or 0) != stats["sum_id"]):
            return snapshot_refresh(agency_id=agency_id)
        write = True
    frame = pl.concat([snap, new], how="vertical")
    if new.height and (write or new.height > APPENDED_MAX):
        _snapshot_write(agency_id, frame, stats)
    return frame


def service_events(*, agency_id: int, service_id: int, start: dt.datetime, end: dt.datetime,
                   unattributed: bool = True) -> pl.DataFrame:
    """Stored events of a service in [start, end) as `SCHEMA` (source and customer_id are
    left empty), the same rows as `events_scope`: from SQL for small agencies, from the
    agency's snapshot for large ones."""
    stats = _agency_stats(agency_id)
    if stats["count"] < SNAPSHOT_MIN_EVENTS:
        return stored_frame(events_scope(agency_id=agency_id, service_id=service_id,
                                         start=start, end=end, unattributed=unattributed))
    frame = snapshot_frame(agency_id=agency_id, stats=stats)
    lo = pl.lit(start).cast(eventlog.TS_DTYPE)
    hi = pl.lit(end).cast(eventlog.TS_DTYPE)
    period = frame.lazy().filter((pl.col(TIMESTAMP) >= lo) & (pl.col(TIMESTAMP) < hi))
    own = period.filter(pl.col("service_id") == service_id)
    if unattributed:
        keys = own.select(CASE).unique()
        loose = period.filter(pl.col("service_id").is_null()).join(keys, on=CASE, how="semi")
        own = pl.concat([own, loose], how="vertical")
    return own.with_columns(pl.lit(None, dtype=pl.String).alias("source"),
                            pl.lit(None, dtype=pl.Int64).alias("customer_id")
                            ).select(list(SCHEMA)).collect()


def journey_frame(*, agency_id: int, service_id: int, start: dt.datetime, end: dt.datetime,
                  unattributed: bool = True, surveys: bool = True) -> pl.DataFrame:
    """Both sources for one service and period, ordered by (seq, id) (see the docstring)."""
    stored = service_events(agency_id=agency_id, service_id=service_id, start=start, end=end,
                            unattributed=unattributed)
    parts = [stored]
    if surveys:
        adapter = survey_frame(agency_id=agency_id, service_id=service_id, start=start, end=end)
        if adapter.height:
            parts.append(adapter.select(list(SCHEMA)))
    frame = pl.concat(parts, how="vertical") if len(parts) > 1 else stored
    return frame.sort(["seq", "id"])
