"""Search over an agency's published articles, with typo tolerance and semantic ranking.

Index. One per (agency, language, audience set): the published version of every article
that is visible (published, not archived) — public articles only, or public and internal
ones for staff (agent assist). Spanish uses each version's Spanish text, or its English
text when it has none (a Spanish article's English title and summary count as body text).
Built on first use and kept in process memory; every search checks
a cheap signature of the agency's articles (count and newest `updated_at`, one indexed
query), so a publish or archive in any server process is seen by the next search in every
other; `search_index_invalidate` drops it at once in this process.

Lexical score. Two TF-IDF views of each article, compared by cosine similarity with the
query, each over the title and summary ("head", counted twice as much) and the body:
- word unigrams and bigrams (accents folded, so "dirección" = "direccion"): exact terms;
- character 3–5-grams inside word boundaries: a misspelt word still shares most of its
  n-grams with the right one, so "aplly for benfits" finds "Apply for benefits".
lexical = 0.3 × word + 0.7 × char.

Semantic ranking. When the agency has a trained intent model
(`govcx.assist.training.model_for_agency`), the query is classified too: each candidate
intent with confidence c ≥ MIN_INTENT_CONFIDENCE (or the model's threshold, if lower)
gives the article the intent links to a boost of INTENT_WEIGHT × c. This ranks the article
people *mean* first even when they use none of its words ("I moved" → "Update your
address"), because the intents' example phrasings are exactly the ways people ask for it.
An article found only through its intent (no lexical overlap) is added only when the model
is confident (its own operating point).
Without a model the ranking is lexical only.

A query whose best score is below FLOOR has no hits (hits below RELATIVE × the best are
dropped too): the caller logs it as a content gap.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count, Max
from sklearn.feature_extraction.text import TfidfVectorizer

from govcx.assist.markdown import markdown_text
from govcx.assist.models import Article, Intent
from govcx.core.models import Agency

FLOOR = 0.09  # below: no hit (measured on the demo content: unrelated queries < 0.08)
RELATIVE = 0.3  # hits weaker than this share of the best one are dropped as noise
INTENT_WEIGHT = 0.5
MIN_INTENT_CONFIDENCE = 0.2
WORD_SHARE = 0.3
CHAR_NGRAMS = (3, 5)
HEAD_SHARE = 2 / 3
MAX_QUERY = 300


# Function words of English and Spanish (accents folded): they match everything, so they
# are dropped before both views (otherwise "the" would find every article).
_STOP = """
a an and are as at be been but by can could do does did for from had has have how i if in
into is it its me my no not of on or our so than that the their them then there these they
this to us was we were what when where which who why will with would you your am im dont
el la los las un una unos unas y o u de del al a en con por para que se su sus mi mis me
es son esta estan este esto ese eso lo le les como cuando donde cual quien ya muy mas pero
sin sobre tu te yo nos hay ser fue
"""
STOP_WORDS = frozenset(_STOP.split())


def fold(text: str) -> str:
    """Lower case, accents removed, non-word characters to spaces, function words dropped."""
    text = unicodedata.normalize("NFKD", (text or "").lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(w for w in re.split(r"[^\w]+", text) if w and w not in STOP_WORDS)


@dataclass(frozen=True)
class Hit:
    article_id: int
    slug: str
    title: str
    summary: str
    audience: str
    score: float
    lexical: float
    boost: float = 0.0
    fallback: bool = False  # Spanish asked, English shown


@dataclass
class SearchResult:
    query: str
    language: str
    hits: list[Hit] = field(default_factory=list)
    intent: str | None = None  # the model's confident intent, when there is one

    @property
    def gap(self) -> bool:
        return not self.hits

    @property
    def top_score(self) -> float | None:
        return self.hits[0].score if self.hits else None


@dataclass
class _Doc:
    article_id: int
    slug: str
    audience: str
    title: str
    summary: str
    fallback: bool


@dataclass
class _Index:
    signature: tuple[Any, ...]
    docs: list[_Doc]
    vectors: list[tuple[TfidfVectorizer, Any, Any]]  # (vectoriser, head matrix, body matrix)


_cache: dict[tuple[int, str, bool], _Index] = {}
_lock = threading.Lock()


def search_index_invalidate(agency_id: int | None = None) -> None:
    """Forget the cached indexes of one agency (or all)."""
    with _lock:
        for key in [k for k in _cache if agency_id is None or k[0] == agency_id]:
            _cache.pop(key, None)


def visible_articles(agency_id: int, include_internal: bool) -> Any:
    qs = (Article.objects.filter(agency_id=agency_id, published_version__isnull=False)
          .exclude(status=Article.Status.ARCHIVED))
    if not include_internal:
        qs = qs.filter(audience=Article.Audience.PUBLIC)
    return qs


def _signature(agency_id: int) -> tuple[Any, ...]:
    agg = Article.objects.filter(agency_id=agency_id).aggregate(n=Count("id"),
                                                                 at=Max("updated_at"))
    return (agg["n"], agg["at"])


def _build(agency_id: int, language: str, include_internal: bool,
           signature: tuple[Any, ...]) -> _Index:
    docs: list[_Doc] = []
    heads: list[str] = []
    bodies: list[str] = []
    for a in visible_articles(agency_id, include_internal).select_related("published_version"):
        v = a.published_version
        assert v is not None
        spanish = language == "es" and bool(v.title_es)
        title = v.title_es if spanish else v.title_en
        summary = v.summary_es if spanish else v.summary_en
        body = v.body_es if spanish else v.body_en
        docs.append(_Doc(a.pk, a.slug, a.audience, title, summary,
                         fallback=language == "es" and not spanish))
        heads.append(f"{title}. {summary}")
        # a Spanish page is also found by its English title (people mix the languages)
        extra = f"{v.title_en}. {v.summary_en}. " if spanish else ""
        bodies.append(extra + markdown_text(body))
    vectors: list[tuple[TfidfVectorizer, Any, Any]] = []
    if docs:
        for vec in (TfidfVectorizer(preprocessor=fold, ngram_range=(1, 2), sublinear_tf=True),
                    TfidfVectorizer(preprocessor=fold, analyzer="char_wb", ngram_range=CHAR_NGRAMS,
                                    sublinear_tf=True)):
            vec.fit(heads + bodies)
            vectors.append((vec, vec.transform(heads), vec.transform(bodies)))
    return _Index(signature=signature, docs=docs, vectors=vectors)


def _index(agency_id: int, language: str, include_internal: bool) -> _Index:
    key = (agency_id, language, include_internal)
    signature = _signature(agency_id)
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit.signature == signature:
        return hit
    built = _build(agency_id, language, include_internal, signature)
    with _lock:
        _cache[key] = built
    return built


def _lexical(index: _Index, query: str) -> np.ndarray:
    scores = np.zeros(len(index.docs))
    for share, (vec, head, body) in zip((WORD_SHARE, 1 - WORD_SHARE), index.vectors,
                                        strict=True):
        q = vec.transform([query])
        sim = HEAD_SHARE * (head @ q.T).toarray().ravel() + \
            (1 - HEAD_SHARE) * (body @ q.T).toarray().ravel()
        scores += share * sim
    return scores


def _intent_boosts(agency_id: int, query: str) -> tuple[dict[int, float], str | None, set[int]]:
    """(boost by article id, the confident intent, articles of the confident intent)."""
    from govcx.assist.training import model_for_agency

    try:
        model = model_for_agency(agency_id)
    except (OSError, ValueError, ImportError):  # pragma: no cover - a broken model file
        model = None
    if model is None:
        return {}, None, set()
    links = dict(Intent.objects.filter(agency_id=agency_id, active=True, article__isnull=False)
                 .values_list("name", "article_id"))
    if not links:
        return {}, None, set()
    try:
        prediction = model.predict(query)
    except (ValueError, RuntimeError):  # pragma: no cover
        return {}, None, set()
    boosts: dict[int, float] = {}
    floor = min(MIN_INTENT_CONFIDENCE, float(model.threshold))
    for name, confidence in prediction.candidates:
        article_id = links.get(name)
        if article_id is not None and confidence >= floor:
            boosts[article_id] = max(boosts.get(article_id, 0.0), INTENT_WEIGHT * confidence)
    confident = set()
    if prediction.intent is not None and prediction.intent in links:
        confident.add(links[prediction.intent])
    return boosts, prediction.intent, confident


def search(*, agency: Agency | int, query: str, language: str = "en",
           include_internal: bool = False, limit: int = 10,
           semantic: bool = True) -> SearchResult:
    """Published articles for `query`, best first, each with its score (see module doc)."""
    agency_id = agency if isinstance(agency, int) else agency.pk
    language = language if language in ("en", "es") else "en"
    query = (query or "").replace("\x00", "")[:MAX_QUERY].strip()
    result = SearchResult(query=query, language=language)
    if not fold(query):
        return result
    index = _index(agency_id, language, include_internal)
    if not index.docs:
        return result
    lexical = _lexical(index, query)
    boosts, intent, confident = (_intent_boosts(agency_id, query) if semantic
                                 else ({}, None, set()))
    result.intent = intent
    hits: list[Hit] = []
    for i, doc in enumerate(index.docs):
        lex = float(lexical[i])
        boost = boosts.get(doc.article_id, 0.0)
        if lex < FLOOR / 2 and doc.article_id not in confident:
            boost = 0.0  # the model alone only adds an article it is confident about
        score = lex + boost
        if score >= FLOOR:
            hits.append(Hit(article_id=doc.article_id, slug=doc.slug, title=doc.title,
                            summary=doc.summary, audience=doc.audience,
                            score=round(score, 4), lexical=round(lex, 4),
                            boost=round(boost, 4), fallback=doc.fallback))
    hits.sort(key=lambda h: (-h.score, h.title))
    if hits:
        hits = [h for h in hits if h.score >= RELATIVE * hits[0].score]
    result.hits = hits[:max(1, limit)]
    return result
