"""Staff pages: journey maps, drill-down to journeys, intended journeys, imports and exports.

Thin: parse, authorise through selectors (scoped to the user's agencies: another agency's
service is a 404), call a service or selector, render. Lists of journeys (case keys that lead
to people) and exports are audit events.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from govcx.core.models import Service
from govcx.core.services import audit_record
from govcx.journeys import graph, imports, selectors, services
from govcx.journeys.models import JourneyEvent, JourneyImport
from govcx.journeys.selectors import Drill, FilterError, MapFilter

LANGUAGES = (("en", "English"), ("es", "Español"))


def _service(request: HttpRequest, service_id: int, capability: str = "journeys.view",
             ) -> Service:
    try:
        return selectors.journey_service_get(request.user, service_id, capability)
    except Service.DoesNotExist as exc:
        raise Http404("No such service.") from exc


def _may_manage(request: HttpRequest, service: Service) -> bool:
    return selectors.journey_services_for(request.user, "journeys.manage").filter(
        pk=service.pk).exists()


def _forbidden(request: HttpRequest, service: Service, action: str) -> HttpResponse:
    audit_record(action=action, request=request, agency=service.agency_id,
                 object_type="service", object_id=service.pk, outcome="denied")
    return HttpResponseForbidden(_("Your role does not allow this (it needs the "
                                   "'journeys.manage' capability)."))


# --- index and map ---------------------------------------------------------------------------

@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.journey_services_for(request.user).order_by("agency__name", "name")
                .annotate(events=Count("journey_events")))
    return render(request, "journeys/map_index.html", {"services": rows})


def _map_context(request: HttpRequest, service: Service, flt: MapFilter) -> dict[str, Any]:
    log = selectors.journey_log(service=service, flt=flt)
    intended = selectors.intended_steps(service)
    jmap = selectors.journey_map(log=log, intended=intended)
    stats = jmap.stats
    nodes = [graph.Node(activity=s.activity, cases=s.cases, start=s.start, end=s.end)
             for s in jmap.steps]
    edges = [graph.Edge(source=a.source, target=a.target, count=a.count,
                        median_seconds=a.median_seconds) for a in stats.dfg]
    top = " → ".join(jmap.variants[0].activities) if jmap.variants else ""
    description = ngettext(
        "%(steps)s step and %(arrows)s arrow from %(cases)s journey.",
        "%(steps)s steps and %(arrows)s arrows from %(cases)s journeys.", stats.cases,
    ) % {"steps": len(nodes), "arrows": len(edges), "cases": stats.cases}
    if top:
        description += " " + _("The most common path is: %(path)s.") % {"path": top}
    description += " " + _("The tables below the map list the same figures.")
    svg = graph.render_svg(nodes=nodes, edges=edges,
                           title=_("Journey map of %(service)s") % {"service": service.name},
                           description=description)
    base = flt.query()

    def drill(kind: str, a: str, b: str = "") -> str:
        q = {**base, **Drill(kind=kind, a=a, b=b).query()}
        return reverse("journeys:cases", args=[service.pk]) + "?" + urlencode(q)

    steps = [{"s": s, "url": drill("step", s.activity),
              "start_url": drill("start", s.activity) if s.start else "",
              "end_url": drill("end", s.activity) if s.end else ""} for s in jmap.steps]
    arcs = [{"a": a, "url": drill("arc", a.source, a.target),
             "mean": graph.duration_text(a.mean_seconds),
             "median": graph.duration_text(a.median_seconds)} for a in stats.dfg]
    variants = [{"v": v, "url": drill("variant", v.key), "share": round(100 * v.share, 1),
                 "mean": graph.duration_text(v.mean_seconds),
                 "median": graph.duration_text(v.median_seconds)} for v in jmap.variants]
    conf = jmap.conformance
    conformance = None
    if conf is not None:
        conformance = {
            "c": conf,
            "exact_url": drill("conformance", "exact"),
            "extra_url": drill("conformance", "extra"),
            "follow_url": drill("conformance", "follow"),
            "deviate_url": drill("conformance", "deviate"),
            "follow_share": round(100 * conf.follow / conf.cases, 1) if conf.cases else 0,
            "skipped": [(s, n, drill("skipped", s)) for s, n in conf.skipped],
            "extra": [(a, n, drill("extra", a)) for a, n in conf.extra],
            "order": [(a, b, n, drill("order", a, b)) for a, b, n in conf.order],
        }
    d = stats.case_duration_seconds
    outcomes = sorted(set(stats.end) | ({flt.outcome} if flt.outcome else set()))
    return {
        "service": service, "flt": flt, "stats": stats, "svg": svg, "steps": steps,
        "arcs": arcs, "variants": variants, "variant_total": jmap.variant_total,
        "conformance": conformance, "intended": intended,
        "durations": {"count": d.count, "mean": graph.duration_text(d.mean),
                      "median": graph.duration_text(d.median),
                      "min": graph.duration_text(d.min), "max": graph.duration_text(d.max)},
        "outcomes": outcomes, "languages": LANGUAGES,
        "export_query": urlencode(base), "drawn": min(len(edges), graph.MAX_ARROWS),
        "may_manage": _may_manage(request, service),
        **selectors.filter_choices(service=service),
    }


@login_required
@require_GET
def journey_map(request: HttpRequest, service_id: int) -> HttpResponse:
    service = _service(request, service_id)
    try:
        flt = MapFilter.parse(request.GET)
    except FilterError as exc:
        return render(request, "journeys/map.html", {
            "service": service, "flt": MapFilter.default(), "error": str(exc),
            "languages": LANGUAGES, **selectors.filter_choices(service=service)}, status=400)
    return render(request, "journeys/map.html", _map_context(request, service, flt))


def _case_link(key: str) -> str:
    kind, _sep, ident = key.partition(":")
    if ident.isdigit():
        if kind == "customer":
            return reverse("contact:customer", args=[int(ident)])
        if kind == "case":
            return reverse("contact:case", args=[int(ident)])
    return ""


@login_required
@require_GET
def journey_cases(request: HttpRequest, service_id: int) -> HttpResponse:
    service = _service(request, service_id)
    try:
        flt = MapFilter.parse(request.GET)
        drill = Drill.parse(request.GET)
        log = selectors.journey_log(service=service, flt=flt)
        result = selectors.drill_cases(log=log, drill=drill,
                                       intended=selectors.intended_steps(service))
    except FilterError as exc:
        return render(request, "journeys/map_cases.html", {
            "service": service, "error": str(exc), "flt": MapFilter.default()}, status=400)
    audit_record(action="journeys.cases_view", request=request, agency=service.agency_id,
                 object_type="service", object_id=service.pk,
                 detail={**drill.query(), "journeys": result.total})
    rows = [{"key": k, "url": _case_link(k)} for k in result.case_keys]
    return render(request, "journeys/map_cases.html", {
        "service": service, "flt": flt, "drill": drill, "result": result, "rows": rows,
        "back": reverse("journeys:map", args=[service.pk]) + "?" + urlencode(flt.query()),
    })


# --- intended journey ------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def intended_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    service = _service(request, service_id)
    if not _may_manage(request, service):
        return _forbidden(request, service, "journeys.intended_set")
    known = list(JourneyEvent.objects.filter(agency_id=service.agency_id, service=service)
                 .values("activity").annotate(n=Count("id")).order_by("-n", "activity")
                 .values_list("activity", flat=True)[:60])
    steps = selectors.intended_steps(service)
    ctx: dict[str, Any] = {"service": service, "known": known, "error": "",
                           "text": "\n".join(steps), "steps": steps}
    if request.method == "GET":
        return render(request, "journeys/intended.html", ctx)
    text = str(request.POST.get("steps", "")).replace("\x00", "")[:20000]
    ctx["text"] = text
    if request.POST.get("clear") == "1":
        services.intended_journey_clear(service=service)
        audit_record(action="journeys.intended_clear", request=request,
                     agency=service.agency_id, object_type="service", object_id=service.pk)
        return redirect("journeys:map", service_id=service.pk)
    try:
        intended = services.intended_journey_set(service=service, steps=text.splitlines(),
                                                 actor=request.user)
    except services.JourneyError as exc:
        ctx["error"] = str(exc)
        return render(request, "journeys/intended.html", ctx, status=400)
    audit_record(action="journeys.intended_set", request=request, agency=service.agency_id,
                 object_type="service", object_id=service.pk, detail={"steps": intended.steps})
    return redirect(reverse("journeys:map", args=[service.pk]) + "#designed")


# --- import and export -----------------------------------------------------------------------

MAPPING_FIELDS = ("case", "activity", "timestamp", "channel", "stage", "service")


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, service_id: int) -> HttpResponse:
    service = _service(request, service_id)
    if not _may_manage(request, service):
        return _forbidden(request, service, "journeys.import")
    defaults = imports.Mapping()
    values = {f: getattr(defaults, f) for f in MAPPING_FIELDS}
    ctx: dict[str, Any] = {
        "service": service, "values": values, "error": "", "fmt": "",
        "max_mb": imports.MAX_BYTES // (1024 * 1024), "keep": False,
        "jobs": list(JourneyImport.objects.filter(agency_id=service.agency_id, service=service)
                     .defer("data", "errors").order_by("-created_at", "-id")[:5]),
    }
    if request.method == "GET":
        return render(request, "journeys/import.html", ctx)
    values = {f: str(request.POST.get(f, "")).replace("\x00", "").strip()[:200]
              for f in MAPPING_FIELDS}
    fmt = str(request.POST.get("format", "")).strip()
    keep = request.POST.get("keep_case_ids") == "1"
    ctx.update(values=values, fmt=fmt, keep=keep)
    upload = request.FILES.get("file")
    if upload is None:
        ctx["error"] = _("Choose a file to upload.")
        return render(request, "journeys/import.html", ctx, status=400)
    if upload.size is not None and upload.size > imports.MAX_BYTES:
        ctx["error"] = _("The file is larger than %(mb)s MB; import it with the command "
                         "`govcx journeys_import`.") % {"mb": ctx["max_mb"]}
        return render(request, "journeys/import.html", ctx, status=400)
    try:
        job = imports.journey_import_queue(
            agency=service.agency, data=upload.read(), filename=upload.name or "", fmt=fmt,
            mapping=imports.Mapping.from_dict(values), service=service, keep_case_ids=keep,
            actor=request.user)
    except imports.JourneyImportError as exc:
        ctx["error"] = str(exc)
        return render(request, "journeys/import.html", ctx, status=400)
    audit_record(action="journeys.import", request=request, agency=service.agency_id,
                 object_type="journey_import", object_id=job.pk,
                 detail={"filename": job.filename, "format": job.format})
    return redirect("journeys:import_status", import_id=job.pk)


def _import_get(request: HttpRequest, import_id: int) -> JourneyImport:
    try:
        return selectors.journey_imports_for(request.user).get(pk=import_id)
    except JourneyImport.DoesNotExist as exc:
        raise Http404("No such import.") from exc


def _import_status(job: JourneyImport) -> dict[str, Any]:
    finished = job.status in (JourneyImport.Status.DONE, JourneyImport.Status.FAILED)
    if job.status == JourneyImport.Status.QUEUED:
        message = _("Waiting for the import to start.")
    elif job.status == JourneyImport.Status.RUNNING:
        message = (_("Stored %(done)s of %(total)s events.") % {
            "done": job.rows_stored, "total": job.rows_read} if job.rows_read
            else _("Reading the file."))
    elif job.status == JourneyImport.Status.FAILED:
        message = _("The import failed: %(reason)s") % {"reason": job.failure}
    else:
        message = _("%(total)s rows read: %(stored)s events stored, %(bad)s rows not "
                    "imported.") % {"total": job.rows_total, "stored": job.rows_stored,
                                    "bad": job.error_count}
    return {"id": job.pk, "state": job.status, "state_label": str(job.get_status_display()),
            "finished": finished, "message": message, "rows_done": job.rows_stored,
            "rows_total": job.rows_read, "rows_stored": job.rows_stored,
            "error_count": job.error_count, "errors": job.errors[:imports.MAX_ERRORS],
            "failure": job.failure}


@login_required
@require_GET
def import_status(request: HttpRequest, import_id: int) -> HttpResponse:
    job = _import_get(request, import_id)
    return render(request, "journeys/import_status.html", {
        "job": job, "status": _import_status(job),
        "status_url": reverse("journeys:import_status_json", args=[job.pk])})


@login_required
@require_GET
def import_status_json(request: HttpRequest, import_id: int) -> JsonResponse:
    response = JsonResponse(_import_status(_import_get(request, import_id)))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def export(request: HttpRequest, service_id: int, fmt: str) -> HttpResponse | FileResponse:
    service = _service(request, service_id)
    if not _may_manage(request, service):
        return _forbidden(request, service, "journeys.export")
    if fmt not in imports.EXPORT_FORMATS:
        return HttpResponse(_("Export as csv or xes."), status=404,
                            content_type="text/plain; charset=utf-8")
    try:
        flt = MapFilter.parse(request.GET)
    except FilterError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    log = selectors.journey_log(service=service, flt=flt)
    name = imports.export_name(service, flt.start, flt.end)
    with tempfile.TemporaryDirectory(prefix="govcx-export-") as tmp:
        path = imports.journey_export_write(log=log, fmt=fmt, directory=Path(tmp), name=name)
        handle = path.open("rb")  # stays readable after the directory is removed (POSIX)
    audit_record(action="journeys.export", request=request, agency=service.agency_id,
                 object_type="service", object_id=service.pk,
                 detail={"format": fmt, "events": log.events, **flt.query()})
    return FileResponse(handle, as_attachment=True, filename=path.name,
                        content_type=imports.EXPORT_FORMATS[fmt][0])
