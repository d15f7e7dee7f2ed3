"""The database layer under ``store.py``: the SQLite schema, the row types read from it,
its forward migrations, and one thread-shared connection with short transactions.

The schema history reads as one list: migration *n* takes a database from
``PRAGMA user_version`` *n* - 1 to *n*, and a database is only ever moved forward. Several
processes open the same file (the server and its render workers), so migrating happens
under a write lock and re-checks the version once it holds it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

log = logging.getLogger("nemodesk.engine")

BUSY_TIMEOUT_MS = 15_000  # worker processes write progress while the server writes too


class StoreError(Exception):
    """The store could not do what was asked (closed, missing row, newer schema, I/O…)."""


MEDIA_KINDS = frozenset({"mix", "stem", "midi", "plan", "thumbnail", "waveform"})
RENDER_STATUSES = ("pending", "processing", "completed", "failed", "cancelled")
FINISHED = ("completed", "failed", "cancelled")
INTERRUPTED = "The engine stopped while this render was running; submit it again."
EMPTY_DRAFT = '{"t": []}'


class DuplicateRender(StoreError):
    """A render with this id exists already: the client must pick a new id (spec §7)."""


@dataclass(frozen=True)
class Session:
    session_id: str
    task_id: str
    user_id: str
    task_name: str
    language: str
    created_at: float


@dataclass(frozen=True)
class Message:
    message_id: int
    session_id: str
    role: str
    text: str
    meta: dict[str, Any] | None
    created_at: float


@dataclass(frozen=True)
class Upload:
    upload_id: str
    session_id: str
    user_id: str
    filename: str  # as the user named it
    stored_name: str  # the file's name on disk, under files/<session>/uploads/
    kind: str
    size: int
    info: dict[str, Any]
    created_at: float


@dataclass(frozen=True)
class Media:
    media_id: str
    session_id: str
    kind: str
    path: str
    meta: dict[str, Any]
    created_at: float


@dataclass(frozen=True)
class Render:
    render_id: str
    session_id: str
    user_id: str
    request: dict[str, Any]
    status: str
    progress: float
    output_path: str | None
    error: str | None
    created_at: float
    updated_at: float

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


_V1 = (
    """CREATE TABLE users (
        user_id    TEXT PRIMARY KEY,
        client_id  TEXT NOT NULL UNIQUE,
        created_at REAL NOT NULL)""",
    """CREATE TABLE tokens (
        token_hash TEXT PRIMARY KEY,
        user_id    TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
        issued_at  REAL NOT NULL,
        expires_at REAL NOT NULL)""",
    "CREATE INDEX tokens_user ON tokens(user_id)",
    "CREATE INDEX tokens_expiry ON tokens(expires_at)",
    """CREATE TABLE sessions (
        session_id TEXT PRIMARY KEY,
        task_id    TEXT NOT NULL UNIQUE,
        user_id    TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
        task_name  TEXT NOT NULL,
        language   TEXT NOT NULL,
        created_at REAL NOT NULL)""",
    "CREATE INDEX sessions_user ON sessions(user_id, created_at)",
    """CREATE TABLE messages (
        message_id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
        role       TEXT NOT NULL,
        text       TEXT NOT NULL,
        meta       TEXT,
        created_at REAL NOT NULL)""",
    "CREATE INDEX messages_session ON messages(session_id, message_id)",
    """CREATE TABLE drafts (
        session_id TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
        version    INTEGER NOT NULL CHECK (version >= 1),
        reason     TEXT NOT NULL,
        body       TEXT NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (session_id, version)) WITHOUT ROWID""",
    """CREATE TABLE session_state (
        session_id TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
        key        TEXT NOT NULL,
        value      TEXT NOT NULL,
        updated_at REAL NOT NULL,
        PRIMARY KEY (session_id, key)) WITHOUT ROWID""",
    """CREATE TABLE uploads (
        upload_id   TEXT PRIMARY KEY,
        session_id  TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
        user_id     TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
        filename    TEXT NOT NULL,
        stored_name TEXT NOT NULL,
        kind        TEXT NOT NULL,
        size        INTEGER NOT NULL,
        info        TEXT NOT NULL,
        created_at  REAL NOT NULL)""",
    "CREATE INDEX uploads_session ON uploads(session_id)",
    """CREATE TABLE media (
        media_id   TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
        kind       TEXT NOT NULL,
        path       TEXT NOT NULL,
        meta       TEXT NOT NULL,
        created_at REAL NOT NULL)""",
    "CREATE INDEX media_session ON media(session_id)",
    """CREATE TABLE renders (
        render_id   TEXT PRIMARY KEY,
        session_id  TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
        user_id     TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
        request     TEXT NOT NULL,
        status      TEXT NOT NULL,
        progress    REAL NOT NULL DEFAULT 0,
        output_path TEXT,
        error       TEXT,
        created_at  REAL NOT NULL,
        updated_at  REAL NOT NULL)""",
    "CREATE INDEX renders_status ON renders(status)",
)


def _script(statements: tuple[str, ...]) -> Callable[[sqlite3.Connection], None]:
    def run(conn: sqlite3.Connection) -> None:
        for sql in statements:  # not executescript(): that would commit mid-migration
            conn.execute(sql)

    return run


# v2: when a generated file or a render was last used (played, chosen, downloaded), so the
# disk budget removes the least recently used first
_V2 = (
    "ALTER TABLE media ADD COLUMN used_at REAL",
    "ALTER TABLE renders ADD COLUMN used_at REAL",
)

# Append only: never edit a migration that has shipped, add the next one instead.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_script(_V1), _script(_V2)]


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date; returns the number of migrations applied (0 when it
    already was). Each run is one transaction, so a crash mid-way leaves the old version."""
    target = len(MIGRATIONS)
    if user_version(conn) == target:  # the common case takes no write lock
        return 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = user_version(conn)  # another process may have migrated meanwhile
        if current > target:
            raise StoreError(
                f"The database was written by a newer NemoDesk (schema {current}, this "
                f"version knows {target}): update NemoDesk."
            )
        for step in MIGRATIONS[current:]:
            step(conn)
        conn.execute(f"PRAGMA user_version = {target:d}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    if target > current:
        log.info("store schema migrated from %d to %d", current, target)
    return target - current


def connect(path: Path) -> sqlite3.Connection:
    """One configured connection, schema up to date. Autocommit mode: the store writes its
    own BEGIN IMMEDIATE/COMMIT, so a writer takes the lock up front instead of failing on
    a lock upgrade (which SQLite does not retry)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists()
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        if fresh and os.name == "posix":  # sessions and chat are private; -wal/-shm copy this
            with contextlib.suppress(OSError):
                path.chmod(0o600)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("SQLite refused WAL mode for %s (got %s)", path, mode)
        conn.execute("PRAGMA synchronous = NORMAL")  # with WAL: durable across process crashes
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


class Database:
    """One SQLite connection shared by threads: an ``RLock`` serialises its use, and each
    ``_write``/``_read`` block is one short transaction."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self._conn: sqlite3.Connection | None = connect(self.path)
        except sqlite3.Error as e:
            raise StoreError(f"Cannot open the engine database {self.path}: {e}") from e

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError("The store is closed.")
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; the write lock is taken at BEGIN so it is never upgraded."""
        with self._lock:
            conn = self._open()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as e:
                raise StoreError(f"The engine database is unavailable: {e}") from e
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as e:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(e, sqlite3.Error):
                    raise StoreError(f"The engine database refused a change: {e}") from e
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for the reads of one method."""
        with self._lock:
            conn = self._open()
            try:
                conn.execute("BEGIN")
                try:
                    yield conn
                finally:
                    conn.execute("COMMIT")
            except sqlite3.Error as e:
                raise StoreError(f"The engine database could not be read: {e}") from e
