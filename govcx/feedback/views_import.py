"""Staff upload of survey results collected elsewhere (IVR, paper) into a touchpoint.

The upload is checked as a whole (size, encoding, header) in the request, then imported row by
row by the background worker; the job's status page shows its progress and then the result.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from govcx.core.selectors import agency_ids_for
from govcx.core.services import audit_record
from govcx.feedback import selectors
from govcx.feedback.imports import MAX_BYTES, OPTIONAL_COLUMNS, import_job_queue
from govcx.feedback.models import ImportJob, Touchpoint
from govcx.feedback.schema import SurveySchema

MAX_ERRORS_SHOWN = 1000  # row problems listed on the status page and in its JSON


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
                              "error": "", "max_mb": MAX_BYTES // (1024 * 1024),
                              "jobs": _recent_jobs(tp)}
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
    try:
        job = import_job_queue(touchpoint=tp, data=upload.read(), filename=upload.name or "",
                               actor=request.user, dry_run=dry_run)
    except ValueError as exc:
        ctx["error"] = str(exc)
        return render(request, "feedback/import.html", ctx, status=400)
    return redirect("feedback:import_job", job_id=job.pk)


def _recent_jobs(tp: Touchpoint) -> list[ImportJob]:
    return list(ImportJob.objects.filter(touchpoint=tp).defer("data", "errors")
                .order_by("-created_at", "-id")[:5])


def _job_get(request: HttpRequest, job_id: int) -> ImportJob:
    """A job of an agency the user may import into; 404 for other agencies' jobs."""
    try:
        return (ImportJob.objects.defer("data").select_related("touchpoint")
                .get(pk=job_id, agency_id__in=agency_ids_for(request.user, "responses.import")))
    except ImportJob.DoesNotExist as exc:
        raise Http404("No such import.") from exc


def _job_status(job: ImportJob) -> dict[str, Any]:
    """What the status page and its JSON show: state, progress, then the outcome."""
    finished = job.state in (ImportJob.State.DONE, ImportJob.State.FAILED)
    rows_failed = len({e.get("row") for e in job.errors})
    if job.state == ImportJob.State.QUEUED:
        message = _("Waiting for the import to start.")
    elif job.state == ImportJob.State.RUNNING:
        message = ngettext("Read %(done)s of %(total)s row.", "Read %(done)s of %(total)s rows.",
                           job.rows_total) % {"done": job.rows_done, "total": job.rows_total}
    elif job.state == ImportJob.State.FAILED:
        message = _("The import failed: %(reason)s") % {"reason": job.failure}
    elif job.dry_run:
        message = _("Checked %(n)s rows (nothing stored): %(f)s with errors.") % {
            "n": job.rows_total, "f": rows_failed}
    else:
        message = _("%(n)s rows read: %(i)s imported, %(a)s already imported before, "
                    "%(f)s failed.") % {"n": job.rows_total, "i": job.rows_imported,
                                        "a": job.rows_already, "f": rows_failed}
    return {
        "id": job.pk, "state": job.state, "state_label": str(job.get_state_display()),
        "finished": finished, "dry_run": job.dry_run, "message": message,
        "rows_done": job.rows_done, "rows_total": job.rows_total,
        "rows_imported": job.rows_imported, "rows_already": job.rows_already,
        "rows_failed": rows_failed, "failure": job.failure,
        "errors": job.errors[:MAX_ERRORS_SHOWN], "errors_total": len(job.errors),
    }


@login_required
@require_GET
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_get(request, job_id)
    status = _job_status(job)
    return render(request, "feedback/import_job.html", {
        "job": job, "tp": job.touchpoint, "status": status,
        "status_url": reverse("feedback:import_job_status", args=[job.pk]),
    })


@login_required
@require_GET
def import_job_status(request: HttpRequest, job_id: int) -> JsonResponse:
    response = JsonResponse(_job_status(_job_get(request, job_id)))
    response["Cache-Control"] = "no-store"
    return response
