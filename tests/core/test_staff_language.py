"""Staff choose English or Spanish on any staff page (the header's switch, `?lang=`); the
choice is kept for the next pages. Without a choice the browser's language decides. Public
pages take `lang` themselves and set no cookie (they are cached publicly)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from govcx.core.models import Role
from tests.conftest import login


def test_the_switch_shows_spanish_and_the_choice_is_kept(world: dict[str, Any],
                                                         client: Any) -> None:
    login(client, world["staff"][("benefits-agency", Role.CX_ANALYST)])
    url = f"/staff/services/{world['sa'].pk}/volumes/"
    page = client.get(url).content.decode()
    assert '<html lang="en">' in page and 'id="language-switch">Español</a>' in page
    r = client.get(url + "?lang=es")
    page = r.content.decode()
    assert '<html lang="es">' in page and "Volumen de clientes" in page
    assert 'id="language-switch">English</a>' in page
    assert r.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    # the next page, without ?lang, stays in Spanish; ?lang=en goes back
    assert '<html lang="es">' in client.get("/staff/").content.decode()
    assert '<html lang="en">' in client.get("/staff/?lang=en").content.decode()
    assert '<html lang="en">' in client.get(url).content.decode()


def test_without_a_choice_the_browser_language_decides(world: dict[str, Any],
                                                       client: Any) -> None:
    login(client, world["staff"][("benefits-agency", Role.CX_ANALYST)])
    page = client.get("/staff/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode()
    assert '<html lang="es">' in page
    assert client.get("/staff/?lang=fr").cookies.get(settings.LANGUAGE_COOKIE_NAME) is None


def test_public_pages_set_no_language_cookie(world: dict[str, Any], client: Any) -> None:
    r = client.get(f"/s/{world['ta'].public_id}/?lang=es")
    assert r.status_code == 200 and 'lang="es"' in r.content.decode()
    assert settings.LANGUAGE_COOKIE_NAME not in r.cookies


def test_the_switch_keeps_the_page_s_filters(world: dict[str, Any], client: Any) -> None:
    login(client, world["staff"][("benefits-agency", Role.CX_ANALYST)])
    page = client.get("/staff/responses/?trust=negative&language=es").content.decode()
    assert 'href="?trust=negative&amp;language=es&amp;lang=es"' in page
    page = client.get("/staff/responses/?trust=negative&lang=es").content.decode()
    assert 'href="?trust=negative&amp;lang=en"' in page
