"""Staff pages: responses (filter, tag, status, quarantine), touchpoints (embed, QR, invite)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcx.core.params import id_param
from govcx.core.selectors import services_for
from govcx.core.services import audit_record, audit_record_per_agency
from govcx.feedback import selectors, services
from govcx.feedback.models import Response, Touchpoint
from govcx.feedback.schema import DRIVERS, SurveySchema, no_nul


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def filter_from_request(request: HttpRequest) -> selectors.ResponseFilter:
    g = {k: no_nul(str(v)) for k, v in request.GET.items()}
    return selectors.ResponseFilter(
        service=id_param(g.get("service")), touchpoint=id_param(g.get("touchpoint")),
        channel=g.get("channel", "")[:20], start=_date(g.get("start")), end=_date(g.get("end")),
        trust=g.get("trust", ""), driver=g.get("driver", "")[:40],
        language=g.get("language", "")[:8], text=g.get("q", "")[:200],
        status=g.get("status", "")[:12], tag=g.get("tag", "")[:60],
        quarantined=g.get("quarantined") == "1",
    )


def _redact_for(request: HttpRequest, rows: list[Response]) -> None:
    """Comments and free-text answers are shown redacted (in memory; the row is unchanged)
    unless the user holds personal_data.view in the response's agency."""
    from govcx.feedback.exports import redact_response

    originals = selectors.agency_ids_for(request.user, "personal_data.view")
    for r in rows:
        if r.agency_id not in originals:
            redact_response(r)


def _search_allowed(request: HttpRequest, f: selectors.ResponseFilter) -> bool:
    """Searching comments matches the original text, so a search for what looks like
    personal data (digits, an email address, a known name) would tell staff without
    personal_data.view what a redacted comment holds ("does any comment contain 123-45-?").
    For them such a search is ignored; True when the search stands."""
    from govcx.core.redact import FIRST_NAMES, SURNAMES, name_key

    if not f.text:
        return True
    visible = selectors.agency_ids_for(request.user, "responses.view")
    if visible <= selectors.agency_ids_for(request.user, "personal_data.view"):
        return True
    if re.search(r"[\d@]", f.text) or any(
            name_key(w) in FIRST_NAMES or name_key(w) in SURNAMES for w in f.text.split()):
        f.text = ""
        return False
    return True


@login_required
def responses(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    f = filter_from_request(request)
    search_refused = not _search_allowed(request, f)
    if search_refused:
        messages.warning(request, _("Searching comments for numbers, email addresses or names "
                                    "needs the personal data role, so the search was ignored."))
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        from django.utils import timezone

        from govcx.feedback import exports

        filter_detail = {k: str(v) for k, v in vars(f).items() if v}
        export_agencies = selectors.agency_ids_for(request.user, "responses.export")
        if not export_agencies:
            audit_record(action="responses.export", request=request, object_type="response",
                         outcome="denied", detail={"format": fmt, "filter": filter_detail})
            return HttpResponse("Your role does not allow exporting responses.", status=403,
                                content_type="text/plain; charset=utf-8")
        if (f.service and not services_for(request.user, "responses.export").filter(
                pk=f.service).exists()) or (f.touchpoint and not selectors.touchpoints_for(
                request.user, "responses.export").filter(pk=f.touchpoint).exists()):
            raise Http404("No such service or touchpoint.")
        export_qs = selectors.responses_for(request.user, f, capability="responses.export")
        per_agency = dict(export_qs.order_by().values_list("agency_id").annotate(n=Count("id"))
                          .values_list("agency_id", "n"))
        audit_record_per_agency(rows_by_agency=per_agency, action="responses.export",
                                request=request, object_type="response",
                                detail={"format": fmt, "filter": filter_detail})
        originals = selectors.agency_ids_for(request.user, "personal_data.view")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        export: HttpResponse | StreamingHttpResponse
        if fmt == "csv":
            export = StreamingHttpResponse(exports.responses_csv(export_qs, originals),
                                           content_type="text/csv; charset=utf-8")
        else:
            export = HttpResponse(
                exports.responses_xlsx(export_qs, originals),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        export["Content-Disposition"] = f'attachment; filename="responses-{stamp}.{fmt}"'
        return export
    qs = selectors.responses_for(request.user, f)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    _redact_for(request, page.object_list)
    audit_record_per_agency(
        rows_by_agency=dict(Counter(r.agency_id for r in page.object_list)),
        action="responses.view", request=request, object_type="response",
        detail={"page": page.number, "filter": {k: str(v) for k, v in vars(f).items() if v}})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "feedback/responses.html", {
        "page": page, "f": f, "query": query.urlencode(),
        "services": services_for(request.user, "responses.view"),
        "touchpoints": selectors.touchpoints_for(request.user, "responses.view"),
        "drivers": DRIVERS, "statuses": Response.Status.choices,
        "bad_dates": [k for k in ("start", "end") if request.GET.get(k) and not _date(
            request.GET.get(k))],
    })


@login_required
def response_detail(request: HttpRequest, response_id: int) -> HttpResponse:
    try:
        r = selectors.response_get(request.user, response_id)
    except Response.DoesNotExist as exc:
        audit_record(action="response.view", request=request, object_type="response",
                     object_id=response_id, outcome="denied")
        raise Http404("No such response.") from exc
    audit_record(action="response.view", request=request, agency=r.agency_id,
                 object_type="response", object_id=r.pk)
    _redact_for(request, [r])
    schema = SurveySchema.model_validate(r.survey_version.schema)
    rows = [(q.text.get("en", q.id), r.answers.get(q.id), r.answers.get(f"{q.id}_other"))
            for q in schema.questions if q.id in r.answers]
    return render(request, "feedback/response_detail.html", {
        "r": r, "rows": rows, "statuses": Response.Status.choices,
        "can_manage": selectors.responses_for(request.user, capability="responses.manage",
                                              f=selectors.ResponseFilter(
                                                  quarantined=r.quarantined)).filter(
            pk=r.pk).exists(),
    })


@login_required
@require_POST
def response_action(request: HttpRequest, response_id: int) -> HttpResponse:
    try:
        r = Response.objects.get(
            pk=response_id,
            agency_id__in=selectors.agency_ids_for(request.user, "responses.manage"),
        )
    except Response.DoesNotExist as exc:
        audit_record(action="response.change", request=request, object_type="response",
                     object_id=response_id, outcome="denied")
        raise Http404("No such response, or you may not change it.") from exc
    action = request.POST.get("action", "")
    try:
        if action == "status":
            services.response_status_set(response=r, status=request.POST.get("status", ""),
                                         actor=request.user)
        elif action == "tag":
            services.response_tag(response=r, name=request.POST.get("tag", ""),
                                  actor=request.user)
        elif action == "untag":
            services.response_tag(response=r, name=request.POST.get("tag", ""),
                                  actor=request.user, remove=True)
        elif action == "release":
            services.response_quarantine_release(response=r, actor=request.user)
        elif action == "quarantine":
            services.response_quarantine(response=r, reason=request.POST.get("reason", ""),
                                         actor=request.user)
        else:
            messages.error(request, "Unknown action.")
            return redirect("feedback:response_detail", response_id=r.pk)
    except services.SurveyError as exc:
        messages.error(request, str(exc))
        return redirect("feedback:response_detail", response_id=r.pk)
    messages.success(request, "Saved.")
    return redirect("feedback:response_detail", response_id=r.pk)


@login_required
def touchpoints(request: HttpRequest) -> HttpResponse:
    tps = selectors.touchpoints_for(request.user).order_by("service__name", "name")
    return render(request, "feedback/touchpoints.html", {"touchpoints": tps})


@login_required
@require_POST
def invitation_send(request: HttpRequest, touchpoint_id: int) -> HttpResponse:
    try:
        tp = selectors.touchpoints_for(request.user, "invitations.send").get(pk=touchpoint_id)
    except Touchpoint.DoesNotExist as exc:
        raise Http404(_("No such touchpoint, or you may not send its invitations.")) from exc
    channel = request.POST.get("channel", "email")
    to = request.POST.get("to", "").strip()
    if not to:
        messages.error(request, _("Enter an email address or phone number to send to."))
        return redirect("feedback:touchpoints")
    language = request.POST.get("language", "en")
    if language not in ("en", "es"):
        messages.error(request, _("Choose English or Spanish for the invitation."))
        return redirect("feedback:touchpoints")
    try:
        services.invitation_send(touchpoint=tp, channel=channel, to=to, language=language)
    except services.SurveyError as exc:
        messages.error(request, str(exc))
        return redirect("feedback:touchpoints")
    audit_record(action="invitation.send", request=request, agency=tp.agency_id,
                 object_type="touchpoint", object_id=tp.pk, detail={"channel": channel})
    messages.success(request, _("Invitation sent by %(channel)s.") % {"channel": channel})
    return redirect("feedback:touchpoints")
