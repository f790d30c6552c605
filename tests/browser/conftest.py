"""Fixtures for real-browser tests: headless Debian Chromium driven by Playwright.

The Django app runs on pytest-django's `live_server`; a "third-party" page is served from a
different origin (another loopback port) by a tiny http.server thread, so the widget runs
cross-origin exactly as it would on a partner's site.
"""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]



@pytest.fixture(autouse=True)
def _govcx_static(settings: Any) -> None:
    """Serve govcx/static/ even if no staticfiles finder lists it yet (settings.py gap)."""
    from django.contrib.staticfiles import finders

    import govcx

    if finders.find("govcx/widget.js") is None:
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS,
                                     str(Path(govcx.__file__).parent / "static")]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module. Playwright's sync API keeps an event loop in the test
    thread while it runs; the ORM calls these tests make between browser steps are ordinary
    synchronous code, so Django's async guard is relaxed for exactly that span."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        pytest.skip("browser tests need the `playwright` Python package (pip install -e .[dev])")
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            yield b
            b.close()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


class HostSite:
    """A third-party website on its own origin: `pages[path] = html`."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = site.pages.get(self.path.split("?")[0])
                data = (body or "not found").encode()
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.origin + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def host_site() -> Iterator[HostSite]:
    site = HostSite()
    yield site
    site.close()


def widget_page(live_server_url: str, public_id: Any, *, lang: str = "en", head: str = "",
                body: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Partner site</title>'
        f"{head}</head><body><main><h1>Partner site</h1><p>Some content.</p>"
        f'<p><a href="#top">A link on the page</a></p>{body}</main>'
        f'<script src="{live_server_url}/static/govcx/widget.js" '
        f'data-govcx-touchpoint="{public_id}" data-govcx-lang="{lang}" defer></script>'
        f"</body></html>"
    )


def run_axe(page: Any, context: str | None = None) -> list[dict[str, Any]]:
    """Inject axe-core and return the WCAG 2.0/2.1 A and AA violations."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (ctx) => {
            const r = await axe.run(ctx || document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}));
        }""",
        context,
    )
    return list(result)


def assert_clean(page: Any, what: str) -> None:
    """No axe-core WCAG 2.0/2.1 A or AA violation on the page, else a readable list."""
    violations = run_axe(page)
    assert violations == [], f"axe violations on {what}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in violations)


@pytest.fixture
def axe_page(browser: Any) -> Any:
    """A page whose context lets the axe script in under the site's CSP."""
    context = browser.new_context(bypass_csp=True)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def staff_context(browser: Any, live_server: Any, user: Any) -> Any:
    """A browser context signed in as `user` (session cookie from Django's test client)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(bypass_csp=True)
    context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "domain": urlsplit(live_server.url).hostname, "path": "/",
    }])
    return context
