"""Provider webhooks for the contact-centre channels (thin: verify, call the channel module).

SMS: ``POST /channels/sms/inbound/`` in the Twilio form (see govcx/contact/channels/sms.py).
A server-to-server webhook, so CSRF-exempt; it is authenticated by the provider's request
signature instead, and rate limited per sender number (RATELIMIT_SMS_PER_SENDER, default
20 a minute).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from govcx.contact.channels import sms
from govcx.core.models import Agency

logger = logging.getLogger(__name__)


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _sender_limited(request: HttpRequest, sender: str) -> bool:
    if not settings.RATELIMIT_ENABLE:
        return False
    rate = getattr(settings, "RATELIMIT_SMS_PER_SENDER", "20/m")
    return is_ratelimited(request, group="sms-sender", key=lambda g, r: sender or "unknown",
                          rate=rate, increment=True)


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    number = sms.sms_number_config(request.POST.get("To", ""))
    if number is None:
        return _plain("This number is not an agency number known here.", 404)
    token = sms.sms_auth_token(number)
    if not token:
        logger.error("SMS number %s: environment variable %r with its auth token is not set",
                     number.number, number.auth_token_env)
        return _plain("Text messages to this number cannot be checked yet: its auth token "
                      "is not configured.", 503)
    base = str(getattr(settings, "PUBLIC_BASE_URL", "")).rstrip("/")
    urls = [request.build_absolute_uri()] + ([base + request.get_full_path()] if base else [])
    params = {k: request.POST.getlist(k) for k in request.POST}
    if not sms.signature_valid(urls=urls, params=params, token=token,
                               signature=request.headers.get("X-Twilio-Signature", "")):
        return _plain("The request signature is missing or wrong; nothing was stored.", 403)
    agency = Agency.objects.filter(slug=number.agency_slug).first()
    if agency is None:
        logger.error("SMS number %s names agency %r, which does not exist",
                     number.number, number.agency_slug)
        return _plain("This number is not an agency number known here.", 404)
    sender = request.POST.get("From", "")
    if _sender_limited(request, sender):
        return _plain("Too many messages from this number; please wait a minute.", 429)
    try:
        num_media = int(request.POST.get("NumMedia", "0") or 0)
    except ValueError:
        num_media = 0
    try:
        got = sms.sms_inbound_receive(
            agency=agency, number=number, sender=sender, body=request.POST.get("Body", ""),
            message_sid=request.POST.get("MessageSid", ""), num_media=max(0, num_media))
    except ValueError as exc:  # SmsError, CaseError
        return _plain(str(exc), 400)
    return HttpResponse(sms.twiml(got.reply), content_type="text/xml")
