"""Incremental rollups of the contact-centre measures (the writes; reads are `report_rollups`).

`CaseDaily` and `CallDaily` hold the counters of `contact.metrics` per agency, day and
dimension. Each case (with its calls), and each call without a case, remembers in
`RollupContribution` exactly what it last added, so that when it changes - it is resolved,
reopened, reassigned, or a re-contact arrives days later and turns a first-contact
resolution into a repeat contact - its old contribution is subtracted and the new one added.

Call `contact_rollups_apply_case(case_id)` after any change to a case or its contacts, and
`contact_rollups_apply_contact(contact_id)` after a contact is received; both also refresh
the same customer's earlier cases whose FCR window the change falls in.
`contact_rollups_rebuild()` recomputes everything from raw rows.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Min, Q, QuerySet, Sum
from django.utils import timezone

from govcx.contact import metrics as m
from govcx.contact.models import (
    CallDaily,
    CallDayService,
    Case,
    CaseDaily,
    CaseDayService,
    Channel,
    Contact,
    RollupContribution,
)

CASE_KEY = ("agency_id", "day", "channel", "queue_id", "agent_id", "topic", "service_id")
CALL_KEY = ("agency_id", "day", "queue_id", "agent_id", "topic", "service_id")
CASE_S_KEY = ("agency_id", "day", "channel", "service_id")
CALL_S_KEY = ("agency_id", "day", "service_id")
ALL_CASE_COUNTERS = m.CASE_COUNTERS + m.STATE_COUNTERS
Row = tuple[str, tuple[Any, ...], dict[str, int]]  # ("case"|"call", key, counters)
# kind → (table, key columns); "case_s"/"call_s" are the coarse tables (no queue/agent/topic)
TABLES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "case": (CaseDaily, CASE_KEY), "call": (CallDaily, CALL_KEY),
    "case_s": (CaseDayService, CASE_S_KEY), "call_s": (CallDayService, CALL_S_KEY)}
# a contribution's pseudo-row listing the case's linked survey answers, {answer id: 1 if it
# says the need was addressed else 0}: not a table row; reported_n/pos are counted from it
ANSWERS = "answers"


def _coarse(kind: str, key: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """The coarse table's slot a fine row adds to (queue, agent and topic dropped)."""
    if kind == "case":
        return "case_s", (key[0], key[1], key[2], key[6])
    return "call_s", (key[0], key[1], key[5])


def _case_row(f: m.CaseFacts) -> Row:
    key = (f.agency_id, f.day.isoformat(), f.channel, f.queue, f.agent, f.topic, f.service)
    counters = {**f.counters(), **f.state_counters()}
    return ("case", key, {k: v for k, v in counters.items() if v})


def _call_row(f: m.CallFacts) -> Row:
    key = (f.agency_id, f.day.isoformat(), f.queue, f.agent, f.topic, f.service)
    return ("call", key, {k: v for k, v in f.counters().items() if v})


def _sum_rows(rows: Iterable[Row]) -> dict[tuple[str, tuple[Any, ...]], Counter[str]]:
    out: dict[tuple[str, tuple[Any, ...]], Counter[str]] = defaultdict(Counter)
    for kind, key, counters in rows:
        if kind != ANSWERS:
            out[(kind, tuple(key))].update(counters)
    return out


def _upsert(kind: str, key: tuple[Any, ...], delta: dict[str, int]) -> None:
    model, names = TABLES[kind]
    where = dict(zip(names, key, strict=True))
    where["day"] = dt.date.fromisoformat(where["day"])
    changes = {k: F(k) + v for k, v in delta.items() if v}
    if not changes:
        return
    if model.objects.filter(**where).update(**changes):
        return
    try:
        with transaction.atomic():
            model.objects.create(**where, **{k: v for k, v in delta.items()})
    except IntegrityError:  # created meanwhile by another transaction
        model.objects.filter(**where).update(**changes)


def _apply(key: str, agency_id: int, rows: list[Row], *,
           answers_add: dict[str, int] | None = None) -> None:
    """Replace what `key` contributed with `rows` (subtract the old, add the new), in the
    fine tables and in the coarse ones. The case's linked answers are kept from its last
    contribution (plus `answers_add`), and its row's reported_n/pos counted from them."""
    old = RollupContribution.objects.select_for_update().filter(key=key).first()
    old_rows = old.rows if old else []
    answers: dict[str, int] = {}
    for kind, _k, c in old_rows:
        if kind == ANSWERS:
            answers.update(c)
    answers.update(answers_add or {})
    for kind, _k, counters in rows:
        if kind == "case":
            counters.pop("reported_n", None)
            counters.pop("reported_pos", None)
            if answers:
                counters["reported_n"] = len(answers)
                if sum(answers.values()):
                    counters["reported_pos"] = sum(answers.values())
            break
    before = _sum_rows([(k, tuple(kk), c) for k, kk, c in old_rows])
    after = _sum_rows(rows)
    deltas: dict[tuple[str, tuple[Any, ...]], Counter[str]] = defaultdict(Counter)
    for slot in set(before) | set(after):
        a, b = after.get(slot, Counter()), before.get(slot, Counter())
        delta = {name: a[name] - b[name] for name in set(a) | set(b) if a[name] != b[name]}
        if delta:
            deltas[slot].update(delta)
            deltas[_coarse(*slot)].update(delta)
    # one order for every writer (fine rows, then coarse), so concurrent ones do not deadlock
    for (kind, k), delta in sorted(deltas.items(), key=lambda x: (x[0][0], str(x[0][1]))):
        if any(delta.values()):
            _upsert(kind, k, {n: v for n, v in delta.items() if v})
    stored = [[kind, list(k), dict(c)] for (kind, k), c in after.items()]
    if answers:
        stored.append([ANSWERS, [], answers])
    if old is None:
        if stored:
            RollupContribution.objects.create(key=key, agency_id=agency_id, rows=stored)
    elif stored:
        old.rows = stored
        old.save(update_fields=["rows"])
    else:
        old.delete()


def _case_rows(case_id: int) -> tuple[int | None, list[Row]]:
    """A case's rows (its linked-answer counters are filled in by `_apply`)."""
    case = Case.objects.filter(pk=case_id).values("agency_id").first()
    if case is None:
        return None, []
    f = m.MetricFilter(agency_ids=frozenset({case["agency_id"]}))
    rows = [_case_row(x) for x in m.case_facts(m.cases_filtered(f).filter(pk=case_id))]
    calls = m.call_facts(m.calls_filtered(f).filter(case_id=case_id))
    rows += [_call_row(x) for x in calls]
    return case["agency_id"], rows


def _earlier_cases(case: Case) -> list[int]:
    """The same customer's cases resolved in the FCR window before this case began: a new
    case (or a contact on this one) may be their re-contact."""
    if case.customer_id is None:
        return []
    last = (Contact.objects.filter(case_id=case.pk).order_by("-at")
            .values_list("at", flat=True).first()) or case.opened_at
    return list(Case.objects.filter(
        agency_id=case.agency_id, customer_id=case.customer_id,
        resolved_at__gte=case.opened_at - m.fcr_window(), resolved_at__lte=last,
    ).exclude(pk=case.pk).values_list("id", flat=True))


_deferred = threading.local()


@contextmanager
def contact_rollups_deferred(*, agency_ids: Iterable[int] | None = None) -> Iterator[None]:
    """For bulk loads through the services (demo history, migrations of old systems): skip
    the per-write updates and rebuild once at the end, which is far cheaper for many rows.
    Dashboards may read stale figures until the block ends."""
    _deferred.on = True
    try:
        yield
    finally:
        _deferred.on = False
    contact_rollups_rebuild(agency_ids=agency_ids)


def contact_rollups_apply_case(case_id: int) -> None:
    """Recompute one case's contribution and that of the earlier cases it may re-contact."""
    if getattr(_deferred, "on", False):
        return
    with transaction.atomic():
        case = Case.objects.filter(pk=case_id).first()
        if case is None:
            stale = RollupContribution.objects.filter(key=f"case:{case_id}").first()
            if stale is not None:
                _apply(stale.key, stale.agency_id, [])
            return
        for pk in [case_id, *_earlier_cases(case)]:
            agency_id, rows = _case_rows(pk)
            if agency_id is not None:
                _apply(f"case:{pk}", agency_id, rows)


def contact_rollups_apply_answer(response_id: int) -> None:
    """After a survey answer linked to a case is stored (invitation external_id
    "case:<id>", or an imported answer's own): add it to the case's linked answers
    (reported FCR) and refresh the case's contribution. Call on commit, only for linked
    answers; calling it twice for one answer counts it once."""
    if getattr(_deferred, "on", False):
        return
    from govcx.feedback.models import Response

    row = Response.objects.filter(pk=response_id).values_list(*m.ANSWER_FIELDS).first()
    if row is None:
        return
    pk, agency_id, inv_ext, ext, answers, schema = row
    link = m.answer_link(inv_ext, ext, answers, schema)
    if link is None or not Case.objects.filter(pk=link[0], agency_id=agency_id).exists():
        return
    with transaction.atomic():
        _agency, rows = _case_rows(link[0])
        _apply(f"case:{link[0]}", agency_id, rows, answers_add={str(pk): int(link[1])})


def contact_rollups_apply_contact(contact_id: int) -> None:
    """After a contact is received: its case (and the cases it re-contacts), or the call
    alone when it has no case (an abandoned call that opened none)."""
    if getattr(_deferred, "on", False):
        return
    contact = Contact.objects.filter(pk=contact_id).values("case_id", "agency_id").first()
    if contact is None:
        return
    if contact["case_id"] is not None:
        contact_rollups_apply_case(contact["case_id"])
        return
    f = m.MetricFilter(agency_ids=frozenset({contact["agency_id"]}))
    rows = [_call_row(x) for x in m.call_facts(m.calls_filtered(f).filter(pk=contact_id))]
    with transaction.atomic():
        _apply(f"call:{contact_id}", contact["agency_id"], rows)


def _insert_many(model: Any, columns: list[str], rows: Iterable[tuple[Any, ...]],
                 batch_size: int) -> None:
    """Plain executemany INSERTs: the ORM's bulk_create spends most of a rebuild preparing
    values one field at a time."""
    q = connection.ops.quote_name
    sql = (f"INSERT INTO {q(model._meta.db_table)} "  # noqa: S608 (model's own names)
           f"({', '.join(q(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})")
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cur:
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                cur.executemany(sql, batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)


def contact_rollups_rebuild(*, agency_ids: Iterable[int] | None = None,
                            batch_size: int = 5000) -> dict[str, int]:
    """Recompute every rollup row (of the given agencies, or all) from raw rows."""
    ids = (frozenset(agency_ids) if agency_ids is not None
           else frozenset(Case.objects.values_list("agency_id", flat=True).distinct())
           | frozenset(Contact.objects.values_list("agency_id", flat=True).distinct()))
    f = m.MetricFilter(agency_ids=ids)
    case_tot: dict[tuple[Any, ...], Counter[str]] = defaultdict(Counter)
    call_tot: dict[tuple[Any, ...], Counter[str]] = defaultdict(Counter)
    contrib: dict[str, tuple[int, list[Any]]] = {}
    reported = m.reported_by_case(ids)
    for cf in m.case_facts(m.cases_filtered(f), chunk_size=batch_size, reported=reported):
        _, key, counters = _case_row(cf)
        case_tot[key].update(counters)
        contrib[f"case:{cf.case_id}"] = (cf.agency_id, [["case", list(key), counters]])
        linked = reported.get((cf.case_id, cf.agency_id))
        if linked:
            contrib[f"case:{cf.case_id}"][1].append([ANSWERS, [], linked])
    for call in m.call_facts(m.calls_filtered(f), chunk_size=batch_size):
        _, key, counters = _call_row(call)
        call_tot[key].update(counters)
        slot = f"case:{call.case_id}" if call.case_id is not None else f"call:{call.contact_id}"
        if slot not in contrib:
            contrib[slot] = (call.agency_id, [])
        rows = contrib[slot][1]
        for r in rows:
            if r[0] == "call" and tuple(r[1]) == key:
                r[2] = dict(Counter(r[2]) + Counter(counters))
                break
        else:
            rows.append(["call", list(key), counters])
    coarse: dict[str, dict[tuple[Any, ...], Counter[str]]] = {
        "case_s": defaultdict(Counter), "call_s": defaultdict(Counter)}
    for kind, tot in (("case", case_tot), ("call", call_tot)):
        for k, c in tot.items():
            ckind, ck = _coarse(kind, k)
            coarse[ckind][ck].update(c)
    with transaction.atomic():
        for model, _names in TABLES.values():
            model.objects.filter(agency_id__in=ids).delete()
        RollupContribution.objects.filter(agency_id__in=ids).delete()

        day = connection.ops.adapt_datefield_value
        for kind, tot, cols in (("case", case_tot, ALL_CASE_COUNTERS),
                                ("call", call_tot, m.CALL_COUNTERS),
                                ("case_s", coarse["case_s"], ALL_CASE_COUNTERS),
                                ("call_s", coarse["call_s"], m.CALL_COUNTERS)):
            model, names = TABLES[kind]
            _insert_many(model, [*names, *cols],
                         ((*k[:1], day(dt.date.fromisoformat(k[1])), *k[2:],
                           *(c[n] for n in cols)) for k, c in tot.items()),
                         batch_size)
        _insert_many(RollupContribution, ["key", "agency_id", "rows"],
                     ((key, a, json.dumps(rows)) for key, (a, rows) in contrib.items()),
                     batch_size)
    return {"case_rows": len(case_tot), "call_rows": len(call_tot),
            "contributions": len(contrib)}


# --- reading -------------------------------------------------------------------------------

def _dim_filter(qs: QuerySet[Any], f: m.MetricFilter) -> QuerySet[Any]:
    qs = qs.filter(agency_id__in=f.agency_ids)
    if f.start is not None:
        qs = qs.filter(day__gte=f.start)
    if f.end is not None:
        qs = qs.filter(day__lte=f.end)
    for name in ("queue", "agent", "service"):
        value = getattr(f, name)
        if value is not None:
            qs = qs.filter(**{f"{name}_id": value})
    if f.topic is not None:
        qs = qs.filter(topic=f.topic)
    return qs


GROUP_COLUMN = {"channel": "channel", "queue": "queue_id", "agent": "agent_id",
                "topic": "topic", "service": "service_id", "day": "day", "week": "day",
                "month": "day"}


def _grouped(qs: QuerySet[Any], counters: tuple[str, ...], dimension: str | None,
             out: dict[Any, Counter[str]], fixed_channel: str | None = None) -> None:
    sums = {k: Sum(k) for k in counters}
    if dimension is None:
        row = qs.aggregate(**sums)
        out.setdefault("all", m.empty_totals()).update({k: v or 0 for k, v in row.items()})
        return
    col = GROUP_COLUMN[dimension]
    if dimension == "channel" and fixed_channel is not None:
        row = qs.aggregate(**sums)
        if any(row.values()):
            out.setdefault(fixed_channel, m.empty_totals()).update(
                {k: v or 0 for k, v in row.items()})
        return
    for row in qs.order_by().values(col).annotate(**sums):
        g = row.pop(col)
        if dimension == "week":
            g = g - dt.timedelta(days=g.weekday())
        elif dimension == "month":
            g = g.replace(day=1)
        out.setdefault(g, m.empty_totals()).update({k: v or 0 for k, v in row.items()})


def _coarse_will_do(f: m.MetricFilter, dimension: str | None = None) -> bool:
    """The coarse tables answer whenever neither the filter nor the grouping uses queue,
    agent or topic (their rows: days × channels × services, whatever the volume)."""
    return (f.queue is None and f.agent is None and f.topic is None
            and dimension not in ("queue", "agent", "topic"))


def _tables(f: m.MetricFilter, dimension: str | None = None) -> tuple[Any, Any]:
    if _coarse_will_do(f, dimension):
        return CaseDayService, CallDayService
    return CaseDaily, CallDaily


def report_rollups(f: m.MetricFilter, dimension: str | None = None) -> m.Report:
    """The same figures as `metrics.report_raw`, read from the rollup tables."""
    if dimension is not None and dimension not in m.DIMENSIONS:
        raise ValueError(f"Unknown dimension '{dimension}'.")
    case_model, call_model = _tables(f, dimension)
    out: dict[Any, Counter[str]] = {}
    cases = _dim_filter(case_model.objects.all(), f)
    if f.channel is not None:
        cases = cases.filter(channel=f.channel)
    _grouped(cases, m.CASE_COUNTERS, dimension, out)
    if f.channel is None or f.channel == Channel.PHONE:
        _grouped(_dim_filter(call_model.objects.all(), f), m.CALL_COUNTERS, dimension, out,
                 fixed_channel=Channel.PHONE.value)
    # groups whose counters are all zero (everything subtracted) are not shown
    return m.Report(dimension, {g: t for g, t in out.items() if any(t.values())})


def state_rollups(f: m.MetricFilter, *, now: dt.datetime | None = None
                  ) -> tuple[m.Backlog, m.Figure]:
    """The backlog (`metrics.backlog`) and reported FCR (`metrics.reported_fcr`) of the
    filter's cases, from the rollups: one aggregate over the rollup rows, and for the oldest
    open case one query over the cases opened on the earliest day that still has one."""
    now = now or timezone.now()
    case_model, _call = _tables(f)
    qs = _dim_filter(case_model.objects.all(), f)
    if f.channel is not None:
        qs = qs.filter(channel=f.channel)
    row = qs.aggregate(n=Sum("open_now"), epoch=Sum("open_opened_epoch_sum"),
                       first=Min("day", filter=Q(open_now__gt=0)),
                       rn=Sum("reported_n"), rp=Sum("reported_pos"))
    oldest = None
    if row["n"] and row["first"] is not None:
        first = row["first"]
        day_f = replace(f, start=max(first, f.start or first), end=first)
        oldest = (m.backlog_cases(day_f).order_by()
                  .aggregate(o=Min("opened_at"))["o"])
    return (m.backlog_of(int(row["n"] or 0), int(row["epoch"] or 0), oldest, now),
            m.reported_figure(int(row["rp"] or 0), int(row["rn"] or 0)))


def rollup_matches_raw(f: m.MetricFilter, dimension: str | None = None) -> bool:
    """True when the rollups give exactly the raw counters (a self-check for tests/ops)."""
    raw = {g: t for g, t in m.report_raw(f, dimension).totals.items() if any(t.values())}
    return raw == report_rollups(f, dimension).totals


__all__ = ["contact_rollups_apply_answer", "contact_rollups_apply_case",
           "contact_rollups_apply_contact", "contact_rollups_rebuild", "report_rollups",
           "rollup_matches_raw", "state_rollups"]
