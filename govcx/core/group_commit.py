"""Group commit of single-row INSERTs on SQLite, across the threads of one server process.

Why: in WAL mode every commit appends each B-tree page it changed to the log (a submission
changes eight: the table, `sqlite_sequence` and six indexes) and, with `synchronous=FULL`
(the default, see settings), waits for an fsync. So one commit per row costs several times
what the row itself does (`bench/ingest/engine.py`, docs/benchmarks.md "Ingest"). When
several request threads of a process are storing rows at the same moment, committing them
together pays that fixed cost once.

How (leader and followers, no extra thread, no added wait): a thread that finds no commit in
progress in its process becomes the leader. A thread that arrives while one is in progress
queues its row and waits. The leader takes the writers' lock file shared by every server
process on the database (see `_writers_lock`), then every row queued by then (up to
`MAX_BATCH`): alone, its row is stored in plain autocommit, as before; with others, all of
them in one `BEGIN IMMEDIATE … COMMIT` on its own connection, each row in its own
statement, so a row that breaks a unique constraint (a retried idempotency key) fails alone
and the others are stored. When it is done, the first thread still waiting becomes the next
leader. Every thread returns only after the commit that holds its row has returned: an
acknowledged submission is as durable as one committed alone. If the batch's transaction
fails (the database stayed locked past the busy timeout, a full disk), nothing of it is
stored and every thread in it gets that error; a deferred constraint failing at COMMIT makes
the leader store the rows one by one instead.

Not written by hand for want of a library: neither Django nor `sqlite3` batches the commits
of separate callers. Not used on PostgreSQL: there the leader's statements run one after
another while PostgreSQL already groups the WAL flushes of concurrent commits, and it was
measured slower (docs/benchmarks.md).
"""

from __future__ import annotations

import copy
import fcntl
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

MAX_BATCH = 64
log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Row:
    sql: str
    params: Sequence[Any]
    ready: threading.Event = field(default_factory=threading.Event)
    lead: bool = False  # set when this waiting thread is to store the queue itself
    rowid: int | None = None
    error: BaseException | None = None


@dataclass
class Stats:
    """Counters for tests and benchmarks: commits made, rows they stored, and the most
    rows one commit stored."""

    commits: int = 0
    rows: int = 0
    largest: int = 0


class GroupCommit:
    """One per process (see `shared`); `insert` is safe to call from any thread."""

    def __init__(self, max_batch: int = MAX_BATCH) -> None:
        self.max_batch = max_batch
        self.stats = Stats()
        self._lock_files: dict[str, int] = {}  # path -> descriptor, opened in this process
        self._reset()

    def _reset(self) -> None:
        self._mutex = threading.Lock()
        self._queue: list[_Row] = []
        self._busy = False

    def after_fork_in_child(self) -> None:
        """A forked child starts with no commit in progress and none of its parent's lock
        file descriptors (sharing one would share the parent's lock)."""
        self._reset()
        for fd in self._lock_files.values():
            with suppress(OSError):
                os.close(fd)
        self._lock_files.clear()

    def insert(self, cursor: Any, sql: str, params: Sequence[Any],
               lock_path: str | None = None) -> int:
        """Run `sql` (one INSERT) with `params` and return the new row's id, committed.

        `cursor` is a DB-API cursor of the calling thread's own SQLite connection, in
        autocommit (`isolation_level=None`, no transaction open). Raises what the driver
        raised for this row. `lock_path`: a file that the leaders of every process writing to
        the same database lock while they commit (see `_writers_lock`); None for a database
        no other process opens.
        """
        row = _Row(sql, params)
        with self._mutex:
            if self._busy:
                self._queue.append(row)
            else:
                self._busy = True
                row.lead = True
        if not row.lead:
            row.ready.wait()
        if row.lead:
            batch = [row]
            try:
                with self._writers_lock(lock_path):
                    with self._mutex:  # what queued while waiting for the lock goes too
                        batch += self._queue[: self.max_batch - 1]
                        del self._queue[: self.max_batch - 1]
                    self._store(cursor, batch)
            finally:
                self._hand_over(batch)
            error = row.error
        else:  # the leader's exception object is not raised in several threads at once
            error = copy.copy(row.error) if row.error is not None else None
        if error is not None:
            raise error
        if row.rowid is None:
            raise RuntimeError("group commit: no row id and no error")  # not reached
        return row.rowid

    @contextmanager
    def _writers_lock(self, path: str | None) -> Iterator[None]:
        """Hold an exclusive `flock` on `path` (the leader only, so one thread per process).

        Without it, the leaders of two server processes meet at SQLite's own write lock,
        whose busy handler polls in sleeps of 1, 2, 5, 10 ms and more: the lock sits free
        while the waiter sleeps. A waiter on `flock` is woken as soon as the lock is
        released, and the rows its process queued in the meantime go in its batch. The
        kernel releases it when its holder dies. If the file cannot be opened or locked
        (permissions), commits go on without it, meeting at SQLite's lock as before.
        """
        fd = self._lock_file(path) if path is not None else None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError as exc:
                log.warning("group commit: cannot lock %s (%s); going on without it", path, exc)
                fd = None
        try:
            yield
        finally:
            if fd is not None:
                with suppress(OSError):  # closing the descriptor would release it too
                    fcntl.flock(fd, fcntl.LOCK_UN)

    def _lock_file(self, path: str) -> int | None:
        known = self._lock_files.get(path)
        if known is not None:
            return known
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            log.warning("group commit: cannot open %s (%s); going on without it", path, exc)
            return None
        self._lock_files[path] = fd
        return fd

    def _store(self, cursor: Any, batch: list[_Row]) -> None:
        """Store `batch`, setting each row's id or error. Never leaves a transaction open:
        on any failure it rolls back and no row of the batch has an id."""
        if cursor.connection.in_transaction:  # the caller's transaction would swallow them
            error = RuntimeError("group commit needs a connection in autocommit")
            for r in batch:
                r.error = error
            return
        if len(batch) == 1:  # nobody else waiting: plain autocommit, as without this class
            self._store_alone(cursor, batch)
            return
        try:
            cursor.execute("BEGIN IMMEDIATE")
            for r in batch:
                try:
                    self._execute(cursor, r)
                except sqlite3.IntegrityError as exc:  # this statement only is undone
                    r.error = exc
            cursor.execute("COMMIT")
        except sqlite3.IntegrityError:
            # A deferred constraint (Django's foreign keys on SQLite are DEFERRABLE INITIALLY
            # DEFERRED) fails at COMMIT, for the whole transaction: find the row by storing
            # each alone, so the others are not refused for it.
            self._roll_back(cursor)
            self._store_alone(cursor, [r for r in batch if r.error is None])
            return
        except BaseException as exc:  # also SystemExit and the like: never a half batch
            self._roll_back(cursor)
            for r in batch:
                r.error, r.rowid = exc, None
            if not isinstance(exc, Exception):
                raise
            return
        self._count(sum(r.error is None for r in batch))

    def _store_alone(self, cursor: Any, rows: list[_Row]) -> None:
        for r in rows:
            r.rowid = None
            try:
                self._execute(cursor, r)
            except Exception as exc:
                r.error = exc
            else:
                self._count(1)

    @staticmethod
    def _execute(cursor: Any, r: _Row) -> None:
        cursor.execute(r.sql, r.params)
        r.rowid = cursor.lastrowid

    @staticmethod
    def _roll_back(cursor: Any) -> None:
        """Roll back; if even that fails the connection stays in its transaction, which the
        caller sees (`in_transaction`) and must close (feedback.services does)."""
        with suppress(Exception):  # SQLite may have rolled back already
            cursor.execute("ROLLBACK")

    def _count(self, rows: int) -> None:  # only the one leader of the moment writes these
        self.stats.commits += 1
        self.stats.rows += rows
        self.stats.largest = max(self.stats.largest, rows)

    def _hand_over(self, batch: list[_Row]) -> None:
        with self._mutex:
            if self._queue:
                nxt = self._queue.pop(0)
                nxt.lead = True
                nxt.ready.set()
            else:
                self._busy = False
        for r in batch[1:]:
            r.ready.set()


shared = GroupCommit()
os.register_at_fork(after_in_child=shared.after_fork_in_child)
