"""Writes to the rollups: counted after each response is stored (the catch-up in
feedback.services), caught up before every read (`rollups_current`), rebuilt on demand."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from govcx.metrics.models import DRIVER_FIELDS, ResponseDaily

COUNTERS = (
    ["responses", "offered", "trust_n", "trust_pos", "score_n", "score_sum", "score_sumsq"]
    + [f"pos_{d}" for d in DRIVER_FIELDS]
    + [f"neg_{d}" for d in DRIVER_FIELDS]
    + ["lang_es"]
    + ["csat_n", "csat_pos", "csat_sum", "csat_sumsq", "ces_n", "ces_pos", "ces_sum",
       "ces_sumsq", "nps_n", "nps_promoters", "nps_detractors"]
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


def _score(value: Any, low: int, high: int) -> int | None:
    """An answer on a numeric scale (1-5 items are stored as ints, NPS choices as "s0".."s10"
    or "0".."10"); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip().removeprefix("s")
        if not value.isdigit():
            return None
        value = int(value)
    if isinstance(value, int) and low <= value <= high:
        return value
    return None


def survey_scores(schema: Any, answers: dict[str, Any]) -> dict[str, int | None]:
    """CSAT, effort and NPS answers of one response, by question role (see
    govcx/feedback/survey_templates.py): `csat` (or the legacy A-11 `satisfaction` item) 1-5,
    `effort` 1-5, `nps` 0-10. `schema` is a feedback SurveySchema."""
    out: dict[str, int | None] = {"csat": None, "effort": None, "nps": None}
    for q in schema.questions:
        role = "csat" if q.role == "satisfaction" else q.role
        if role in out and out[role] is None and q.id in answers:
            out[role] = _score(answers[q.id], 0 if role == "nps" else 1,
                               10 if role == "nps" else 5)
    return out


def response_counts(
    *, trust_positive: bool | None, trust_score: int | None, drivers_positive: Iterable[str],
    drivers_negative: Iterable[str], language: str, csat: int | None = None,
    effort: int | None = None, nps: int | None = None,
) -> dict[str, int]:
    """The counter increments one response contributes."""
    c: dict[str, int] = {"responses": 1}
    for name, v in (("csat", csat), ("ces", effort)):
        if v is not None:
            c[f"{name}_n"] = 1
            c[f"{name}_pos"] = int(v >= 4)
            c[f"{name}_sum"] = v
            c[f"{name}_sumsq"] = v * v
    if nps is not None:
        c["nps_n"] = 1
        c["nps_promoters"] = int(nps >= 9)
        c["nps_detractors"] = int(nps <= 6)
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


# PostgreSQL advisory lock key: held by a rebuild, tried (shared) by each catch-up batch.
ROLLUP_LOCK = 0x676F7663780001  # "govcx" + 1


def rollup_lock_try_shared() -> bool:
    """In a catch-up batch's transaction: False when a rebuild is replacing the rollups
    (PostgreSQL; it counts what is pending itself), True otherwise. SQLite needs no lock:
    the batch's transaction holds the one write lock."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_xact_lock_shared(%s)", [ROLLUP_LOCK])
        return bool(cur.fetchone()[0])


def rollups_current() -> None:
    """Count responses stored since the last catch-up into the rollups, so whoever reads
    them next sees every stored response. Submissions do not update the rollups themselves
    (one INSERT each, see feedback.models.Response.rollup_pending); the background worker
    catches up within seconds (ROLLUP_CATCH_UP_SECONDS), and every reader calls this first,
    which costs one probe of a small partial index when nothing is pending. Offers are
    counted the same way (`OfferCount.pending`)."""
    from govcx.feedback import services as fb

    if fb.response_rollups_pending():
        fb.response_rollups_catch_up()
    if fb.offer_rollups_pending():
        fb.offer_rollups_catch_up()


def rollups_rebuild(*, service_ids: Iterable[int] | None = None) -> int:
    """Recompute the rollups from raw responses and offers. Returns rows written.

    Besides the rollups it writes only the marks of what is counted: the responses'
    `rollup_pending`, to "counted" for the responses it counts (so that no catch-up counts
    them again) and on SQLite back to "pending" for any a catch-up counted while it was
    recounting (the swap drops those increments); and the offers' `pending`, to 0."""
    from govcx.feedback.models import Response

    scored = scored_versions()
    qs = Response.objects.all()
    if service_ids is not None:
        service_ids = list(service_ids)
        qs = qs.filter(service_id__in=service_ids)
    if connection.vendor == "sqlite":
        # One writer at a time, ids in commit order: count up to the highest id outside the
        # write lock (a long recount would hold up every submission), then swap quickly.
        top = Response.objects.aggregate(m=Max("id"))["m"] or 0
        acc = _rollups_count(qs.filter(id__lte=top, quarantined=False), scored)
        with transaction.atomic():
            qs.filter(id__lte=top, rollup_pending=True).update(rollup_pending=None)
            # counted by a catch-up during the recount: the swap drops those increments
            qs.filter(id__gt=top, rollup_pending__isnull=True).update(rollup_pending=True)
            _offers_take(acc, service_ids)  # inside the write lock: no offer in between
            return _rollups_replace(acc, service_ids)
    with transaction.atomic():
        # PostgreSQL: catch-ups skip their batch while this lock is held (ROLLUP_LOCK), so
        # none counts a response between the mark below and the swap. Responses stored from
        # the mark on stay pending and are counted by the next catch-up.
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK])
        qs.filter(rollup_pending=True).update(rollup_pending=None)
        acc = _rollups_count(qs.filter(quarantined=False, rollup_pending__isnull=True), scored)
        _offers_take(acc, service_ids)
        return _rollups_replace(acc, service_ids)


Tally = dict[tuple[int, int, int, str, dt.date], dict[str, int]]


def scored_versions() -> dict[int, Any]:
    """Survey version id -> parsed schema, for the versions that ask CSAT, effort or NPS (the
    only ones whose answers a count has to read)."""
    from govcx.feedback.models import SurveyVersion
    from govcx.feedback.schema import SurveySchema

    scored: dict[int, Any] = {}
    for vid, raw in SurveyVersion.objects.values_list("id", "schema").iterator():
        schema = SurveySchema.model_validate(raw)
        if any(q.role in ("csat", "satisfaction", "effort", "nps") for q in schema.questions):
            scored[vid] = schema
    return scored


def responses_tally(qs: Any, scored: dict[int, Any]) -> Tally:
    """The counters of the responses in `qs` (all are counted: filter out quarantined ones
    first), by (agency, service, touchpoint, channel, day). Used by the rebuild and by the
    catch-up (feedback.services.response_rollups_catch_up)."""
    acc: Tally = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    fields = ("agency_id", "service_id", "touchpoint_id", "channel", "submitted_at",
              "trust_positive", "trust_score", "drivers_positive", "drivers_negative", "language",
              "survey_version_id")
    plain = qs.exclude(survey_version_id__in=list(scored)).values_list(*fields)
    with_answers = qs.filter(survey_version_id__in=list(scored)).values_list(*fields, "answers")
    for rows in (plain, with_answers):
        for a, s, t, ch, at, tp, ts, dp, dn, lang, vid, *answers in rows.iterator(chunk_size=5000):
            scores = survey_scores(scored[vid], answers[0]) if answers else {}
            row = acc[(a, s, t, ch, local_day(at))]
            for k, v in response_counts(trust_positive=tp, trust_score=ts, drivers_positive=dp,
                                        drivers_negative=dn, language=lang, **scores).items():
                row[k] += v
    return acc


def _rollups_count(qs: Any, scored: dict[int, Any]) -> Tally:
    """The rebuild's recount of the responses in `qs`, by (agency, service, touchpoint,
    channel, day)."""
    return responses_tally(qs, scored)


def _offers_take(acc: Tally, service_ids: list[int] | None) -> None:
    """Add the offers of `service_ids` (all when None) to `acc` and mark them counted
    (`pending` 0). Runs in the rebuild's swap transaction. On SQLite that holds the write lock,
    so no offer is recorded in between. On PostgreSQL each row is locked as it is read (FOR
    UPDATE): an offer being recorded on it is waited for and included; an offer recorded after
    the read (a new row included) stays pending for the next catch-up, whose increment lands
    on the rows this swap writes."""
    from govcx.feedback.models import OfferCount

    qs = OfferCount.objects.select_for_update(of=("self",)).order_by("id")
    if service_ids is not None:
        qs = qs.filter(touchpoint__service_id__in=service_ids)
    pending: list[int] = []
    for oid, a, s, t, ch, day, n, p in qs.values_list(
            "id", "touchpoint__agency_id", "touchpoint__service_id", "touchpoint_id",
            "touchpoint__channel", "day", "count", "pending"):
        acc[(a, s, t, ch, day)]["offered"] += n
        if p:
            pending.append(oid)
    for i in range(0, len(pending), 500):
        OfferCount.objects.filter(pk__in=pending[i:i + 500]).update(pending=0)


def _rollups_replace(acc: Tally, service_ids: list[int] | None) -> int:
    """Replace the rollups of `service_ids` (all when None) by `acc`; returns rows written."""
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


# --- processing time (journeys) -------------------------------------------------------------
# Kept by a refresh with a watermark, not at write time: a journey's processing time depends
# on all its events (a later event can turn a completed journey into an open one again), and
# journey events are written in bulk by imports; one refresh recomputes only the journeys
# that received events since the last one (see docs/metrics.md, "Rollups for the KPIs").

PROCESSING_WATERMARK = "processing"
DEFAULT_END_ACTIVITY = "Case resolved"  # govcx.journeys.services.CASE_RESOLVED
WATERMARK_OVERLAP = 1000  # ids re-read each time: rows committed late by slower transactions


def end_activities(service_ids: Iterable[int]) -> dict[int, str]:
    """A service's end activity: the last step of its intended journey, or "Case resolved"."""
    from govcx.journeys.models import IntendedJourney

    ids = set(service_ids)
    out = dict.fromkeys(ids, DEFAULT_END_ACTIVITY)
    for sid, steps in IntendedJourney.objects.filter(service_id__in=ids).values_list(
            "service_id", "steps"):
        if steps:
            out[sid] = str(steps[-1])
    return out


Episode = tuple[str, float]  # (completion day ISO, seconds)


def _episodes(events: Iterable[tuple[int, int, str, dt.datetime]], ends: dict[int, str]
              ) -> dict[int, tuple[list[Episode], int]]:
    """Per service: the completed episodes of one journey and the id of its last end event.

    `events` are (id, service id, activity, at) of one journey in order. An episode runs from
    the first event of the service after the previous end (or the journey's start) to the
    next event whose activity is the service's end activity."""
    out: dict[int, tuple[list[Episode], int]] = {}
    start: dict[int, dt.datetime] = {}
    for eid, sid, activity, at in events:
        start.setdefault(sid, at)
        if activity == ends.get(sid, DEFAULT_END_ACTIVITY):
            eps, _ = out.get(sid, ([], 0))
            eps.append((local_day(at).isoformat(), (at - start.pop(sid)).total_seconds()))
            out[sid] = (eps, eid)
    return out


def _processing_add(agency_id: int, service_id: int, day: dt.date, n: int, total: float,
                    total_sq: float) -> None:
    from django.db import IntegrityError
    from django.db.models import F

    from govcx.metrics.models import ProcessingDaily

    changes = {"n": F("n") + n, "seconds_sum": F("seconds_sum") + total,
               "seconds_sumsq": F("seconds_sumsq") + total_sq}
    if ProcessingDaily.objects.filter(service_id=service_id, day=day).update(**changes):
        return
    try:
        with transaction.atomic():
            ProcessingDaily.objects.create(agency_id=agency_id, service_id=service_id, day=day,
                                           n=n, seconds_sum=total, seconds_sumsq=total_sq)
    except IntegrityError:  # created meanwhile by another transaction
        ProcessingDaily.objects.filter(service_id=service_id, day=day).update(**changes)


def processing_journey_apply(*, agency_id: int, case_key: str,
                             ends: dict[int, str] | None = None) -> None:
    """Recompute one journey's processing-time episodes and replace what it added before."""
    from govcx.journeys.models import JourneyEvent
    from govcx.metrics.models import ProcessingContribution

    with transaction.atomic():
        old = {c.service_id: c for c in ProcessingContribution.objects.select_for_update()
               .filter(agency_id=agency_id, case_key=case_key)}
        events = list(JourneyEvent.objects.filter(
            agency_id=agency_id, case_key=case_key, service_id__isnull=False)
            .order_by("at", "seq", "id").values_list("id", "service_id", "activity", "at"))
        if ends is None:
            ends = end_activities({e[1] for e in events})
        new = _episodes(events, ends)
        delta: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        for sid, c in old.items():
            for day, secs in c.episodes:
                d = delta[(sid, day)]
                d[0] -= 1
                d[1] -= secs
                d[2] -= secs * secs
        for sid, (eps, _) in new.items():
            for day, secs in eps:
                d = delta[(sid, day)]
                d[0] += 1
                d[1] += secs
                d[2] += secs * secs
        for (sid, day), (n, total, total_sq) in delta.items():
            if n or total or total_sq:
                _processing_add(agency_id, sid, dt.date.fromisoformat(day), int(n), total,
                                total_sq)
        for sid, c in old.items():
            if sid not in new:
                c.delete()
        for sid, (eps, end_id) in new.items():
            ProcessingContribution.objects.update_or_create(
                agency_id=agency_id, case_key=case_key, service_id=sid,
                defaults={"episodes": [list(e) for e in eps], "end_event_id": end_id})


def processing_refresh() -> dict[str, int]:
    """Bring ProcessingDaily up to date: recompute the journeys with events stored since the
    watermark, and those whose last end event was moved or deleted. Returns counts."""
    from django.db.models import Exists, Max, OuterRef

    from govcx.journeys.models import JourneyEvent
    from govcx.metrics.models import ProcessingContribution, Watermark

    mark, _ = Watermark.objects.get_or_create(name=PROCESSING_WATERMARK)
    top = JourneyEvent.objects.aggregate(m=Max("id"))["m"] or 0
    touched = set(JourneyEvent.objects.filter(
        id__gt=max(0, mark.value - WATERMARK_OVERLAP), id__lte=top, service_id__isnull=False)
        .order_by().values_list("agency_id", "case_key").distinct())
    gone = ProcessingContribution.objects.filter(
        ~Exists(JourneyEvent.objects.filter(pk=OuterRef("end_event_id"))))
    stale = set(gone.values_list("agency_id", "case_key"))
    for agency_id, key in sorted(touched | stale):
        processing_journey_apply(agency_id=agency_id, case_key=key)
    Watermark.objects.filter(pk=mark.pk).update(value=max(top, mark.value))
    return {"journeys": len(touched | stale), "moved_or_deleted": len(stale)}


def processing_rebuild(*, agency_ids: Iterable[int] | None = None) -> int:
    """Recompute ProcessingDaily (and the contributions) from every journey event."""
    from django.db.models import Max

    from govcx.core.models import Service
    from govcx.journeys.models import JourneyEvent
    from govcx.metrics.models import ProcessingContribution, ProcessingDaily, Watermark

    top = JourneyEvent.objects.aggregate(m=Max("id"))["m"] or 0
    qs = JourneyEvent.objects.filter(service_id__isnull=False, id__lte=top)
    if agency_ids is not None:
        agency_ids = list(agency_ids)
        qs = qs.filter(agency_id__in=agency_ids)
    ends = end_activities(Service.objects.values_list("id", flat=True))
    totals: dict[tuple[int, int, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    contributions: list[ProcessingContribution] = []

    def flush(agency_id: int, key: str, events: list[tuple[int, int, str, dt.datetime]]) -> None:
        for sid, (eps, end_id) in _episodes(events, ends).items():
            for day, secs in eps:
                t = totals[(agency_id, sid, day)]
                t[0] += 1
                t[1] += secs
                t[2] += secs * secs
            contributions.append(ProcessingContribution(
                agency_id=agency_id, case_key=key, service_id=sid,
                episodes=[list(e) for e in eps], end_event_id=end_id))

    current: tuple[int, str] | None = None
    events: list[tuple[int, int, str, dt.datetime]] = []
    rows = qs.order_by("agency_id", "case_key", "at", "seq", "id").values_list(
        "agency_id", "case_key", "id", "service_id", "activity", "at")
    for agency_id, key, eid, sid, activity, at in rows.iterator(chunk_size=5000):
        if current != (agency_id, key):
            if current is not None:
                flush(*current, events)
            current, events = (agency_id, key), []
        events.append((eid, sid, activity, at))
    if current is not None:
        flush(*current, events)
    with transaction.atomic():
        old_daily = ProcessingDaily.objects.all()
        old_contrib = ProcessingContribution.objects.all()
        if agency_ids is not None:
            old_daily = old_daily.filter(agency_id__in=agency_ids)
            old_contrib = old_contrib.filter(agency_id__in=agency_ids)
        old_daily.delete()
        old_contrib.delete()
        ProcessingDaily.objects.bulk_create(
            [ProcessingDaily(agency_id=a, service_id=s, day=dt.date.fromisoformat(d), n=int(n),
                             seconds_sum=t, seconds_sumsq=tq)
             for (a, s, d), (n, t, tq) in totals.items()], batch_size=2000)
        ProcessingContribution.objects.bulk_create(contributions, batch_size=2000)
        if agency_ids is None:
            Watermark.objects.update_or_create(name=PROCESSING_WATERMARK,
                                               defaults={"value": top})
    return len(totals)


# --- self-service containment (assistant) ---------------------------------------------------
# Fed at write time: one call in govcx.assist.conversation.conversation_start (a conversation
# started) and one in conversation_handover (it was handed over), both counted on the local
# day the conversation started.

def assist_rollup_add(*, agency_id: int, started_at: dt.datetime, conversations: int = 0,
                      handed_over: int = 0) -> None:
    from django.db import IntegrityError
    from django.db.models import F

    from govcx.metrics.models import AssistDaily

    day = local_day(started_at)
    changes = {"conversations": F("conversations") + conversations,
               "handed_over": F("handed_over") + handed_over}
    if AssistDaily.objects.filter(agency_id=agency_id, day=day).update(**changes):
        return
    try:
        with transaction.atomic():
            AssistDaily.objects.create(agency_id=agency_id, day=day, conversations=conversations,
                                       handed_over=handed_over)
    except IntegrityError:
        AssistDaily.objects.filter(agency_id=agency_id, day=day).update(**changes)


def assist_rollups_rebuild(*, agency_ids: Iterable[int] | None = None) -> int:
    """Recompute AssistDaily from the conversations."""
    from govcx.assist.models import Conversation
    from govcx.metrics.models import AssistDaily

    qs = Conversation.objects.all()
    if agency_ids is not None:
        agency_ids = list(agency_ids)
        qs = qs.filter(agency_id__in=agency_ids)
    acc: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    for a, at, status in qs.values_list("agency_id", "started_at", "status").iterator(
            chunk_size=5000):
        row = acc[(a, local_day(at))]
        row[0] += 1
        row[1] += int(status == Conversation.Status.HANDED_OVER)
    with transaction.atomic():
        old = AssistDaily.objects.all()
        if agency_ids is not None:
            old = old.filter(agency_id__in=agency_ids)
        old.delete()
        AssistDaily.objects.bulk_create(
            [AssistDaily(agency_id=a, day=d, conversations=c, handed_over=h)
             for (a, d), (c, h) in acc.items()], batch_size=2000)
    return len(acc)


# --- targets --------------------------------------------------------------------------------

class TargetError(ValueError):
    """A target is not valid; the message says why (shown to the person)."""


def _target_clean(*, service: Any, kpi: str, start: dt.date, end: dt.date, value: float,
                  direction: str, note: str) -> tuple[float, str, str]:
    import math

    from django.utils.translation import gettext as _

    from govcx.metrics.kpi import KPIS

    k = KPIS.get(kpi)
    if k is None:
        raise TargetError(_("Choose a measure from the list."))
    if k.scope != "service":
        raise TargetError(_("%(kpi)s is measured for the whole agency, not for one service.")
                          % {"kpi": k.label})
    if start > end:
        raise TargetError(_("The start of the period must be on or before its end."))
    if (end - start).days > 366 * 5:
        raise TargetError(_("A target period can be at most five years long."))
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise TargetError(_("Enter the target as a number."))
    if (k.low is not None and value < k.low) or (k.high is not None and value > k.high):
        lo = "" if k.low is None else f"{k.low:g}"
        hi = "" if k.high is None else f"{k.high:g}"
        raise TargetError(_("A target for %(kpi)s must be between %(lo)s and %(hi)s.")
                          % {"kpi": k.label, "lo": lo or "−∞", "hi": hi or "∞"}
                          if lo and hi else
                          _("A target for %(kpi)s cannot be below %(lo)s.")
                          % {"kpi": k.label, "lo": lo})
    if direction not in ("at_least", "at_most"):
        raise TargetError(_("Choose whether the value should be at least or at most the "
                            "target."))
    note = str(note or "").replace("\x00", "").strip()
    if len(note) > 300:
        raise TargetError(_("The note can be at most 300 characters."))
    return float(value), direction, note


def _public_check(*, agency_id: int, public: bool, was_public: bool, actor: Any) -> None:
    """What the public dashboard shows is decided by performance managers and administrators
    (`transparency.publish`): only they make a target public or change a public one. A write
    with no actor (the demo seeder, imports) is the system's own."""
    if actor is None or not (public or was_public):
        return
    from django.utils.translation import gettext as _

    from govcx.core.selectors import agency_ids_for

    if agency_id not in agency_ids_for(actor, "transparency.publish"):
        raise TargetError(_("Only a performance manager or an administrator can show a target "
                            "on the public dashboard, or change one that is shown there."))


def target_create(*, service: Any, kpi: str, start: dt.date, end: dt.date, value: float,
                  direction: str = "", public: bool = False, note: str = "",
                  actor: Any = None) -> Any:
    """A new target for one KPI of one service over start..end (value in the KPI's unit)."""
    from govcx.core.services import audit_record
    from govcx.metrics.kpi import KPIS
    from govcx.metrics.models import Target

    _public_check(agency_id=service.agency_id, public=public, was_public=False, actor=actor)
    if not direction and kpi in KPIS:
        direction = "at_least" if KPIS[kpi].higher_is_better else "at_most"
    value, direction, note = _target_clean(service=service, kpi=kpi, start=start, end=end,
                                           value=value, direction=direction, note=note)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        target = Target.objects.create(
            agency_id=service.agency_id, service=service, kpi=kpi, start=start, end=end,
            value=value, direction=direction, public=bool(public), note=note, created_by=user)
        audit_record(action="target.create", actor=actor, agency=service.agency_id,
                     object_type="target", object_id=target.pk,
                     detail={"service": service.pk, "kpi": kpi, "value": value})
    return target


def target_update(*, target: Any, kpi: str, start: dt.date, end: dt.date, value: float,
                  direction: str, public: bool = False, note: str = "",
                  actor: Any = None) -> Any:
    from govcx.core.services import audit_record

    _public_check(agency_id=target.agency_id, public=public, was_public=target.public,
                  actor=actor)
    value, direction, note = _target_clean(service=target.service, kpi=kpi, start=start,
                                           end=end, value=value, direction=direction, note=note)
    with transaction.atomic():
        target.kpi, target.start, target.end, target.value = kpi, start, end, value
        target.direction, target.public, target.note = direction, bool(public), note
        target.save(update_fields=["kpi", "start", "end", "value", "direction", "public",
                                   "note"])
        audit_record(action="target.update", actor=actor, agency=target.agency_id,
                     object_type="target", object_id=target.pk,
                     detail={"kpi": kpi, "value": value})
    return target


def target_delete(*, target: Any, actor: Any = None) -> None:
    from govcx.core.services import audit_record

    with transaction.atomic():
        audit_record(action="target.delete", actor=actor, agency=target.agency_id,
                     object_type="target", object_id=target.pk,
                     detail={"kpi": target.kpi, "value": target.value})
        target.delete()
