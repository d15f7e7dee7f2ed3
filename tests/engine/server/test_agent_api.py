"""The chat agent through a real `nemodesk serve`: a table of English and Chinese requests,
each sent over ``/run_sse`` and checked against the draft the engine then stores.

Every row starts from a known state — an empty session, a session after the generation of
``BASE``, a session with an uploaded 8 s clip, or one with the clip and music fitted to it.
Sessions are reused: after a row the draft is taken back to its starting state with "undo"
(a session that cannot be taken back is replaced), so only the rows' own renders cost time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.engine.server.sse import chat, texts
from tests.fixtures.media import make_clip

CJK = re.compile(r"[\u3400-\u9fff]")
BASE = "20 second warm acoustic track with piano"
FIT = "make a warm acoustic track that fits this video"
VIDEO_MS = 8000

EMPTY, MUSIC, VIDEO, VIDEO_MUSIC = "empty", "music", "video", "video+music"


# --- reading the state -------------------------------------------------------------------


def get_state(c: httpx.Client, sid: str) -> dict[str, Any]:
    body = c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()
    assert body["code"] == 0, body
    return body["data"]["state"]


def tracks(state: dict, tt: int) -> list[dict]:
    return [t for t in state["draft"].get("t", []) if t.get("tt") == tt]


def bgm_of(state: dict) -> dict:
    """The one BGM segment (tt 1)."""
    found = tracks(state, 1)
    assert len(found) == 1 and len(found[0]["sg"]) == 1, state["draft"]
    return found[0]["sg"][0]


def settings_of(state: dict) -> dict:
    return state["draft"]["m"]["nemodesk"]


def media_of(state: dict, src: str) -> dict:
    """The generated_media entry a segment's ``media:<id>`` src points at."""
    assert src.startswith("media:"), src
    found = [g for g in state["generated_media"] if g["media_id"] == src[len("media:") :]]
    assert len(found) == 1, (src, [g["media_id"] for g in state["generated_media"]])
    return found[0]


@dataclass
class Turn:
    """One request: its stream, the state before and after, and the state before the last
    setup message (what "undo" must bring back)."""

    text: str
    events: list[dict]
    before: dict
    after: dict
    prev: dict | None = None

    @property
    def reply(self) -> str:
        return texts(self.events)

    def calls(self, name: str) -> list[dict]:
        return [e for e in self.events if e.get("type") == "tool_call" and e.get("name") == name]

    @property
    def seg(self) -> dict:
        return bgm_of(self.after)

    @property
    def seg0(self) -> dict:
        return bgm_of(self.before)

    @property
    def m(self) -> dict:
        return self.seg["m"]

    @property
    def m0(self) -> dict:
        return self.seg0["m"]

    @property
    def music(self) -> dict:
        return settings_of(self.after)

    @property
    def music0(self) -> dict:
        return settings_of(self.before)

    @property
    def brief(self) -> dict:
        return self.music["brief"]

    @property
    def brief0(self) -> dict:
        return self.music0["brief"]

    @property
    def track(self) -> dict:
        """The generated_media entry now on the timeline."""
        return media_of(self.after, self.m["src"])

    @property
    def track0(self) -> dict:
        return media_of(self.before, self.m0["src"])

    @property
    def new_media(self) -> list[dict]:
        old = {g["media_id"] for g in self.before["generated_media"]}
        return [g for g in self.after["generated_media"] if g["media_id"] not in old]


Check = Callable[[Turn], None]


# --- checks ----------------------------------------------------------------------------------


def both(*checks: Check) -> Check:
    def check(t: Turn) -> None:
        for c in checks:
            ok = c(t)
            assert ok is None or ok, (c, t.reply)

    return check


def same_seed(t: Turn) -> None:
    """An edit of the music re-renders it with the same seed."""
    assert t.m["seed"] == t.m0["seed"] and t.music["seed"] == t.music0["seed"]


def bpm_change(lo: float, hi: float) -> Check:
    """The brief's tempo moves by a fraction in [lo, hi] (negative: slower), the render too."""

    def check(t: Turn) -> None:
        old, new = t.brief0["bpm"], t.brief["bpm"]
        assert lo <= (new - old) / old <= hi, (old, new)
        assert (t.track["bpm"] - t.track0["bpm"]) * lo > 0, (t.track0["bpm"], t.track["bpm"])
        assert t.m["bpm"] == t.track["bpm"]
        same_seed(t)

    return check


def bpm_is(value: float) -> Check:
    def check(t: Turn) -> None:
        assert t.brief["bpm"] == value
        # the render fits whole bars into the length: within 3 % of the asked tempo
        assert abs(t.track["bpm"] - value) <= 0.03 * value + 1e-6, t.track["bpm"]
        assert t.m["bpm"] == t.track["bpm"]

    return check


def excluded(name: str) -> Check:
    def check(t: Turn) -> None:
        assert name in t.track0["instruments"]  # it played before
        assert name not in t.track["instruments"], t.track["instruments"]
        assert name in t.brief["exclude"] and name not in t.brief["instruments"]
        same_seed(t)

    return check


def added(name: str, *, was_absent: bool = False) -> Check:
    def check(t: Turn) -> None:
        if was_absent:
            assert name not in t.track0["instruments"]
        assert name not in t.brief0["instruments"] and name in t.brief["instruments"]
        assert name in t.track["instruments"], t.track["instruments"]
        assert name not in t.brief["exclude"]

    return check


def volume(value: int) -> Check:
    def check(t: Turn) -> None:
        assert t.m["volume"] == value and t.music["volume"] == value
        assert t.m0["volume"] != value

    return check


def starts_at(ms: int, d: int) -> Check:
    def check(t: Turn) -> None:
        assert t.m["start"] == ms and t.music["start_s"] == ms / 1000
        assert t.seg["d"] == d, t.seg
        assert t.m["length"] == t.m0["length"]

    return check


def fade_in(ms: int) -> Check:
    def check(t: Turn) -> None:
        assert t.m["fade_in"] == ms and t.m0["fade_in"] == 0
        assert t.m["fade_out"] == t.m0["fade_out"]

    return check


def fade_out(t: Turn) -> None:
    assert t.m["fade_out"] > 0 and t.m0["fade_out"] == 0
    assert t.m["fade_in"] == t.m0["fade_in"]


def title(text: str) -> Check:
    def check(t: Turn) -> None:
        assert not tracks(t.before, 7)
        found = tracks(t.after, 7)
        assert len(found) == 1 and len(found[0]["sg"]) == 1, t.after["draft"]
        seg = found[0]["sg"][0]
        assert seg["m"]["text"] == text and seg["d"] == 3000 and seg["m"]["start"] == 0
        assert t.music["title"] == text
        assert t.seg == t.seg0  # the music itself is untouched

    return check


def no_title(t: Turn) -> None:
    assert len(tracks(t.before, 7)) == 1
    assert not tracks(t.after, 7) and t.music["title"] is None
    assert t.seg == t.seg0


def loops(t: Turn) -> None:
    assert t.brief0["loop"] is False and t.brief["loop"] is True
    same_seed(t)


def length(ms: int, d: int) -> Check:
    def check(t: Turn) -> None:
        assert abs(t.m["length"] - ms) <= 50, t.m
        assert abs(t.seg["d"] - d) <= 50, t.seg
        assert t.brief["duration_s"] == ms / 1000
        assert abs(t.track["duration_s"] * 1000 - ms) <= 50

    return check


def darker(t: Turn) -> None:
    assert t.brief0["mode"] == "major" and t.track0["mode"] == "major"
    assert t.brief["mode"] == "minor" and t.track["mode"] == "minor"
    assert t.brief["mood"] == "dark"


def genre(name: str, label: str) -> Check:
    def check(t: Turn) -> None:
        assert t.brief0["genre"] != name
        assert t.brief["genre"] == name and t.track["genre"] == name
        assert t.m["name"] == label

    return check


def takes(n: int) -> Check:
    """n new candidates, each its own seed, the first on the timeline, same music brief."""

    def check(t: Turn) -> None:
        new = t.new_media
        assert [g["variation"] for g in new] == list(range(1, n + 1))
        assert len({g["seed"] for g in new}) == n
        assert t.m0["seed"] not in {g["seed"] for g in new}
        assert {g["genre"] for g in new} == {t.brief0["genre"]}
        assert t.m["src"] == f"media:{new[0]['media_id']}" and t.m["seed"] == new[0]["seed"]
        assert t.brief == t.brief0

    return check


def retake(t: Turn) -> None:
    assert t.m["seed"] != t.m0["seed"] and t.music["seed"] == t.m["seed"]
    assert t.track["genre"] == t.track0["genre"] and t.m["name"] == t.m0["name"]
    assert t.brief == t.brief0  # the same music asked for, only a new take


def undone(t: Turn) -> None:
    assert t.prev is not None
    assert t.before["draft"] != t.prev["draft"]  # the setup edit changed something
    assert t.after["draft"] == t.prev["draft"]


def understood_nothing(*, zh: bool) -> Check:
    def check(t: Turn) -> None:
        assert t.after["draft"] == t.before["draft"]
        if zh:
            assert "没有理解" in t.reply and "你可以这样说" in t.reply, t.reply
            assert t.reply.count("“") >= 3, t.reply
        else:
            assert "didn't understand" in t.reply and "You can say" in t.reply, t.reply
            assert t.reply.count('"') >= 6, t.reply

    return check


def says(*words: str) -> Check:
    def check(t: Turn) -> None:
        for w in words:
            assert w in t.reply, (w, t.reply)

    return check


def no_music_yet(t: Turn) -> None:
    assert not tracks(t.after, 1) and t.after["draft"] == t.before["draft"]


def generated(ms: int, genre_: str | None, mood: str, **mix: int) -> Check:
    """A first generation: one BGM track of the asked length, at the given mix (genre None:
    the agent chooses it)."""

    def check(t: Turn) -> None:
        assert not tracks(t.before, 1)
        assert abs(t.m["length"] - ms) <= 50 and abs(t.seg["d"] - ms) <= 50
        assert t.brief["genre"] == t.track["genre"] and t.brief["mood"] == mood
        assert t.m["genre"] == t.brief["genre"]  # the id beside the name, for the app's language
        if genre_ is not None:
            assert t.brief["genre"] == genre_
        else:
            assert "genre" in t.brief["chosen"]
        want = {"volume": 100, "start": 0, "fade_in": 0, "fade_out": 0} | mix
        assert {k: t.m[k] for k in want} == want
        assert t.music["seed"] == t.m["seed"] == t.track["seed"]

    return check


def fits_video(t: Turn) -> None:
    assert abs(t.seg["d"] - VIDEO_MS) <= 100 and abs(t.m["length"] - VIDEO_MS) <= 100
    assert abs(t.brief["duration_s"] * 1000 - VIDEO_MS) <= 100
    assert tracks(t.after, 0) == tracks(t.before, 0)  # the video is untouched


def capped_by_video(ms: int) -> Check:
    def check(t: Turn) -> None:
        assert abs(t.m["length"] - ms) <= 50 and t.brief["duration_s"] == ms / 1000
        assert abs(t.seg["d"] - VIDEO_MS) <= 100  # the music ends with the video
        assert tracks(t.after, 0) == tracks(t.before, 0)

    return check


# --- the table -------------------------------------------------------------------------------


@dataclass
class Row:
    text: str
    start: str  # EMPTY | MUSIC | VIDEO | VIDEO_MUSIC
    kind: str  # "gen" (n renders) | "mix" | "undo" | "none"
    check: Check
    n: int = 1
    pre: tuple[str, ...] = ()  # setup messages sent before the request
    xfail: str | None = field(default=None)


def row(text: str, start: str, kind: str, check: Check, **kw: Any) -> Any:
    r = Row(text, start, kind, check, **kw)
    marks = [pytest.mark.xfail(strict=True, reason=r.xfail)] if r.xfail else []
    return pytest.param(r, id=f"{start}:{text}", marks=marks)


TABLE = [
    # --- first generation, no video ---
    row(
        "make a 20 second warm acoustic track",
        EMPTY,
        "gen",
        generated(20000, "acoustic", "warm"),
    ),
    row(
        "做一段30秒轻松的背景音乐",
        EMPTY,
        "gen",
        both(
            generated(30000, None, "chill"),
            lambda t: t.brief["language"] == "zh",
        ),
    ),
    row(
        "a 30 second upbeat acoustic track at 120 bpm",
        EMPTY,
        "gen",
        both(generated(30000, "acoustic", "upbeat"), bpm_is(120)),
    ),
    row(
        "生成一段紧张的电影配乐，三个版本，音乐音量80%",
        EMPTY,
        "gen",
        both(
            generated(60000, "cinematic", "tense", volume=80),
            lambda t: len({g["seed"] for g in t.new_media}) == 3,
            says("共 3 个候选"),
            lambda t: "candidates" not in t.reply,  # all in the user's language
        ),
        n=3,
    ),
    row("music at 20%", EMPTY, "none", both(no_music_yet, says("no music"))),
    row("音乐音量20%", EMPTY, "none", both(no_music_yet, says("还没有音乐"))),
    row("undo", EMPTY, "undo", both(no_music_yet, says("nothing to undo"))),
    # --- tempo ---
    row("slower", MUSIC, "gen", bpm_change(-0.25, -0.10)),
    row("慢一点", MUSIC, "gen", bpm_change(-0.15, -0.05)),
    row("much faster", MUSIC, "gen", bpm_change(0.15, 0.30)),
    row("快一点", MUSIC, "gen", bpm_change(0.05, 0.15)),
    row("at 100 bpm", MUSIC, "gen", both(bpm_is(100), same_seed)),
    row("每分钟100拍", MUSIC, "gen", both(bpm_is(100), same_seed)),
    # --- instruments ---
    row("no piano", MUSIC, "gen", excluded("piano")),
    row("不要钢琴", MUSIC, "gen", excluded("piano")),
    row("no drums", MUSIC, "gen", excluded("drums")),
    row("去掉鼓", MUSIC, "gen", excluded("drums")),
    row("add strings", MUSIC, "gen", added("strings")),
    row("加点弦乐", MUSIC, "gen", added("strings")),
    row("add some flute", MUSIC, "gen", added("flute", was_absent=True)),
    row("加点长笛", MUSIC, "gen", added("flute", was_absent=True)),
    # --- the mix: no re-render ---
    row("music at 20%", MUSIC, "mix", volume(20)),
    row("音乐音量20%", MUSIC, "mix", volume(20)),
    row("start the music at 0:05", MUSIC, "mix", starts_at(5000, 20000)),
    row("音乐从0:05开始", MUSIC, "mix", starts_at(5000, 20000)),
    row("fade in over 2 seconds", MUSIC, "mix", fade_in(2000)),
    row("淡入2秒", MUSIC, "mix", fade_in(2000)),
    row("fade out at the end", MUSIC, "mix", fade_out),
    row("结尾淡出", MUSIC, "mix", fade_out),
    row("title: Urban Dreams", MUSIC, "mix", title("Urban Dreams")),
    row("标题：城市之梦", MUSIC, "mix", title("城市之梦")),
    row("remove the title", MUSIC, "mix", no_title, pre=("title: Urban Dreams",)),
    row("去掉标题", MUSIC, "mix", no_title, pre=("标题：城市之梦",)),
    # --- loop, length, mood, genre ---
    row("make it loop", MUSIC, "gen", loops),
    row("做成循环", MUSIC, "gen", loops),
    row("make it 30 seconds", MUSIC, "gen", both(length(30000, 30000), same_seed)),
    row("改成30秒", MUSIC, "gen", both(length(30000, 30000), same_seed)),
    row("make it darker", MUSIC, "gen", darker),
    row("change to jazz", MUSIC, "gen", genre("jazz", "Jazz")),
    row("换成爵士", MUSIC, "gen", genre("jazz", "Jazz")),
    # --- several edits in one message ---
    row(
        "slower, no piano and music at 30%",
        MUSIC,
        "gen",
        both(bpm_change(-0.25, -0.10), excluded("piano"), volume(30)),
    ),
    row(
        "慢一点，不要钢琴，音乐音量30%，淡入2秒",
        MUSIC,
        "gen",
        both(bpm_change(-0.15, -0.05), excluded("piano"), volume(30), fade_in(2000)),
    ),
    # --- variations and new takes ---
    row("3 variations", MUSIC, "gen", both(takes(3), says("3 candidates")), n=3),
    row("两个版本", MUSIC, "gen", both(takes(2), says("共 2 个候选")), n=2),
    row("try again", MUSIC, "gen", retake),
    row("再来一个", MUSIC, "gen", retake),
    # --- undo ---
    row("undo", MUSIC, "undo", undone, pre=("music at 20%",)),
    row("撤销", MUSIC, "undo", undone, pre=("slower",)),
    row("返回上一步", MUSIC, "undo", undone, pre=("标题：城市之梦",)),
    # --- not understood, thanks ---
    row("what's the weather", MUSIC, "none", understood_nothing(zh=False)),
    row("帮我订一张机票", MUSIC, "none", understood_nothing(zh=True)),
    row(
        "好的谢谢",
        MUSIC,
        "none",
        both(says("不客气"), lambda t: t.after["draft"] == t.before["draft"]),
    ),
    # --- with the uploaded 8 s clip ---
    row(FIT, VIDEO, "gen", both(fits_video, says("video", "0:08"))),
    row("配合视频，来一段欢快的音乐", VIDEO, "gen", both(fits_video, says("视频"))),
    row("a 20 second calm track", VIDEO, "gen", capped_by_video(20000)),
    row("make it 30 seconds", VIDEO_MUSIC, "gen", capped_by_video(30000)),
    row("改成30秒", VIDEO_MUSIC, "gen", capped_by_video(30000)),
    row("start the music at 0:05", VIDEO_MUSIC, "mix", starts_at(5000, VIDEO_MS - 5000)),
    row("音乐从0:02开始", VIDEO_MUSIC, "mix", starts_at(2000, VIDEO_MS - 2000)),
]


def test_table_is_big_and_bilingual():
    rows = [p.values[0] for p in TABLE]
    assert len(rows) >= 40
    assert sum(bool(CJK.search(r.text)) for r in rows) >= 15
    assert len({(r.start, r.text) for r in rows}) == len(rows)


# --- sessions --------------------------------------------------------------------------------


class Sessions:
    """One live session per starting state, taken back to that state after each row."""

    def __init__(self, engine, clip: Path) -> None:
        self.engine = engine
        self.token = engine.token()
        self.client = engine.client(self.token)
        self.clip = clip
        self.live: dict[str, tuple[str, dict]] = {}  # start -> (session id, its draft)

    def get(self, start: str) -> str:
        if start not in self.live:
            sid = self.engine.session(self.token)
            self._build(sid, start)
            self.live[start] = (sid, get_state(self.client, sid)["draft"])
        return self.live[start][0]

    def _build(self, sid: str, start: str) -> None:
        c = self.client
        if start in (VIDEO, VIDEO_MUSIC):
            with open(self.clip, "rb") as f:
                r = c.post(
                    f"/api/upload-video/nemo_agent/me/{sid}",
                    files=[("files", ("city.mp4", f, "video/mp4"))],
                )
            assert r.json()["code"] == 0, r.json()
            assert abs(r.json()["data"]["files"][0]["duration"] - VIDEO_MS / 1000) < 0.1
        if start in (MUSIC, VIDEO_MUSIC):
            events, _ = chat(c, sid, BASE if start == MUSIC else FIT)
            assert texts(events), events
        state = get_state(c, sid)
        if start == MUSIC:
            seg = bgm_of(state)
            assert seg["d"] == 20000 and seg["m"]["volume"] == 100 and not tracks(state, 7)
            assert "piano" in media_of(state, seg["m"]["src"])["instruments"]
            assert settings_of(state)["brief"]["mode"] == "major"
        elif start == VIDEO_MUSIC:
            assert abs(bgm_of(state)["d"] - VIDEO_MS) <= 100
        elif start == VIDEO:
            assert len(tracks(state, 0)) == 1 and not tracks(state, 1)
        else:
            assert not state["draft"].get("t")

    def reset(self, start: str) -> None:
        """Undo until the draft is the starting one again; else drop the session."""
        sid, base = self.live[start]
        for _ in range(4):
            if get_state(self.client, sid)["draft"] == base:
                return
            chat(self.client, sid, "undo")
        if get_state(self.client, sid)["draft"] != base:
            del self.live[start]


@pytest.fixture(scope="module")
def sessions(engine, tmp_path_factory) -> Iterator[Sessions]:
    clip = make_clip(
        tmp_path_factory.mktemp("clip") / "city.mp4",
        duration_s=VIDEO_MS / 1000,
        cuts_s=[2.5, 5.0],
    )
    s = Sessions(engine, clip)
    yield s
    s.client.close()


# --- the test --------------------------------------------------------------------------------


@pytest.mark.parametrize("r", TABLE)
def test_request(sessions: Sessions, r: Row):
    c = sessions.client
    sid = sessions.get(r.start)
    try:
        prev = None
        for text in r.pre:
            prev = get_state(c, sid)
            events, _ = chat(c, sid, text)
            assert texts(events), (text, events)
        before = get_state(c, sid)
        events, _ = chat(c, sid, r.text)  # returns once the stream has closed
        after = get_state(c, sid)
        t = Turn(r.text, events, before, after, prev)

        assert any(e.get("type") == "text" for e in events), events
        assert t.reply.strip(), events
        if CJK.search(r.text):
            assert CJK.search(t.reply), t.reply

        renders = t.calls("generate_music")
        if r.kind == "gen":
            assert len(renders) == r.n and len(t.new_media) == r.n, (t.reply, t.new_media)
            assert t.m["src"] == f"media:{t.new_media[0]['media_id']}"
            if tracks(before, 1):
                assert t.m["src"] != t.m0["src"]
        else:
            assert not renders and not t.new_media, t.reply
        if r.kind == "mix":
            assert len(t.calls("update_mix")) == 1, t.reply
            assert t.m["src"] == t.m0["src"] and t.m["seed"] == t.m0["seed"]
            assert t.brief == t.brief0  # only the mix changed
            assert t.after["draft"] != t.before["draft"]
        elif r.kind == "undo":
            assert len(t.calls("undo")) == 1
        elif r.kind == "none":
            assert not [e for e in events if e.get("type") == "tool_call"], events
            assert t.after["draft"] == t.before["draft"]

        r.check(t)
    finally:
        sessions.reset(r.start)
