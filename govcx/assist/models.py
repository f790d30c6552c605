"""Knowledge articles, the public help centre, intents, the assistant's conversations.

An *article* is approved content in English and Spanish; every edit is a new
*ArticleVersion* and the public sees only the version that was published. An *intent* is
something people ask (with example phrasings) linked to the approved answer that the
assistant may give. A *conversation* is one person's chat with the assistant; when the
assistant hands over, the conversation points at the contact-centre case it opened.

Text that people type (chat messages, searches, feedback comments) is stored redacted of
personal data (govcx.core.redact); see the module docstring of govcx/assist/conversation.py
for the one place the original text is kept and for how long.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govcx.core.models import Agency, Service


class Language(models.TextChoices):
    EN = "en", _("English")
    ES = "es", _("Spanish")


class Category(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="kb_categories")
    slug = models.SlugField(max_length=80)
    name_en = models.CharField(max_length=120)
    name_es = models.CharField(max_length=120, blank=True)
    description_en = models.CharField(max_length=300, blank=True)
    description_es = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name_en"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "slug"], name="kb_category_slug_per_agency")
        ]

    def __str__(self) -> str:
        return self.name_en


class Article(models.Model):
    class Audience(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal (staff only)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="articles")
    slug = models.SlugField(max_length=120)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="articles")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="owned_articles")
    review_by = models.DateField(null=True, blank=True)
    services = models.ManyToManyField(Service, blank=True, related_name="articles")
    # the version the public (or staff, for internal articles) reads; None until published
    published_version = models.ForeignKey("ArticleVersion", null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "slug"], name="kb_article_slug_per_agency")
        ]
        indexes = [models.Index(fields=["agency", "status"], name="kb_article_agency_status")]

    def __str__(self) -> str:
        return self.slug


class ArticleVersion(models.Model):
    """One immutable edit of an article. Both languages live in the same version, so a
    published version is always a matched English/Spanish pair (Spanish may be blank,
    then the English text is shown with a notice)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title_en = models.CharField(max_length=200)
    summary_en = models.CharField(max_length=500, blank=True,
                                  help_text="The short approved answer the assistant gives")
    body_en = models.TextField(help_text="Markdown")
    title_es = models.CharField(max_length=200, blank=True)
    summary_es = models.CharField(max_length=500, blank=True)
    body_es = models.TextField(blank=True)
    note = models.CharField(max_length=300, blank=True, help_text="What changed")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.article.slug} v{self.number}"


class ArticleTransition(models.Model):
    """The lifecycle history: who moved an article from one status to another, and when."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="transitions")
    version = models.ForeignKey(ArticleVersion, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    from_status = models.CharField(max_length=10, choices=Article.Status.choices)
    to_status = models.CharField(max_length=10, choices=Article.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]


class ArticleFeedback(models.Model):
    """A "Was this helpful?" answer on an article page, with an optional (redacted) comment."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    version = models.ForeignKey(ArticleVersion, null=True, on_delete=models.SET_NULL,
                                related_name="+")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.EN)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)


class SearchLog(models.Model):
    """One search in the help centre (or by the assistant or an agent), for content gaps:
    a search is a gap when it found nothing, or nothing it found was opened or helped."""

    class Source(models.TextChoices):
        HELP = "help", _("Help centre")
        ASSISTANT = "assistant", _("Assistant")
        AGENT = "agent", _("Agent assist")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="kb_searches")
    query = models.CharField(max_length=300)  # redacted, normalised to lower case
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.EN)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.HELP)
    results = models.PositiveIntegerField(default=0)
    top_score = models.FloatField(null=True, blank=True)
    clicked = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["agency", "created_at"], name="kb_search_agency_at")]


class Intent(models.Model):
    """Something people ask, with example phrasings, linked to an approved answer.

    kind ANSWER: the assistant answers with the linked article's published summary and a
    link to it. HANDOVER: the assistant always hands this over to a person (e.g. "talk to a
    human", a sensitive topic such as an appeal or a fraud report)."""

    class Kind(models.TextChoices):
        ANSWER = "answer", _("Answer from an article")
        HANDOVER = "handover", _("Always hand over to a person")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="intents")
    name = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ANSWER)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="intents")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="intent_name_per_agency")
        ]

    def __str__(self) -> str:
        return self.name


class IntentExample(models.Model):
    intent = models.ForeignKey(Intent, on_delete=models.CASCADE, related_name="examples")
    text = models.CharField(max_length=300)  # redacted
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.EN)
    created_at = models.DateTimeField(auto_now_add=True)


class AssistantModel(models.Model):
    """One training of an agency's intent model; the newest READY one answers."""

    class Kind(models.TextChoices):
        DEFAULT = "default", _("Default (no ML extra)")
        ML = "ml", _("Sentence embeddings (ML extra)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        TRAINING = "training", _("Training")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="assistant_models")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DEFAULT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0)  # 0..1, shown while training
    path = models.CharField(max_length=500, blank=True)  # the saved model file under MODEL_DIR
    intents = models.PositiveIntegerField(default=0)
    examples = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)  # held-out figures, threshold
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class Conversation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CONTAINED = "contained", _("Resolved by the assistant")
        HANDED_OVER = "handed_over", _("Handed over to a person")

    class Reason(models.TextChoices):
        OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
        LOW_CONFIDENCE = "low_confidence", _("Low confidence")
        ASKED_FOR_HUMAN = "asked_for_human", _("Asked for a person")
        SENSITIVE = "sensitive", _("Sensitive topic")
        CRISIS = "crisis", _("Crisis")
        NOT_HELPFUL = "not_helpful", _("Answer did not help")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="conversations")
    public_id = models.CharField(max_length=64, unique=True)  # the person's unguessable handle
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.EN)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    handover_reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    intent = models.CharField(max_length=80, blank=True)  # the last detected intent
    case = models.ForeignKey("contact.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="conversations")
    page = models.CharField(max_length=300, blank=True)  # where the widget was opened
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["agency", "started_at"], name="conv_agency_started")]


class Message(models.Model):
    class Speaker(models.TextChoices):
        PERSON = "person", _("Person")
        ASSISTANT = "assistant", _("Assistant")
        AGENT = "agent", _("Agent")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="messages")
    speaker = models.CharField(max_length=10, choices=Speaker.choices)
    text = models.TextField()  # redacted of personal data
    # what the person typed, kept only until the conversation is handed over (it goes into
    # the case, where staff access is controlled and audited) or expires; then cleared
    text_private = models.TextField(blank=True)
    redacted = models.JSONField(default=list, blank=True)  # kinds found, e.g. ["ssn"]
    intent = models.CharField(max_length=80, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    rating = models.BooleanField(null=True, blank=True)  # the person's thumbs on a bot answer
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "at", "id"]
