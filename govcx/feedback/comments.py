"""Collect free-text comments for analysis, off the public submission path.

`comments_collect` reads, by id watermark (CommentWatermark, one per source), the rows added
since the last run: survey comments (Response.comment, quarantined responses left out),
inbound contact bodies (govcx.contact Contact, direction "in") and what people typed in chat
(govcx.assist Message, speaker "person", stored redacted already). Each becomes a Comment
holding only the redacted text (govcx.core.redact), the kinds of personal data found, a
sentiment score, and then a theme (govcx/feedback/themes.py). The original text never leaves
its source row: analysis, theme pages and staff without `personal_data.view` see only
`text_redacted`.

Run by the `comments_collect_task` task (govcx/feedback/tasks.py) and by
`govcx comments collect`. `comments_collect_soon()` enqueues the task at most once per
COLLECT_EVERY_SECONDS (per process and across processes sharing the cache); the themes page
calls it, so comments keep flowing with no scheduler, and a cron line running
`govcx comments collect` works as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from govcx.core.redact import redact
from govcx.core.soon import enqueue_at_most_every
from govcx.feedback.models import Comment, CommentWatermark, Response
from govcx.feedback.sentiment import language_guess, sentiment_score

BATCH = 2000
COLLECT_EVERY_SECONDS = 300
SOURCES = ("response", "contact", "chat")


@dataclass
class CollectResult:
    created: dict[str, int] = field(default_factory=dict)
    agencies: set[int] = field(default_factory=set)
    new_themes: int = 0

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _rows(source: str, after: int, batch: int) -> list[dict[str, Any]]:
    """Source rows after id `after`: {id, agency_id, service_id, at, language, text}."""
    if source == "response":
        qs = (Response.objects.filter(pk__gt=after).order_by("pk")
              .values("pk", "agency_id", "service_id", "submitted_at", "language", "comment",
                      "quarantined")[:batch])
        return [{"id": r["pk"], "agency_id": r["agency_id"], "service_id": r["service_id"],
                 "at": r["submitted_at"], "language": r["language"],
                 "text": "" if r["quarantined"] else r["comment"]} for r in qs]
    if source == "contact":
        from govcx.contact.models import Contact

        qs2 = (Contact.objects.filter(pk__gt=after).order_by("pk")
               .values("pk", "agency_id", "case__service_id", "at", "case__language", "body",
                       "direction")[:batch])
        return [{"id": r["pk"], "agency_id": r["agency_id"],
                 "service_id": r["case__service_id"], "at": r["at"],
                 "language": r["case__language"] or "",
                 "text": r["body"] if r["direction"] == Contact.Direction.INBOUND else ""}
                for r in qs2]
    from govcx.assist.models import Message

    qs3 = (Message.objects.filter(pk__gt=after).order_by("pk")
           .values("pk", "conversation__agency_id", "at", "conversation__language", "text",
                   "speaker")[:batch])
    return [{"id": r["pk"], "agency_id": r["conversation__agency_id"], "service_id": None,
             "at": r["at"], "language": r["conversation__language"],
             "text": r["text"] if r["speaker"] == Message.Speaker.PERSON else ""} for r in qs3]


def comment_from_text(*, text: str, language: str = "") -> dict[str, Any]:
    """Redacted text, kinds found, language, sentiment score and label of one comment."""
    redacted, kinds = redact(text)
    lang = language if language in ("en", "es") else language_guess(redacted)
    score, label = sentiment_score(redacted, lang)
    return {"text_redacted": redacted, "kinds_found": kinds, "language": lang,
            "sentiment_score": score, "sentiment": label}


def comments_collect(*, since_ids: dict[str, int] | None = None, batch: int = BATCH,
                     themes: bool = True) -> CollectResult:
    """Copy new comments (redacted, scored) from every source, then place them in themes.

    `since_ids` ({"response": 0, …}) reads from those ids instead of the stored watermarks
    (to re-collect); the watermarks then move on from there. Idempotent: a source row is
    copied once (unique source + source_id)."""
    result = CollectResult()
    for source in SOURCES:
        result.created[source] = 0
        while True:
            with transaction.atomic():
                mark, _ = CommentWatermark.objects.select_for_update().get_or_create(
                    source=source)
                after = since_ids[source] if since_ids and source in since_ids else mark.last_id
                rows = _rows(source, after, batch)
                if not rows:
                    break
                new = []
                have = set(Comment.objects.filter(
                    source=source, source_id__in=[r["id"] for r in rows]).values_list(
                    "source_id", flat=True))
                for r in rows:
                    if r["id"] in have or not (r["text"] or "").strip():
                        continue
                    new.append(Comment(agency_id=r["agency_id"], service_id=r["service_id"],
                                       source=source, source_id=r["id"], created_at=r["at"],
                                       **comment_from_text(text=r["text"],
                                                           language=r["language"])))
                    result.agencies.add(r["agency_id"])
                Comment.objects.bulk_create(new, ignore_conflicts=True)
                result.created[source] += len(new)
                mark.last_id = rows[-1]["id"]
                mark.save(update_fields=["last_id", "updated_at"])
                if since_ids is not None:
                    since_ids = {**since_ids, source: mark.last_id}
            if len(rows) < batch:
                break
    if themes:
        from govcx.core.models import Agency
        from govcx.feedback.themes import themes_update

        for agency in Agency.objects.filter(pk__in=result.agencies):
            result.new_themes += len(themes_update(agency=agency))
    return result


def comment_response_sync(*, response_id: int) -> None:
    """Keep one survey response's comment in step with its quarantine state: a quarantined
    response has no Comment (spam stays out of themes and sentiment); a released one that the
    watermark already passed gets its Comment now. Called by the quarantine services."""
    r = (Response.objects.filter(pk=response_id)
         .values("pk", "agency_id", "service_id", "submitted_at", "language", "comment",
                 "quarantined").first())
    if r is None:
        return
    if r["quarantined"] or not (r["comment"] or "").strip():
        Comment.objects.filter(source="response", source_id=response_id).delete()
        return
    mark = CommentWatermark.objects.filter(source="response").values_list(
        "last_id", flat=True).first()
    if mark is None or response_id > mark:
        return  # comments_collect will reach it
    if Comment.objects.filter(source="response", source_id=response_id).exists():
        return
    Comment.objects.bulk_create(
        [Comment(agency_id=r["agency_id"], service_id=r["service_id"], source="response",
                 source_id=response_id, created_at=r["submitted_at"],
                 **comment_from_text(text=r["comment"], language=r["language"]))],
        ignore_conflicts=True)


def comments_collect_soon() -> bool:
    """Enqueue `comments_collect_task` unless one was enqueued in the last
    COLLECT_EVERY_SECONDS. True when one was enqueued."""
    from govcx.feedback.tasks import comments_collect_task

    return enqueue_at_most_every("comments", COLLECT_EVERY_SECONDS,
                                 lambda: comments_collect_task.enqueue())
