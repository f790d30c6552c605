"""Sentiment direction on clear sentences, English (VADER) and Spanish (govcx lexicon)."""

from __future__ import annotations

import pytest

from govcx.feedback.sentiment import language_guess, sentiment_score


@pytest.mark.parametrize("text,lang,label", [
    ("The staff were helpful and quick, thank you!", "en", "positive"),
    ("Easy to apply online, great experience.", "en", "positive"),
    ("Terrible service, I waited three hours and nobody answered.", "en", "negative"),
    ("The website is broken and the agent was rude.", "en", "negative"),
    ("El personal fue muy amable y rápido, gracias.", "es", "positive"),
    ("Excelente atención, todo fue fácil.", "es", "positive"),
    ("Pésimo servicio, esperé tres horas y nadie contestó.", "es", "negative"),
    ("El sitio no funciona y el agente fue grosero.", "es", "negative"),
    ("No fue fácil encontrar el formulario.", "es", "negative"),
    ("No tuve ningún problema.", "es", "positive"),
    # service nouns are not praise: "credit", "Social Security", "benefits"
    ("They put wrong information on my credit report and refuse to fix it.", "en", "negative"),
    ("My Social Security benefits were stopped without notice.", "en", "negative"),
])
def test_direction(text: str, lang: str, label: str) -> None:
    score, got = sentiment_score(text, lang)
    assert got == label, (text, score)


def test_but_weighs_what_follows() -> None:
    assert sentiment_score("Bien, pero muy lento", "es")[1] == "negative"
    assert sentiment_score("Lento, pero muy amables y resolvieron todo", "es")[1] == "positive"


def test_language_guess() -> None:
    assert language_guess("No me llegó la carta y nadie me contesta") == "es"
    assert language_guess("The letter never arrived and nobody answers") == "en"
