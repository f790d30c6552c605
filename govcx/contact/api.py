"""Contact-centre API: call-detail records (staff) and the assistant's chat handoff.

Mounted at /api/v1/ (one router, each operation with its own authentication):

- ``POST /api/v1/staff/contact/calls?agency=SLUG``: a JSON list of call-detail records
  (fields in govcx/contact/channels/phone.py). Signed-in staff (session, with the CSRF token
  like any staff form) with the ``cases.work`` capability in that agency. 200 with
  ``{"imported", "duplicates", "errors": [{"row", "column", "message"}]}``; 400 with the same
  body and a message when no record could be stored; 404 for an agency the user does not
  work for. Audited (``cdr.import``).
- ``POST /api/v1/contact/chat/handoffs`` and ``POST /api/v1/contact/chat/cases/{case_id}/messages``:
  server-to-server from the assistant, authenticated by the shared secret in the header
  ``X-Govcx-Chat-Key`` (environment variable GOVCX_CHAT_KEY; compared in constant time;
  unset means these endpoints refuse everything).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import APIKeyHeader, django_auth
from pydantic import AwareDatetime, Field

from govcx.contact.channels import chat, phone
from govcx.contact.models import Case, Contact
from govcx.contact.services import Received
from govcx.core.models import Agency
from govcx.core.selectors import agencies_for
from govcx.core.services import audit_record

router = Router(tags=["contact centre"])


class ChatKey(APIKeyHeader):
    param_name = "X-Govcx-Chat-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> str | None:
        return "assistant" if chat.chat_key_valid(key) else None


class ErrorOut(Schema):
    message: str


class CdrRowError(Schema):
    row: int
    column: str
    message: str


class CdrOut(Schema):
    imported: int
    duplicates: int
    errors: list[CdrRowError]


class CdrRefused(CdrOut):
    message: str


@router.post(
    "/staff/contact/calls", auth=django_auth,
    response={200: CdrOut, 400: CdrRefused, 404: ErrorOut},
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"type": "array", "items": {"type": "object"}}}}}},
)
def calls_import(request: HttpRequest, agency: str) -> Any:
    """Import call-detail records (a JSON list, at most 10,000 per request). Each record
    whose call_id is already stored counts as a duplicate; bad records are named by their
    position (from 1), field and message, and the good ones are stored."""
    found = agencies_for(request.user, "cases.work").filter(slug=agency).first()
    if found is None:
        return Status(404, {"message": f"No agency '{agency[:60]}' whose cases you work."})
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        data = None
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list) or not data:
        return Status(400, {"message": "Send a JSON list of call records.", "imported": 0,
                            "duplicates": 0, "errors": []})
    if len(data) > phone.MAX_RECORDS:
        return Status(400, {"message": f"Send at most {phone.MAX_RECORDS:,} records per "
                            "request.", "imported": 0, "duplicates": 0, "errors": []})
    result = phone.cdr_import(agency=found, records=data)
    audit_record(action="cdr.import", request=request, agency=found, object_type="contact",
                 detail={"records": result.records, "imported": result.imported,
                         "duplicates": result.duplicates, "failed": result.failed,
                         "via": "api"})
    if result.imported == 0 and result.duplicates == 0:
        return Status(400, {"message": "No record could be stored; see the errors.",
                            **result.as_dict()})
    return result.as_dict()


class TranscriptLineIn(Schema):
    speaker: Literal["person", "assistant"] = Field(alias="from")
    text: str = Field(max_length=5000)
    at: AwareDatetime


class IdentityIn(Schema):
    kind: Literal["email", "phone", "login_gov"]
    value: str = Field(min_length=1, max_length=254)
    verified: bool = False


class HandoffIn(Schema):
    agency: str = Field(max_length=60)
    transcript: list[TranscriptLineIn] = Field(min_length=1, max_length=500)
    detected_intent: str = Field("", max_length=120)
    candidate_articles: list[str] = Field(default_factory=list, max_length=20)
    language: str = Field("en", pattern=r"^[a-z]{2}(-[A-Za-z]{2})?$")
    customer: IdentityIn | None = None
    conversation_id: str = Field("", max_length=120,
                                 description="The assistant's id of the conversation: a "
                                 "retried handoff with the same id is stored once")


class MessageIn(Schema):
    agency: str = Field(max_length=60)
    text: str = Field(min_length=1, max_length=5000)
    at: AwareDatetime | None = None
    message_id: str = Field("", max_length=120,
                            description="A retried message with the same id is stored once")


class ChatOut(Schema):
    case_id: int | None
    contact_id: int
    new_case: bool
    reopened: bool


def _agency(slug: str) -> Agency | None:
    return Agency.objects.filter(slug=slug).first()


@router.post("/contact/chat/handoffs", auth=ChatKey(),
             response={200: ChatOut, 201: ChatOut, 400: ErrorOut, 404: ErrorOut})
def chat_handoff(request: HttpRequest, body: HandoffIn) -> Any:
    """The assistant hands a conversation to a person: a new case with the transcript, the
    detected intent and the articles it offered. 200 (same ids) when `conversation_id` was
    handed off before."""
    agency = _agency(body.agency)
    if agency is None:
        return Status(404, {"message": f"No agency '{body.agency}'."})
    bad = [u for u in body.candidate_articles if not u.startswith(("https://", "http://"))]
    if bad:
        return Status(400, {"message": f"Candidate articles must be web addresses; "
                            f"'{bad[0][:80]}' is not."})
    if not any(ln.speaker == "person" and ln.text.strip() for ln in body.transcript):
        return Status(400, {"message": "The transcript has no message from the person."})
    identity = (body.customer.kind, body.customer.value) if body.customer else None
    try:
        got, earlier = chat.chat_handoff_receive(
            agency=agency, lines=[chat.Line(ln.speaker, ln.text, ln.at) for ln in body.transcript],
            intent=body.detected_intent, articles=body.candidate_articles,
            language=body.language, identity=identity,
            verified=bool(body.customer and body.customer.verified),
            conversation_id=body.conversation_id,
        )
    except ValueError as exc:  # CaseError: e.g. an identity that is not a phone number
        return Status(400, {"message": str(exc)})
    return _chat_reply(got, earlier)


def _chat_reply(got: Received | None, earlier: Contact | None) -> Status[dict[str, Any]]:
    """201 with the new contact, or 200 with the one stored before (a retried message)."""
    if earlier is not None:
        return Status(200, {"case_id": earlier.case_id, "contact_id": earlier.pk,
                            "new_case": False, "reopened": False})
    assert got is not None
    return Status(201, {"case_id": got.case.pk, "contact_id": got.contact.pk,
                        "new_case": got.new_case, "reopened": got.reopened})


@router.post("/contact/chat/cases/{case_id}/messages", auth=ChatKey(),
             response={200: ChatOut, 201: ChatOut, 400: ErrorOut, 404: ErrorOut})
def chat_message(request: HttpRequest, case_id: int, body: MessageIn) -> Any:
    """The person's follow-up in the chat, on the case the handoff opened (reopened when it
    was resolved within the reopen window; a new case when it was closed)."""
    case = Case.objects.select_related("agency").filter(pk=case_id,
                                                         agency__slug=body.agency).first()
    if case is None:
        return Status(404, {"message": f"No case {case_id} for agency '{body.agency}'."})
    if not body.text.strip():
        return Status(400, {"message": "The message has no text."})
    got, earlier = chat.chat_message_receive(case=case, text=body.text, at=body.at,
                                             message_id=body.message_id)
    return _chat_reply(got, earlier)
