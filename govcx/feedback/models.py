"""Surveys, touchpoints, invitations, responses and the A-11 quarterly submission."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govcx.core.models import Agency, Service
from govcx.customers.models import Customer


class Survey(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="surveys")
    name = models.CharField(max_length=200)
    template = models.CharField(max_length=20, default="custom")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def current_version(self) -> SurveyVersion | None:
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()


class SurveyVersion(models.Model):
    """One version of a survey's questions. Once published it never changes."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    schema = models.JSONField()
    omb_control_number = models.CharField(max_length=20, blank=True)
    pra_expiration = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="one_number_per_survey")
        ]

    def __str__(self) -> str:
        return f"{self.survey} v{self.number}"


class Touchpoint(models.Model):
    """Where a survey is offered: a service, a journey stage, a channel."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="touchpoints")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="touchpoints")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="touchpoints")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    stage = models.CharField(max_length=80, blank=True)
    channel = models.CharField(max_length=20, choices=Service.Channel.choices)
    transaction_point = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    # Origins (scheme://host[:port]) allowed to embed the widget, one per line.
    allowed_origins = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.splitlines() if o.strip()]


class Invitation(models.Model):
    """A personal, single-use link to a touchpoint's survey, sent by email or SMS."""

    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL)
    channel = models.CharField(max_length=10)  # email | sms
    token_hash = models.CharField(max_length=64, unique=True)
    external_id = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    send_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Tag(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE)
    name = models.CharField(max_length=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="tag_per_agency")]

    def __str__(self) -> str:
        return self.name


class Response(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        REVIEWED = "reviewed", _("Reviewed")
        FOLLOW_UP = "follow_up", _("Needs follow-up")
        CLOSED = "closed", _("Closed")

    class Source(models.TextChoices):
        WEB = "web", _("Hosted page")
        WIDGET = "widget", _("Widget")
        API = "api", _("API")
        INVITATION = "invitation", _("Invitation")
        IMPORT = "import", _("Import")

    # agency, service and touchpoint are indexed by the composite (…, submitted_at) indexes
    # below, whose leading column serves the foreign key too: one B-tree fewer per insert each.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, db_index=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, db_index=False)
    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.PROTECT, related_name="responses",
                                   db_index=False)
    # Not indexed: only the rollup rebuild selects by version (reading every row anyway), and
    # versions are never deleted. Each index is work on every public submission.
    survey_version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, db_index=False)
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Indexed by `response_customer` below, only where known: most responses are anonymous.
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL,
                                 db_index=False)
    channel = models.CharField(max_length=20)
    language = models.CharField(max_length=8, default="en")
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.WEB)
    page_url = models.URLField(max_length=1000, blank=True)
    submitted_at = models.DateTimeField()
    answers = models.JSONField()
    # NULL (not "") when absent, so the partial unique constraint ignores it.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    external_id = models.CharField(max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # Normalised reporting fields (derived once at submission, indexed for filtering).
    trust_positive = models.BooleanField(null=True)
    trust_score = models.PositiveSmallIntegerField(null=True)
    drivers_positive = models.JSONField(default=list)
    drivers_negative = models.JSONField(default=list)
    comment = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    quarantined = models.BooleanField(default=False)
    quarantine_reason = models.CharField(max_length=200, blank=True)
    # True: stored but not yet counted in the rollups (metrics.ResponseDaily); NULL: counted
    # (or, when quarantined, deliberately left out). The public submission is one INSERT;
    # `services.response_rollups_catch_up` counts pending rows in batches, and every reader
    # of the rollups runs it first (docs/architecture.md, "Rollups"). NULL rather than False
    # so counted rows stay out of the partial index and adding the column rewrote no table.
    rollup_pending = models.BooleanField(null=True, default=True)
    tags = models.ManyToManyField(Tag, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["touchpoint", "idempotency_key"], name="idempotent_per_touchpoint",
                condition=models.Q(idempotency_key__isnull=False),
            )
        ]
        indexes = [
            models.Index(fields=["agency", "submitted_at"]),
            models.Index(fields=["service", "submitted_at"]),
            models.Index(fields=["touchpoint", "submitted_at"]),
            models.Index(fields=["id"], name="response_rollup_pending",
                         condition=models.Q(rollup_pending=True)),
            models.Index(fields=["customer"], name="response_customer",
                         condition=models.Q(customer__isnull=False)),
        ]


class ImportJob(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.PROTECT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL
    )
    filename = models.CharField(max_length=200)
    rows_total = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [{"row": 3, "field": "trust", "message": "..."}]
    created_at = models.DateTimeField(auto_now_add=True)

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    # Uploads run as a background task (govcx/feedback/tasks.py): the file's bytes wait here
    # for the worker and are cleared when it finishes. Jobs from the command line are
    # recorded when done.
    state = models.CharField(max_length=10, choices=State.choices, default=State.DONE)
    dry_run = models.BooleanField(default=False)
    data = models.BinaryField(default=b"", blank=True, editable=False)
    rows_done = models.PositiveIntegerField(default=0)  # rows read so far (progress)
    rows_already = models.PositiveIntegerField(default=0)  # imported by an earlier upload
    failure = models.TextField(blank=True)  # why a failed job stopped
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)


class A11Submission(models.Model):
    """A service's quarterly A-11 §280 data collection, draft → submitted → published."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        PUBLISHED = "published", _("Published")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    service = models.ForeignKey(Service, on_delete=models.PROTECT)
    fiscal_year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    collection = models.JSONField(default=list)  # one row per touchpoint (the data collection)
    # The three CSV files as they were when submitted ({kind: csv text}); empty while a draft.
    # What was sent to OMB does not change when late responses arrive; reopening clears it.
    frozen_exports = models.JSONField(default=dict, blank=True)
    reflection = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "fiscal_year", "quarter"], name="one_a11_per_service_quarter"
            )
        ]


class OfferCount(models.Model):
    """How many times a touchpoint's survey was offered on a day, by how (the response-rate
    denominator): widget opened, hosted page viewed, invitation sent, counted elsewhere."""

    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.CASCADE)
    day = models.DateField()
    source = models.CharField(max_length=12)
    count = models.PositiveIntegerField(default=0)
    # The part of `count` not yet added to the rollups (metrics.ResponseDaily.offered): an
    # offer is recorded with one upsert of this row, and `services.offer_rollups_catch_up`
    # moves pending counts into the rollups under the same rules as pending responses, so a
    # rollup rebuild and an offer recorded meanwhile cannot lose or double an offer.
    pending = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["touchpoint", "day", "source"], name="one_offer_row")
        ]
        indexes = [
            models.Index(fields=["id"], name="offer_rollup_pending",
                         condition=models.Q(pending__gt=0)),
        ]


class Theme(models.Model):
    """A theme of comments, discovered automatically (govcx/feedback/themes.py) and named from
    its most distinctive terms; analysts can rename, merge and split it. `centroid` is its
    centre in the agency's term space (`ThemeModel`), used to place new comments."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=120)
    named_by_staff = models.BooleanField(default=False)
    terms = models.JSONField(default=list)  # top distinctive terms, best first
    centroid = models.JSONField(default=list)  # [[term index, weight], …] (sparse)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged_from")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["agency", "merged_into"])]

    def __str__(self) -> str:
        return self.name


class ThemeModel(models.Model):
    """An agency's vocabulary for themes (the fitted TF-IDF terms and idf weights), so new
    comments are placed in the existing themes without refitting."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="theme_model")
    vocabulary = models.JSONField(default=list)  # terms, in column order
    idf = models.JSONField(default=list)
    k = models.PositiveSmallIntegerField(default=0)
    fitted_at = models.DateTimeField(auto_now=True)
    comments_fitted = models.PositiveIntegerField(default=0)


class Comment(models.Model):
    """A free-text comment, redacted, scored and placed in a theme, for analysis.

    Copied OFF the public path by `comments_collect` (govcx/feedback/comments.py) from survey
    responses, inbound contacts and the person's chat messages. The original text stays only
    in its source row; everything here is redacted."""

    class Source(models.TextChoices):
        RESPONSE = "response", _("Survey comment")
        CONTACT = "contact", _("Contact")
        CHAT = "chat", _("Chat message")

    class Sentiment(models.TextChoices):
        NEGATIVE = "negative", _("Negative")
        NEUTRAL = "neutral", _("Neutral")
        POSITIVE = "positive", _("Positive")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="comments")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="comments")
    source = models.CharField(max_length=10, choices=Source.choices)
    source_id = models.BigIntegerField()
    created_at = models.DateTimeField()
    language = models.CharField(max_length=8, default="en")
    text_redacted = models.TextField()
    kinds_found = models.JSONField(default=list)
    sentiment_score = models.FloatField(default=0.0)  # −1 … 1
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices,
                                 default=Sentiment.NEUTRAL)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="comments")
    theme_distance = models.FloatField(null=True, blank=True)  # cosine distance to centroid

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_id"],
                                               name="one_comment_per_source_row")]
        indexes = [models.Index(fields=["agency", "created_at"]),
                   models.Index(fields=["theme", "created_at"])]


class CommentWatermark(models.Model):
    """The last source row id `comments_collect` has read, per source."""

    source = models.CharField(max_length=10, unique=True)
    last_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
