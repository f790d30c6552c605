"""Attachments on inbound contacts: which types and sizes are accepted, and storing them.

Shared by the email channel and the public web form, so a person gets the same rules
whichever way they write. The type is decided from the file's own first bytes and its
name, never from the content type the sender claims (a mail client or browser can say
anything). Limits are settings, read here with defaults:

- CONTACT_ATTACHMENT_TYPES: {content type: [extensions]} that are allowed;
- CONTACT_ATTACHMENT_MAX_BYTES: per file (default 10 MB);
- CONTACT_ATTACHMENTS_MAX_TOTAL_BYTES: per message, all files together (default 25 MB);
- CONTACT_ATTACHMENTS_MAX_FILES: per message (default 10).
"""

from __future__ import annotations

import io
import os
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from govcx.contact.models import Attachment, Contact

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DEFAULT_TYPES: dict[str, list[str]] = {
    "application/pdf": [".pdf"],
    "image/png": [".png"],
    "image/jpeg": [".jpg", ".jpeg"],
    "text/plain": [".txt"],
    DOCX: [".docx"],
}
MB = 1024 * 1024


def allowed_types() -> dict[str, list[str]]:
    return dict(getattr(settings, "CONTACT_ATTACHMENT_TYPES", DEFAULT_TYPES))


def max_file_bytes() -> int:
    return int(getattr(settings, "CONTACT_ATTACHMENT_MAX_BYTES", 10 * MB))


def max_total_bytes() -> int:
    return int(getattr(settings, "CONTACT_ATTACHMENTS_MAX_TOTAL_BYTES", 25 * MB))


def max_files() -> int:
    return int(getattr(settings, "CONTACT_ATTACHMENTS_MAX_FILES", 10))


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content_type: str  # as claimed by the sender; not trusted
    data: bytes


@dataclass(frozen=True)
class Rejected:
    name: str
    reason: str  # plain language, shown to staff and to the person


def _size_text(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{max(1, n // 1024)} KB"


def clean_name(name: str) -> str:
    """A safe display/file name: no folders, no control characters, at most 200 characters."""
    name = os.path.basename(str(name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 200:
        stem, ext = os.path.splitext(name)
        name = stem[: 200 - len(ext)] + ext
    return name or "attachment"


def _is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, among the kinds we know; None if unknown."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if _is_docx(data):
        return DOCX
    if _is_text(data):
        return "text/plain"
    return None


def _read(f: Any) -> tuple[IncomingFile, bool]:
    """The file's bytes (from an IncomingFile or a Django UploadedFile) and whether it was
    too big; an upload is read only up to the limit, so a huge one costs no memory."""
    if isinstance(f, IncomingFile):
        return f, len(f.data) > max_file_bytes()
    name, ctype = str(getattr(f, "name", "")), str(getattr(f, "content_type", "") or "")
    limit = max_file_bytes()
    size = getattr(f, "size", None)
    if size is not None and size > limit:
        return IncomingFile(name=name, content_type=ctype, data=b""), True
    chunks: list[bytes] = []
    total = 0
    for chunk in f.chunks() if hasattr(f, "chunks") else [f.read()]:
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            return IncomingFile(name=name, content_type=ctype, data=b""), True
    return IncomingFile(name=name, content_type=ctype, data=b"".join(chunks)), False


def attachments_accept(files: Iterable[Any]) -> tuple[list[IncomingFile], list[Rejected]]:
    """Split files into those we keep and those we refuse, each refusal with its reason.

    `files` are IncomingFile objects (email) or Django UploadedFile objects (web form).
    Accepted files come back with a clean name and the sniffed content type.
    """
    types = allowed_types()
    per_file, per_message, most = max_file_bytes(), max_total_bytes(), max_files()
    accepted: list[IncomingFile] = []
    rejected: list[Rejected] = []
    total = 0
    for raw in files:
        f, too_big = _read(raw)
        name = clean_name(f.name)
        if too_big:
            rejected.append(Rejected(name, f"The file is larger than {_size_text(per_file)}."))
            continue
        if len(accepted) >= most:
            rejected.append(Rejected(name, f"Only {most} files can be attached to one message."))
            continue
        if not f.data:
            rejected.append(Rejected(name, "The file is empty."))
            continue
        ext = os.path.splitext(name)[1].lower()
        kind = sniff(f.data)
        if kind is None or kind not in types or ext not in types[kind]:
            allowed = ", ".join(sorted({e.lstrip(".").upper() for v in types.values() for e in v}))
            rejected.append(Rejected(name, f"This type of file is not accepted. "
                                           f"Allowed types: {allowed}."))
            continue
        if total + len(f.data) > per_message:
            rejected.append(Rejected(name, f"All files together may not be larger than "
                                           f"{_size_text(per_message)}."))
            continue
        total += len(f.data)
        accepted.append(IncomingFile(name=name, content_type=kind, data=f.data))
    return accepted, rejected


def attachment_store(*, contact: Contact, name: str, content_type: str, data: bytes) -> Attachment:
    """Keep one accepted file on its contact (call attachments_accept first)."""
    return Attachment.objects.create(contact=contact, name=clean_name(name)[:200],
                                     content_type=content_type[:100], size=len(data),
                                     data=data)
