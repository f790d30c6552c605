"""Agent assist: for an open case, the articles that probably answer it and a draft reply.

The case's subject and the person's latest message are searched (govcx/assist/search.py,
the same ranking as the help centre, with the agency's intent model when it has one) over
published public *and* internal articles, in the case's language. The draft reply is built
from the best *public* article only (internal guidance is never sent to a person): its
approved summary and a link to it in the help centre, in the case's language. The agent
reads and edits it before sending; nothing is sent automatically.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from govcx.assist.models import Article
from govcx.assist.search import Hit, search
from govcx.contact.models import Case, Contact

QUERY_CHARS = 300


@dataclass
class Suggestion:
    hit: Hit
    url: str  # public help-centre page, or the staff page for an internal article

    @property
    def internal(self) -> bool:
        return self.hit.audience == Article.Audience.INTERNAL


@dataclass
class CaseAssist:
    language: str
    suggestions: list[Suggestion] = field(default_factory=list)
    draft: str = ""
    draft_article: Suggestion | None = None


def case_query(case: Case) -> str:
    """What the case is about: its subject and the person's latest message."""
    latest = (Contact.objects.filter(case=case, direction=Contact.Direction.INBOUND)
              .order_by("-at", "-id").values_list("body", flat=True).first()) or ""
    text = " ".join(p.strip() for p in (case.subject or "", latest) if p and p.strip())
    return text[:QUERY_CHARS]


def help_url(agency_slug: str, article_slug: str, language: str, base_url: str = "") -> str:
    url = f"{base_url.rstrip('/')}/help/{agency_slug}/a/{article_slug}/"
    return url + ("?lang=es" if language == "es" else "")


def draft_reply(summary: str, url: str, language: str) -> str:
    with translation.override(language):
        return "\n\n".join([
            _("Hello,"),
            _("Thank you for contacting us."),
            summary,
            _("You can read more here: %(url)s") % {"url": url},
            _("If this does not answer your question, reply to this message and we will "
              "help."),
        ])


def case_assist(case: Case, *, base_url: str = "", limit: int = 3) -> CaseAssist:
    language = case.language if case.language in ("en", "es") else "en"
    out = CaseAssist(language=language)
    query = case_query(case)
    if not query:
        return out
    result = search(agency=case.agency_id, query=query, language=language,
                    include_internal=True, limit=limit)
    slug = case.agency.slug
    for hit in result.hits:
        url = (f"/staff/knowledge/{hit.article_id}/"
               if hit.audience == Article.Audience.INTERNAL
               else help_url(slug, hit.slug, language, base_url))
        out.suggestions.append(Suggestion(hit=hit, url=url))
    public = [s for s in out.suggestions if not s.internal and s.hit.summary]
    if public:
        best = public[0]
        out.draft_article = best
        out.draft = draft_reply(best.hit.summary, best.url, language)
    return out
