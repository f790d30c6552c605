"""Contact-centre measures, computed from raw rows (cases, contacts, survey responses).

The definitions are in docs/metrics.md; this module is their one implementation. Every
function takes a `MetricFilter` whose `agency_ids` is always set by the caller from
`agency_ids_for(user, capability)`: nothing here reads across agencies.

`case_facts` / `call_facts` turn rows into per-case / per-call facts; `totals_of` adds facts
up into counters (the same counters the rollup tables keep, see `metrics_rollups`);
`figures_of` turns counters into the reported numbers. The raw path and the rollup path
share the counters, so a test can check that they agree.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from govcx.contact import sla
from govcx.contact.models import (
    BusinessCalendar,
    Case,
    CaseEvent,
    Channel,
    Contact,
    SlaPolicy,
)

CASE_COUNTERS = (
    "cases", "resolved", "ever_resolved", "fcr_eligible", "fcr_yes", "recontacted", "reopened",
    "first_response_n", "first_response_seconds_sum", "resolution_n", "resolution_seconds_sum",
    "resolution_business_seconds_sum",
)
CALL_COUNTERS = (
    "offered", "answered", "abandoned", "routed_to_agent", "answered_by_agent",
    "wait_seconds_sum", "answered_within_target", "handle_n", "handle_seconds_sum",
)
# The cases' present state, kept in the same rollup rows (not part of `Report`): the backlog
# (open now, and the sum of their opened_at in epoch seconds for the average age) and the
# survey answers linked to the case (reported FCR).
STATE_COUNTERS = ("open_now", "open_opened_epoch_sum", "reported_n", "reported_pos")
DIMENSIONS = ("channel", "queue", "agent", "topic", "service", "day", "week", "month")
NO_TOPIC = "__none__"  # in a URL: cases with no topic


OPEN_STATUSES = (Case.Status.NEW, Case.Status.OPEN, Case.Status.PENDING)


def fcr_window() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "FCR_WINDOW_DAYS", 7)))


def service_level_seconds() -> int:
    return int(getattr(settings, "SERVICE_LEVEL_SECONDS", 60))


def service_level_target() -> float:
    return float(getattr(settings, "SERVICE_LEVEL_TARGET", 0.80))


@dataclass(frozen=True)
class MetricFilter:
    """What to measure. `agency_ids` is required and always applied.

    Dimension filters: None = any; queue/agent/service 0 = none set; topic "" = no topic.
    `start`/`end` are inclusive local dates of the day a case was opened (cases) or a call
    entered the queue (calls).
    """

    agency_ids: frozenset[int]
    start: dt.date | None = None
    end: dt.date | None = None
    channel: str | None = None
    queue: int | None = None
    agent: int | None = None
    topic: str | None = None
    service: int | None = None


def _bounds(f: MetricFilter) -> tuple[dt.datetime | None, dt.datetime | None]:
    tz = timezone.get_default_timezone()
    lo = (dt.datetime.combine(f.start, dt.time.min, tz) if f.start else None)
    hi = (dt.datetime.combine(f.end + dt.timedelta(days=1), dt.time.min, tz) if f.end else None)
    return lo, hi


def local_day(moment: dt.datetime, tz: dt.tzinfo | None = None) -> dt.date:
    """The day of a moment in the project's time zone (the day rollups are kept by)."""
    return moment.astimezone(tz or timezone.get_default_timezone()).date()


# --- cases -----------------------------------------------------------------------------------

@dataclass
class CaseFacts:
    case_id: int
    agency_id: int
    day: dt.date
    channel: str
    queue: int
    agent: int
    topic: str
    service: int
    status: str
    opened_at: dt.datetime
    customer_contacts: int
    resolved: bool
    ever_resolved: bool
    fcr_eligible: bool
    fcr_yes: bool
    recontacted: bool
    reopened: bool
    first_response_seconds: int | None
    resolution_seconds: int | None
    resolution_business_seconds: int | None
    reported_n: int = 0
    reported_pos: int = 0

    @property
    def open_now(self) -> bool:
        return self.status in OPEN_STATUSES

    def state_counters(self) -> dict[str, int]:
        is_open = self.open_now
        return {"open_now": int(is_open),
                "open_opened_epoch_sum": epoch_seconds(self.opened_at) if is_open else 0,
                "reported_n": self.reported_n, "reported_pos": self.reported_pos}

    def counters(self) -> dict[str, int]:
        c = {
            "cases": 1, "resolved": int(self.resolved), "ever_resolved": int(self.ever_resolved),
            "fcr_eligible": int(self.fcr_eligible), "fcr_yes": int(self.fcr_yes),
            "recontacted": int(self.recontacted), "reopened": int(self.reopened),
            "first_response_n": 0, "first_response_seconds_sum": 0, "resolution_n": 0,
            "resolution_seconds_sum": 0, "resolution_business_seconds_sum": 0,
        }
        if self.first_response_seconds is not None:
            c["first_response_n"] = 1
            c["first_response_seconds_sum"] = self.first_response_seconds
        if self.resolution_seconds is not None:
            c["resolution_n"] = 1
            c["resolution_seconds_sum"] = self.resolution_seconds
            c["resolution_business_seconds_sum"] = self.resolution_business_seconds or 0
        return c


def cases_filtered(f: MetricFilter) -> QuerySet[Case]:
    """Cases the filter covers (merged-away cases are left out: their contacts moved)."""
    qs = Case.objects.filter(agency_id__in=f.agency_ids, merged_into__isnull=True)
    lo, hi = _bounds(f)
    if lo is not None:
        qs = qs.filter(opened_at__gte=lo)
    if hi is not None:
        qs = qs.filter(opened_at__lt=hi)
    if f.channel is not None:
        qs = qs.filter(channel=f.channel)
    if f.queue is not None:
        qs = qs.filter(queue__isnull=True) if f.queue == 0 else qs.filter(queue_id=f.queue)
    if f.agent is not None:
        qs = qs.filter(assignee__isnull=True) if f.agent == 0 else qs.filter(assignee_id=f.agent)
    if f.service is not None:
        qs = (qs.filter(service__isnull=True) if f.service == 0
              else qs.filter(service_id=f.service))
    if f.topic is not None:
        qs = qs.filter(topic=f.topic)
    return qs


def _annotated(qs: QuerySet[Case]) -> QuerySet[Case]:
    window = fcr_window()
    later_case = Case.objects.filter(
        agency_id=OuterRef("agency_id"), customer_id=OuterRef("customer_id"),
        merged_into__isnull=True, topic=OuterRef("topic"),
        opened_at__gt=OuterRef("resolved_at"),
        opened_at__lte=OuterRef("resolved_at") + window,
    )
    inbound = Contact.Direction.INBOUND
    return qs.annotate(
        m_inbound=Count("contacts", filter=Q(contacts__direction=inbound)),
        m_late=Count("contacts", filter=Q(
            contacts__direction=inbound, contacts__at__gt=F("resolved_at"),
            contacts__at__lte=F("resolved_at") + window)),
        m_later_case=Exists(later_case),
        m_came_back=Exists(CaseEvent.objects.filter(case_id=OuterRef("pk"), kind="reopened")),
    )


FACT_FIELDS = ("id", "agency_id", "opened_at", "channel", "queue_id", "assignee_id", "topic",
               "service_id", "status", "customer_id", "resolved_at", "first_response_at",
               "reopen_count", "sla_policy_id", "m_inbound", "m_late", "m_later_case",
               "m_came_back")


class _Calendars:
    """SLA policy id → its business calendar, loaded once per computation."""

    def __init__(self) -> None:
        self._by_policy: dict[int, BusinessCalendar | None] = {}

    def get(self, policy_id: int | None) -> BusinessCalendar | None:
        if policy_id is None:
            return None
        if policy_id not in self._by_policy:
            policy = SlaPolicy.objects.filter(pk=policy_id).select_related("calendar").first()
            self._by_policy[policy_id] = policy.calendar if policy else None
        return self._by_policy[policy_id]


def epoch_seconds(moment: dt.datetime) -> int:
    """Whole seconds since 1970 (fractions dropped): how the backlog's ages are kept."""
    return math.floor(moment.timestamp())


def case_facts(qs: QuerySet[Case], *, chunk_size: int = 5000,
               reported: dict[tuple[int, int], dict[str, int]] | None = None
               ) -> Iterator[CaseFacts]:
    """One CaseFacts per case of `qs` (see docs/metrics.md for each field). `reported`:
    (case id, agency id) → its linked answers, from `reported_by_case`."""
    reported = reported or {}
    cals = _Calendars()
    tz = timezone.get_default_timezone()
    rows = _annotated(qs.order_by()).values_list(*FACT_FIELDS)
    for (pk, agency_id, opened_at, channel, queue_id, agent_id, topic, service_id, status,
         customer_id, resolved_at, first_response_at, reopen_count, policy_id, inbound, late,
         later_case, came_back) in rows.iterator(chunk_size=chunk_size):
        resolved = resolved_at is not None
        recontacted = resolved and (late > 0 or bool(came_back)
                                    or (customer_id is not None and bool(later_case)))
        eligible = resolved and inbound >= 1
        res_s = res_b = None
        if resolved:
            res_s = max(0, int((resolved_at - opened_at).total_seconds()))
            res_b = int(sla.business_seconds_between(opened_at, resolved_at, cals.get(policy_id)))
        first = (max(0, int((first_response_at - opened_at).total_seconds()))
                 if first_response_at is not None else None)
        yield CaseFacts(
            case_id=pk, agency_id=agency_id, day=local_day(opened_at, tz), channel=channel,
            queue=queue_id or 0, agent=agent_id or 0, topic=topic, service=service_id or 0,
            status=status, opened_at=opened_at, customer_contacts=inbound, resolved=resolved,
            ever_resolved=resolved or reopen_count > 0,
            fcr_eligible=eligible, fcr_yes=eligible and inbound == 1 and not recontacted,
            recontacted=recontacted, reopened=reopen_count > 0,
            first_response_seconds=first, resolution_seconds=res_s,
            resolution_business_seconds=res_b,
            reported_n=len(reported.get((pk, agency_id), {})),
            reported_pos=sum(reported.get((pk, agency_id), {}).values()),
        )


# --- calls -----------------------------------------------------------------------------------

@dataclass
class CallFacts:
    contact_id: int
    case_id: int | None
    agency_id: int
    day: dt.date
    queue: int
    agent: int
    topic: str
    service: int
    answered: bool
    abandoned: bool
    routed_to_agent: bool
    wait_seconds: int
    talk_seconds: int
    hold_seconds: int

    def counters(self) -> dict[str, int]:
        answered_by_agent = self.routed_to_agent and self.answered
        handled = self.answered and (self.talk_seconds or self.hold_seconds)
        return {
            "offered": 1, "answered": int(self.answered), "abandoned": int(self.abandoned),
            "routed_to_agent": int(self.routed_to_agent),
            "answered_by_agent": int(answered_by_agent),
            "wait_seconds_sum": self.wait_seconds if self.answered else 0,
            "answered_within_target": int(self.answered
                                          and self.wait_seconds <= service_level_seconds()),
            "handle_n": int(bool(handled)),
            "handle_seconds_sum": (self.talk_seconds + self.hold_seconds) if handled else 0,
        }


def calls_filtered(f: MetricFilter) -> QuerySet[Contact]:
    """Inbound phone contacts that carry a call record (answered or abandoned is set)."""
    qs = Contact.objects.filter(agency_id__in=f.agency_ids, channel=Channel.PHONE,
                                direction=Contact.Direction.INBOUND).filter(
        Q(answered__isnull=False) | Q(abandoned__isnull=False))
    if f.channel is not None and f.channel != Channel.PHONE:
        return qs.none()
    lo, hi = _bounds(f)
    if lo is not None:
        qs = qs.filter(at__gte=lo)
    if hi is not None:
        qs = qs.filter(at__lt=hi)
    if f.queue is not None:  # the queue the call entered, else its case's queue
        qs = qs.filter(Q(queue__isnull=True) & (Q(case__isnull=True) | Q(case__queue__isnull=True))
                       if f.queue == 0 else
                       Q(queue_id=f.queue) | Q(queue__isnull=True, case__queue_id=f.queue))
    for name, col in (("agent", "case__assignee"), ("service", "case__service")):
        value = getattr(f, name)
        if value is not None:
            qs = qs.filter(**({f"{col}__isnull": True} if value == 0 else {f"{col}_id": value}))
    if f.topic is not None:
        qs = (qs.filter(Q(case__isnull=True) | Q(case__topic="")) if f.topic == ""
              else qs.filter(case__topic=f.topic))
    return qs


CALL_FIELDS = ("id", "case_id", "agency_id", "at", "queue_id", "case__queue_id",
               "case__assignee_id", "case__topic", "case__service_id", "answered", "abandoned",
               "routed_to_agent", "wait_seconds", "talk_seconds", "hold_seconds")


def call_facts(qs: QuerySet[Contact], *, chunk_size: int = 5000) -> Iterator[CallFacts]:
    """Calls are dated by the moment they reached the contact centre (`Contact.at`)."""
    tz = timezone.get_default_timezone()
    for (pk, case_id, agency_id, at, own_queue, case_queue, agent_id, topic, service_id,
         answered, abandoned, routed, wait, talk, hold) in qs.order_by().values_list(
            *CALL_FIELDS).iterator(chunk_size=chunk_size):
        yield CallFacts(
            contact_id=pk, case_id=case_id, agency_id=agency_id, day=local_day(at, tz),
            queue=own_queue or case_queue or 0, agent=agent_id or 0, topic=topic or "",
            service=service_id or 0, answered=bool(answered), abandoned=bool(abandoned),
            routed_to_agent=bool(routed), wait_seconds=wait or 0, talk_seconds=talk or 0,
            hold_seconds=hold or 0)


# --- grouping and figures --------------------------------------------------------------------

def group_of(dimension: str | None, fact: CaseFacts | CallFacts) -> Any:
    """The value of `dimension` for a fact (None: one group for everything)."""
    if dimension is None:
        return "all"
    if dimension == "channel":
        return fact.channel if isinstance(fact, CaseFacts) else Channel.PHONE.value
    if dimension in ("queue", "agent", "topic", "service", "day"):
        return getattr(fact, dimension)
    if dimension == "week":
        return fact.day - dt.timedelta(days=fact.day.weekday())
    if dimension == "month":
        return fact.day.replace(day=1)
    raise ValueError(f"Unknown dimension '{dimension}'.")


def empty_totals() -> Counter[str]:
    return Counter({k: 0 for k in CASE_COUNTERS + CALL_COUNTERS})


def totals_of(facts: Iterable[CaseFacts | CallFacts], dimension: str | None = None
              ) -> dict[Any, Counter[str]]:
    out: dict[Any, Counter[str]] = defaultdict(empty_totals)
    for fact in facts:
        out[group_of(dimension, fact)].update(fact.counters())
    return dict(out)


@dataclass
class Figure:
    """One reported number: value (None when the denominator is 0), and its parts."""

    value: float | None
    numerator: float
    denominator: float
    unit: str  # "%", "hours", "seconds", "count"


RATIOS: dict[str, tuple[str, str, str, float]] = {
    # measure: (numerator counter, denominator counter, unit, scale)
    "fcr": ("fcr_yes", "fcr_eligible", "%", 100.0),
    "repeat_contact_rate": ("recontacted", "fcr_eligible", "%", 100.0),
    "reopen_rate": ("reopened", "ever_resolved", "%", 100.0),
    "first_response_hours": ("first_response_seconds_sum", "first_response_n", "hours",
                             1 / 3600),
    "resolution_hours": ("resolution_seconds_sum", "resolution_n", "hours", 1 / 3600),
    "resolution_business_hours": ("resolution_business_seconds_sum", "resolution_n", "hours",
                                  1 / 3600),
    "handle_minutes": ("handle_seconds_sum", "handle_n", "minutes", 1 / 60),
    "abandonment_rate": ("abandoned", "offered", "%", 100.0),
    "average_speed_of_answer": ("wait_seconds_sum", "answered", "seconds", 1.0),
    "service_level": ("answered_within_target", "answered", "%", 100.0),
    "level_of_service": ("answered_by_agent", "routed_to_agent", "%", 100.0),
}
COUNTS = ("cases", "resolved", "offered")
CASE_MEASURES = ("cases", "resolved", "fcr", "repeat_contact_rate", "reopen_rate",
                 "first_response_hours", "resolution_hours", "resolution_business_hours")
CALL_MEASURES = ("offered", "abandonment_rate", "average_speed_of_answer", "service_level",
                 "level_of_service", "handle_minutes")
MEASURES = CASE_MEASURES + CALL_MEASURES


def figures_of(t: Counter[str]) -> dict[str, Figure]:
    out: dict[str, Figure] = {}
    for name in COUNTS:
        out[name] = Figure(float(t[name]), float(t[name]), 1.0, "count")
    for name, (num, den, unit, scale) in RATIOS.items():
        n, d = float(t[num]), float(t[den])
        out[name] = Figure(round(n / d * scale, 2) if d else None, n, d, unit)
    return out


@dataclass
class Report:
    """Figures per group, and for the raw path the case ids behind each group."""

    dimension: str | None
    totals: dict[Any, Counter[str]]
    figures: dict[Any, dict[str, Figure]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.figures = {g: figures_of(t) for g, t in self.totals.items()}


def report_raw(f: MetricFilter, dimension: str | None = None) -> Report:
    """Every measure, grouped by `dimension`, computed from raw rows."""
    facts: list[CaseFacts | CallFacts] = [*case_facts(cases_filtered(f)),
                                           *call_facts(calls_filtered(f))]
    return Report(dimension, totals_of(facts, dimension))


# --- drill-down ------------------------------------------------------------------------------

def _in_group(dimension: str | None, group: str | None, fact: CaseFacts | CallFacts) -> bool:
    if dimension is None or group is None:
        return True
    return str(group_of(dimension, fact)) == group


def case_ids_behind(f: MetricFilter, measure: str, *, dimension: str | None = None,
                    group: str | None = None) -> tuple[list[int], list[int]]:
    """(ids counted in the numerator, ids in the denominator) of one figure.

    For call measures the ids are those of the calls' cases (calls without a case have none).
    """
    if measure not in MEASURES:
        raise ValueError(f"Unknown measure '{measure}'.")
    if measure in COUNTS:
        num_name = den_name = measure
    else:
        num_name, den_name = RATIOS[measure][0], RATIOS[measure][1]
    facts: Iterable[CaseFacts | CallFacts] = (
        case_facts(cases_filtered(f)) if measure in CASE_MEASURES
        else call_facts(calls_filtered(f)))
    num: list[int] = []
    den: list[int] = []
    for fact in facts:
        if not _in_group(dimension, group, fact):
            continue
        c = fact.counters()
        cid = fact.case_id
        if cid is None:
            continue
        if c[den_name]:
            den.append(cid)
        if c[num_name]:
            num.append(cid)
    return sorted(set(num)), sorted(set(den))


# --- live figures: backlog, reported FCR -----------------------------------------------------

@dataclass
class Backlog:
    count: int
    average_age_hours: float | None
    oldest_age_hours: float | None


def backlog_cases(f: MetricFilter) -> QuerySet[Case]:
    """Cases open now (new, open or pending) that the filter covers, oldest first."""
    return cases_filtered(f).filter(status__in=OPEN_STATUSES).order_by("opened_at", "id")


def backlog_of(n: int, epoch_sum: int, oldest: dt.datetime | None, now: dt.datetime
               ) -> Backlog:
    """The backlog figures from its counters: average age = now − (sum of opened_at, in
    whole epoch seconds) ÷ n; oldest age = now − the earliest opened_at."""
    if not n or oldest is None:
        return Backlog(0, None, None)
    mean_s = (n * now.timestamp() - epoch_sum) / n
    return Backlog(count=n, average_age_hours=round(mean_s / 3600, 2),
                   oldest_age_hours=round((now - oldest).total_seconds() / 3600, 2))


def backlog(f: MetricFilter, *, now: dt.datetime | None = None) -> Backlog:
    """How many cases are open now and how old they are, from raw rows (the reference the
    rollup path, `metrics_rollups.backlog_rollups`, must equal; the pages use that one)."""
    now = now or timezone.now()
    n = total = 0
    oldest: dt.datetime | None = None
    for opened_at in backlog_cases(f).values_list("opened_at", flat=True).iterator():
        n += 1
        total += epoch_seconds(opened_at)
        oldest = opened_at if oldest is None or opened_at < oldest else oldest
    return backlog_of(n, total, oldest, now)


def _effectiveness(answers: dict[str, Any], template: str) -> bool | None:
    """True / False when the answer says whether the need was met, None when it does not."""
    if template == "a11_legacy":
        v = answers.get("effectiveness")
        return None if v in (None, "") else str(v) in ("4", "5")
    if "effectiveness" in (answers.get("went_well") or []):
        return True
    if "effectiveness" in (answers.get("went_poorly") or []):
        return False
    return None


def _case_id_of(external_id: str) -> int | None:
    if not external_id.startswith("case:"):
        return None
    raw = external_id.removeprefix("case:")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


ANSWER_FIELDS = ("id", "agency_id", "invitation__external_id", "external_id", "answers",
                 "survey_version__schema")


def answer_link(invitation_external_id: str | None, external_id: str, answers: Any,
                schema: Any) -> tuple[int, bool] | None:
    """(case id, says the need was addressed) of an A-11 answer linked to a case, else None.
    Linked as the survey loop links it: the invitation's external_id, or without an
    invitation the answer's own (imports), is "case:<id>"."""
    case_id = _case_id_of(invitation_external_id if invitation_external_id is not None
                          else external_id or "")
    template = schema.get("template", "a11") if isinstance(schema, dict) else "a11"
    if case_id is None or template not in ("a11", "a11_legacy"):
        return None
    return case_id, bool(_effectiveness(answers or {}, template))


def reported_by_case(agency_ids: Iterable[int]) -> dict[tuple[int, int], dict[str, int]]:
    """(case id, agency id) → {answer id: 1 if it says the need was addressed else 0}: the
    A-11 answers of that agency linked to the case (`answer_link`). Only answers of the
    case's own agency count (the caller matches the agency). Answers that do not mention
    the effectiveness driver count as not positive."""
    from govcx.feedback.models import Response

    qs = Response.objects.filter(agency_id__in=list(agency_ids)).filter(
        Q(invitation__external_id__startswith="case:")
        | Q(invitation__isnull=True, external_id__startswith="case:"))
    out: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for pk, agency_id, inv_ext, ext, answers, schema in qs.values_list(
            *ANSWER_FIELDS).iterator(chunk_size=5000):
        link = answer_link(inv_ext, ext, answers, schema)
        if link is not None:
            out[(link[0], agency_id)][str(pk)] = int(link[1])
    return dict(out)


def reported_figure(positive: int, total: int) -> Figure:
    value = round(positive / total * 100, 2) if total else None
    return Figure(value, float(positive), float(total), "%")


def reported_fcr(f: MetricFilter) -> tuple[Figure, list[int]]:
    """Share of A-11 answers linked to the filter's cases (invitation external_id
    "case:<id>", answer of the case's agency) that say the need was addressed, from raw rows
    (the pages read the same counters from the rollups)."""
    per = {k: (len(v), sum(v.values())) for k, v in reported_by_case(f.agency_ids).items()}
    wanted = sorted({case_id for case_id, _a in per})
    ids: set[int] = set()
    for i in range(0, len(wanted), 10000):
        for pk, agency_id in cases_filtered(f).filter(pk__in=wanted[i:i + 10000]).values_list(
                "id", "agency_id"):
            if (pk, agency_id) in per:
                ids.add(pk)
    positive = total = 0
    for (case_id, _agency), (n, pos) in per.items():
        if case_id in ids:
            total, positive = total + n, positive + pos
    return reported_figure(positive, total), sorted(ids)
