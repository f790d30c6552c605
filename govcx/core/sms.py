"""SMS provider interface. Production sets SMS_BACKEND to a provider class; the default
development backend writes each message as a JSON line to SMS_FILE_PATH/outbox.jsonl, so
a developer (and the tests) can read what would have been sent."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

E164 = re.compile(r"^\+[1-9]\d{7,14}$")


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> str:
        """Send and return the provider's message id."""
        ...


class FileBackend:
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, message: SmsMessage) -> str:
        self.path.mkdir(parents=True, exist_ok=True)
        msg_id = f"dev-{timezone.now().timestamp():.6f}"
        with (self.path / "outbox.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"id": msg_id, "to": message.to, "body": message.body}) + "\n")
        return msg_id


def normalize_phone(raw: str) -> str:
    """E.164 form of a phone number; US 10-digit numbers get +1. Raises ValueError."""
    digits = re.sub(r"[^\d+]", "", raw or "")
    if digits and not digits.startswith("+"):
        digits = "+1" + digits if len(digits) == 10 else "+" + digits
    if not E164.match(digits):
        raise ValueError(f"'{raw}' is not a phone number we can text (use +15555550123).")
    return digits


def sms_send(*, to: str, body: str) -> str:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend.send(SmsMessage(to=normalize_phone(to), body=body))
