"""Public survey pages: hosted survey, personal invitation links, QR codes."""

from __future__ import annotations

import io
import uuid
from typing import Any

import segno
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from govcx.core.services import client_ip
from govcx.feedback import selectors, services
from govcx.feedback.forms import answers_from_post, fields_for
from govcx.feedback.models import Invitation, Response, Touchpoint
from govcx.feedback.ratelimits import submit_limited
from govcx.feedback.schema import SurveySchema, no_nul

OFFER_COOKIE = "govcx_offered"


def _lang(request: HttpRequest) -> str:
    lang = request.POST.get("lang") or request.GET.get("lang") or request.LANGUAGE_CODE or "en"
    return lang if lang in ("en", "es") else "en"


def _render_survey(
    request: HttpRequest, touchpoint: Touchpoint, *, invitation: Invitation | None = None,
    closed_reason: str | None = None,
) -> HttpResponse:
    lang = _lang(request)
    version = touchpoint.survey.current_version
    ctx: dict[str, Any] = {"touchpoint": touchpoint, "lang": lang,
                           "title": touchpoint.service.name, "closed_reason": closed_reason}
    if version is None:
        ctx["closed_reason"] = "This survey is not open yet."
    elif not closed_reason:
        ctx["closed_reason"] = services.survey_closed_reason(version)
    status = 200
    if version is not None and not ctx["closed_reason"]:
        schema = SurveySchema.model_validate(version.schema)
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        if request.method == "POST":
            values = answers_from_post(schema, request.POST)
            limited = submit_limited(request, touchpoint)
            if limited:
                errors, status = {}, 429
                ctx["form_error"] = limited
            else:
                result = services.response_submit(
                    touchpoint=touchpoint, answers=values, language=lang,
                    source=Response.Source.INVITATION if invitation else Response.Source.WEB,
                    # an invitation link carries its token: keep only the survey's address
                    page_url=(f"{settings.PUBLIC_BASE_URL}/s/{touchpoint.public_id}/"
                              if invitation else request.build_absolute_uri()),
                    idempotency_key=(request.POST.get("idempotency_key") or "")[:100] or None,
                    honeypot=request.POST.get("website", ""), ip_address=client_ip(request),
                    invitation=invitation,
                )
                if result.ok:
                    return redirect(f"/s/{touchpoint.public_id}/thanks/?lang={lang}")
                if result.closed_reason:
                    ctx["closed_reason"] = result.closed_reason
                    status = 409
                errors = result.errors
                status = 400 if errors else status
        hidden = {k: no_nul(str(v))[:500] for k, v in request.GET.items() if k != "lang"}
        ctx.update(
            fields=fields_for(schema, lang, values, errors, hidden_values=hidden),
            errors=errors or ctx.get("form_error"),
            idempotency_key=request.POST.get("idempotency_key") or uuid.uuid4().hex,
            omb_control_number=version.omb_control_number,
            pra_expiration=version.pra_expiration,
        )
    with translation.override(lang):
        response = render(request, "feedback/survey.html", ctx, status=status)
    if request.method == "GET" and not ctx["closed_reason"] and invitation is None:
        seen = request.COOKIES.get(OFFER_COOKIE, "")
        key = str(touchpoint.pk)
        if key not in seen.split("."):
            services.offer_record(touchpoint=touchpoint, source="page")
            response.set_cookie(OFFER_COOKIE, ".".join([*seen.split("."), key][-20:]).strip("."),
                                max_age=86400, httponly=True, samesite="Lax",
                                secure=not settings.DEV)
    return response


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    touchpoint = selectors.touchpoint_public(public_id)
    if touchpoint is None:
        raise Http404("No open survey at this address.")
    return _render_survey(request, touchpoint)


@require_http_methods(["GET", "POST"])
def survey_invitation(request: HttpRequest, token: str) -> HttpResponse:
    inv = services.invitation_by_token(token)
    problem = services.invitation_problem(inv)
    if inv is None:
        return render(request, "feedback/survey.html",
                      {"closed_reason": problem, "title": "Survey", "touchpoint": None},
                      status=404)
    return _render_survey(request, inv.touchpoint, invitation=inv, closed_reason=problem)


def survey_thanks(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    touchpoint = selectors.touchpoint_public(public_id)
    if touchpoint is None:
        raise Http404
    with translation.override(_lang(request)):
        return render(request, "feedback/thanks.html", {"touchpoint": touchpoint})


def survey_qr(request: HttpRequest, public_id: uuid.UUID, fmt: str) -> HttpResponse:
    """A QR code of the hosted survey's address, as SVG or PNG, for posters and receipts."""
    touchpoint = selectors.touchpoint_public(public_id)
    if touchpoint is None or fmt not in ("svg", "png"):
        raise Http404("No QR code here: use qr.svg or qr.png.")
    url = f"{settings.PUBLIC_BASE_URL}/s/{touchpoint.public_id}/?src=qr"
    qr = segno.make(url, error="m")
    buf = io.BytesIO()
    if fmt == "svg":
        qr.save(buf, kind="svg", scale=8, border=2, title=f"Survey: {touchpoint.service.name}")
        ctype = "image/svg+xml"
    else:
        qr.save(buf, kind="png", scale=10, border=2)
        ctype = "image/png"
    resp = HttpResponse(buf.getvalue(), content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="survey-{touchpoint.public_id}-qr.{fmt}"'
    return resp
