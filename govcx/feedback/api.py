"""Public survey API (used by the widget and by agencies' own systems) and staff reads."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth
from pydantic import BaseModel, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from govcx.core.selectors import agency_ids_for
from govcx.core.services import audit_record_per_agency, client_ip
from govcx.feedback import selectors, services
from govcx.feedback.exports import redact_response
from govcx.feedback.models import Response, Touchpoint
from govcx.feedback.ratelimits import submit_limited
from govcx.feedback.schema import no_nul

router = Router(tags=["surveys"])
staff_router = Router(tags=["staff"], auth=django_auth)


class SubmissionIn(BaseModel):
    """A plain pydantic model, not a django-ninja Schema: a Schema validates through an
    attribute-getter wrapper (for ORM objects) that cost about 50 µs per submission."""

    answers: dict[str, Any] = Field(description="Answers by question id; multi-select as lists")
    language: str = Field("en", pattern="^(en|es)$")
    page_url: str = Field("", max_length=1000)
    hp: str = Field("", description="Honeypot: leave empty")


class SubmissionOut(Schema):
    id: int
    replayed: bool
    quarantined: bool


class ErrorOut(Schema):
    message: str
    errors: dict[str, str] = {}


def _origin_allowed(request: HttpRequest, touchpoint: Touchpoint) -> tuple[bool, str | None]:
    origin = request.META.get("HTTP_ORIGIN")  # not request.headers: that copies every header
    if not origin:
        return True, None  # not a browser cross-origin call (server-to-server, same-origin GET)
    origin = origin.rstrip("/")
    own = {settings.PUBLIC_BASE_URL.rstrip("/"), f"{request.scheme}://{request.get_host()}"}
    return (origin in own or origin in touchpoint.origins()), origin


def _with_cors(resp: HttpResponse, origin: str | None, allowed: bool) -> HttpResponse:
    """CORS headers for allowed origins. A refusal (403) is made readable to any origin too,
    so the widget can say why; it carries only a message, never data."""
    if origin and (allowed or resp.status_code == 403):
        resp["Access-Control-Allow-Origin"] = origin
        resp["Access-Control-Allow-Headers"] = "Content-Type, Idempotency-Key"
        resp["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        resp["Access-Control-Max-Age"] = "600"
    resp["Vary"] = "Origin"
    return resp


def _json(data: Any, status: int, origin: str | None, allowed: bool) -> HttpResponse:
    return _with_cors(JsonResponse(data, status=status), origin, allowed)


def _touchpoint_or_404(public_id: uuid.UUID) -> Touchpoint | None:
    return selectors.touchpoint_public(public_id)


def preflight(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    tp = _touchpoint_or_404(public_id)
    if tp is None:
        return HttpResponse(status=404)
    # The preflight always succeeds: the real request from a disallowed origin is then refused
    # with a readable 403 (no data), so the widget can explain instead of a network error.
    _, origin = _origin_allowed(request, tp)
    return _with_cors(HttpResponse(status=204), origin, True)


@router.get("/touchpoints/{public_id}/survey", response={200: dict, 404: ErrorOut})
def survey_definition(request: HttpRequest, public_id: uuid.UUID, lang: str = "en") -> Any:
    """The touchpoint's current survey questions in one language, for rendering a form."""
    found = selectors.touchpoint_public_with_version(public_id)
    if found is None:
        return Status(404, {"message": "No open survey with this id."})
    tp, version = found  # the same (cached) version that submissions are checked against
    allowed, origin = _origin_allowed(request, tp)
    if not allowed:
        return _json({"message": "This site is not allowed to show this survey."}, 403, origin,
                     False)
    lang = lang if lang in ("en", "es") else "en"
    if version is None:
        return _json({"message": "This survey is not open yet."}, 409, origin, allowed)
    schema = services.schema_of(version)
    questions = []
    for q in schema.questions:
        d = q.model_dump(by_alias=True, exclude_none=True)
        d["text"] = q.text.get(lang) or q.text["en"]
        d["help"] = q.help.get(lang, "") if q.help else ""
        d["scale_labels"] = q.scale_labels.get(lang, "") if q.scale_labels else ""
        d["choices"] = [{"value": c.value, "text": c.text.get(lang) or c.text["en"]}
                        for c in q.choices]
        questions.append(d)
    return _json({
        "touchpoint": str(tp.public_id), "agency": tp.agency.name, "service": tp.service.name,
        "language": lang, "version": version.number, "questions": questions,
        "omb_control_number": version.omb_control_number,
        "pra_expiration": version.pra_expiration.isoformat() if version.pra_expiration else None,
        "closed_reason": services.survey_closed_reason(version),
    }, 200, origin, allowed)


@router.post(
    "/touchpoints/{public_id}/responses",
    response={200: SubmissionOut, 201: SubmissionOut, 400: ErrorOut, 403: ErrorOut,
              404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
)
def submit(request: HttpRequest, public_id: uuid.UUID, body: SubmissionIn) -> HttpResponse:
    """Submit answers. Send an `Idempotency-Key` header (any unique string up to 100
    characters): a retry with the same key is stored once and answers 200 with the same id.
    A body that is not JSON gets 400, one that does not fit this schema 422."""
    # This operation documents the contract; requests are served by `submit_direct` below,
    # routed ahead of the API (govcx/urls.py), with the same schema and the same `_submit`.
    return _submit(request, public_id, body)


@csrf_exempt
def submit_direct(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """`submit` without django-ninja's per-request work, for the busiest public endpoint.

    With `SubmissionIn` a plain pydantic model, this took the submission from 0.54 to 0.46 ms
    in-process (docs/benchmarks.md "Ingest"). The body is checked by the same schema and
    bad bodies get django-ninja's own error shapes, so the published OpenAPI stays true
    (tests/feedback/test_submit_contract.py checks both against it).
    """
    if request.method == "OPTIONS":
        return preflight(request, public_id)
    if request.method != "POST":
        resp = HttpResponse("Method not allowed", status=405)
        resp["Allow"] = "POST, OPTIONS"
        return resp
    if not request.body:  # as django-ninja: no body at all is a missing field, not bad JSON
        return JsonResponse({"detail": [{"type": "missing", "loc": ["body", "body"],
                                         "msg": "Field required"}]}, status=422)
    try:  # json.loads as django-ninja does: it takes lone surrogates (answers keep them as ?)
        data = json.loads(request.body)
    except ValueError:
        return JsonResponse({"detail": "Cannot parse request body"}, status=400)
    try:
        body = SubmissionIn.model_validate(data)
    except PydanticValidationError as exc:
        errors = json.loads(exc.json(include_url=False, include_input=False))
        for e in errors:
            e["loc"] = ["body", "body", *e["loc"]]
        return JsonResponse({"detail": errors}, status=422)
    return _submit(request, public_id, body)


def _submit(request: HttpRequest, public_id: uuid.UUID, body: SubmissionIn) -> HttpResponse:
    found = selectors.touchpoint_public_with_version(public_id)
    if found is None:
        return _json({"message": "No open survey with this id.", "errors": {}}, 404, None,
                     False)
    tp, version = found
    allowed, origin = _origin_allowed(request, tp)
    if not allowed:
        return _json({"message": "This site is not allowed to submit to this survey."}, 403,
                     origin, False)
    key = request.META.get("HTTP_IDEMPOTENCY_KEY") or None
    if key and len(key) > 100:
        return _json({"message": "Idempotency-Key must be at most 100 characters."}, 400,
                     origin, allowed)
    limited = submit_limited(request, tp)
    if limited:
        return _json({"message": limited}, 429, origin, allowed)
    result = services.response_submit(
        touchpoint=tp, answers=body.answers, language=body.language,
        source=Response.Source.WIDGET if origin else Response.Source.API,
        page_url=body.page_url, idempotency_key=key, honeypot=body.hp,
        ip_address=client_ip(request) if tp.agency.record_ip_addresses else None,
        version=version,
    )
    if result.closed_reason:
        return _json({"message": result.closed_reason}, 409, origin, allowed)
    if result.errors:
        return _json({"message": "Some answers need attention.", "errors": result.errors}, 400,
                     origin, allowed)
    assert result.response is not None
    return _json({"id": result.response.pk, "replayed": result.replayed,
                  "quarantined": result.response.quarantined},
                 200 if result.replayed else 201, origin, allowed)


@router.post("/touchpoints/{public_id}/offers", response={204: None, 403: ErrorOut, 404: ErrorOut})
def offered(request: HttpRequest, public_id: uuid.UUID) -> Any:
    """Count that the survey was shown to someone (the response-rate denominator)."""
    tp = _touchpoint_or_404(public_id)
    if tp is None:
        return Status(404, {"message": "No open survey with this id."})
    allowed, origin = _origin_allowed(request, tp)
    if not allowed:
        return _json({"message": "This site is not allowed to show this survey."}, 403, origin,
                     False)
    if submit_limited(request, tp):
        return _with_cors(HttpResponse(status=204), origin, allowed)  # counted enough
    services.offer_record(touchpoint=tp, source="widget")
    return _with_cors(HttpResponse(status=204), origin, allowed)


for _path in ("survey", "responses", "offers"):
    router.api_operation(["OPTIONS"], f"/touchpoints/{{public_id}}/{_path}",
                         include_in_schema=False)(preflight)


# --- staff ----------------------------------------------------------------------------------

class ResponseOut(Schema):
    id: int
    service: str
    touchpoint: str
    channel: str
    language: str
    submitted_at: dt.datetime
    trust_positive: bool | None
    trust_score: int | None
    drivers_positive: list[str]
    drivers_negative: list[str]
    comment: str
    status: str


class ResponseQuery(Schema):
    service: int | None = Field(None, ge=1, le=2**63 - 1)
    touchpoint: int | None = Field(None, ge=1, le=2**63 - 1)
    channel: str = Field("", max_length=20)
    start: dt.date | None = None
    end: dt.date | None = None
    trust: str = Field("", max_length=10)
    driver: str = Field("", max_length=40)
    language: str = Field("", max_length=8)
    text: str = Field("", max_length=200)
    status: str = Field("", max_length=12)
    tag: str = Field("", max_length=60)
    quarantined: bool = False
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)

    @field_validator("channel", "trust", "driver", "language", "text", "status", "tag")
    @classmethod
    def _no_nul(cls, v: str) -> str:
        return no_nul(v)


@staff_router.get("/responses", response=list[ResponseOut])
def responses_list(request: HttpRequest, q: Query[ResponseQuery]) -> Any:
    f = selectors.ResponseFilter(**q.dict(exclude={"limit", "offset"}))
    rows = list(selectors.responses_for(request.user, f)[q.offset:q.offset + q.limit])
    audit_record_per_agency(
        rows_by_agency=dict(Counter(r.agency_id for r in rows)), action="responses.view",
        request=request, object_type="response",
        detail={"api": True, "filter": q.model_dump(
            mode="json", exclude={"limit", "offset"}, exclude_none=True, exclude_defaults=True)})
    # comments reach staff without personal_data.view redacted, as on the responses pages
    originals = agency_ids_for(request.user, "personal_data.view")
    rows = [r if r.agency_id in originals else redact_response(r) for r in rows]
    return [
        {"id": r.pk, "service": r.service.name, "touchpoint": r.touchpoint.name,
         "channel": r.channel, "language": r.language, "submitted_at": r.submitted_at,
         "trust_positive": r.trust_positive, "trust_score": r.trust_score,
         "drivers_positive": r.drivers_positive, "drivers_negative": r.drivers_negative,
         "comment": r.comment, "status": r.status}
        for r in rows
    ]
