"""SQLite's durability setting, as a server process opens a database file.

By default a commit waits for the WAL to reach the disk (synchronous=FULL), so what a person
was told was received survives a power cut as well as a crash; SQLITE_SYNCHRONOUS=NORMAL
chooses speed over that, and anything else stops the process with a message.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django; django.setup()\n"
    "from django.db import connection\n"
    "with connection.cursor() as c:\n"
    "    c.execute('PRAGMA synchronous'); s = c.fetchone()[0]\n"
    "    c.execute('PRAGMA journal_mode'); j = c.fetchone()[0]\n"
    "print(s, j)\n"
)


def _probe(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SQLITE_SYNCHRONOUS"}
    env.update(GOVCX_DEV="1", DJANGO_SETTINGS_MODULE="govcx.settings",
               DATABASE_URL=f"sqlite:///{tmp_path / 'd.sqlite3'}", **extra)
    env.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
    return subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("setting", "expected"), [
    (None, "2 wal"),  # FULL
    ("normal", "1 wal"),
    ("FULL", "2 wal"),
])
def test_the_connection_runs_with_the_chosen_durability(
    tmp_path: Path, setting: str | None, expected: str
) -> None:
    proc = _probe(tmp_path, **({"SQLITE_SYNCHRONOUS": setting} if setting else {}))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[-2:] == expected.split()


def test_an_unknown_durability_setting_stops_with_a_message(tmp_path: Path) -> None:
    proc = _probe(tmp_path, SQLITE_SYNCHRONOUS="OFF")
    assert proc.returncode != 0
    assert "SQLITE_SYNCHRONOUS must be FULL or NORMAL, not 'OFF'" in proc.stderr
