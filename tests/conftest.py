"""Shared fixtures: two agencies with staff of every role, services, surveys, touchpoints.

Factories are plain functions over the services layer (no fixtures files), so tests build
what they need in a line.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from govcx.core import services as core_services
from govcx.core.models import Agency, Role, Service
from govcx.feedback import services as fb
from govcx.feedback import survey_templates
from govcx.feedback.models import Survey, Touchpoint

PASSWORD = "correct-horse-battery-staple"


def make_agency(slug: str, name: str | None = None, **kw: Any) -> Agency:
    return core_services.agency_create(name=name or slug.title(), slug=slug, **kw)


def make_service(agency: Agency, slug: str = "benefits", **kw: Any) -> Service:
    kw.setdefault("channels", ["web", "email", "sms", "phone"])
    kw.setdefault("stages", ["apply", "decision", "payment"])
    return core_services.service_create(agency=agency, name=kw.pop("name", slug.title()),
                                        slug=slug, **kw)


def make_staff(agency: Agency, role: str, username: str | None = None) -> AbstractBaseUser:
    username = username or f"{role}-{agency.slug}"
    return core_services.staff_create(username=username, email=f"{username}@example.gov",
                                      password=PASSWORD, agency=agency, role=role)


def make_survey(agency: Agency, template: str = "a11", **kw: Any) -> Survey:
    schema = survey_templates.build(template, agency=agency.name, service="the service")
    return fb.survey_create(agency=agency, name=kw.pop("name", f"{template} survey"),
                            schema=schema, **kw)


def make_touchpoint(service: Service, survey: Survey | None = None, **kw: Any) -> Touchpoint:
    survey = survey or make_survey(service.agency)
    kw.setdefault("name", f"{service.name} web")
    kw.setdefault("channel", "web")
    return fb.touchpoint_create(service=service, survey=survey, **kw)


def thread_on_own_connection(fn: Callable[[], Any], errors: list[BaseException]
                             ) -> threading.Thread:
    """A thread (not started) running `fn` on its own database connection, which it closes;
    whatever `fn` raises is appended to `errors` for the test to assert on."""
    from django.db import connection

    def run() -> None:
        try:
            fn()
        except BaseException as exc:  # reported by the test's assertion
            errors.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


def login(client: Client, user: AbstractBaseUser) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """Agency A (benefits) and agency B (tax), each with a service, a touchpoint and staff."""
    a = make_agency("benefits-agency", "Benefits Agency")
    b = make_agency("tax-agency", "Tax Agency")
    sa = make_service(a, "benefits", name="Apply for benefits")
    sb = make_service(b, "returns", name="File a return")
    ta = make_touchpoint(sa, allowed_origins=["https://partner.example.org"])
    tb = make_touchpoint(sb)
    staff = {(ag.slug, role): make_staff(ag, role) for ag in (a, b) for role in Role.values}
    return {"a": a, "b": b, "sa": sa, "sb": sb, "ta": ta, "tb": tb, "staff": staff}


@pytest.fixture
def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language. A request activates its own (LocaleMiddleware)
    but nothing deactivates it afterwards, so a test whose last request was in Spanish would
    otherwise hand Spanish to the next test's service calls (as a server thread does not:
    every request activates its language first)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Staff passwords are hashed with PBKDF2 in production; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_public_cache(settings: Any) -> None:
    """Tests change touchpoints directly and expect the next request to see it; the cache
    itself is tested in tests/feedback/test_public_cache.py."""
    from govcx.feedback.selectors import public_cache_clear

    settings.PUBLIC_CACHE_SECONDS = 0
    settings.TRANSPARENCY_CACHE_SECONDS = 0  # its cache test: tests/metrics/test_public_pages.py
    public_cache_clear()


def python_in_new_process(code: str, **env: str | None) -> str:
    """Run `code` in a new Python process with the project's settings (development mode) and
    return what it printed. Each keyword sets an environment variable, or removes it when None,
    so that the caller's shell cannot change the outcome."""
    full = {k: v for k, v in os.environ.items() if k not in env}
    full.update({k: v for k, v in env.items() if v is not None})
    full.update(GOVCX_DEV="1", DJANGO_SETTINGS_MODULE="govcx.settings")
    full.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
    proc = subprocess.run([sys.executable, "-c", code], env=full,
                          cwd=Path(__file__).resolve().parents[1], capture_output=True,
                          text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip(), f"the new process printed nothing: {proc.stderr}"
    return proc.stdout


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailServer:
    """A real SMTP server on loopback (aiosmtpd) that keeps every message it receives."""

    def __init__(self) -> None:
        self.raw_messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.raw_messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                                  envelope.content))
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[tuple[str, list[str], str]]:
        return [(f, r, c.decode("utf-8", "replace")) for f, r, c in self.raw_messages]


@pytest.fixture
def smtp(settings: Any) -> Iterator[MailServer]:
    """Django's SMTP backend pointed at a real server that the test can read."""
    server = MailServer()
    controller = Controller(server, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    yield server
    controller.stop()
