"""Closing the loop: an A-11 survey when a case is resolved, follow-up on a negative answer.

When a case is resolved (`on_case_resolved`, called after the commit by
`contact.services.case_status_set`):

1. The survey touchpoint is, among the *active* touchpoints of the case's service, the first
   (lowest id) whose channel is the case's channel; failing that, the first one marked for
   cases by its transaction point being "contact centre case" (`CASE_TOUCHPOINT_MARK`,
   case-insensitive). A case without a service, or a service without such a touchpoint,
   gets no survey.
2. Sampling: a case is surveyed when a hash of its id falls under
   `settings.CASE_SURVEY_SAMPLE_RATE` (0–1, default 1.0): the same case always gets the
   same decision, so re-runs and tests are stable.
3. Opt-out: no survey when the person's latest "surveys" consent record says no
   (`customers.services.consent_current` is False and a record exists). People who never
   answered the question are surveyed: an A-11 transaction survey is a request, not marketing.
4. Channel: email for email and web cases of a person with an email identity; SMS for SMS
   and phone cases of a person with a phone identity. Chat cases and people without a
   matching identity get none. A case is surveyed at most once (reopened and resolved again:
   no second invitation).

The invitation's external id is `case:<id>`, so the response it brings back is linked to the
case; every decision is a case event (`survey_sent`, or `survey_skipped` with the reason).

When the answer arrives (`on_survey_answer`, called after the response commits by
`feedback.services.response_submit`), a `survey_answered` event goes on the case; a negative
trust answer from a person who agreed to be contacted (the case's `follow_up_consent`, or a
current "follow_up" consent) opens a follow-up case: same person, service, channel and queue
(unless a routing rule names the "follow-up" topic), high priority, assigned to the agent
who resolved the original when they can still work it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govcx.contact.models import Case, Channel
from govcx.contact.services import assignee_pick, case_event, route, sla_start
from govcx.contact.topics import FOLLOW_UP_TOPIC
from govcx.customers.models import Consent, Customer
from govcx.customers.services import consent_current
from govcx.feedback.models import Invitation, Response, Touchpoint

CASE_TOUCHPOINT_MARK = "contact centre case"
EXTERNAL_PREFIX = "case:"


def sampled(case_id: int, rate: float | None = None) -> bool:
    """Deterministic per case: the same id always gets the same answer for a given rate."""
    rate = float(getattr(settings, "CASE_SURVEY_SAMPLE_RATE", 1.0) if rate is None else rate)
    if rate >= 1:
        return True
    if rate <= 0:
        return False
    digest = hashlib.sha256(f"case-survey:{case_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def survey_touchpoint_for(case: Case) -> Touchpoint | None:
    if case.service_id is None:
        return None
    tps = Touchpoint.objects.filter(service_id=case.service_id, active=True).order_by("id")
    return (tps.filter(channel=case.channel).first()
            or tps.filter(transaction_point__iexact=CASE_TOUCHPOINT_MARK).first())


def _opted_out(customer: Customer) -> bool:
    return (not consent_current(customer=customer, purpose="surveys")
            and Consent.objects.filter(customer=customer, purpose="surveys").exists())


def _address(case: Case) -> tuple[str, str] | None:
    """(invitation channel, address) on the case's channel, or None."""
    if case.customer is None:
        return None
    if case.channel in (Channel.EMAIL, Channel.WEB):
        kind, send_by = "email", "email"
    elif case.channel in (Channel.SMS, Channel.PHONE):
        kind, send_by = "phone", "sms"
    else:
        return None
    ident = (case.customer.identities.filter(kind=kind).exclude(value="")
             .order_by("-verified", "-created_at", "-id").first())
    return (send_by, ident.value) if ident else None


def on_case_resolved(case_id: int) -> Invitation | None:
    """Send the A-11 survey for a just-resolved case (see the module docstring)."""
    from govcx.feedback.services import SurveyError, invitation_send

    case = (Case.objects.select_related("customer", "agency", "service")
            .filter(pk=case_id).first())
    if case is None or case.status != Case.Status.RESOLVED:
        return None

    def skip(reason: str) -> None:
        case_event(case=case, kind="survey_skipped", reason=reason)

    external_id = f"{EXTERNAL_PREFIX}{case.pk}"
    if Invitation.objects.filter(external_id=external_id,
                                 touchpoint__agency_id=case.agency_id).exists():
        return None  # surveyed when first resolved; once per case
    tp = survey_touchpoint_for(case)
    if tp is None:
        skip("no survey touchpoint for this service and channel")
        return None
    if not sampled(case.pk):
        skip("not in the survey sample")
        return None
    if case.customer is None:
        skip("no known person on the case")
        return None
    if _opted_out(case.customer):
        skip("the person opted out of surveys")
        return None
    address = _address(case)
    if address is None:
        skip(f"no {'email address' if case.channel in ('email', 'web') else 'phone number'} "
             f"to reach the person on the {case.get_channel_display().lower()} channel"
             if case.channel != Channel.CHAT else "no survey on the chat channel")
        return None
    language = case.language if case.language in ("en", "es") else "en"
    try:
        inv, _url = invitation_send(touchpoint=tp, channel=address[0], to=address[1],
                                    language=language, external_id=external_id)
    except SurveyError as exc:
        skip(f"sending failed: {exc}"[:300])
        return None
    case_event(case=case, kind="survey_sent", invitation=inv.pk, touchpoint=tp.pk,
               channel=address[0])
    return inv


def _case_of(response: Response) -> Case | None:
    ext = response.invitation.external_id if response.invitation else response.external_id
    if not ext.startswith(EXTERNAL_PREFIX) or not ext[len(EXTERNAL_PREFIX):].isdigit():
        return None
    return (Case.objects.select_related("customer", "queue", "service")
            .filter(pk=int(ext[len(EXTERNAL_PREFIX):]), agency_id=response.agency_id).first())


def on_survey_answer(response_id: int) -> Case | None:
    """Link a case survey's answer to the case; returns the follow-up case if one opened."""
    response = Response.objects.select_related("invitation").filter(pk=response_id).first()
    if response is None:
        return None
    case = _case_of(response)
    if case is None:
        return None
    case_event(case=case, kind="survey_answered", response=response.pk,
               trust_positive=response.trust_positive)
    if response.trust_positive is not False or response.quarantined:
        return None
    customer = case.customer
    agreed = case.follow_up_consent or (
        customer is not None and consent_current(customer=customer, purpose="follow_up"))
    if not agreed:
        case_event(case=case, kind="follow_up_skipped", response=response.pk,
                   reason="negative answer, but the person did not agree to be contacted")
        return None
    return case_follow_up_open(case=case, response=response)


def case_follow_up_open(*, case: Case, response: Response,
                        at: dt.datetime | None = None) -> Case:
    """Open a high-priority follow-up case for a negative survey answer (once per response)."""
    at = at or timezone.now()
    with transaction.atomic():
        done = case.events.filter(kind="follow_up_opened", detail__response=response.pk).first()
        if done is not None:
            return Case.objects.get(pk=done.detail["follow_up_case"])
        follow = Case(agency_id=case.agency_id, service=case.service, customer=case.customer,
                      subject=f"Follow-up: {case.subject}"[:300], priority=Case.Priority.HIGH,
                      topic=FOLLOW_UP_TOPIC, language=case.language, channel=case.channel,
                      opened_at=at, customer_contacts=0,
                      follow_up_consent=case.follow_up_consent)
        rule = route(agency=case.agency, channel=case.channel, service=case.service,
                     topic=FOLLOW_UP_TOPIC, language=case.language)
        follow.queue = rule.queue if rule is not None and rule.topic else case.queue
        sla_start(follow, at)
        follow.save()
        case_event(case=follow, kind="opened", at=at, channel=case.channel,
                   queue=follow.queue.name if follow.queue else None,
                   follow_up_of=case.pk, response=response.pk)
        assignee = _original_agent(case, follow)
        if assignee is None and follow.queue is not None:
            assignee = assignee_pick(follow.queue)
        if assignee is not None:
            follow.assignee = assignee
            follow.save(update_fields=["assignee"])
            case_event(case=follow, kind="assigned", at=at, to=assignee.get_username(),
                       how="follow-up")
        case_event(case=case, kind="follow_up_opened", at=at, follow_up_case=follow.pk,
                   response=response.pk)
    return follow


def _original_agent(case: Case, follow: Case) -> Any | None:
    from govcx.core.selectors import agency_ids_for

    user = case.assignee
    if user is None or not user.is_active:
        return None
    return user if follow.agency_id in agency_ids_for(user, "cases.work") else None


# --- trust by queue, agent, topic -------------------------------------------------------------

def _bounds(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> tuple[dt.datetime,
                                                                               dt.datetime]:
    """Datetimes are [start, end); dates are whole local days, both included."""
    def as_dt(d: dt.date | dt.datetime, next_day: bool) -> dt.datetime:
        if isinstance(d, dt.datetime):
            return d if timezone.is_aware(d) else timezone.make_aware(d)
        day = d + dt.timedelta(days=1) if next_day else d
        return timezone.make_aware(dt.datetime.combine(day, dt.time()))
    return as_dt(start, False), as_dt(end, True)


def case_trust(*, agency_ids: list[int] | set[int], by: Literal["queue", "agent", "topic"],
               start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> list[dict[str, Any]]:
    """Share of positive trust answers to case surveys, per queue, agent or topic.

    Counts the responses submitted in the period (not quarantined, trust answered) whose
    invitation's external id is `case:<id>` of a case of these agencies. Rows:
    {"key", "label", "responses", "positive", "share"}, most responses first; cases
    without a queue/agent/topic fall in one row with key None.
    """
    if by not in ("queue", "agent", "topic"):
        raise ValueError("by must be 'queue', 'agent' or 'topic'.")
    lo, hi = _bounds(start, end)
    ids = list(agency_ids)
    answers = (Response.objects.filter(
        agency_id__in=ids, submitted_at__gte=lo, submitted_at__lt=hi, quarantined=False,
        trust_positive__isnull=False, invitation__external_id__startswith=EXTERNAL_PREFIX)
        .values_list("invitation__external_id", "trust_positive"))
    per_case: dict[int, list[bool]] = defaultdict(list)
    for ext, positive in answers:
        tail = ext[len(EXTERNAL_PREFIX):]
        if tail.isdigit():
            per_case[int(tail)].append(bool(positive))
    field = {"queue": ("queue_id", "queue__name"), "agent": ("assignee_id", "assignee__username"),
             "topic": ("topic", "topic")}[by]
    groups: dict[Any, dict[str, Any]] = {}
    cases = Case.objects.filter(pk__in=list(per_case), agency_id__in=ids).values_list("pk", *field)
    for pk, key, label in cases.iterator(chunk_size=2000):
        key = key or None
        row = groups.setdefault(key, {"key": key, "label": label or "(none)",
                                      "responses": 0, "positive": 0})
        row["responses"] += len(per_case[pk])
        row["positive"] += sum(per_case[pk])
    rows = list(groups.values())
    for row in rows:
        row["share"] = row["positive"] / row["responses"] if row["responses"] else None
    return sorted(rows, key=lambda r: (-r["responses"], str(r["label"])))
