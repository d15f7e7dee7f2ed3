"""Voice first in the app: the player hears the music with the export's dip under speech, the
clip-sound control shows and changes the draft, and the timeline draws the speech and the dip.
Levels are measured on the decoded files sample by sample; the timeline on its pixels."""

from __future__ import annotations

import asyncio
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QColor

from nemodesk.core.draft import Draft, Segment, Track, TrackType
from nemodesk.core.ducking import ATTACK_MS, LOOKAHEAD_MS, RELEASE_MS, gain_db_at, music_gain
from nemodesk.ui import theme
from nemodesk.ui.export_view import ExportView
from nemodesk.ui.main_window import MainWindow
from nemodesk.ui.player import PlayerMode
from nemodesk.ui.preferences import Preferences
from nemodesk.ui.service import AppService
from nemodesk.ui.timeline import TimelineView
from nemodesk.ui.timeline_paint import GAIN_FULL_SCALE_DB, gain_y, lane_inner
from tests.fixtures.media import make_clip
from tests.ui.test_main_window import desktop, run  # noqa: F401  (the real app and engine)

RATE = 44100
MUSIC_S = 16.0
OFFSET_MS = 1000
SPEECH = [[2000, 4500], [9000, 10000]]  # the clip's own time; the clip starts at 0


def draft_with(speech=SPEECH, mode: str | None = None, depth: float | None = None, start=OFFSET_MS):
    meta = {k: v for k, v in (("sound", mode), ("duck_db", depth)) if v is not None}
    video = Track.new(TrackType.VIDEO, [Segment.new(14_000, src="clip.mp4", speech=speech)], **meta)
    bgm = Track.new(
        TrackType.AUDIO, [Segment.new(round(MUSIC_S * 1000), src="media:m1", start=start)]
    )
    draft = Draft()
    draft.add(video)
    draft.add(bgm)
    return draft


def write_tone(path: Path, width: int = 2) -> Path:
    t = np.arange(round(RATE * MUSIC_S)) / RATE
    tone = 0.5 * np.sin(2 * np.pi * 220 * t)
    stereo = np.stack([tone, -tone], axis=1)
    full = (1 << (8 * width - 1)) - 1
    ints = np.round(stereo * full).astype(np.int32 if width > 2 else np.int16)
    if width == 3:
        u = (ints.ravel().astype(np.int64) & 0xFFFFFF).astype(np.uint32)
        raw = np.stack([u & 0xFF, (u >> 8) & 0xFF, (u >> 16) & 0xFF], axis=1).astype(np.uint8)
        data = raw.tobytes()
    else:
        data = ints.tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(width)
        w.setframerate(RATE)
        w.writeframes(data)
    return path


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as r:
        width, channels, raw = r.getsampwidth(), r.getnchannels(), r.readframes(r.getnframes())
    if width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        data = np.where(v >= 1 << 23, v - (1 << 24), v)
    else:
        data = np.frombuffer(raw, {2: np.int16, 4: np.int32}[width]).astype(np.int64)
    return data.reshape(-1, channels).astype(np.float64)


def level_db(ducked: np.ndarray, plain: np.ndarray, t_ms: float, offset_ms: float) -> float:
    """The ducked file's level against the plain one at timeline ``t_ms``: the median ratio
    of the samples within ±1 ms (±10 ms in a quiet passage) loud enough for 16-bit rounding
    not to matter."""
    i = round((t_ms - offset_ms) * RATE / 1000)
    floor = 0.01 * np.abs(plain).max()
    for half in (44, 441):
        a, b = (
            ducked[max(0, i - half) : i + half + 1].ravel(),
            plain[max(0, i - half) : i + half + 1].ravel(),
        )
        loud = np.abs(b) > floor
        if loud.sum() >= 16:
            return float(np.median(20 * np.log10(np.abs(a[loud]) / np.abs(b[loud]))))
    raise AssertionError(f"the music is silent at {t_ms} ms")


@pytest.fixture
def window(qtbot, tmp_path):
    service = AppService(data_dir=tmp_path / "data")
    service.cache_dir = tmp_path / "cache"
    w = MainWindow(service, Preferences())
    qtbot.addWidget(w)
    return w


def load_music(window: MainWindow, draft: Draft, music: Path) -> None:
    """What a chat round ends with: the new draft, then the music for the player."""
    service = window.service

    async def fetch(media_id: str) -> Path:
        assert media_id == "m1"
        return music

    service.fetch_media = fetch  # the download; everything after it is the app's own
    service.draft = draft
    service.draftChanged.emit(draft)
    asyncio.run(service._load_music())


@pytest.mark.parametrize("width", [2, 3])
def test_the_player_hears_the_exports_dip(qtbot, window, tmp_path, width):
    music = write_tone(tmp_path / "music.wav", width)
    clip = make_clip(tmp_path / "talk.mp4", duration_s=2.0)
    window.player.load_video(clip)
    draft = draft_with()
    load_music(window, draft, music)
    player = window.player
    assert player.mode() is PlayerMode.VIDEO
    source = player.music_source()
    assert source is not None and source != music and source.parent.name == "ducked"
    assert Path(player._music.player.source().toLocalFile()) == source
    qtbot.waitUntil(lambda: player._music.player.duration() > 0, timeout=5000)  # it plays
    assert abs(player._music.player.duration() - MUSIC_S * 1000) < 50 and not player._error

    points = music_gain(draft)
    assert min(g for _, g in points) == -12.0
    ducked, plain = read_wav(source), read_wav(music)
    assert ducked.shape == plain.shape
    a, b = SPEECH[0]
    down = a - LOOKAHEAD_MS
    times = {
        "long pause before": 1500,
        "attack, halfway": down - ATTACK_MS / 2,
        "speech": 3000,
        "speech end": b,
        "release, a quarter": b + RELEASE_MS / 4,
        "release, three quarters": b + RELEASE_MS * 3 / 4,
        "long pause between": 6500,
        "second speech": 9500,
        "after": 13_000,
    }
    measured = {}
    for name, t in times.items():
        want = gain_db_at(points, t)
        got = level_db(ducked, plain, t, OFFSET_MS)
        measured[name] = (round(want, 2), round(got, 3))
        assert abs(got - want) <= 0.2, (name, t, want, got)
    print("ducked preview (want dB, measured dB):", measured)
    assert measured["long pause between"][1] == pytest.approx(0.0, abs=0.01)
    assert measured["speech"][1] == pytest.approx(-12.0, abs=0.05)

    # Reused while nothing changes; a new curve or offset makes a new file.
    made = source.stat().st_mtime_ns
    load_music(window, draft, music)
    assert player.music_source() == source
    assert abs(read_wav(source) - ducked).max() == 0  # not written again (only touched)
    del made
    moved = draft_with(start=2500)
    load_music(window, moved, music)
    assert player.music_source() != source
    assert player.music_offset_ms() == 2500
    shifted = read_wav(player.music_source())
    assert level_db(shifted, plain, 3000, 2500) == pytest.approx(-12.0, abs=0.05)
    assert level_db(shifted, plain, 7000, 2500) == pytest.approx(0.0, abs=0.01)
    deeper = draft_with(depth=20)
    load_music(window, deeper, music)
    assert level_db(read_wav(player.music_source()), plain, 3000, OFFSET_MS) == pytest.approx(
        -20.0, abs=0.05
    )
    for start in (3000, 3500, 4000):  # old curves of the same music do not pile up
        time.sleep(0.01)
        load_music(window, draft_with(start=start), music)
    assert len(list(player.music_source().parent.glob("m1-ducked-*.wav"))) == 3


def test_without_a_dip_the_player_plays_the_plain_file(qtbot, window, tmp_path):
    music = write_tone(tmp_path / "music.wav")
    for draft in (draft_with(mode="even"), draft_with(mode="mute"), draft_with(speech=[])):
        load_music(window, draft, music)
        assert window.player.music_source() == music


def test_the_clip_is_heard_unless_the_draft_mutes_it(qtbot, window, tmp_path):
    player = window.player
    player.load_video(make_clip(tmp_path / "talk.mp4", duration_s=2.0))
    assert player.original_audio_on() and player.original_audio.isChecked()
    window.service.draftChanged.emit(draft_with(mode="mute"))
    assert not player.original_audio_on() and not player.original_audio.isChecked()
    window.service.draftChanged.emit(draft_with(mode="mute"))
    player.set_original_audio(True)  # the user's own choice stays until the draft changes
    window.service.draftChanged.emit(draft_with(mode="mute"))
    assert player.original_audio_on()
    window.service.draftChanged.emit(draft_with(mode="duck"))
    assert player.original_audio_on()


# ---- the control ------------------------------------------------------------------------------


@pytest.fixture
def export_view(qtbot, tmp_path) -> ExportView:
    v = ExportView(open_url=lambda _u: None, pick_folder=lambda _p, _s: "")
    qtbot.addWidget(v)
    v.set_output_folder(tmp_path)
    v.resize(420, 560)
    v.show()
    return v


def test_the_control_shows_the_draft_and_asks_for_changes(qtbot, export_view):
    v = export_view
    sent: list[tuple[str, object]] = []
    v.clipSoundChanged.connect(lambda mode, depth: sent.append((mode, depth)))
    v.set_has_video(False)
    assert not v.clip_sound.isVisible() and not v.duck_depth.isVisible()
    v.set_has_video(True)
    assert v.clip_sound.isVisible() and v.duck_depth.isVisible()

    v.set_clip_sound("even", 18.0)
    assert v.clip_sound.currentData() == "even" and v.clip_sound.currentText() == "Mix evenly"
    assert v.duck_depth.value() == 18 and not v.duck_depth.isEnabled()
    v.set_clip_sound("duck", 12.0)
    assert v.clip_sound.currentText() == "Duck music under voice" and v.duck_depth.isEnabled()
    assert v.duck_depth.text() == "12 dB"
    assert sent == []  # showing the draft sends nothing

    v.clip_sound.setCurrentIndex(v.clip_sound.findData("mute"))
    v.clip_sound.activated.emit(v.clip_sound.currentIndex())
    assert sent == [("mute", None)]
    assert not v.duck_depth.isEnabled()

    v.set_clip_sound("duck", 12.0)
    for _ in range(3):  # three clicks on the arrow: one round once they stop
        v.duck_depth.stepUp()
    assert v.duck_depth.value() == 15
    qtbot.waitUntil(lambda: len(sent) == 2, timeout=2000)
    qtbot.wait(500)
    assert sent == [("mute", None), ("duck", 15.0)]
    v.duck_depth.setValue(40)
    assert v.duck_depth.value() == 30  # the range the engine accepts

    v.set_sound_busy(True)
    assert not v.clip_sound.isEnabled() and not v.duck_depth.isEnabled()
    v.set_sound_busy(False)
    assert v.clip_sound.isEnabled()


def test_the_service_sends_the_parameters(qtbot, tmp_path):
    service = AppService(data_dir=tmp_path / "data")
    sent: list[tuple[str, dict]] = []

    async def chat(text, parameters):
        sent.append((text, parameters))

    service._chat = chat
    service._ready.set()

    async def go():
        await service.set_clip_sound("mute")
        await service.set_clip_sound("duck", 17.0)

    asyncio.run(go())
    assert sent == [("", {"clip_sound": "mute"}), ("", {"clip_sound": "duck", "duck_db": 17.0})]


# ---- the real engine ---------------------------------------------------------------------------


async def until(check, timeout_s: float = 90.0) -> None:
    t0 = time.perf_counter()
    while not check():
        assert time.perf_counter() - t0 < timeout_s, "state not reached in time"
        await asyncio.sleep(0.02)


def test_the_control_changes_the_engines_draft(desktop, tmp_path):  # noqa: F811
    d = desktop
    w, service = d.window, d.service
    clip = make_clip(tmp_path / "street.mp4", duration_s=4.0)
    w.upload([clip])
    run(d, until(lambda: service.draft.first(TrackType.VIDEO) is not None))
    run(d, until(lambda: not service.busy("upload")))
    view = w.export_view
    assert view.clip_sound.isVisibleTo(view) and view.clip_sound.currentData() == "duck"
    assert w.player.original_audio_on()

    d.runs.clear()
    view.clip_sound.setCurrentIndex(view.clip_sound.findData("mute"))
    view.clip_sound.activated.emit(view.clip_sound.currentIndex())
    run(d, until(lambda: ("chat", False) in d.runs))
    video = service.draft.first(TrackType.VIDEO)
    assert video.meta.get("sound") == "mute"
    assert view.clip_sound.currentData() == "mute" and not view.duck_depth.isEnabled()
    assert not w.player.original_audio_on()

    view.set_clip_sound("duck", 12.0)
    d.runs.clear()
    view.duck_depth.setValue(21)
    run(d, until(lambda: ("chat", False) in d.runs))
    video = service.draft.first(TrackType.VIDEO)
    assert video.meta.get("sound") == "duck" and video.meta.get("duck_db") == 21
    assert view.clip_sound.currentData() == "duck" and view.duck_depth.value() == 21
    assert w.player.original_audio_on()


# ---- the timeline ------------------------------------------------------------------------------


def is_voice(c: QColor) -> bool:
    return c.red() > 200 and c.green() > 170 and c.blue() < 140


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_timeline_draws_speech_and_the_dip(qtbot, scheme):
    view = TimelineView()
    qtbot.addWidget(view)
    colors = theme.LIGHT if scheme == "light" else theme.DARK
    view.setPalette(theme.build_palette(colors))
    draft = draft_with(start=0)
    view.resize(1000, 260)
    view.show()
    view.set_draft(draft)
    qtbot.waitExposed(view)
    image = view.grab().toImage()
    video_rect, bgm_rect = view.lane_rects()[0], view.lane_rects()[1]
    band_y = round(lane_inner(video_rect).bottom()) - 3

    def x(ms: float) -> int:
        return round(view.x_for_ms(ms))

    assert view.speech_ms() == [(2000, 4500), (9000, 10000)]
    for ms in (2300, 3000, 4300, 9500):
        assert is_voice(image.pixelColor(x(ms), band_y)), ms
    for ms in (1000, 6500, 12_000):
        assert not is_voice(image.pixelColor(x(ms), band_y)), ms

    inner = lane_inner(bgm_rect)

    def curve_y(ms: float) -> float:
        column = [
            y
            for y in range(bgm_rect.top(), bgm_rect.bottom())
            if is_voice(image.pixelColor(x(ms), y))
        ]
        assert column, ms
        return sum(column) / len(column)

    dipped, level = curve_y(3000), curve_y(7000)
    assert abs(dipped - gain_y(inner, -12.0)) <= 1.5
    assert abs(level - gain_y(inner, 0.0)) <= 1.5
    assert dipped - level >= inner.height() * 12 / GAIN_FULL_SCALE_DB - 2  # half the lane
    # on the ramp, within 1 dB: one pixel across is a few pixels down on a ramp this steep
    one_db = inner.height() / GAIN_FULL_SCALE_DB
    assert abs(curve_y(4500 + RELEASE_MS / 2) - gain_y(inner, -6.0)) <= one_db + 1.0

    view.set_draft(draft_with(start=0, mode="even"))
    image = view.grab().toImage()
    assert is_voice(image.pixelColor(x(3000), band_y))  # speech is still there
    assert view.music_gain() == []  # but nothing dips
    view.set_draft(draft_with(start=0, mode="mute"))
    image = view.grab().toImage()
    assert not is_voice(image.pixelColor(x(3000), band_y))


def test_a_talking_clip_ducks_the_music_in_the_real_app(desktop, tmp_path):  # noqa: F811
    """Real speech (espeak-ng) in an uploaded clip: the engine finds it, the timeline shows it,
    and the music the player was given dips by the draft's own curve."""
    from tests.fixtures.speech import voice_over

    d = desktop
    w, service = d.window, d.service
    voice = voice_over(8.0, [1.0, 5.0])
    clip = make_clip(tmp_path / "vlog.mp4", duration_s=8.0, sound=voice.stereo())
    w.upload([clip])
    run(d, until(lambda: ("upload", False) in d.runs))
    assert w.timeline.speech_ms(), "no speech found in the talking clip"
    w.generate("calm acoustic guitar", {"duration_s": 8.0})
    run(d, until(lambda: ("chat", False) in d.runs))
    run(d, until(lambda: w.player.music_source() is not None))
    draft = service.draft
    points = music_gain(draft)
    assert points and w.timeline.music_gain() == points
    source = w.player.music_source()
    media_id = service.current_media_id()
    plain = read_wav(service.cache_dir / f"{media_id}.wav")
    ducked = read_wav(source)
    offset = int(draft.first(TrackType.AUDIO).segments[0].meta.get("start", 0) or 0)
    checked = []
    for (a, b), (ra, rb) in zip(w.timeline.speech_ms(), voice.regions, strict=False):
        assert abs(a - ra * 1000) < 400 and abs(b - rb * 1000) < 600, (a, b, ra, rb)
        for t in (a + (b - a) / 2, a - LOOKAHEAD_MS - ATTACK_MS / 2, b + RELEASE_MS / 2):
            if t - offset >= len(plain) / RATE * 1000 - 300:
                continue  # the music has ended (its last chord rings out to silence)
            want, got = gain_db_at(points, t), level_db(ducked, plain, t, offset)
            checked.append((round(t), round(want, 2), round(got, 3)))
            assert abs(got - want) <= 0.2, (t, want, got)
    print("talking clip (t ms, want dB, measured dB):", checked)
