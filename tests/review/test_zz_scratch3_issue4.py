from __future__ import annotations
import re
from typing import Any
from django.test import Client
from tests.assist.conftest import kb  # noqa: F401
from govcx.assist.models import Article


def text_of(html: str) -> str:
    html = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_es(kb: dict[str, Any], capsys) -> None:
    a = kb["a"]
    art = Article.objects.filter(agency=a, published_version__isnull=False, category__isnull=False).first()
    c = Client()
    pages = {
        "home": c.get(f"/help/{a.slug}/?lang=es"),
        "cat": c.get(f"/help/{a.slug}/c/{art.category.slug}/?lang=es"),
        "art": c.get(f"/help/{a.slug}/a/{art.slug}/?lang=es"),
        "search": c.get(f"/help/{a.slug}/search/?lang=es&q=tarjeta"),
        "search0": c.get(f"/help/{a.slug}/search/?lang=es&q=pizzaqqq"),
        "searchlong": c.get(f"/help/{a.slug}/search/?lang=es&q=" + "a" * 400),
        "fb_err": c.post(f"/help/{a.slug}/a/{art.slug}/", {"lang": "es", "comment": "x" * 1001}),
        "thanks": c.get(f"/help/{a.slug}/a/{art.slug}/?lang=es&thanks=yes"),
        "404": c.get(f"/help/{a.slug}/a/nope/?lang=es"),
        "404agency": c.get(f"/help/nope/?lang=es"),
    }
    with capsys.disabled():
        for k, r in pages.items():
            print("=====", k, r.status_code)
            print(text_of(r.content.decode())[:3000])
