"""The engine's SQLite store, on real database files: secrets, ownership, undo history, JSON
fidelity, crash durability, concurrency and schema migration."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from nemodesk.engine.server import store as store_mod
from nemodesk.engine.server import store_schema
from nemodesk.engine.server.store import (
    INTERRUPTED,
    DuplicateRender,
    Store,
    StoreError,
)

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "engine.sqlite3"


@pytest.fixture
def store(db: Path):
    s = Store(db)
    yield s
    s.close()


def _user_and_session(s: Store, client: str = "client-a") -> tuple[str, str]:
    user = s.create_user(client)
    return user, s.create_session(user, "project", "en").session_id


def _db_bytes(db: Path) -> bytes:
    return b"".join(
        p.read_bytes() for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def time(self) -> float:
        return self.now


# -- opening --------------------------------------------------------------------------


def test_opens_with_wal_normal_sync_foreign_keys_and_schema_version(store: Store, db: Path):
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(store_schema.MIGRATIONS)
    finally:
        conn.close()
    own = store._conn
    assert own is not None
    assert own.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert own.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert own.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_database_file_is_private(store: Store, db: Path):
    assert db.stat().st_mode & 0o077 == 0


def test_closed_store_raises(db: Path):
    s = Store(db)
    s.close()
    s.close()  # twice is harmless
    with pytest.raises(StoreError):
        s.create_user("x")


def test_unknown_session_is_a_store_error(store: Store):
    with pytest.raises(StoreError):
        store.add_message("ses_missing", "user", "hi")
    with pytest.raises(StoreError):
        store.save_draft("ses_missing", {"t": []}, "x")


# -- users and tokens -----------------------------------------------------------------


def test_token_is_stored_only_as_its_hash(store: Store, db: Path):
    user = store.create_user("client-a")
    tokens = [store.issue_token(user)[0] for _ in range(3)]
    assert all(t.startswith("nmv_usr_") and len(t) > 40 for t in tokens)
    assert store.user_for_client("client-a") == user
    assert store.create_user("client-a") == user  # a racing second request: same user
    assert store.create_user("client-b") != user
    assert user.startswith("usr_")
    for token in tokens:
        assert store.user_for_token(token) == user
    written = _db_bytes(db)
    digest = store_mod.hashlib.sha256(tokens[0].encode()).hexdigest().encode()
    assert digest in written  # we are looking at the right bytes
    for token in tokens:
        assert token.encode() not in written
        assert token[8:].encode() not in written
    store.close()
    written = _db_bytes(db)
    assert digest in written
    assert not any(t.encode() in written for t in tokens)


def test_token_expiry_and_revocation(store: Store, monkeypatch: pytest.MonkeyPatch):
    clock = Clock()
    monkeypatch.setattr(store_mod, "time", clock)
    user = store.create_user("client-a")
    token, expires_at = store.issue_token(user, ttl_s=3600)
    assert expires_at == clock.now + 3600
    clock.now += 3599
    assert store.user_for_token(token) == user
    clock.now += 1
    assert store.user_for_token(token) is None
    fresh, _ = store.issue_token(user)
    assert store.user_for_token(fresh) == user
    store.revoke_token(fresh)
    assert store.user_for_token(fresh) is None
    assert store.user_for_token("") is None
    assert store.user_for_token("nmv_usr_unknown") is None
    assert store.user_for_client("nobody") is None


def test_default_ttl_is_seven_days(store: Store):
    user = store.create_user("client-a")
    _, expires_at = store.issue_token(user)
    assert abs(expires_at - (time.time() + 7 * 86400)) < 5


# -- ownership ------------------------------------------------------------------------


def test_other_users_see_nothing(store: Store):
    alice, ses = _user_and_session(store, "a")
    bob, bob_ses = _user_and_session(store, "b")
    s = store.get_session(ses, alice)
    assert s is not None
    assert (s.user_id, s.task_name, s.language) == (alice, "project", "en")
    assert s.session_id.startswith("ses_") and s.task_id.startswith("tsk_")
    assert store.get_session(ses, bob) is None
    assert store.get_session("ses_missing", alice) is None

    up = store.add_upload(ses, alice, "clip.mp4", "abc.mp4", "video", 123, {"duration": 1.5})
    assert up.startswith("upl_")
    got = store.get_upload(up, alice)
    assert got is not None
    assert (got.filename, got.stored_name, got.size, got.info) == (
        "clip.mp4",
        "abc.mp4",
        123,
        {"duration": 1.5},
    )
    assert store.get_upload(up, bob) is None
    with pytest.raises(StoreError):
        store.add_upload(ses, bob, "x.mp4", "x.mp4", "video", 1, {})

    med = store.add_media(ses, "mix", "/tmp/a.wav", {"bpm": 90})
    assert med.startswith("med_")
    m = store.get_media(med, alice)
    assert m is not None
    assert (m.kind, m.path, m.meta) == ("mix", "/tmp/a.wav", {"bpm": 90})
    assert store.get_media(med, bob) is None
    with pytest.raises(ValueError):
        store.add_media(ses, "bogus", "/tmp/x", {})

    store.create_render("render_1", ses, alice, {"id": "render_1"})
    assert store.get_render("render_1", alice) is not None
    assert store.get_render("render_1", bob) is None
    with pytest.raises(StoreError):
        store.create_render("render_2", ses, bob, {})

    assert [x.session_id for x in store.list_sessions(bob)] == [bob_ses]
    assert [u.upload_id for u in store.uploads(ses)] == [up]
    assert store.uploads(bob_ses) == []
    assert [x.media_id for x in store.media(ses)] == [med]


def test_list_sessions_newest_first(store: Store):
    user = store.create_user("a")
    ids = [store.create_session(user, f"p{i}", "zh-CN").session_id for i in range(3)]
    assert [s.session_id for s in store.list_sessions(user)] == ids[::-1]


def test_messages_keep_order_and_meta(store: Store):
    _, ses = _user_and_session(store)
    a = store.add_message(ses, "user", "make it lo-fi 你好")
    b = store.add_message(ses, "assistant", "done", {"tool": "generate_music"})
    assert b > a
    msgs = store.messages(ses)
    assert [(m.role, m.text, m.meta) for m in msgs] == [
        ("user", "make it lo-fi 你好", None),
        ("assistant", "done", {"tool": "generate_music"}),
    ]
    with pytest.raises(AttributeError):
        msgs[0].text = "changed"  # type: ignore[misc]


# -- drafts ---------------------------------------------------------------------------


def test_draft_versions_and_undo(store: Store):
    _, ses = _user_and_session(store)
    assert store.draft(ses) == {"t": []}
    assert store.undo(ses) is None
    drafts = [{"t": [{"tt": 0, "sg": [{"d": 1000 * i}]}]} for i in range(1, 4)]
    assert [store.save_draft(ses, d, f"edit {i}") for i, d in enumerate(drafts, 1)] == [1, 2, 3]
    assert store.draft(ses) == drafts[2]
    history = store.draft_history(ses)
    assert [(v, r) for v, r, _ in history] == [(1, "edit 1"), (2, "edit 2"), (3, "edit 3")]
    assert all(isinstance(t, float) for _, _, t in history)

    assert store.undo(ses) == drafts[1]
    assert store.draft(ses) == drafts[1]
    assert store.undo(ses) == drafts[0]
    assert store.undo(ses) == {"t": []}  # before version 1: the empty timeline
    assert store.undo(ses) is None
    assert store.draft_history(ses) == []
    assert store.save_draft(ses, drafts[2], "again") == 1


def test_redo_brings_back_what_undo_dropped_until_a_new_edit(store: Store):
    _, ses = _user_and_session(store)
    assert store.redo(ses) is None and not store.can_redo(ses)
    drafts = [{"t": [], "n": i} for i in range(1, 4)]
    for i, d in enumerate(drafts, 1):
        store.save_draft(ses, d, f"edit {i}")
    assert store.undo(ses) == drafts[1] and store.undo(ses) == drafts[0]
    assert store.can_redo(ses)
    assert store.redo(ses) == drafts[1] and store.draft(ses) == drafts[1]
    assert store.redo(ses) == drafts[2] and store.draft(ses) == drafts[2]
    assert store.redo(ses) is None and store.draft(ses) == drafts[2]
    assert store.undo(ses) == drafts[1]
    store.save_draft(ses, {"t": [], "n": 9}, "a new edit")  # the redo list is gone
    assert store.redo(ses) is None and store.draft(ses) == {"t": [], "n": 9}
    assert "redo_drafts" not in store.state(ses) or store.state(ses)["redo_drafts"] == []


def test_undo_stops_at_the_oldest_kept_version(db: Path):
    with Store(db, history_limit=3) as s:
        _, ses = _user_and_session(s)
        for i in range(1, 6):
            s.save_draft(ses, {"t": [], "n": i}, f"v{i}")
        assert [v for v, _, _ in s.draft_history(ses)] == [3, 4, 5]
        assert s.undo(ses) == {"t": [], "n": 4}
        assert s.undo(ses) == {"t": [], "n": 3}
        assert s.undo(ses) is None  # older states were pruned: do not jump to empty
        assert s.draft(ses) == {"t": [], "n": 3}


def test_json_round_trip_keeps_unknown_fields_and_key_order(db: Path):
    draft = {
        "zz_unknown": {"b": 1, "a": [1, 2.5, None, True]},
        "t": [
            {"tt": 42, "sg": [{"d": 10, "x": "ünïcödé 标题 🎵"}], "custom": {"k2": 1, "k1": 2}},
            {"m": {"volume": 35}, "tt": 1, "sg": []},
        ],
        "a_last": "keep",
        "m": {"title": "Urban Dreams", "height": 1080, "width": 1920},
    }
    with Store(db) as s:
        _, ses = _user_and_session(s)
        s.save_draft(ses, draft, "upload")
        s.set_state(ses, "video_infos", [{"z": 1, "a": 2}])
        s.set_state(ses, "music", {"genre": "lo-fi", "bpm": 80})
        s.set_state(ses, "music", {"genre": "jazz"})  # replaces
    with Store(db) as s:
        back = s.draft(ses)
        assert back == draft
        assert json.dumps(back, ensure_ascii=False) == json.dumps(draft, ensure_ascii=False)
        assert list(back) == list(draft)
        assert list(back["t"][0]["custom"]) == ["k2", "k1"]
        assert s.state(ses) == {"music": {"genre": "jazz"}, "video_infos": [{"z": 1, "a": 2}]}
        assert list(s.state(ses)["video_infos"][0]) == ["z", "a"]


# -- renders --------------------------------------------------------------------------


def test_duplicate_render_id(store: Store):
    alice, ses = _user_and_session(store, "a")
    bob, bob_ses = _user_and_session(store, "b")
    r = store.create_render("render_x", ses, alice, {"output": {"format": "mp4"}})
    assert (r.status, r.progress, r.request) == ("pending", 0.0, {"output": {"format": "mp4"}})
    with pytest.raises(DuplicateRender):
        store.create_render("render_x", ses, alice, {})
    with pytest.raises(DuplicateRender):  # ids are global, like the cloud's
        store.create_render("render_x", bob_ses, bob, {})
    assert issubclass(DuplicateRender, StoreError)
    got = store.get_render("render_x", alice)
    assert got is not None and got.request == {"output": {"format": "mp4"}}


def test_render_updates_and_finished_renders_stay_finished(store: Store):
    user, ses = _user_and_session(store)
    store.create_render("r1", ses, user, {})
    assert store.update_render("r1", status="processing", progress=42.5)
    r = store.get_render("r1", user)
    assert r is not None and (r.status, r.progress) == ("processing", 42.5)
    assert store.update_render("r1", status="cancelled")
    assert not store.update_render("r1", status="processing", progress=50)  # late report
    r = store.get_render("r1", user)
    assert r is not None and (r.status, r.progress, r.finished) == ("cancelled", 42.5, True)

    store.create_render("r2", ses, user, {})
    store.update_render("r2", status="completed", progress=100, output_path="/out/r2.mp4")
    r = store.get_render("r2", user)
    assert r is not None and (r.status, r.output_path, r.error) == (
        "completed",
        "/out/r2.mp4",
        None,
    )
    assert not store.update_render("missing", status="failed")
    with pytest.raises(ValueError):
        store.update_render("r2", status="done")


def test_mark_interrupted(db: Path):
    with Store(db) as s:
        user, ses = _user_and_session(s)
        for rid in ("pend", "proc", "done", "fail"):
            s.create_render(rid, ses, user, {})
        s.update_render("proc", status="processing", progress=30)
        s.update_render("done", status="completed", progress=100, output_path="/o.mp4")
        s.update_render("fail", status="failed", error="bad input")
    with Store(db) as s:
        assert s.mark_interrupted() == 2
        assert s.mark_interrupted() == 0
        got = {rid: s.get_render(rid, user) for rid in ("pend", "proc", "done", "fail")}
        assert {k: (r.status, r.error) for k, r in got.items() if r} == {
            "pend": ("failed", INTERRUPTED),
            "proc": ("failed", INTERRUPTED),
            "done": ("completed", None),
            "fail": ("failed", "bad input"),
        }


# -- durability -----------------------------------------------------------------------

CRASH = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from nemodesk.engine.server.store import Store

    s = Store(Path(sys.argv[1]))
    user = s.create_user("crash-client")
    token, _ = s.issue_token(user)
    ses = s.create_session(user, "project", "en").session_id
    s.create_render("render_crash", ses, user, {"id": "render_crash"})
    s.update_render("render_crash", status="processing", progress=10)
    print(user, token, ses, flush=True)
    s.save_draft(ses, {"t": [{"tt": 1, "sg": [{"d": 5000}]}], "last": sys.argv[2]}, "crash")
    if sys.argv[2] == "sigkill":
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(0)
    """
)


@pytest.mark.parametrize("how", ["exit", "sigkill"])
def test_committed_writes_survive_a_hard_kill(db: Path, how: str):
    if how == "sigkill" and not hasattr(signal, "SIGKILL"):
        pytest.skip("no SIGKILL here")
    proc = subprocess.run(
        [sys.executable, "-c", CRASH, str(db), how],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == (-signal.SIGKILL if how == "sigkill" else 0), proc.stderr
    assert Path(f"{db}-wal").exists()  # it really died without a clean close
    user, token, ses = proc.stdout.split()
    with Store(db) as s:
        assert s.user_for_token(token) == user
        assert s.draft(ses) == {"t": [{"tt": 1, "sg": [{"d": 5000}]}], "last": how}
        assert s.mark_interrupted() == 1
        r = s.get_render("render_crash", user)
        assert r is not None and (r.status, r.error) == ("failed", INTERRUPTED)


# -- concurrency ----------------------------------------------------------------------


def _hammer(stores: list[Store], rounds: int = 25) -> list[BaseException]:
    """8 threads, each writing and reading through its store; returns what they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(i: int) -> None:
        s = stores[i % len(stores)]
        try:
            start.wait()
            user = s.create_user(f"client-{i}-{id(s)}")
            token, _ = s.issue_token(user)
            ses = s.create_session(user, f"p{i}", "en").session_id
            for n in range(rounds):
                s.save_draft(ses, {"t": [], "n": n}, f"r{n}")
                s.add_message(ses, "user", f"m{n}")
                s.set_state(ses, "music", {"n": n})
                s.create_render(f"render_{i}_{n}_{id(s)}", ses, user, {})
                s.update_render(f"render_{i}_{n}_{id(s)}", status="processing", progress=n)
                assert s.user_for_token(token) == user
                assert s.draft(ses)["n"] == n
            assert [v for v, _, _ in s.draft_history(ses)] == list(range(1, rounds + 1))
            assert len(s.messages(ses)) == rounds
            assert s.undo(ses) == {"t": [], "n": rounds - 2}
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    return errors


def test_eight_threads_share_one_store(store: Store):
    errors = _hammer([store])
    assert errors == [], errors[:3]
    assert store.mark_interrupted() == 8 * 25


def test_eight_threads_with_own_connections(db: Path):
    """Like the server plus render-worker processes: separate connections, one file."""
    stores = [Store(db) for _ in range(8)]
    try:
        errors = _hammer(stores, rounds=15)
    finally:
        for s in stores:
            s.close()
    assert errors == [], errors[:3]


# -- schema migration -----------------------------------------------------------------


def test_migrations_run_once_and_move_forward(db: Path, monkeypatch: pytest.MonkeyPatch):
    with Store(db) as s:
        user, ses = _user_and_session(s)
        s.save_draft(ses, {"t": []}, "first")
    with Store(db) as s:  # reopening changes nothing
        assert s.get_session(ses, user) is not None
    calls: list[int] = []

    def v_next(conn: sqlite3.Connection) -> None:
        calls.append(1)
        conn.execute("ALTER TABLE sessions ADD COLUMN archived INTEGER NOT NULL DEFAULT 0")

    migrations = [*store_schema.MIGRATIONS, v_next]
    monkeypatch.setattr(store_schema, "MIGRATIONS", migrations)
    for _ in range(3):
        with Store(db) as s:
            assert s.get_session(ses, user) is not None
            assert s.draft_history(ses)[0][1] == "first"
    assert calls == [1]
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations)
        assert conn.execute("SELECT archived FROM sessions").fetchall() == [(0,)]
    finally:
        conn.close()


def test_failed_migration_leaves_the_old_version(db: Path, monkeypatch: pytest.MonkeyPatch):
    Store(db).close()
    before = len(store_schema.MIGRATIONS)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    monkeypatch.setattr(store_schema, "MIGRATIONS", [*store_schema.MIGRATIONS, broken])
    with pytest.raises(RuntimeError):
        Store(db)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == before
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "half_done" not in tables
    finally:
        conn.close()


def test_newer_schema_is_refused(db: Path):
    Store(db).close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store(db)
