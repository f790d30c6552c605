"""Rate limits for public submission endpoints (per client address and per touchpoint)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from govcx.core.services import client_ip
from govcx.feedback.models import Touchpoint


def submit_limited(request: HttpRequest, touchpoint: Touchpoint) -> str | None:
    """A plain-language reason when this submission is over a limit, else None."""
    if not settings.RATELIMIT_ENABLE:
        return None
    if is_ratelimited(
        request, group="submit-client", key=lambda g, r: client_ip(r) or "unknown",
        rate=settings.RATELIMIT_SUBMIT_PER_CLIENT, increment=True,
    ):
        return "Too many submissions from your connection. Please wait a minute and try again."
    if is_ratelimited(
        request, group="submit-touchpoint", key=lambda g, r: str(touchpoint.pk),
        rate=settings.RATELIMIT_SUBMIT_PER_TOUCHPOINT, increment=True,
    ):
        return "This survey is receiving too many answers right now. Please try again shortly."
    return None
