"""Group commit on a real SQLite file, with real threads, each on its own connection.

The ordering is made deterministic by holding SQLite's write lock from another connection:
the first thread's INSERT waits for it, the others queue behind that commit, and when the
lock is released they are stored together.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from govcx.core.group_commit import GroupCommit

INSERT = "INSERT INTO t (k) VALUES (?)"


def _connect(path: Path, busy_seconds: float) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None, timeout=busy_seconds,
                          check_same_thread=False)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    return con


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "gc.sqlite3"
    con = _connect(path, 5)
    con.execute("CREATE TABLE t (id integer PRIMARY KEY AUTOINCREMENT, k text NOT NULL UNIQUE)")
    con.close()
    yield path


def _stored(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [k for (k,) in con.execute("SELECT k FROM t ORDER BY id")]
    finally:
        con.close()


class Caller(threading.Thread):
    """One request thread: inserts `key` through `gc` on its own connection."""

    def __init__(self, gc: GroupCommit, path: Path, key: str, busy_seconds: float,
                 lock_path: str | None = None, sql: str = INSERT,
                 params: list[Any] | None = None, foreign_keys: bool = False) -> None:
        super().__init__(daemon=True)
        self.gc, self.key, self.lock_path = gc, key, lock_path
        self.sql, self.params = sql, params if params is not None else [key]
        self.con = _connect(path, busy_seconds)
        if foreign_keys:
            self.con.execute("PRAGMA foreign_keys=ON")
        self.rowid: int | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        cur = self.con.cursor()
        try:
            self.rowid = self.gc.insert(cur, self.sql, self.params, self.lock_path)
        except BaseException as exc:
            self.error = exc
        finally:
            cur.close()
            self.con.close()


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def _held_lock(path: Path) -> sqlite3.Connection:
    blocker = _connect(path, 5)
    blocker.execute("BEGIN IMMEDIATE")
    return blocker


def _held_writers_lock(tmp_path: Path) -> tuple[str, int]:
    """The writers' lock file, held here as another server process's leader would hold it."""
    path = str(tmp_path / "gc.sqlite3.writers")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return path, fd


def _release(fd: int) -> None:
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


def _start_queued(gc: GroupCommit, callers: list[Caller]) -> None:
    """Start the first caller (it leads, and waits for the writers' lock), then the others
    (they queue behind it)."""
    callers[0].start()
    _wait_for(lambda: gc._busy, "the first caller to lead")
    for c in callers[1:]:
        c.start()
    _wait_for(lambda: len(gc._queue) == len(callers) - 1, "the other callers to queue")


def _joined(callers: list[Caller]) -> None:
    for c in callers:
        c.join(10)
        assert not c.is_alive(), f"{c.key} still waiting"


def test_rows_queued_while_another_process_commits_are_stored_in_one_commit(
    db: Path, tmp_path: Path
) -> None:
    gc = GroupCommit()
    lock_path, other = _held_writers_lock(tmp_path)
    # "a" twice: a retried key in one batch; "d" twice as well
    keys = ["a", "b", "c", "a", "d", "d", "e"]
    callers = [Caller(gc, db, k, busy_seconds=10, lock_path=lock_path) for k in keys]
    _start_queued(gc, callers)
    assert _stored(db) == []  # nothing before the other process's commit ends
    _release(other)
    _joined(callers)

    stored_by = {c.key: c for c in callers if c.error is None}
    failed = [c for c in callers if c.error is not None]
    assert sorted(stored_by) == ["a", "b", "c", "d", "e"]
    assert sorted(c.key for c in failed) == ["a", "d"]
    assert all(isinstance(c.error, sqlite3.IntegrityError) for c in failed)
    assert all(c.rowid is None for c in failed)
    assert sorted(_stored(db)) == ["a", "b", "c", "d", "e"]
    assert len({c.rowid for c in stored_by.values()}) == 5
    assert (gc.stats.commits, gc.stats.rows, gc.stats.largest) == (1, 5, 5)
    # the writers' lock was released: another process's leader can take it now
    fd = os.open(lock_path, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _release(fd)


def test_a_batch_that_cannot_begin_stores_nothing_and_tells_every_caller(
    db: Path, tmp_path: Path
) -> None:
    gc = GroupCommit()
    lock_path, other = _held_writers_lock(tmp_path)
    blocker = _held_lock(db)  # and SQLite's write lock, held past the callers' busy timeout
    callers = [Caller(gc, db, k, busy_seconds=0.2, lock_path=lock_path) for k in "abcd"]
    _start_queued(gc, callers)
    _release(other)
    _joined(callers)
    blocker.execute("COMMIT")
    blocker.close()

    for c in callers:
        assert isinstance(c.error, sqlite3.OperationalError), c.key
        assert "locked" in str(c.error)
        assert c.rowid is None
    assert len({id(c.error) for c in callers}) == 4  # each thread raised its own copy
    assert _stored(db) == []
    assert gc.stats.commits == 0
    # nothing is left waiting or leading: the next caller stores its row at once
    after = Caller(gc, db, "z", busy_seconds=5, lock_path=lock_path)
    after.start()
    _joined([after])
    assert after.error is None and _stored(db) == ["z"]


def test_a_row_failing_mid_batch_for_another_reason_undoes_the_whole_batch(
    db: Path, tmp_path: Path
) -> None:
    gc = GroupCommit()
    lock_path, other = _held_writers_lock(tmp_path)
    callers = [Caller(gc, db, k, busy_seconds=10, lock_path=lock_path) for k in "abc"]
    callers.append(Caller(gc, db, {"not": "bindable"}, busy_seconds=10,  # type: ignore[arg-type]
                          lock_path=lock_path))
    callers.append(Caller(gc, db, "e", busy_seconds=10, lock_path=lock_path))
    _start_queued(gc, callers)
    _release(other)
    _joined(callers)

    assert all(c.error is not None and c.rowid is None for c in callers)
    assert all(isinstance(c.error, sqlite3.ProgrammingError) for c in callers)
    assert _stored(db) == []
    after = Caller(gc, db, "z", busy_seconds=5, lock_path=lock_path)
    after.start()
    _joined([after])
    assert after.error is None and _stored(db) == ["z"]


def test_a_deferred_foreign_key_refuses_only_its_own_row(tmp_path: Path) -> None:
    """Django declares SQLite foreign keys DEFERRABLE INITIALLY DEFERRED: a missing parent
    fails at COMMIT, for the whole transaction. The batch is then stored row by row."""
    path = tmp_path / "fk.sqlite3"
    con = _connect(path, 5)
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("CREATE TABLE parent (id integer PRIMARY KEY)")
    con.execute("INSERT INTO parent (id) VALUES (1)")
    con.execute("CREATE TABLE t (id integer PRIMARY KEY AUTOINCREMENT, k text NOT NULL UNIQUE,"
                " parent_id integer NOT NULL REFERENCES parent (id)"
                " DEFERRABLE INITIALLY DEFERRED)")
    con.close()
    gc = GroupCommit()
    lock_path, other = _held_writers_lock(tmp_path)
    sql = "INSERT INTO t (k, parent_id) VALUES (?, ?)"
    callers = [Caller(gc, path, k, busy_seconds=10, lock_path=lock_path, sql=sql,
                      params=[k, 2 if k == "c" else 1], foreign_keys=True) for k in "abcd"]
    _start_queued(gc, callers)
    _release(other)
    _joined(callers)

    by_key = {c.key: c for c in callers}
    assert isinstance(by_key["c"].error, sqlite3.IntegrityError)
    assert "FOREIGN KEY" in str(by_key["c"].error)
    assert all(by_key[k].error is None and by_key[k].rowid for k in "abd")
    assert sorted(_stored(path)) == ["a", "b", "d"]


@pytest.mark.parametrize("with_lock_file", [False, True])
def test_many_threads_each_row_stored_once(db: Path, tmp_path: Path,
                                           with_lock_file: bool) -> None:
    gc = GroupCommit(max_batch=8)
    lock_path = str(tmp_path / "gc.sqlite3.writers") if with_lock_file else None
    keys = [f"k{i}" for i in range(400)]
    outcomes: list[tuple[str, int | BaseException]] = []
    lock = threading.Lock()
    todo = iter(keys + keys[:40])  # and 40 retries of keys sent before

    def worker() -> None:
        con = _connect(db, 10)
        cur = con.cursor()
        try:
            while True:
                with lock:
                    key = next(todo, None)
                if key is None:
                    return
                try:
                    outcome: int | BaseException = gc.insert(cur, INSERT, [key], lock_path)
                except sqlite3.IntegrityError as exc:
                    outcome = exc
                with lock:
                    outcomes.append((key, outcome))
        finally:
            cur.close()
            con.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting"
    stored = _stored(db)
    assert sorted(stored) == sorted(keys)  # every key once, none twice
    ok = sorted(k for k, o in outcomes if isinstance(o, int))
    assert ok == sorted(keys)  # each key acknowledged exactly once, with its own id
    assert len({o for _, o in outcomes if isinstance(o, int)}) == len(keys)
    assert sorted(k for k, o in outcomes if not isinstance(o, int)) == sorted(keys[:40])
    assert gc.stats.rows == len(keys)
    assert gc.stats.largest <= 8  # the batch cap holds
