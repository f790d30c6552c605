"""How the environment sets prepared statements for PostgreSQL.

The public submission's INSERT is a prepared statement (feedback.services._response_insert)
unless `DB_PREPARED_STATEMENTS=0` (behind an old PgBouncer in transaction mode). The
connection's own options keep Django's default (`prepare_threshold` unset, so psycopg
prepares nothing by itself). Read from the settings of a new process; no server is needed.
That the statement is really prepared is checked against a server in
tests/feedback/test_submit_contract.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "from django.conf import settings\n"
    "d = settings.DATABASES['default']\n"
    "print(d['ENGINE'], settings.DB_PREPARED_STATEMENTS,"
    " d.get('OPTIONS', {}).get('prepare_threshold', 'unset'))\n"
)


@pytest.mark.parametrize(("setting", "expected"), [
    (None, "True"), ("0", "False"), ("off", "False"), ("1", "True"),
])
def test_prepared_statements_are_on_unless_turned_off(setting: str | None,
                                                      expected: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DB_PREPARED_STATEMENTS"}
    env.update(GOVCX_DEV="1", DJANGO_SETTINGS_MODULE="govcx.settings",
               DATABASE_URL="postgres://govcx@127.0.0.1:1/govcx")
    if setting is not None:
        env["DB_PREPARED_STATEMENTS"] = setting
    env.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
    proc = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["django.db.backends.postgresql", expected, "unset"]
