"""The local engine's state in one SQLite file: users, tokens, sessions, chat, drafts with
undo history, uploads, generated media and renders.

The server calls in from the asyncio thread and from worker-result callbacks, and render
workers in other processes open the same file. So: WAL (readers never block the writer),
one connection per ``Store`` guarded by a lock, and every public method is one short
transaction — a writer takes the write lock up front (BEGIN IMMEDIATE) and waits on
``busy_timeout`` instead of failing with "database is locked". With ``synchronous=NORMAL``
a committed write survives the process being killed; only a power cut may lose the last
few, which is the usual trade for a desktop app.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import time
from pathlib import Path
from typing import Any

from nemodesk.engine.server.store_schema import (
    EMPTY_DRAFT,
    INTERRUPTED,
    MEDIA_KINDS,
    RENDER_STATUSES,
    Database,
    DuplicateRender,
    Media,
    Message,
    Render,
    Session,
    StoreError,
    Upload,
)

__all__ = [
    "EMPTY_DRAFT",
    "INTERRUPTED",
    "MEDIA_KINDS",
    "RENDER_STATUSES",
    "DuplicateRender",
    "Media",
    "Message",
    "Render",
    "Session",
    "Store",
    "StoreError",
    "Upload",
]

REDO_KEY = "redo_drafts"  # session state: the versions undo dropped, newest last


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def _hash(token: str) -> str:
    """Only the hash is stored: a copied database file holds no usable token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class Store(Database):
    """All persistent engine state. Safe to share between threads; open one per process."""

    def __init__(self, path: Path, *, history_limit: int = 200) -> None:
        """Open (or create and migrate) the database at ``path``. ``history_limit`` caps the
        draft versions kept per session, so undo history cannot grow without bound."""
        super().__init__(path)
        self.history_limit = max(2, history_limit)

    @staticmethod
    def _owned_session(conn: sqlite3.Connection, session_id: str, user_id: str) -> None:
        row = conn.execute(
            "SELECT 1 FROM sessions WHERE session_id = ? AND user_id = ?", (session_id, user_id)
        ).fetchone()
        if row is None:
            raise StoreError(f"Session {session_id} not found for this user.")

    # -- users and tokens --------------------------------------------------------------

    def create_user(self, client_id: str) -> str:
        """A new anonymous user bound to one client id (the client's UUID). When two token
        requests race for the same client id, both get the one user instead of an error."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO users (user_id, client_id, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (client_id) DO NOTHING",
                (_id("usr"), client_id, time.time()),
            )
            row = conn.execute(
                "SELECT user_id FROM users WHERE client_id = ?", (client_id,)
            ).fetchone()
        return str(row[0])

    def user_for_client(self, client_id: str) -> str | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT user_id FROM users WHERE client_id = ?", (client_id,)
            ).fetchone()
        return row[0] if row else None

    def rebind_client(self, old: str, new: str) -> str | None:
        """Move the user of client key ``old`` to ``new`` (unless ``new`` has one already);
        the user, or None when ``old`` has none. For binding a client to its secret."""
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM users WHERE client_id = ?", (new,)).fetchone():
                return None
            conn.execute("UPDATE users SET client_id = ? WHERE client_id = ?", (new, old))
            row = conn.execute("SELECT user_id FROM users WHERE client_id = ?", (new,)).fetchone()
        return row[0] if row else None

    def issue_token(self, user_id: str, ttl_s: float = 7 * 86400) -> tuple[str, float]:
        """A fresh bearer token and its expiry; expired tokens are swept on the way."""
        token = "nmv_usr_" + secrets.token_urlsafe(32)
        now = time.time()
        expires_at = now + ttl_s
        with self._write() as conn:
            conn.execute("DELETE FROM tokens WHERE expires_at <= ?", (now,))
            conn.execute(
                "INSERT INTO tokens (token_hash, user_id, issued_at, expires_at)"
                " VALUES (?, ?, ?, ?)",
                (_hash(token), user_id, now, expires_at),
            )
        return token, expires_at

    def user_for_token(self, token: str) -> str | None:
        """The token's user; None when it is unknown or expired (the API's code 1001)."""
        if not token:
            return None
        with self._read() as conn:
            row = conn.execute(
                "SELECT user_id FROM tokens WHERE token_hash = ? AND expires_at > ?",
                (_hash(token), time.time()),
            ).fetchone()
        return row[0] if row else None

    def revoke_token(self, token: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM tokens WHERE token_hash = ?", (_hash(token),))

    # -- sessions and messages ---------------------------------------------------------

    def create_session(self, user_id: str, task_name: str, language: str) -> Session:
        """The API's task and session in one: the cloud hands out both ids together."""
        s = Session(_id("ses"), _id("tsk"), user_id, task_name, language, time.time())
        with self._write() as conn:
            conn.execute(
                "INSERT INTO sessions (session_id, task_id, user_id, task_name, language,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (s.session_id, s.task_id, s.user_id, s.task_name, s.language, s.created_at),
            )
        return s

    _SESSION = "SELECT session_id, task_id, user_id, task_name, language, created_at FROM sessions"

    def get_session(self, session_id: str, user_id: str) -> Session | None:
        """None for a missing session and for someone else's alike (no probing by id)."""
        with self._read() as conn:
            row = conn.execute(
                f"{self._SESSION} WHERE session_id = ? AND user_id = ?", (session_id, user_id)
            ).fetchone()
        return Session(*row) if row else None

    def list_sessions(self, user_id: str) -> list[Session]:
        """The user's sessions, newest first."""
        with self._read() as conn:
            rows = conn.execute(
                f"{self._SESSION} WHERE user_id = ? ORDER BY created_at DESC, rowid DESC",
                (user_id,),
            ).fetchall()
        return [Session(*r) for r in rows]

    def add_message(
        self, session_id: str, role: str, text: str, meta: dict[str, Any] | None = None
    ) -> int:
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO messages (session_id, role, text, meta, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (session_id, role, text, None if meta is None else _dumps(meta), time.time()),
            )
        return int(cur.lastrowid or 0)

    def messages(self, session_id: str) -> list[Message]:
        """The conversation in the order it was said."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT message_id, session_id, role, text, meta, created_at FROM messages"
                " WHERE session_id = ? ORDER BY message_id",
                (session_id,),
            ).fetchall()
        return [Message(r[0], r[1], r[2], r[3], _loads(r[4]), r[5]) for r in rows]

    # -- drafts ------------------------------------------------------------------------

    def save_draft(
        self, session_id: str, draft: dict[str, Any], reason: str, *, keep_redo: bool = False
    ) -> int:
        """Store a new version (the JSON text as given, unknown fields and key order kept);
        returns its 1-based number. The oldest versions beyond ``history_limit`` go, and so
        does the redo list (unless ``keep_redo``: the redo itself)."""
        body = _dumps(draft)
        with self._write() as conn:
            latest = conn.execute(
                "SELECT COALESCE(MAX(version), 0) FROM drafts WHERE session_id = ?",
                (session_id,),
            ).fetchone()[0]
            version = int(latest) + 1
            conn.execute(
                "INSERT INTO drafts (session_id, version, reason, body, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (session_id, version, reason, body, time.time()),
            )
            conn.execute(
                "DELETE FROM drafts WHERE session_id = ? AND version <= ?",
                (session_id, version - self.history_limit),
            )
            if not keep_redo:  # a new edit: what was undone can no longer be redone
                conn.execute(
                    "DELETE FROM session_state WHERE session_id = ? AND key = ?",
                    (session_id, REDO_KEY),
                )
        return version

    def draft(self, session_id: str) -> dict[str, Any]:
        """The latest draft; an empty timeline when the session has none yet."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT body FROM drafts WHERE session_id = ? ORDER BY version DESC LIMIT 1",
                (session_id,),
            ).fetchone()
        return json.loads(row[0] if row else EMPTY_DRAFT)

    def undo(self, session_id: str) -> dict[str, Any] | None:
        """Drop the latest version and return the one before it (the empty timeline before
        version 1). None, changing nothing, when there is no earlier state to go back to —
        no draft at all, or only the oldest version kept after pruning."""
        with self._write() as conn:
            rows = conn.execute(
                "SELECT version, body FROM drafts WHERE session_id = ?"
                " ORDER BY version DESC LIMIT 2",
                (session_id,),
            ).fetchall()
            if not rows or (len(rows) == 1 and rows[0][0] != 1):
                return None
            conn.execute(
                "DELETE FROM drafts WHERE session_id = ? AND version = ?", (session_id, rows[0][0])
            )
            stack = self._redo_stack(conn, session_id)
            stack.append(json.loads(rows[0][1]))
            self._set_redo_stack(conn, session_id, stack[-self.history_limit :])
        return json.loads(rows[1][1] if len(rows) == 2 else EMPTY_DRAFT)

    def redo(self, session_id: str) -> dict[str, Any] | None:
        """Bring back the version the latest ``undo`` dropped, as a new version; None,
        changing nothing, when nothing was undone since the last edit."""
        with self._write() as conn:
            stack = self._redo_stack(conn, session_id)
            if not stack:
                return None
            body = stack.pop()
            self._set_redo_stack(conn, session_id, stack)
        self.save_draft(session_id, body, "redo", keep_redo=True)
        return body

    def can_redo(self, session_id: str) -> bool:
        with self._read() as conn:
            return bool(self._redo_stack(conn, session_id))

    @staticmethod
    def _redo_stack(conn: sqlite3.Connection, session_id: str) -> list[dict[str, Any]]:
        row = conn.execute(
            "SELECT value FROM session_state WHERE session_id = ? AND key = ?",
            (session_id, REDO_KEY),
        ).fetchone()
        value = _loads(row[0]) if row else None
        return value if isinstance(value, list) else []

    @staticmethod
    def _set_redo_stack(
        conn: sqlite3.Connection, session_id: str, stack: list[dict[str, Any]]
    ) -> None:
        conn.execute(
            "INSERT INTO session_state (session_id, key, value, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (session_id, key)"
            " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (session_id, REDO_KEY, _dumps(stack), time.time()),
        )

    def draft_history(self, session_id: str) -> list[tuple[int, str, float]]:
        """(version, reason, time) of each kept version, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT version, reason, created_at FROM drafts WHERE session_id = ?"
                " ORDER BY version",
                (session_id,),
            ).fetchall()
        return [(int(v), r, t) for v, r, t in rows]

    # -- session state -----------------------------------------------------------------

    def set_state(self, session_id: str, key: str, value: Any) -> None:
        """One named piece of session state (video_infos, canvas_config, video_analyses,
        generated_media, music…): any JSON value, replacing the previous one."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO session_state (session_id, key, value, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (session_id, key)"
                " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (session_id, key, _dumps(value), time.time()),
            )

    def append_state(self, session_id: str, key: str, items: list[Any]) -> None:
        """Add ``items`` to the list kept under ``key``, read and written in one transaction:
        nothing (the disk budget removing old takes) can change the list in between."""
        with self._write() as conn:
            row = conn.execute(
                "SELECT value FROM session_state WHERE session_id = ? AND key = ?",
                (session_id, key),
            ).fetchone()
            value = json.loads(row[0]) if row else []
            conn.execute(
                "INSERT INTO session_state (session_id, key, value, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (session_id, key)"
                " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (session_id, key, _dumps([*value, *items]), time.time()),
            )

    def state(self, session_id: str) -> dict[str, Any]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT key, value FROM session_state WHERE session_id = ? ORDER BY key",
                (session_id,),
            ).fetchall()
        return {k: json.loads(v) for k, v in rows}

    # -- uploads and generated media ---------------------------------------------------

    _UPLOAD = (
        "SELECT upload_id, session_id, user_id, filename, stored_name, kind, size, info,"
        " created_at FROM uploads"
    )

    @staticmethod
    def _upload(row: tuple[Any, ...]) -> Upload:
        return Upload(*row[:7], json.loads(row[7]), row[8])

    def add_upload(
        self,
        session_id: str,
        user_id: str,
        filename: str,
        stored_name: str,
        kind: str,
        size: int,
        info: dict[str, Any],
    ) -> str:
        """Record a received file; the session must be the user's own."""
        upload_id = _id("upl")
        names = (upload_id, session_id, user_id, filename, stored_name, kind, int(size))
        with self._write() as conn:
            self._owned_session(conn, session_id, user_id)
            conn.execute(
                "INSERT INTO uploads (upload_id, session_id, user_id, filename, stored_name,"
                " kind, size, info, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*names, _dumps(info), time.time()),
            )
        return upload_id

    def get_upload(self, upload_id: str, user_id: str) -> Upload | None:
        with self._read() as conn:
            row = conn.execute(
                f"{self._UPLOAD} WHERE upload_id = ? AND user_id = ?", (upload_id, user_id)
            ).fetchone()
        return self._upload(row) if row else None

    def uploads(self, session_id: str) -> list[Upload]:
        with self._read() as conn:
            rows = conn.execute(
                f"{self._UPLOAD} WHERE session_id = ? ORDER BY rowid", (session_id,)
            ).fetchall()
        return [self._upload(r) for r in rows]

    _MEDIA = "SELECT m.media_id, m.session_id, m.kind, m.path, m.meta, m.created_at FROM media m"

    @staticmethod
    def new_media_id() -> str:
        return _id("med")

    def add_media(
        self,
        session_id: str,
        kind: str,
        path: str,
        meta: dict[str, Any],
        media_id: str | None = None,
    ) -> str:
        """Record a generated file (a mix, its stems, MIDI, plan, thumbnail, waveform);
        ``media_id`` from ``new_media_id`` when the caller must know it beforehand."""
        if kind not in MEDIA_KINDS:
            raise ValueError(f"unknown media kind {kind!r}: use one of {sorted(MEDIA_KINDS)}")
        media_id = media_id or _id("med")
        with self._write() as conn:
            conn.execute(
                "INSERT INTO media (media_id, session_id, kind, path, meta, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (media_id, session_id, kind, str(path), _dumps(meta), time.time()),
            )
        return media_id

    def get_media(self, media_id: str, user_id: str) -> Media | None:
        """The media if its session is the user's own; None otherwise."""
        with self._read() as conn:
            row = conn.execute(
                f"{self._MEDIA} JOIN sessions s ON s.session_id = m.session_id"
                " WHERE m.media_id = ? AND s.user_id = ?",
                (media_id, user_id),
            ).fetchone()
        return Media(*row[:4], json.loads(row[4]), row[5]) if row else None

    def media(self, session_id: str) -> list[Media]:
        with self._read() as conn:
            rows = conn.execute(
                f"{self._MEDIA} WHERE m.session_id = ? ORDER BY m.rowid", (session_id,)
            ).fetchall()
        return [Media(*r[:4], json.loads(r[4]), r[5]) for r in rows]

    # -- renders -----------------------------------------------------------------------

    _RENDER = (
        "SELECT render_id, session_id, user_id, request, status, progress, output_path, error,"
        " created_at, updated_at FROM renders"
    )

    @staticmethod
    def _render(row: tuple[Any, ...]) -> Render:
        return Render(row[0], row[1], row[2], json.loads(row[3]), *row[4:])

    def create_render(
        self, render_id: str, session_id: str, user_id: str, request: dict[str, Any]
    ) -> Render:
        """A pending render. Ids are global, as on the cloud: a taken one raises
        ``DuplicateRender`` whoever owns it, and the client retries with a new id."""
        now = time.time()
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM renders WHERE render_id = ?", (render_id,)).fetchone():
                raise DuplicateRender(f"A render with id {render_id!r} exists already.")
            self._owned_session(conn, session_id, user_id)
            conn.execute(
                "INSERT INTO renders (render_id, session_id, user_id, request, status, progress,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)",
                (render_id, session_id, user_id, _dumps(request), now, now),
            )
        return Render(render_id, session_id, user_id, request, "pending", 0.0, None, None, now, now)

    def update_render(
        self,
        render_id: str,
        *,
        status: str | None = None,
        progress: float | None = None,
        output_path: str | None = None,
        error: str | None = None,
    ) -> bool:
        """Apply the given fields; False when the render is unknown or already finished.
        A finished render never changes, so a worker's late progress report cannot undo a
        cancellation (the worker learns of it by reading the status)."""
        if status is not None and status not in RENDER_STATUSES:
            raise ValueError(f"unknown render status {status!r}")
        fields: dict[str, Any] = {"updated_at": time.time()}
        if status is not None:
            fields["status"] = status
        if progress is not None:
            fields["progress"] = min(100.0, max(0.0, float(progress)))
        if output_path is not None:
            fields["output_path"] = str(output_path)
        if error is not None:
            fields["error"] = error
        sets = ", ".join(f"{name} = ?" for name in fields)  # names are ours, not the caller's
        with self._write() as conn:
            cur = conn.execute(
                f"UPDATE renders SET {sets} WHERE render_id = ?"
                " AND status NOT IN ('completed', 'failed', 'cancelled')",
                (*fields.values(), render_id),
            )
        return cur.rowcount > 0

    def get_render(self, render_id: str, user_id: str) -> Render | None:
        with self._read() as conn:
            row = conn.execute(
                f"{self._RENDER} WHERE render_id = ? AND user_id = ?", (render_id, user_id)
            ).fetchone()
        return self._render(row) if row else None

    def mark_interrupted(self) -> int:
        """At start-up: renders left pending or processing by a stopped engine (even one
        killed with SIGKILL) can never finish, so they fail with a reason. Returns how many."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE renders SET status = 'failed', error = ?, updated_at = ?"
                " WHERE status IN ('pending', 'processing')",
                (INTERRUPTED, time.time()),
            )
        return cur.rowcount

    # -- disk budget and session delete -----------------------------------------------

    def touch_media(self, *media_ids: str) -> None:
        """Mark generated files as used now (played, chosen, downloaded): the disk budget
        removes the least recently used first."""
        with self._write() as conn:
            conn.executemany(
                "UPDATE media SET used_at = ? WHERE media_id = ?",
                [(time.time(), m) for m in media_ids],
            )

    def touch_render(self, render_id: str) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE renders SET used_at = ? WHERE render_id = ?", (time.time(), render_id)
            )

    def all_media(self) -> list[tuple[Media, float]]:
        """Every generated file with when it was last used (its creation when never)."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT media_id, session_id, kind, path, meta, created_at,"
                " COALESCE(used_at, created_at) FROM media ORDER BY rowid"
            ).fetchall()
        return [(Media(*r[:4], json.loads(r[4]), r[5]), float(r[6])) for r in rows]

    def delete_media(self, media_ids: list[str]) -> None:
        with self._write() as conn:
            conn.executemany("DELETE FROM media WHERE media_id = ?", [(m,) for m in media_ids])

    def finished_renders(self) -> list[tuple[str, str, float, bool]]:
        """(render id, output path, last used, downloaded yet) of the finished renders that
        have a file; never downloaded, "last used" is when it finished."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT render_id, output_path, COALESCE(used_at, updated_at), used_at"
                " FROM renders WHERE status = 'completed' AND output_path IS NOT NULL"
            ).fetchall()
        return [(r[0], r[1], float(r[2]), r[3] is not None) for r in rows]

    def drop_render_output(self, render_id: str, reason: str) -> None:
        """The finished render's file was removed: its download now answers "not found"."""
        with self._write() as conn:
            conn.execute(
                "UPDATE renders SET output_path = NULL, error = ? WHERE render_id = ?",
                (reason, render_id),
            )

    def in_use_drafts(self) -> list[dict[str, Any]]:
        """The drafts whose files must stay: each session's current draft, what its redo
        would bring back, and the drafts of renders still running."""
        with self._read() as conn:
            bodies = [
                r[0]
                for r in conn.execute(
                    "SELECT d.body FROM drafts d JOIN (SELECT session_id, MAX(version) AS v"
                    " FROM drafts GROUP BY session_id) l"
                    " ON d.session_id = l.session_id AND d.version = l.v"
                )
            ]
            redo = [
                r[0]
                for r in conn.execute("SELECT value FROM session_state WHERE key = ?", (REDO_KEY,))
            ]
            running = [
                r[0]
                for r in conn.execute(
                    "SELECT request FROM renders WHERE status IN ('pending', 'processing')"
                )
            ]
        out: list[dict[str, Any]] = []
        for text in bodies:
            out.append(json.loads(text))
        for text in redo:
            value = json.loads(text)
            out += [d for d in value if isinstance(d, dict)] if isinstance(value, list) else []
        for text in running:
            draft = json.loads(text).get("draft")
            out += [draft] if isinstance(draft, dict) else []
        return out

    def session_ids(self) -> set[str]:
        with self._read() as conn:
            return {r[0] for r in conn.execute("SELECT session_id FROM sessions")}

    def delete_session(self, session_id: str, user_id: str) -> bool:
        """Remove the user's session with its chat, drafts, state, uploads, media and
        renders (rows only: the caller removes the files). False when it is not theirs."""
        with self._write() as conn:
            cur = conn.execute(
                "DELETE FROM sessions WHERE session_id = ? AND user_id = ?",
                (session_id, user_id),
            )
        return cur.rowcount > 0

    def cancel_session_renders(self, session_id: str) -> int:
        """Cancel the session's renders still running (their workers see it and stop)."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE renders SET status = 'cancelled', updated_at = ? WHERE session_id = ?"
                " AND status IN ('pending', 'processing')",
                (time.time(), session_id),
            )
        return cur.rowcount
