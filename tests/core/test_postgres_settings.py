"""How the environment sets prepared statements for PostgreSQL.

The public submission's INSERT is a prepared statement (feedback.services._response_insert)
unless `DB_PREPARED_STATEMENTS=0` (behind an old PgBouncer in transaction mode). The
connection's own options keep Django's default (`prepare_threshold` unset, so psycopg
prepares nothing by itself). Read from the settings of a new process; no server is needed.
That the statement is really prepared is checked against a server in
tests/feedback/test_submit_contract.py.
"""

from __future__ import annotations

import pytest

from tests.conftest import python_in_new_process

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
    out = python_in_new_process(PROBE, DB_PREPARED_STATEMENTS=setting,
                                DATABASE_URL="postgres://govcx@127.0.0.1:1/govcx")
    assert out.split() == ["django.db.backends.postgresql", expected, "unset"]
