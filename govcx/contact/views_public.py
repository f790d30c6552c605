"""The public web contact form: /contact/<agency_slug>/ (English, Spanish with ?lang=es).

A message becomes an inbound contact through `contact_receive(channel="web", …)`, the one
door every channel uses, so it is matched to the person and opens or joins their case.

Attachments follow the same rules as email (govcx/contact/attachments.py: type decided
from the file's own bytes and name, per-file, per-message and count limits).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from govcx.contact import attachments, selectors
from govcx.contact.attachments import MB
from govcx.contact.services import CaseError, contact_receive
from govcx.core.models import Agency
from govcx.core.services import client_ip
from govcx.core.sms import normalize_phone
from govcx.feedback.schema import no_nul

MAX_MESSAGE = 5000
SENT_KEY = "govcx_contact_sent"


def _lang(request: HttpRequest) -> str:
    lang = request.POST.get("lang") or request.GET.get("lang") or "en"
    return lang if lang in ("en", "es") else "en"


def _attachments_hint() -> str:
    kinds = sorted({e.lstrip(".").upper() for v in attachments.allowed_types().values()
                    for e in v})
    return _("Up to %(n)s files, %(size)s each: %(kinds)s.") % {
        "n": attachments.max_files(), "size": f"{attachments.max_file_bytes() // MB} MB",
        "kinds": ", ".join(kinds)}


def _sender(name: str, address: str) -> str:
    """'"Ana Díaz" <ana@example.org>': the name the person gave, kept readable (not RFC 2047
    encoded) so canned replies can greet them by it."""
    safe = "".join(ch for ch in name if ch not in '"\\<>\r\n')
    return f'"{safe}" <{address}>'


def _limited(request: HttpRequest, agency: Agency) -> bool:
    if not settings.RATELIMIT_ENABLE:
        return False
    return is_ratelimited(request, group="contact-form-client",
                          key=lambda g, r: client_ip(r) or "unknown",
                          rate=settings.RATELIMIT_SUBMIT_PER_CLIENT, increment=True)


def _validate(request: HttpRequest, agency: Agency) -> tuple[dict[str, str], dict[str, str],
                                                             dict[str, Any]]:
    """(values as typed, errors by field, cleaned values)."""
    p = request.POST
    values = {k: no_nul(str(p.get(k, ""))).strip() for k in
              ("name", "email", "phone", "service", "topic", "message")}
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if not values["name"]:
        errors["name"] = _("Enter your name.")
    elif len(values["name"]) > 100:
        errors["name"] = _("Your name must be 100 characters or fewer.")
    if values["email"]:
        try:
            validate_email(values["email"])
            if len(values["email"]) > 254:
                raise ValidationError("too long")
            clean["email"] = values["email"]
        except ValidationError:
            errors["email"] = _("Enter an email address like name@example.com.")
    if values["phone"]:
        try:
            clean["phone"] = normalize_phone(values["phone"])
        except ValueError:
            errors["phone"] = _("Enter a phone number like 202-555-0123.")
    if not values["email"] and not values["phone"]:
        errors["email"] = _("Enter an email address or a phone number so we can answer you.")
    services = {str(s.pk): s for s in selectors.services_public(agency)}
    if services:
        if values["service"] not in services:
            errors["service"] = _("Choose the service your message is about.")
        else:
            clean["service"] = services[values["service"]]
    if len(values["topic"]) > 200:
        errors["topic"] = _("The subject must be 200 characters or fewer.")
    if not values["message"]:
        errors["message"] = _("Enter your message.")
    elif len(values["message"]) > MAX_MESSAGE:
        errors["message"] = _("Your message must be 5,000 characters or fewer (it has "
                              "%(n)s).") % {"n": f"{len(values['message']):,}"}
    files, rejected = attachments.attachments_accept(request.FILES.getlist("attachments"))
    if rejected:
        errors["attachments"] = " ".join(
            _("“%(name)s” cannot be attached: %(reason)s") % {"name": r.name,
                                                              "reason": r.reason}
            for r in rejected) + " " + _("Please choose the files again.")
    clean["files"] = files
    return values, errors, clean


FIELD_ORDER = ("name", "email", "phone", "service", "topic", "message", "attachments")


@require_http_methods(["GET", "POST"])
def contact_form(request: HttpRequest, agency_slug: str) -> HttpResponse:
    agency = selectors.agency_public(agency_slug)
    if agency is None:
        raise Http404("No agency at this address.")
    lang = _lang(request)
    with translation.override(lang):
        values: dict[str, str] = {}
        errors: dict[str, str] = {}
        form_error = ""
        status = 200
        if request.method == "POST":
            values, errors, clean = _validate(request, agency)
            if request.POST.get("website"):
                # honeypot filled: a robot. Say thanks, keep nothing.
                return render(request, "contact/contact_form_sent.html",
                              {"agency": agency, "lang": lang, "case_id": None})
            if not errors and _limited(request, agency):
                form_error = _("Too many messages from your connection. Please wait a minute "
                               "and send again; what you typed is still here.")
                status = 429
            elif not errors:
                identity = (("email", clean["email"]) if "email" in clean
                            else ("phone", clean["phone"]))
                body = values["message"]
                if "email" in clean and "phone" in clean:
                    body += "\n\n" + _("Phone: %(phone)s") % {"phone": clean["phone"]}
                try:
                    received = contact_receive(
                        agency=agency, channel="web", identity=identity,
                        sender=_sender(values["name"], identity[1]),
                        subject=values["topic"] or _("Message from the web form"),
                        body=body, service=clean.get("service"), language=lang,
                    )
                except CaseError as exc:
                    form_error = str(exc)
                    status = 400
                else:
                    for f in clean["files"]:
                        attachments.attachment_store(contact=received.contact, name=f.name,
                                                     content_type=f.content_type, data=f.data)
                    request.session[SENT_KEY] = {
                        "case": received.case.pk if received.case else None,
                        "agency": agency.pk, "email": "email" in clean,
                    }
                    return redirect(f"/contact/{agency.slug}/sent/?lang={lang}")
            if errors:
                status = 400
        ctx = {
            "agency": agency, "lang": lang, "values": values, "errors": errors,
            "error_list": [(k, errors[k]) for k in FIELD_ORDER if k in errors],
            "form_error": form_error, "services": selectors.services_public(agency),
            "max_message": MAX_MESSAGE, "attachments_hint": _attachments_hint(),
        }
        return render(request, "contact/contact_form.html", ctx, status=status)


def contact_sent(request: HttpRequest, agency_slug: str) -> HttpResponse:
    agency = selectors.agency_public(agency_slug)
    if agency is None:
        raise Http404("No agency at this address.")
    sent = request.session.get(SENT_KEY) or {}
    if sent.get("agency") != agency.pk:
        return redirect(f"/contact/{agency.slug}/?lang={_lang(request)}")
    with translation.override(_lang(request)):
        return render(request, "contact/contact_form_sent.html",
                      {"agency": agency, "lang": _lang(request), "case_id": sent.get("case"),
                       "by_email": sent.get("email")})
