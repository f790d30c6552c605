"""In-app notifications to staff: the writes, the reads and the header count.

A notification belongs to one user; nobody else sees or changes it (every read and write
here takes the user), and the user sees it only while a member of its agency. Alerts
(`govcx.metrics.alerts`) are the first sender.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from govcx.core.models import Agency, Notification

AnyUser = AbstractBaseUser | AnonymousUser


def notification_send(*, user: User, agency: Agency, kind: str, title: str,
                      body: str = "", url: str = "") -> Notification:
    return Notification.objects.create(user=user, agency=agency, kind=kind[:40],
                                       title=title[:200], body=body, url=url[:300])


def notifications_of(user: AnyUser) -> QuerySet[Notification]:
    """The signed-in user's own notifications, newest first (none for anyone else), only of
    agencies the user still belongs to: a staff member who leaves an agency (or whose
    membership is removed) no longer reads, opens or counts its notifications. They stay
    stored, and come back if the membership does."""
    from govcx.core.selectors import agency_ids_for

    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(
        user_id=user.pk, agency_id__in=agency_ids_for(user)).select_related("agency")


def notifications_unread_count(user: AnyUser) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()


def notification_mark_read(*, user: AnyUser, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; Notification.DoesNotExist for anyone
    else's (views turn it into 404)."""
    n = notifications_of(user).get(pk=notification_id)
    if n.read_at is None:
        n.read_at = timezone.now()
        n.save(update_fields=["read_at"])
    return n


def notifications_mark_all_read(*, user: AnyUser) -> int:
    return notifications_of(user).filter(read_at__isnull=True).update(read_at=timezone.now())


def notifications_context(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: `notifications_unread`, the signed-in user's unread count,
    counted only when a template shows it (public pages never query). Staff activity also
    lets alerts check themselves (`alerts_check_soon`, at most hourly; see
    govcx/metrics/alerts.py)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from govcx.metrics.alerts import alerts_check_soon

        alerts_check_soon()
        return notifications_unread_count(user)

    return {"notifications_unread": SimpleLazyObject(count)}
