"""Crash safety of the submission API: SIGKILL the real server in the middle of a burst.

Every submission that was answered 2xx must be in the database after the crash, and a client
retrying every submission with the same Idempotency-Key must end with each key stored exactly
once and the metrics rollups agreeing with the stored responses.

The server is the real one (granian, 2 WSGI worker processes, with 1 and with 4 threads
each) in its own process group, on
its own database: a migrated temporary SQLite file, or, when the suite runs under
`scripts/with-postgres` (DATABASE_URL is PostgreSQL), a separate database created on that
server for this test (pytest-django's test database is not visible to a subprocess).
No timing is asserted.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BODY = json.dumps({"answers": {"trust": "up", "went_well": ["ease"]}}).encode()
BURST = 300
THREADS = 12
KILL_AFTER = 40  # SIGKILL the server once this many submissions have been answered

SETUP = """
import django
django.setup()
from govcx.core import services as core
from govcx.feedback import services as fb, survey_templates
a = core.agency_create(name="Crash Agency", slug="crash-agency")
s = core.service_create(agency=a, name="Crash service", slug="crash", channels=["web"],
                        stages=["apply"])
sv = fb.survey_create(agency=a, name="A-11", schema=survey_templates.build(
    "a11", agency=a.name, service=s.name))
tp = fb.touchpoint_create(service=s, survey=sv, name="Crash web", channel="web")
print(tp.public_id)
"""


def _run(args: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


class Db:
    """The server's database, read directly (not through Django)."""

    def __init__(self, url: str, sqlite_path: Path | None) -> None:
        self.url = url
        self.sqlite_path = sqlite_path

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.sqlite_path is not None:
            con = sqlite3.connect(self.sqlite_path, timeout=30)
            try:
                return list(con.execute(sql).fetchall())
            finally:
                con.close()
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as con:
            return list(con.execute(sql).fetchall())


@pytest.fixture
def server_db(tmp_path: Path) -> Iterator[tuple[dict[str, str], Db]]:
    env = dict(os.environ)
    env.update(GOVCX_DEV="1", RATELIMIT_ENABLE="0", DJANGO_SETTINGS_MODULE="govcx.settings",
               PYTHONUNBUFFERED="1")
    env.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
    outer = os.environ.get("DATABASE_URL", "")
    dropper = None
    if outer.startswith(("postgres://", "postgresql://")):
        import psycopg

        name = f"govcx_crash_{uuid.uuid4().hex[:10]}"
        parts = urlsplit(outer)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        url = urlunsplit(parts._replace(path=f"/{name}"))
        db = Db(url, None)

        def dropper() -> None:
            with psycopg.connect(admin_url, autocommit=True) as con:
                con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "crash.sqlite3"
        url = f"sqlite:///{path}"
        db = Db(url, path)
    env["DATABASE_URL"] = url
    _run([str(BIN / "govcx"), "migrate", "--noinput", "-v0"], env)
    try:
        yield env, db
    finally:
        if dropper is not None:
            dropper()


class Server:
    def __init__(self, env: dict[str, str], log: Path, blocking_threads: int = 1) -> None:
        self.port = free_port()
        self.log = log
        self.fh = log.open("ab")
        self.proc = subprocess.Popen(
            [str(BIN / "granian"), "--interface", "wsgi", "--workers", "2", "--host",
             "127.0.0.1", "--port", str(self.port), "--blocking-threads", str(blocking_threads),
             "--no-access-log", "govcx.wsgi:application"],
            env=env, cwd=ROOT, stdout=self.fh, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so SIGKILL reaches every worker
        )

    def wait_ready(self, path: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited:\n{self.log.read_text()}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                c.request("GET", path)
                if c.getresponse().status == 200:
                    c.close()
                    return
                c.close()
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"server not ready:\n{self.log.read_text()}")

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.fh.close()


def _post(port: int, path: str, key: str) -> int | None:
    """HTTP status of one submission, or None when the connection failed."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("POST", path, body=BODY,
                  headers={"Content-Type": "application/json", "Idempotency-Key": key})
        r = c.getresponse()
        r.read()
        c.close()
        return r.status
    except (OSError, http.client.HTTPException):
        return None


# With 4 threads per worker, SQLite's group commit stores rows of concurrent requests in one
# transaction (govcx.core.group_commit): the kill can land in the middle of such a batch.
@pytest.mark.parametrize("blocking_threads", [1, 4])
def test_sigkill_mid_burst_loses_no_acknowledged_submission(
    server_db: tuple[dict[str, str], Db], tmp_path: Path, blocking_threads: int
) -> None:
    env, db = server_db
    public_id = _run([str(BIN / "python"), "-c", SETUP], env).strip().splitlines()[-1]
    survey = f"/api/v1/touchpoints/{public_id}/survey"
    submit = f"/api/v1/touchpoints/{public_id}/responses"
    log = tmp_path / "server.log"

    server = Server(env, log, blocking_threads)
    try:
        server.wait_ready(survey)
        keys = [f"crash-{i}-{uuid.uuid4().hex}" for i in range(BURST)]
        status: dict[str, int | None] = {}
        lock = threading.Lock()
        answered = threading.Semaphore(0)
        todo = iter(keys)

        def worker() -> None:
            while True:
                with lock:
                    key = next(todo, None)
                if key is None:
                    return
                st = _post(server.port, submit, key)
                with lock:
                    status[key] = st
                if st is not None:
                    answered.release()

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for _ in range(KILL_AFTER):  # wait (without a clock) until enough were answered
            assert answered.acquire(timeout=120), f"burst stalled:\n{log.read_text()}"
        server.kill()
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads)
    finally:
        server.kill()

    acked = [k for k, st in status.items() if st is not None and 200 <= st < 300]
    others = {st for k, st in status.items() if st is not None and not 200 <= st < 300}
    assert acked, "no submission was acknowledged before the crash"
    assert not others, f"unexpected statuses before the crash: {others}\n{log.read_text()}"
    print(f"\n{len(acked)} acknowledged, {sum(st is None for st in status.values())} failed, "
          f"{BURST - len(status)} never sent before SIGKILL")

    # After the crash, straight from the database: every acknowledged key is stored.
    stored = {k for (k,) in db.query(
        "SELECT idempotency_key FROM feedback_response WHERE idempotency_key IS NOT NULL")}
    missing = [k for k in acked if k not in stored]
    assert not missing, f"{len(missing)} acknowledged submissions lost: {missing[:5]}"
    # Responses are counted into the rollups after they are stored: the catch-up after the
    # crash counts every stored one, exactly once.
    _run([str(BIN / "govcx"), "rollups_catch_up"], env)
    ((rollup,),) = db.query("SELECT COALESCE(SUM(responses), 0) FROM metrics_responsedaily")
    assert rollup == len(stored)

    # Restart; the client retries every submission (answered or not) with the same key.
    server = Server(env, log, blocking_threads)
    try:
        server.wait_ready(survey)
        retry = {k: _post(server.port, submit, k) for k in keys}
    finally:
        server.kill()
    bad = {k: st for k, st in retry.items() if st not in (200, 201)}
    assert not bad, f"retries failed: {list(bad.items())[:5]}\n{log.read_text()}"
    assert all(retry[k] == 200 for k in acked), "an acknowledged key was stored twice"

    counts = dict(db.query(
        "SELECT idempotency_key, COUNT(*) FROM feedback_response GROUP BY idempotency_key"))
    assert set(counts) == set(keys)
    assert all(n == 1 for n in counts.values()), {k: n for k, n in counts.items() if n != 1}
    ((n_responses, n_counted),) = db.query(
        "SELECT COUNT(*), SUM(CASE WHEN quarantined THEN 0 ELSE 1 END) FROM feedback_response")
    _run([str(BIN / "govcx"), "rollups_catch_up"], env)
    ((rollup,),) = db.query("SELECT COALESCE(SUM(responses), 0) FROM metrics_responsedaily")
    assert n_responses == BURST
    assert n_counted == BURST
    assert rollup == n_responses
