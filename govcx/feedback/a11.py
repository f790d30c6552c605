"""OMB Circular A-11 §280: the quarterly data collection, its workflow and its exports.

A submission is prepared (a DRAFT; preparing again refreshes the figures), submitted, then
published: draft → submitted → published. `a11_submission_reopen` takes a submitted or
published submission back to draft. Each transition checks the actor's capability for the
service's agency and records an audit event.

The data collection has one row per touchpoint of the service that had responses or survey
offers in the quarter. Volume of customers (from `ServiceQuarterVolume`): a touchpoint gets
its channel's volume when one is entered for that channel (on the first touchpoint of that
channel only, so totals are not counted twice); the all-channels volume, if entered, goes on
the first row that got no channel volume, and the other rows get 0. With no volume entered
at all the cell is empty.

Quarters follow the federal fiscal year (Q1 = October–December of the previous calendar
year) in the project's time zone. Only non-quarantined responses count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from govcx.core.models import Service, ServiceQuarterVolume
from govcx.core.redact import redact
from govcx.core.selectors import agency_ids_for
from govcx.core.services import audit_record
from govcx.feedback.exports import csv_text
from govcx.feedback.models import A11Submission, OfferCount, Response, SurveyVersion, Touchpoint
from govcx.feedback.schema import SurveySchema
from govcx.feedback.selectors import fiscal_quarter_bounds
from govcx.feedback.survey_templates import LEGACY_ITEMS

AnyUser = AbstractBaseUser | AnonymousUser

FIRST_FISCAL_YEAR = 2019  # A-11 §280 customer-experience data collection began in FY2019.


class A11Error(ValueError):
    """The A-11 action cannot be done as asked; the message says why."""


class A11Forbidden(A11Error):
    """The actor's role does not allow this A-11 action for this agency."""


COLLECTION_COLUMNS = [
    "service_provided", "channel", "transaction_point", "survey_type", "trust_question_text",
    "omb_control_number", "volume_of_customers",
    "volume_of_customers_provided_survey_opportunity", "volume_of_respondents",
    "fiscal_year", "quarter",
]
DRIVER_COLUMNS = ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee",
                  "other")
RESPONSE_COLUMNS = (
    ["external_id", "question_1"]
    + [f"positive_{d}" for d in DRIVER_COLUMNS]
    + [f"negative_{d}" for d in DRIVER_COLUMNS]
    + ["question_4"]
)
LEGACY_ROLES = [role for role, _ in LEGACY_ITEMS]
LEGACY_COLUMNS = [
    "service_provided", "transaction_point", "channel", "volume_of_customers",
    "volume_of_customers_provided_survey_opportunity", "volume_of_respondents",
    "omb_control_number",
] + [c for n in range(1, 8) for c in [f"q{n}_text"] + [f"q{n}_{k}" for k in range(1, 6)]]


# --- helpers ---------------------------------------------------------------------------------

def quarter_window(fiscal_year: int, quarter: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the fiscal quarter as aware datetimes in the project's time zone."""
    start, end = fiscal_quarter_bounds(fiscal_year, quarter)
    tz = timezone.get_default_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz),
        timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz),
    )


def _check_period(fiscal_year: int, quarter: int) -> None:
    this_fy = timezone.localdate().year + 1
    if not FIRST_FISCAL_YEAR <= fiscal_year <= this_fy:
        raise A11Error(f"Fiscal year must be between {FIRST_FISCAL_YEAR} and {this_fy}.")
    if quarter not in (1, 2, 3, 4):
        raise A11Error("Quarter must be 1, 2, 3 or 4.")


def _require(actor: AnyUser, agency_id: int, capability: str, what: str) -> None:
    if agency_id not in agency_ids_for(actor, capability):
        raise A11Forbidden(f"Your role does not allow you to {what} for this agency "
                           f"(it needs the '{capability}' capability).")


def survey_type_of(schema: SurveySchema) -> str:
    """'thumbs' or 'likert' for the A-11 template, 'legacy' for A-11 legacy, else the template."""
    if schema.template == "a11_legacy":
        return "legacy"
    if schema.template == "a11":
        trust = schema.with_role("trust")
        return "thumbs" if trust is not None and trust.type == "thumbs" else "likert"
    return schema.template


def quarter_responses(service: Service, fiscal_year: int, quarter: int) -> Any:
    start, end = quarter_window(fiscal_year, quarter)
    return Response.objects.filter(service=service, quarantined=False, submitted_at__gte=start,
                                   submitted_at__lt=end)


def _collection(service: Service, fiscal_year: int, quarter: int) -> list[dict[str, Any]]:
    start_day, end_day = fiscal_quarter_bounds(fiscal_year, quarter)
    responses = quarter_responses(service, fiscal_year, quarter)
    respondents = dict(
        responses.order_by().values("touchpoint_id").annotate(n=Count("id"))
        .values_list("touchpoint_id", "n")
    )
    latest_version = dict(
        responses.order_by("touchpoint_id", "submitted_at").values_list(
            "touchpoint_id", "survey_version_id")
    )  # the last version answered in the quarter wins (ordered ascending)
    offers = dict(
        OfferCount.objects.filter(touchpoint__service=service, day__gte=start_day,
                                  day__lte=end_day)
        .order_by().values("touchpoint_id").annotate(n=Sum("count"))
        .values_list("touchpoint_id", "n")
    )
    volumes = dict(
        ServiceQuarterVolume.objects.filter(service=service, fiscal_year=fiscal_year,
                                            quarter=quarter).values_list("channel", "customers")
    )
    touchpoints = [
        tp for tp in Touchpoint.objects.filter(service=service).select_related("survey")
        .order_by("channel", "transaction_point", "id")
        if respondents.get(tp.pk) or offers.get(tp.pk)
    ]
    versions = SurveyVersion.objects.in_bulk(
        [v for v in latest_version.values()]
    )
    rows: list[dict[str, Any]] = []
    channels_done: set[str] = set()
    all_channels_done = False
    for tp in touchpoints:
        version = versions.get(latest_version.get(tp.pk, 0)) or tp.survey.current_version
        schema = SurveySchema.model_validate(version.schema) if version else None
        trust = schema.with_role("trust") if schema else None
        volume: int | None
        if tp.channel in volumes and tp.channel:
            volume = 0 if tp.channel in channels_done else volumes[tp.channel]
            channels_done.add(tp.channel)
        elif "" in volumes:
            volume = 0 if all_channels_done else volumes[""]
            all_channels_done = True
        else:
            volume = 0 if volumes else None
        rows.append({
            "touchpoint_id": tp.pk,
            "touchpoint_name": tp.name,
            "service_provided": service.name,
            "channel": tp.channel,
            "transaction_point": tp.transaction_point or tp.name,
            "survey_type": survey_type_of(schema) if schema else "",
            "trust_question_text": trust.text.get("en", "") if trust else "",
            "omb_control_number": version.omb_control_number if version else "",
            "volume_of_customers": volume,
            "volume_of_customers_provided_survey_opportunity": int(offers.get(tp.pk) or 0),
            "volume_of_respondents": int(respondents.get(tp.pk) or 0),
        })
    return rows


# --- workflow --------------------------------------------------------------------------------

def a11_submission_prepare(
    *, service: Service, fiscal_year: int, quarter: int, actor: AnyUser
) -> A11Submission:
    """Build (or refresh) the DRAFT data collection for a service's fiscal quarter."""
    _check_period(fiscal_year, quarter)
    _require(actor, service.agency_id, "a11.prepare", "prepare A-11 submissions")
    with transaction.atomic():
        sub = A11Submission.objects.select_for_update().filter(
            service=service, fiscal_year=fiscal_year, quarter=quarter
        ).first()
        if sub is not None and sub.state != A11Submission.State.DRAFT:
            raise A11Error(
                f"The FY{fiscal_year} Q{quarter} submission for {service.name} is "
                f"{sub.get_state_display().lower()}; reopen it before preparing it again."
            )
        rows = _collection(service, fiscal_year, quarter)
        created = sub is None
        if sub is None:
            sub = A11Submission(agency_id=service.agency_id, service=service,
                                fiscal_year=fiscal_year, quarter=quarter,
                                created_by_id=actor.pk if actor.is_authenticated else None)
        sub.collection = rows
        sub.save()
        audit_record(action="a11.prepare", actor=actor, agency=service.agency_id,
                     object_type="a11_submission", object_id=sub.pk,
                     detail={"fiscal_year": fiscal_year, "quarter": quarter, "rows": len(rows),
                             "created": created})
    return sub


def _transition(
    *, submission: A11Submission, actor: AnyUser, capability: str, what: str,
    from_states: Iterable[str], to_state: str, changes: dict[str, Any], action: str,
) -> A11Submission:
    _require(actor, submission.agency_id, capability, what)
    from_states = list(from_states)
    with transaction.atomic():
        current = A11Submission.objects.select_for_update().get(pk=submission.pk)
        if current.state not in from_states:
            allowed = " or ".join(A11Submission.State(s).label.lower() for s in from_states)
            raise A11Error(
                f"Cannot {what}: the submission is {current.get_state_display().lower()}; "
                f"only a {allowed} submission can be."
            )
        old = current.state
        A11Submission.objects.filter(pk=current.pk).update(state=to_state, **changes)
        audit_record(action=action, actor=actor, agency=submission.agency_id,
                     object_type="a11_submission", object_id=submission.pk,
                     detail={"from": old, "to": to_state})
    submission.refresh_from_db()
    return submission


def a11_submission_submit(*, submission: A11Submission, actor: AnyUser) -> A11Submission:
    """Draft → submitted. The three CSV files are frozen as they are now."""
    _require(actor, submission.agency_id, "a11.prepare", "submit this A-11 submission")
    frozen = {kind: export(submission) for kind, export in EXPORTS.items()}
    return _transition(
        submission=submission, actor=actor, capability="a11.prepare",
        what="submit this A-11 submission", from_states=[A11Submission.State.DRAFT],
        to_state=A11Submission.State.SUBMITTED, action="a11.submit",
        changes={"submitted_by_id": actor.pk if actor.is_authenticated else None,
                 "submitted_at": timezone.now(), "frozen_exports": frozen},
    )


def a11_submission_publish(*, submission: A11Submission, actor: AnyUser) -> A11Submission:
    """Submitted → published."""
    return _transition(
        submission=submission, actor=actor, capability="a11.publish",
        what="publish this A-11 submission", from_states=[A11Submission.State.SUBMITTED],
        to_state=A11Submission.State.PUBLISHED, action="a11.publish",
        changes={"published_by_id": actor.pk if actor.is_authenticated else None,
                 "published_at": timezone.now()},
    )


def a11_submission_reopen(*, submission: A11Submission, actor: AnyUser) -> A11Submission:
    """Submitted or published → draft. Reopening a published one needs 'a11.publish'.

    The earlier submit/publish stay in the audit trail; the submission's fields are cleared.
    """
    capability = ("a11.publish" if submission.state == A11Submission.State.PUBLISHED
                  else "a11.prepare")
    return _transition(
        submission=submission, actor=actor, capability=capability,
        what="reopen this A-11 submission",
        from_states=[A11Submission.State.SUBMITTED, A11Submission.State.PUBLISHED],
        to_state=A11Submission.State.DRAFT, action="a11.reopen",
        changes={"submitted_by_id": None, "submitted_at": None, "published_by_id": None,
                 "published_at": None, "frozen_exports": {}},
    )


# --- exports (CSV text) ------------------------------------------------------------------------

def _blank(v: Any) -> Any:
    return "" if v is None else v


def a11_collection_csv(submission: A11Submission) -> str:
    """(a) The data collection: one row per touchpoint."""
    rows: list[list[Any]] = [COLLECTION_COLUMNS]
    for row in submission.collection:
        rows.append([_blank(row.get(c)) for c in COLLECTION_COLUMNS[:-2]]
                    + [submission.fiscal_year, submission.quarter])
    return csv_text(rows)


def _responses_with_schema(
    submission: A11Submission, survey_types: set[str]
) -> Iterator[tuple[Response, SurveySchema]]:
    qs = (quarter_responses(submission.service, submission.fiscal_year, submission.quarter)
          .select_related("survey_version").order_by("submitted_at", "id"))
    cache: dict[int, SurveySchema] = {}
    for r in qs.iterator(chunk_size=1000):
        schema = cache.get(r.survey_version_id)
        if schema is None:
            schema = cache[r.survey_version_id] = SurveySchema.model_validate(
                r.survey_version.schema)
        if survey_type_of(schema) in survey_types:
            yield r, schema


def a11_responses_csv(submission: A11Submission) -> str:
    """(b) Response-level CSV in the performance.gov layout (A-11 2023+ surveys)."""
    rows: list[list[Any]] = [RESPONSE_COLUMNS]
    for r, schema in _responses_with_schema(submission, {"thumbs", "likert"}):
        trust = schema.with_role("trust")
        answer = r.answers.get(trust.id) if trust else None
        if answer == "up":
            q1 = "1"
        elif answer == "down":
            q1 = "0"
        else:
            q1 = "" if answer is None else str(answer)
        pos, neg = set(r.drivers_positive or []), set(r.drivers_negative or [])
        rows.append(
            [r.external_id or str(r.pk), q1]
            + ["1" if d in pos else "0" for d in DRIVER_COLUMNS]
            + ["1" if d in neg else "0" for d in DRIVER_COLUMNS]
            # published by performance.gov: the comment goes out with personal data redacted
            + [redact(r.comment)[0]]
        )
    return csv_text(rows)


def a11_legacy_csv(submission: A11Submission) -> str:
    """(c) Legacy (FY19–23) layout: per touchpoint, counts of answers 1–5 to each of 7 items."""
    counts: dict[int, dict[str, list[int]]] = {}
    texts: dict[int, dict[str, str]] = {}
    for r, schema in _responses_with_schema(submission, {"legacy"}):
        tp_counts = counts.setdefault(r.touchpoint_id, {role: [0] * 5 for role in LEGACY_ROLES})
        tp_texts = texts.setdefault(r.touchpoint_id, {})
        for role in LEGACY_ROLES:
            q = next((q for q in schema.questions if q.role == role), None)
            if q is None:
                continue
            tp_texts.setdefault(role, q.text.get("en", ""))
            v = r.answers.get(q.id)
            if isinstance(v, int) and 1 <= v <= 5:
                tp_counts[role][v - 1] += 1
    rows: list[list[Any]] = [LEGACY_COLUMNS]
    for row in submission.collection:
        if row.get("survey_type") != "legacy":
            continue
        tp_id = row["touchpoint_id"]
        tp_counts = counts.get(tp_id, {role: [0] * 5 for role in LEGACY_ROLES})
        tp_texts = texts.get(tp_id, {})
        if not tp_texts:  # no responses this quarter: take the texts from the survey
            tp = Touchpoint.objects.select_related("survey").get(pk=tp_id)
            version = tp.survey.current_version
            if version is not None:
                schema = SurveySchema.model_validate(version.schema)
                tp_texts = {q.role: q.text.get("en", "") for q in schema.questions
                            if q.role in LEGACY_ROLES}
        line: list[Any] = [
            row.get("service_provided", ""), row.get("transaction_point", ""),
            row.get("channel", ""), _blank(row.get("volume_of_customers")),
            row.get("volume_of_customers_provided_survey_opportunity", 0),
            row.get("volume_of_respondents", 0), row.get("omb_control_number", ""),
        ]
        for role in LEGACY_ROLES:
            line += [tp_texts.get(role, ""), *tp_counts[role]]
        rows.append(line)
    return csv_text(rows)


EXPORTS = {
    "collection": a11_collection_csv,
    "responses": a11_responses_csv,
    "legacy": a11_legacy_csv,
}


def a11_export(submission: A11Submission, kind: str) -> str:
    """The CSV of this kind: as frozen at submission, or computed now for a draft."""
    frozen = submission.frozen_exports.get(kind)
    if submission.state != A11Submission.State.DRAFT and frozen is not None:
        return str(frozen)
    return EXPORTS[kind](submission)
