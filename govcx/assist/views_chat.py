"""The assistant's public JSON API, used by the chat widget (govcx/assist/static/assist/chat.js).

- ``POST /assist/<agency>/chat/`` ``{"language": "en"|"es", "page": "…"}``: start a
  conversation; 201 ``{"id": public id, …}``. The public id is the person's only handle on
  the conversation (unguessable, 32 characters); no cookie is used.
- ``POST /assist/<agency>/chat/<id>/messages/`` ``{"text": "…"}``: the person's message;
  201 with the stored (redacted) message and the assistant's replies.
- ``GET /assist/<agency>/chat/<id>/messages/?after=<message id>&agent_after=<contact id>``:
  the messages since, and the agents' replies on the case since (the widget polls after a
  hand-over).
- ``POST …/messages/<message id>/rating/`` ``{"helpful": true|false}``, ``POST …/handover/``,
  ``POST …/close/``.

CSRF-exempt because no cookie or session is read, and every POST must be
``Content-Type: application/json`` (a cross-site form cannot send that without a CORS
preflight, which only the agency's own pages pass). Cross-origin calls are allowed from this
site, PUBLIC_BASE_URL, the origins listed on the agency's survey touchpoints (its own web
pages) and settings.ASSIST_CHAT_ORIGINS. Every POST is rate-limited per client address. A bad
request gets a 4xx JSON ``{"message": …}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from govcx.assist import conversation as conv_services
from govcx.assist.models import Conversation, Message
from govcx.core.models import Agency
from govcx.core.services import client_ip
from govcx.feedback.models import Touchpoint

MAX_BODY = 16_384
MAX_ID = 2**63 - 1
PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

View = Callable[..., HttpResponse]


def _origins(agency: Agency, request: HttpRequest) -> set[str]:
    own = {settings.PUBLIC_BASE_URL.rstrip("/"), f"{request.scheme}://{request.get_host()}"}
    extra = getattr(settings, "ASSIST_CHAT_ORIGINS", None) or []
    own |= {str(o).rstrip("/") for o in extra}
    for raw in Touchpoint.objects.filter(service__agency=agency).values_list(
            "allowed_origins", flat=True):
        own |= {o.strip().rstrip("/") for o in raw.splitlines() if o.strip()}
    return own


def _cors(resp: HttpResponse, origin: str | None) -> HttpResponse:
    if origin:
        resp["Access-Control-Allow-Origin"] = origin
        resp["Access-Control-Allow-Headers"] = "Content-Type"
        resp["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        resp["Access-Control-Max-Age"] = "600"
    resp["Vary"] = "Origin"
    resp["Cache-Control"] = "no-store"
    return resp


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def api(methods: tuple[str, ...]) -> Callable[[View], View]:
    """Agency lookup, origin check, CORS, method check, JSON errors for one endpoint."""
    def wrap(view: View) -> View:
        @csrf_exempt
        def inner(request: HttpRequest, agency_slug: str, **kw: Any) -> HttpResponse:
            origin = (request.headers.get("Origin") or "").rstrip("/") or None
            agency = Agency.objects.filter(slug=agency_slug).first()
            if agency is None:
                return _cors(JsonResponse({"message": "No agency at this address."},
                                          status=404), origin)
            allowed = origin is None or origin in _origins(agency, request)
            if request.method == "OPTIONS":  # the preflight; the real call is then checked
                return _cors(HttpResponse(status=204), origin)
            if not allowed:
                return _cors(JsonResponse({"message": "This website is not set up to use "
                                           "this agency's assistant."}, status=403), origin)
            if request.method not in methods:
                refused = JsonResponse({"message": f"Use {' or '.join(methods)} here."},
                                       status=405)
                refused["Allow"] = ", ".join((*methods, "OPTIONS"))
                return _cors(refused, origin)
            resp: HttpResponse
            try:
                resp = view(request, agency, **kw)
            except ApiError as exc:
                resp = JsonResponse({"message": exc.message}, status=exc.status)
            except conv_services.ConversationError as exc:
                resp = JsonResponse({"message": str(exc)}, status=400)
            return _cors(resp, origin)
        return inner
    return wrap


def _limited(request: HttpRequest, group: str, rate: str) -> None:
    if not settings.RATELIMIT_ENABLE:
        return
    if is_ratelimited(request, group=group, key=lambda g, r: client_ip(r) or "unknown",
                      rate=rate, increment=True):
        raise ApiError(429, "Too many messages from your connection. Please wait a minute "
                            "and try again.")


def _post_limit(request: HttpRequest) -> None:
    _limited(request, "assist-chat", getattr(settings, "RATELIMIT_CHAT_PER_CLIENT", "30/m"))


def _body(request: HttpRequest) -> dict[str, Any]:
    ctype = (request.content_type or "").lower()
    if ctype != "application/json":
        raise ApiError(415, "Send JSON with Content-Type: application/json.")
    if len(request.body) > MAX_BODY:
        raise ApiError(413, f"The request is too large (at most {MAX_BODY:,} bytes).")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "Send a JSON object.")
    return data


def _encodable(value: str) -> bool:
    """False for text with a lone surrogate ("\\ud800" is valid JSON but not storable)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _str(data: dict[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ApiError(400, f"'{name}' must be text.")
    if "\x00" in value or not _encodable(value):
        raise ApiError(400, f"'{name}' contains a character that is not allowed.")
    if len(value) > limit:
        raise ApiError(400, f"'{name}' can be at most {limit:,} characters.")
    if required and not value.strip():
        raise ApiError(400, f"'{name}' is required.")
    return value


def _conversation(agency: Agency, public_id: str) -> Conversation:
    if not PUBLIC_ID.match(public_id):
        raise ApiError(404, "No conversation with this id.")
    found = (Conversation.objects.select_related("agency", "case")
             .filter(agency=agency, public_id=public_id).first())
    if found is None:
        raise ApiError(404, "No conversation with this id.")
    return found


def _state(c: Conversation) -> dict[str, Any]:
    return {"id": c.public_id, "status": c.status, "language": c.language,
            "case": c.case_id, "reason": c.handover_reason}


def _int_param(request: HttpRequest, name: str) -> int:
    raw = request.GET.get(name, "") or "0"
    if not raw.isdigit() or int(raw) > MAX_ID:
        raise ApiError(400, f"'{name}' must be a message number.")
    return int(raw)


@api(("POST",))
def chat_start(request: HttpRequest, agency: Agency) -> HttpResponse:
    data = _body(request)
    lang = _str(data, "language", 5) or "en"
    if lang not in ("en", "es"):
        raise ApiError(400, "'language' must be 'en' or 'es'.")
    page = _str(data, "page", 1000)
    _post_limit(request)
    c = conv_services.conversation_start(agency=agency, language=lang, page=page)
    return JsonResponse({**_state(c), "agency": agency.name}, status=201)


@api(("GET", "POST"))
def chat_messages(request: HttpRequest, agency: Agency, public_id: str) -> HttpResponse:
    c = _conversation(agency, public_id)
    if request.method == "GET":
        _limited(request, "assist-poll", getattr(settings, "RATELIMIT_CHAT_POLL", "120/m"))
        after = _int_param(request, "after")
        agent_after = _int_param(request, "agent_after")
        rows = (Message.objects.filter(conversation=c, pk__gt=after)
                .select_related("conversation", "article", "article__published_version")
                .order_by("id")[:200])
        return JsonResponse({**_state(c),
                             "messages": [conv_services.reply_of(m, agency.slug) for m in rows],
                             "agent": conv_services.agent_replies(c, agent_after)})
    data = _body(request)
    text = _str(data, "text", conv_services.MAX_TEXT, required=True)
    _post_limit(request)
    replies = conv_services.message_receive(conversation=c, text=text)
    person = c.messages.filter(speaker=Message.Speaker.PERSON).order_by("-id").first()
    c.refresh_from_db()
    return JsonResponse({
        **_state(c),
        "message": conv_services.reply_of(person, agency.slug) if person else None,
        "replies": [r.as_dict() for r in replies],
    }, status=201)


@api(("POST",))
def chat_rating(request: HttpRequest, agency: Agency, public_id: str,
                message_id: int) -> HttpResponse:
    c = _conversation(agency, public_id)
    data = _body(request)
    helpful = data.get("helpful")
    if not isinstance(helpful, bool):
        raise ApiError(400, "'helpful' must be true or false.")
    msg = Message.objects.filter(conversation=c, pk=message_id).select_related(
        "conversation").first()
    if msg is None:
        raise ApiError(404, "No such message in this conversation.")
    _post_limit(request)
    replies = conv_services.message_rate(message=msg, helpful=helpful)
    c.refresh_from_db()
    return JsonResponse({**_state(c), "offer_handover": not helpful and bool(replies),
                         "replies": [r.as_dict() for r in replies]})


@api(("POST",))
def chat_handover(request: HttpRequest, agency: Agency, public_id: str) -> HttpResponse:
    c = _conversation(agency, public_id)
    _body(request)
    _post_limit(request)
    if not c.messages.filter(speaker=Message.Speaker.PERSON).exists():
        raise ApiError(400, "Type your question first, so the team knows what you need.")
    reply = conv_services.conversation_handover(conversation=c,
                                                reason=Conversation.Reason.NOT_HELPFUL)
    c.refresh_from_db()
    return JsonResponse({**_state(c), "replies": [reply.as_dict()]}, status=201)


@api(("POST",))
def chat_close(request: HttpRequest, agency: Agency, public_id: str) -> HttpResponse:
    c = _conversation(agency, public_id)
    _body(request)
    _post_limit(request)
    c = conv_services.conversation_close(conversation=c)
    return JsonResponse(_state(c))
