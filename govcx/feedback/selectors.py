"""Reads of surveys, touchpoints and responses, scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet

from govcx.core.selectors import AnyUser, agency_ids_for
from govcx.feedback.models import (
    A11Submission,
    Comment,
    Response,
    Survey,
    SurveyVersion,
    Touchpoint,
)

# public id -> (touchpoint, live version, loaded at); bounded, least recently used goes first.
_public_cache: LRUCache[str, tuple[Touchpoint, SurveyVersion | None, float]] = LRUCache(4096)
_public_lock = threading.Lock()


def public_cache_clear() -> None:
    """Forget cached touchpoints in this process (services call it after changing one)."""
    with _public_lock:
        _public_cache.clear()


def _touchpoint_load(public_id: str) -> tuple[Touchpoint, SurveyVersion | None] | None:
    try:
        tp = (
            Touchpoint.objects.select_related("survey", "service", "agency")
            .filter(active=True)
            .get(public_id=public_id)
        )
    except (Touchpoint.DoesNotExist, ValueError, TypeError, ValidationError):
        return None
    return tp, tp.survey.current_version


def touchpoint_public_with_version(public_id: Any) -> tuple[Touchpoint, SurveyVersion | None] | None:
    """An active touchpoint by its public id and its survey's live version.

    Kept in process memory for PUBLIC_CACHE_SECONDS (the hot path of every submission);
    a published version never changes, so only activation and settings can be that stale.
    """
    key = str(public_id)
    ttl = settings.PUBLIC_CACHE_SECONDS
    if ttl <= 0:
        return _touchpoint_load(key)
    now = time.monotonic()
    with _public_lock:
        hit = _public_cache.get(key)
        if hit is not None and now - hit[2] < ttl:
            return hit[0], hit[1]
    loaded = _touchpoint_load(key)
    with _public_lock:
        if loaded is not None:
            _public_cache[key] = (loaded[0], loaded[1], now)
    return loaded


def touchpoint_public(public_id: Any) -> Touchpoint | None:
    """An active touchpoint by its public id, for the public pages and API."""
    found = touchpoint_public_with_version(public_id)
    return found[0] if found else None


def touchpoints_for(user: AnyUser, capability: str = "dashboard.view") -> QuerySet[Touchpoint]:
    return Touchpoint.objects.filter(agency_id__in=agency_ids_for(user, capability)).select_related(
        "service", "survey", "agency"
    )


def surveys_for(user: AnyUser, capability: str = "surveys.manage") -> QuerySet[Survey]:
    return Survey.objects.filter(agency_id__in=agency_ids_for(user, capability))


@dataclass
class ResponseFilter:
    service: int | None = None
    touchpoint: int | None = None
    channel: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    trust: str = ""  # positive | negative
    driver: str = ""  # pos:ease | neg:ease
    language: str = ""
    text: str = ""
    status: str = ""
    tag: str = ""
    quarantined: bool = False


def responses_for(
    user: AnyUser, f: ResponseFilter | None = None, capability: str = "responses.view"
) -> QuerySet[Response]:
    f = f or ResponseFilter()
    qs = Response.objects.filter(agency_id__in=agency_ids_for(user, capability),
                                 quarantined=f.quarantined)
    if f.service:
        qs = qs.filter(service_id=f.service)
    if f.touchpoint:
        qs = qs.filter(touchpoint_id=f.touchpoint)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.start:
        qs = qs.filter(submitted_at__date__gte=f.start)
    if f.end:
        qs = qs.filter(submitted_at__date__lte=f.end)
    if f.trust in ("positive", "negative"):
        qs = qs.filter(trust_positive=(f.trust == "positive"))
    if f.driver and ":" in f.driver:
        side, name = f.driver.split(":", 1)
        field = "drivers_positive" if side == "pos" else "drivers_negative"
        # JSON lists are stored as text on every backend; the quoted name is unambiguous.
        qs = qs.filter(**{f"{field}__icontains": f'"{name}"'})
    if f.language:
        qs = qs.filter(language=f.language)
    if f.text:
        qs = _text_search(qs, user, f.text)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.tag:
        qs = qs.filter(tags__name=f.tag)
    return qs.select_related("touchpoint", "service").order_by("-submitted_at", "-id")


# responses not yet copied to Comment (collection runs off the public path, shortly after a
# submission) are redacted here for the search, newest first, at most this many
SEARCH_PENDING_LIMIT = 2000


def _text_search(qs: QuerySet[Response], user: AnyUser, text: str) -> QuerySet[Response]:
    """"Comment contains": in agencies where the user holds personal_data.view, the original
    comment; elsewhere the redacted text (Comment.text_redacted, source "response"), so a
    search for a name, address or number cannot tell which responses hold it. Responses
    not collected yet are redacted on the fly (a term found in the redacted text, without
    placeholder brackets, is also in the original, so the original narrows the candidates)."""
    from govcx.core.redact import redact

    originals = agency_ids_for(user, "personal_data.view")
    own = Q(agency_id__in=originals, comment__icontains=text)
    redacted_hits = Comment.objects.filter(source=Comment.Source.RESPONSE,
                                           text_redacted__icontains=text).values("source_id")
    collected = Comment.objects.filter(source=Comment.Source.RESPONSE, source_id=OuterRef("pk"))
    pending = (qs.exclude(agency_id__in=originals).filter(comment__icontains=text)
               .exclude(Exists(collected)).order_by("-submitted_at", "-id")
               .values_list("id", "comment")[:SEARCH_PENDING_LIMIT])
    needle = text.casefold()
    pending_ids = [pk for pk, comment in pending if needle in redact(comment)[0].casefold()]
    return qs.filter(own | (~Q(agency_id__in=originals)
                            & (Q(id__in=redacted_hits) | Q(id__in=pending_ids))))


def response_get(user: AnyUser, response_id: int, capability: str = "responses.view") -> Response:
    return Response.objects.select_related("touchpoint", "service", "survey_version").get(
        id=response_id, agency_id__in=agency_ids_for(user, capability)
    )


def a11_submissions_for(user: AnyUser) -> QuerySet[A11Submission]:
    return A11Submission.objects.filter(
        agency_id__in=agency_ids_for(user, "a11.prepare") | agency_ids_for(user, "dashboard.view")
    ).select_related("service")


def fiscal_quarter_bounds(fiscal_year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """US federal fiscal year: FY2025 Q1 is Oct–Dec 2024."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("Quarter must be 1–4")
    start_month = (10 + 3 * (quarter - 1) - 1) % 12 + 1
    year = fiscal_year - 1 if quarter == 1 else fiscal_year
    start = dt.date(year, start_month, 1)
    end_month = start_month + 3
    end = dt.date(year + (end_month > 12), (end_month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def fiscal_quarter_of(day: dt.date) -> tuple[int, int]:
    fy = day.year + (1 if day.month >= 10 else 0)
    q = ((day.month - 10) % 12) // 3 + 1
    return fy, q


