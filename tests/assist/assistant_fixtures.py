"""Factories for the assistant tests: published articles, intents with example phrasings and a
trained default model for an agency (real training, about a second)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from govcx.assist import training
from govcx.assist.models import Article, ArticleVersion, AssistantModel, Intent, IntentExample
from govcx.assist.training import assistant_train
from govcx.core.models import Agency


@pytest.fixture(autouse=True)
def _model_cache_cleared(settings: Any, tmp_path: Any) -> Iterator[None]:
    """Trained models are cached per agency and model row id, and saved as
    agency-<id>-<row id>.joblib; rolled-back tests reuse ids, so each test saves its models
    in its own directory and starts and ends with an empty cache."""
    settings.MODEL_DIR = tmp_path / "models"
    training._cache.clear()
    yield
    training._cache.clear()


def make_article(agency: Agency, slug: str, title: str, summary: str, *, title_es: str = "",
                 summary_es: str = "", published: bool = True,
                 audience: str = Article.Audience.PUBLIC) -> Article:
    article = Article.objects.create(agency=agency, slug=slug, audience=audience,
                                     status=(Article.Status.PUBLISHED if published
                                             else Article.Status.DRAFT))
    v = ArticleVersion.objects.create(article=article, number=1, title_en=title,
                                      summary_en=summary, body_en=summary, title_es=title_es,
                                      summary_es=summary_es, body_es=summary_es)
    if published:
        article.published_version = v
        article.save(update_fields=["published_version"])
    return article


EXAMPLES: dict[str, list[str]] = {
    "apply": [
        "how do I apply for benefits", "where can I apply", "I want to apply for food help",
        "how to sign up for benefits", "application for assistance", "can I apply online",
        "como solicito beneficios", "quiero solicitar ayuda", "donde puedo aplicar",
        "how do i start an application",
    ],
    "payment_date": [
        "when will I get my payment", "when is my deposit coming", "payment date this month",
        "when do benefits get paid", "my money has not arrived when will it come",
        "what day are payments made", "cuando recibo mi pago", "fecha de pago",
        "cuando llega mi deposito", "when does my benefit payment arrive",
    ],
    "replace_card": [
        "I lost my EBT card", "replace my benefits card", "my card was stolen need a new one",
        "how to get a new card", "card damaged replacement", "order a replacement card",
        "perdi mi tarjeta", "necesito una tarjeta nueva", "reemplazar mi tarjeta",
        "my ebt card is broken",
    ],
    "appeal": [
        "I want to appeal the decision", "how do I appeal a denial", "my claim was denied",
        "disagree with the decision", "request a fair hearing", "apelar la decision",
        "quiero apelar", "me negaron los beneficios", "file an appeal", "challenge denial",
    ],
    "office_hours": [
        "what are your office hours", "when is the office open", "are you open on saturday",
        "hours of operation", "what time do you close", "horario de la oficina",
        "a que hora abren", "estan abiertos el sabado", "office opening times",
        "when does the local office open",
    ],
}


def assistant_world(agency: Agency, *, train: bool = True) -> dict[str, Any]:
    """Intents: apply / payment_date / replace_card answer from published articles;
    appeal always hands over; office_hours links a draft article (never answered)."""
    arts = {
        "apply": make_article(
            agency, "how-to-apply", "How to apply for benefits",
            "Apply online at benefits.example.gov or at any local office; it takes about 20 "
            "minutes.", title_es="Cómo solicitar beneficios",
            summary_es="Solicite en línea en benefits.example.gov o en cualquier oficina "
                       "local; toma unos 20 minutos."),
        "payment_date": make_article(
            agency, "payment-dates", "When payments arrive",
            "Payments are made on the 3rd of each month, by direct deposit or to your card."),
        "replace_card": make_article(
            agency, "replace-card", "Replace a lost or stolen card",
            "Call the card line or order a replacement online; it arrives in 7 to 10 days.",
            title_es="Reemplazar una tarjeta perdida o robada",
            summary_es="Llame a la línea de tarjetas o pida un reemplazo en línea; llega en "
                       "7 a 10 días."),
        "office_hours": make_article(
            agency, "office-hours", "Office hours (draft)",
            "DRAFT hours not approved yet.", published=False),
    }
    intents = {}
    for name, examples in EXAMPLES.items():
        intent = Intent.objects.create(
            agency=agency, name=name.replace("_", "-"), title=name.replace("_", " ").title(),
            kind=Intent.Kind.HANDOVER if name == "appeal" else Intent.Kind.ANSWER,
            article=arts.get(name))
        IntentExample.objects.bulk_create(
            [IntentExample(intent=intent, text=t, language="es" if any(
                w in t for w in ("como", "quiero", "donde", "cuando", "fecha", "perdi",
                                 "necesito", "reemplazar", "apelar", "me negaron", "horario",
                                 "a que", "estan")) else "en") for t in examples])
        intents[name] = intent
    record = None
    if train:
        record = assistant_train(record=AssistantModel.objects.create(agency=agency,
                                                                      kind="default"))
        assert record.status == AssistantModel.Status.READY, record.error
    return {"articles": arts, "intents": intents, "model": record}
