"""CX maturity: the agency's self-assessments over time (A-11 §280 capacity domains and the
CXPA competencies), each item's rubric and the actions linked to it. insights.view reads,
maturity.assess records."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from govcx.core.models import Agency
from govcx.core.selectors import agency_ids_for
from govcx.core.services import audit_record
from govcx.improve import maturity, params
from govcx.improve import selectors as sel
from govcx.improve import services as svc
from govcx.improve.charts import score_trend_svg
from govcx.improve.services import ImproveError


def _agency(request: HttpRequest, capability: str, data: Any) -> tuple[Agency, list[Agency]]:
    ids = agency_ids_for(request.user, capability)
    agencies = list(Agency.objects.filter(id__in=ids).order_by("name"))
    if not agencies:
        raise Http404("No agency.")
    raw = params.text(data, "agency", 30).strip()
    if not raw:
        return agencies[0], agencies
    found = next((a for a in agencies if str(a.pk) == raw), None)
    if found is None:
        raise Http404("No such agency.")
    return found, agencies


@login_required
@require_GET
def maturity_page(request: HttpRequest) -> HttpResponse:
    agency, agencies = _agency(request, "insights.view", request.GET)
    assessments, rows = sel.maturity_history(agency.pk)
    averages = []
    for a in assessments:
        by_fw: dict[str, float | None] = {}
        for code in maturity.FRAMEWORKS:
            vals = [s.score for s in a.scores.all()
                    if s.item in maturity.ITEM_BY_CODE
                    and maturity.ITEM_BY_CODE[s.item].framework == code]
            by_fw[code] = round(sum(vals) / len(vals), 2) if vals else None
        averages.append((a, by_fw))
    chart = score_trend_svg(
        [(a.assessed_on.isoformat(), v) for a, v in averages],
        title=_("Average maturity score per framework at each assessment (1–5)"),
        series_labels={c: str(f.name) for c, f in maturity.FRAMEWORKS.items()},
    ) if assessments else None
    blocks = [{"framework": f, "rows": [r for r in rows if r.item.framework == code]}
              for code, f in maturity.FRAMEWORKS.items()]
    return render(request, "improve/maturity.html", {
        "agency": agency, "agencies": agencies, "assessments": assessments, "blocks": blocks,
        "averages": averages, "chart": chart, "levels": maturity.LEVEL_NAMES,
        "frameworks": maturity.FRAMEWORKS,
        "can_assess": agency.pk in agency_ids_for(request.user, "maturity.assess"),
        "can_manage": agency.pk in agency_ids_for(request.user, "insights.manage")})


@login_required
@require_http_methods(["GET", "POST"])
def maturity_new(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    agency, agencies = _agency(request, "maturity.assess", data)
    _a, rows = sel.maturity_history(agency.pk)
    latest = {r.item.code: r.latest for r in rows}
    items = []
    for code, f in maturity.FRAMEWORKS.items():
        items.append((f, [{"item": i, "levels": list(zip(range(1, 6), maturity.LEVEL_NAMES,
                                                          i.levels, strict=True)),
                           "latest": latest.get(i.code)}
                          for i in maturity.ITEMS if i.framework == code]))
    ctx: dict[str, Any] = {"agency": agency, "agencies": agencies, "items": items,
                           "form": request.POST if request.method == "POST" else {},
                           "today": timezone.localdate(), "error": ""}
    if request.method == "POST":
        try:
            scores: dict[str, tuple[int, str]] = {}
            for item in maturity.ITEMS:
                score = params.scale(request.POST, f"score_{item.code}", str(item.name))
                if score is not None:
                    scores[item.code] = (score, params.text(request.POST,
                                                            f"note_{item.code}", 5000))
            assessment = svc.maturity_assessment_record(
                agency=agency, assessed_on=params.date_required(request.POST, "assessed_on",
                                                                _("Date")),
                scores=scores, note=params.text(request.POST, "note"), assessor=params.staff_user(request))
        except ImproveError as exc:
            ctx["error"] = str(exc)
            return render(request, "improve/maturity_new.html", ctx, status=400)
        audit_record(action="improve.maturity.assess", request=request, agency=agency,
                     object_type="maturity_assessment", object_id=assessment.pk,
                     detail={"items": len(scores)})
        messages.success(request, _("Assessment recorded."))
        return redirect(reverse("improve:maturity") + f"?agency={agency.pk}")
    return render(request, "improve/maturity_new.html", ctx)
