"""The signed-in staff member's own notifications (alerts about services they own, …)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from govcx.core.models import Notification
from govcx.core.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
    notifications_of,
)

PER_PAGE = 50


def _bad(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "core/notifications.html",
                  {"problem": message, "page": None, "unread": 0}, status=400)


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    from govcx.metrics.alerts import alerts_check_soon

    alerts_check_soon()
    qs = notifications_of(request.user)
    show = request.GET.get("show", "")
    if show not in ("", "unread"):
        return _bad(request, _("“show” must be “unread” or empty (all)."))
    if show:
        qs = qs.filter(read_at__isnull=True)
    page_raw = request.GET.get("page", "1")
    if not page_raw.isdigit() or int(page_raw) < 1:
        return _bad(request, _("“page” must be a whole number from 1."))
    page = Paginator(qs, PER_PAGE).get_page(int(page_raw))
    return render(request, "core/notifications.html", {
        "page": page, "show": show,
        "unread": notifications_of(request.user).filter(read_at__isnull=True).count(),
    })


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    try:
        n = notification_mark_read(user=request.user, notification_id=notification_id)
    except Notification.DoesNotExist as exc:
        raise Http404(_("No such notification.")) from exc
    if request.POST.get("open") and n.url and url_has_allowed_host_and_scheme(
            n.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(n.url)
    return redirect("core:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    messages.success(request, _("%(n)s notification(s) marked read.") % {"n": count})
    return redirect("core:notifications")


urlpatterns = [
    path("staff/notifications/", notifications, name="notifications"),
    path("staff/notifications/read-all/", notifications_read_all,
         name="notifications_read_all"),
    path("staff/notifications/<int:notification_id>/read/", notification_read,
         name="notification_read"),
]
