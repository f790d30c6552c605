"""Staff pages for themes of comments: the list (volume, share negative, spikes, emerging)
and a theme (weekly counts, representative quotes, rename / merge / split, open an insight).

Reading needs comments.view; changing themes needs themes.manage; opening an insight needs
insights.manage. Comments are shown redacted only (Comment holds nothing else)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcx.core.params import id_param
from govcx.core.selectors import agency_ids_for, services_for
from govcx.core.services import audit_record
from govcx.feedback import themes as th
from govcx.feedback.models import Comment, Theme

WEEKS = 12


def _weeks_param(raw: str | None) -> int:
    try:
        return max(4, min(52, int(raw or WEEKS)))
    except ValueError:
        return WEEKS


def _theme_for(request: HttpRequest, theme_id: int, capability: str) -> Theme:
    try:
        return Theme.objects.select_related("agency").get(
            pk=theme_id, agency_id__in=agency_ids_for(request.user, capability))
    except Theme.DoesNotExist as exc:
        raise Http404(_("No such theme.")) from exc


@login_required
def theme_list(request: HttpRequest) -> HttpResponse:
    agencies = agency_ids_for(request.user, "comments.view")
    if not agencies:
        raise Http404(_("No such page."))
    from govcx.feedback.comments import comments_collect_soon

    comments_collect_soon()
    weeks = _weeks_param(request.GET.get("weeks"))
    service_id = id_param(request.GET.get("service"))
    services = services_for(request.user, "comments.view")
    if service_id is not None and not services.filter(pk=service_id).exists():
        raise Http404(_("No such service."))
    end = timezone.localdate()
    start = th.monday(end) - dt.timedelta(weeks=weeks - 1)
    rows: list[dict[str, Any]] = []
    for agency_id in sorted(agencies):
        series = th.theme_weekly_counts(agency_id=agency_id, service_id=service_id,
                                        start=start, end=end)
        signals = {s.theme_id: s for s in th.theme_signals(agency_id=agency_id,
                                                           service_id=service_id)}
        for tid, s in series.items():
            total = sum(c for _w, c, _n in s.weeks)
            rows.append({"id": tid, "name": s.name, "total": total,
                         "negative_share": s.negative_share,
                         "last": s.weeks[-1][1] if s.weeks else 0, "signal": signals.get(tid)})
    rows.sort(key=lambda r: -int(r["total"] or 0))
    unplaced = Comment.objects.filter(agency_id__in=agencies, theme__isnull=True).count()
    return render(request, "feedback/themes.html", {
        "rows": rows, "weeks": weeks, "start": start, "end": end, "services": services,
        "service_id": service_id, "unplaced": unplaced,
    })


@login_required
def theme_detail(request: HttpRequest, theme_id: int) -> HttpResponse:
    theme = _theme_for(request, theme_id, "comments.view")
    if theme.merged_into_id is not None:
        return redirect("feedback:theme_detail", theme_id=theme.merged_into_id)
    weeks = _weeks_param(request.GET.get("weeks"))
    end = timezone.localdate()
    start = th.monday(end) - dt.timedelta(weeks=weeks - 1)
    series = th.theme_weekly_counts(agency_id=theme.agency_id, service_id=None, start=start,
                                    end=end).get(theme.pk)
    others = Theme.objects.filter(agency_id=theme.agency_id, merged_into__isnull=True).exclude(
        pk=theme.pk).order_by("name")
    user_agencies_manage = agency_ids_for(request.user, "themes.manage")
    return render(request, "feedback/theme_detail.html", {
        "theme": theme, "series": series, "weeks": weeks,
        "quotes": th.theme_quotes(theme, 5),
        "recent": theme.comments.order_by("-created_at")[:20],
        "others": others, "can_manage": theme.agency_id in user_agencies_manage,
        "can_insight": theme.agency_id in agency_ids_for(request.user, "insights.manage"),
    })


@login_required
@require_POST
def theme_action(request: HttpRequest, theme_id: int) -> HttpResponse:
    action = request.POST.get("action", "")
    capability = "insights.manage" if action == "insight" else "themes.manage"
    theme = _theme_for(request, theme_id, capability)
    if theme.merged_into_id is not None:
        messages.error(request, _("This theme was merged into another."))
        return redirect("feedback:theme_detail", theme_id=theme.merged_into_id)
    try:
        if action == "rename":
            th.theme_rename(theme=theme, name=request.POST.get("name", ""))
            messages.success(request, _("Theme renamed."))
        elif action == "merge":
            into_id = id_param(request.POST.get("into"))
            into = Theme.objects.filter(pk=into_id, agency_id=theme.agency_id,
                                        merged_into__isnull=True).first() if into_id else None
            if into is None:
                messages.error(request, _("Choose a theme of the same agency to merge into."))
                return redirect("feedback:theme_detail", theme_id=theme.pk)
            th.theme_merge(theme=theme, into=into)
            audit_record(action="theme.merge", request=request, agency=theme.agency_id,
                         object_type="theme", object_id=theme.pk, detail={"into": into.pk})
            messages.success(request, _("Themes merged."))
            return redirect("feedback:theme_detail", theme_id=into.pk)
        elif action == "split":
            new = th.theme_split(theme=theme)
            audit_record(action="theme.split", request=request, agency=theme.agency_id,
                         object_type="theme", object_id=theme.pk, detail={"new": new.pk})
            messages.success(request, _("Theme split in two."))
        elif action == "insight":
            from govcx.improve.services import insight_open

            series = th.theme_weekly_counts(
                agency_id=theme.agency_id, service_id=None,
                start=timezone.localdate() - dt.timedelta(weeks=WEEKS),
                end=timezone.localdate()).get(theme.pk)
            insight = insight_open(
                agency=theme.agency, source="theme", source_ref=f"theme:{theme.pk}",
                title=theme.name, summary=", ".join(theme.terms),
                evidence={"theme_id": theme.pk, "terms": theme.terms,
                          "negative_share": series.negative_share if series else None,
                          "quotes": [c.text_redacted[:500] for c in th.theme_quotes(theme, 3)]},
                by=request.user if request.user.is_authenticated else None)
            messages.success(request, _("Insight opened (number %(id)s).") % {"id": insight.pk})
        else:
            messages.error(request, _("Unknown action."))
    except th.ThemeError as exc:
        messages.error(request, str(exc))
    return redirect("feedback:theme_detail", theme_id=theme.pk)
