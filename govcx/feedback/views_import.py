"""Staff upload of survey results collected elsewhere (IVR, paper) into a touchpoint."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from govcx.core.services import audit_record
from govcx.feedback import selectors
from govcx.feedback.imports import MAX_BYTES, OPTIONAL_COLUMNS, responses_import
from govcx.feedback.models import Touchpoint
from govcx.feedback.schema import SurveySchema

MAX_WEB_ROWS = 5000  # larger files: `govcx import_responses FILE --touchpoint ID`


@login_required
@require_http_methods(["GET", "POST"])
def import_responses(request: HttpRequest, touchpoint_id: int) -> HttpResponse:
    try:
        tp = selectors.touchpoints_for(request.user, "dashboard.view").get(pk=touchpoint_id)
    except Touchpoint.DoesNotExist as exc:
        raise Http404("No such touchpoint.") from exc
    if not selectors.touchpoints_for(request.user, "responses.import").filter(pk=tp.pk).exists():
        audit_record(action="responses.import", request=request, agency=tp.agency_id,
                     object_type="touchpoint", object_id=tp.pk, outcome="denied")
        return HttpResponseForbidden("Your role does not allow importing responses for this "
                                     "agency (it needs the 'responses.import' capability).")
    version = tp.survey.current_version
    columns = ([q.id for q in SurveySchema.model_validate(version.schema).questions]
               if version else [])
    ctx: dict[str, object] = {"tp": tp, "columns": columns, "optional": OPTIONAL_COLUMNS,
                              "result": None, "error": "", "max_rows": MAX_WEB_ROWS}
    if request.method == "GET":
        return render(request, "feedback/import.html", ctx)
    upload = request.FILES.get("file")
    dry_run = request.POST.get("dry_run") == "1"
    ctx["dry_run"] = dry_run
    if upload is None:
        ctx["error"] = "Choose a CSV file to upload."
        return render(request, "feedback/import.html", ctx, status=400)
    if upload.size is not None and upload.size > MAX_BYTES:
        ctx["error"] = f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."
        return render(request, "feedback/import.html", ctx, status=400)
    data = upload.read()
    if data.count(b"\n") > MAX_WEB_ROWS + 1:
        ctx["error"] = (f"The file has more than {MAX_WEB_ROWS} rows. Split it, or ask an "
                        "administrator to run the command-line import.")
        return render(request, "feedback/import.html", ctx, status=400)
    try:
        result = responses_import(touchpoint=tp, data=data, filename=upload.name or "",
                                  actor=request.user, dry_run=dry_run)
    except ValueError as exc:
        ctx["error"] = str(exc)
        return render(request, "feedback/import.html", ctx, status=400)
    ctx["result"] = result
    return render(request, "feedback/import.html", ctx, status=200 if result.ok else 400)
