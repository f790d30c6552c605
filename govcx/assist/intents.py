"""Writes on the assistant's intents: create, edit, example phrasings (redacted on save).

Every write needs ``assistant.manage`` in the intent's agency. An intent of kind ANSWER may
link an article of the same agency; the assistant answers only while that article is
published for the public (govcx/assist/conversation.py). Changes take effect at the next
training ("Train now" on the staff page, or `govcx assistant train`).
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from govcx.assist.models import Article, Intent, IntentExample, Language
from govcx.core.models import Agency
from govcx.core.redact import redact
from govcx.core.selectors import AnyUser, agency_ids_for
from govcx.feedback.schema import no_nul

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
MAX_EXAMPLE = 300


class IntentError(ValueError):
    """A write that cannot be done as asked; the message is shown to the editor."""


class IntentDenied(PermissionError):
    pass


def _require(actor: AnyUser, agency_id: int) -> None:
    if agency_id not in agency_ids_for(actor, "assistant.manage"):
        raise IntentDenied(_("You cannot manage this agency's assistant."))


def _fields(agency_id: int, name: str, title: str, kind: str,
            article: Article | None) -> tuple[str, str]:
    name = no_nul(name).strip().lower()
    title = no_nul(title).strip()
    if not NAME_RE.match(name):
        raise IntentError(_("The name must be 1–80 lower-case letters, digits, '-' or '_' "
                            "(for example: replace-card)."))
    if name == "oos":
        raise IntentError(_("'oos' is reserved for out-of-scope questions; choose another "
                            "name."))
    if not title:
        raise IntentError(_("Enter a title."))
    if len(title) > 200:
        raise IntentError(_("The title must be 200 characters or fewer."))
    if kind not in Intent.Kind.values:
        raise IntentError(_("Choose whether the assistant answers or hands over."))
    if article is not None and article.agency_id != agency_id:
        raise IntentError(_("The article belongs to another agency."))
    return name, title


def intent_create(*, agency: Agency, actor: AnyUser, name: str, title: str,
                  kind: str = Intent.Kind.ANSWER, article: Article | None = None,
                  active: bool = True) -> Intent:
    _require(actor, agency.pk)
    name, title = _fields(agency.pk, name, title, kind, article)
    try:
        with transaction.atomic():
            return Intent.objects.create(agency=agency, name=name, title=title, kind=kind,
                                         article=article, active=active)
    except IntegrityError:
        raise IntentError(_("This agency already has an intent named '%(name)s'.")
                          % {"name": name}) from None


def intent_update(*, intent: Intent, actor: AnyUser, name: str, title: str, kind: str,
                  article: Article | None, active: bool) -> Intent:
    _require(actor, intent.agency_id)
    name, title = _fields(intent.agency_id, name, title, kind, article)
    if Intent.objects.filter(agency_id=intent.agency_id, name=name).exclude(pk=intent.pk).exists():
        raise IntentError(_("This agency already has an intent named '%(name)s'.")
                          % {"name": name})
    intent.name, intent.title, intent.kind = name, title, kind
    intent.article, intent.active = article, active
    intent.save()
    return intent


def intent_example_add(*, intent: Intent, actor: AnyUser, text: str,
                       language: str = Language.EN) -> IntentExample:
    """One example phrasing, stored redacted of personal data."""
    _require(actor, intent.agency_id)
    text = " ".join(no_nul(text).split())
    if not text:
        raise IntentError(_("Enter an example phrasing."))
    if len(text) > MAX_EXAMPLE:
        raise IntentError(_("An example must be %(n)s characters or fewer.") % {"n": MAX_EXAMPLE})
    if language not in Language.values:
        raise IntentError(_("Choose English or Spanish."))
    clean = redact(text)[0][:MAX_EXAMPLE]
    if intent.examples.filter(text__iexact=clean).exists():
        raise IntentError(_("This intent already has that example."))
    return IntentExample.objects.create(intent=intent, text=clean, language=language)


def intent_example_remove(*, example: IntentExample, actor: AnyUser) -> None:
    _require(actor, example.intent.agency_id)
    example.delete()
