"""Parsing of the improve pages' form and query values: each returns the value or raises
ImproveError with a message for the person who typed it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext as _

from govcx.core.models import Agency, Service
from govcx.core.params import id_param
from govcx.core.selectors import AnyUser, agency_ids_for
from govcx.improve.services import ImproveError


def text(data: Any, name: str, limit: int = 20_000) -> str:
    return str(data.get(name, "") or "").replace("\x00", "")[:limit]


def scale(data: Any, name: str, what: str) -> int | None:
    raw = text(data, name, 20).strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 5:
        raise ImproveError(_("%(what)s must be a whole number from 1 to 5.") % {"what": what})
    return int(raw)


def count(data: Any, name: str, what: str, *, required: bool = False) -> int | None:
    raw = text(data, name, 20).strip().replace(",", "")
    if not raw:
        if required:
            raise ImproveError(_("%(what)s is required.") % {"what": what})
        return None
    if not raw.isdigit() or int(raw) >= 2**31:
        raise ImproveError(_("%(what)s must be a whole number, 0 or more.") % {"what": what})
    return int(raw)


def date(data: Any, name: str, what: str, *, required: bool = False) -> dt.date | None:
    raw = text(data, name, 40).strip()
    if not raw:
        if required:
            raise ImproveError(_("%(what)s is required.") % {"what": what})
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ImproveError(_("%(what)s: '%(raw)s' is not a date (use YYYY-MM-DD).")
                           % {"what": what, "raw": raw}) from None


def date_required(data: Any, name: str, what: str) -> dt.date:
    value = date(data, name, what, required=True)
    assert value is not None
    return value


def choice(data: Any, name: str, values: list[str], what: str, *,
           required: bool = False) -> str:
    raw = text(data, name, 60).strip()
    if not raw and not required:
        return ""
    if raw not in values:
        raise ImproveError(_("Choose %(what)s from the list.") % {"what": what})
    return raw


def service(data: Any, name: str, user: AnyUser, capability: str,
            agency: Agency | None = None) -> Service | None:
    """A service the user may act on with the capability (and of `agency` when given)."""
    raw = text(data, name, 30).strip()
    if not raw:
        return None
    sid = id_param(raw)
    qs = Service.objects.filter(agency_id__in=agency_ids_for(user, capability))
    if agency is not None:
        qs = qs.filter(agency_id=agency.pk)
    found = qs.select_related("agency").filter(pk=sid).first() if sid else None
    if found is None:
        raise ImproveError(_("Choose a service from the list."))
    return found


def agency(data: Any, name: str, user: AnyUser, capability: str) -> Agency:
    """The agency chosen, or the only one the user may act on; ImproveError otherwise."""
    ids = agency_ids_for(user, capability)
    raw = text(data, name, 30).strip()
    if not raw and len(ids) == 1:
        return Agency.objects.get(pk=next(iter(ids)))
    aid = id_param(raw)
    if aid is None or aid not in ids:
        raise ImproveError(_("Choose an agency from the list."))
    return Agency.objects.get(pk=aid)


def owner(data: Any, name: str, staff: list[User]) -> User | None:
    raw = text(data, name, 30).strip()
    if not raw:
        return None
    uid = id_param(raw)
    found = next((u for u in staff if u.pk == uid), None)
    if found is None:
        raise ImproveError(_("Choose the owner from the list of the agency's staff."))
    return found


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff member (every improve view is behind login_required)."""
    user = request.user
    if not isinstance(user, User):
        raise ImproveError(_("Sign in first."))
    return user
