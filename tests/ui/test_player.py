"""The player with real media: a 3 s WAV and a 4 s H.264 clip, played offscreen with no audio
device (the ffmpeg backend's clock still runs)."""

from __future__ import annotations

import statistics
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from PySide6.QtCore import Qt

from nemodesk.ui.player import PlayerMode, PlayerView, format_clock

MUSIC_S = 3
VIDEO_S = 4
SAMPLE_RATE = 44_100
FPS = 25


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("player-media")
    music = folder / "tone.wav"
    t = np.arange(SAMPLE_RATE * MUSIC_S) / SAMPLE_RATE
    samples = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(music), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(samples.tobytes())

    video = folder / "clip.mp4"
    with av.open(str(video), "w") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        for i in range(FPS * VIDEO_S):
            frame = np.full((180, 320, 3), (40, 90, 160), np.uint8)
            frame[:, (i * 3) % 320] = 255
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return music, video


def loaded(qtbot, music: Path | None = None, video: Path | None = None) -> PlayerView:
    view = PlayerView()
    qtbot.addWidget(view)
    view.resize(480, 360)
    view.show()
    if video is not None:
        view.load_video(video)
        qtbot.waitUntil(lambda: view._video.player.duration() > 0, timeout=5000)
    if music is not None:
        view.load_music(music)
        qtbot.waitUntil(lambda: view._music.player.duration() > 0, timeout=5000)
    return view


def test_clock_reads_like_a_media_player() -> None:
    assert format_clock(0) == "0:00"
    assert format_clock(12_400) == "0:12"
    assert format_clock(90_000) == "1:30"
    assert format_clock(3_723_000) == "1:02:03"
    assert format_clock(-50) == "0:00"


def test_without_media_everything_waits(qtbot) -> None:
    view = loaded(qtbot)
    seen: list[bool] = []
    view.playingChanged.connect(seen.append)

    for control in (view.play_button, view.slider, view.music_button, view.video_button):
        assert not control.isEnabled()
    assert view.placeholder.isVisible()
    assert view.placeholder.text().startswith("Nothing to play yet")
    view.play()
    view.toggle()
    assert not view.is_playing() and seen == []
    assert view.duration_ms() == 0 and view.position_ms() == 0


def test_music_plays_pauses_and_seeks(qtbot, media) -> None:
    view = loaded(qtbot, music=media[0])
    assert view.duration_ms() == MUSIC_S * 1000
    assert view.play_button.isEnabled() and view.mode() is PlayerMode.MUSIC
    assert "tone.wav" in view.placeholder.text()
    positions: list[int] = []
    view.positionChanged.connect(positions.append)

    view.play()
    qtbot.waitUntil(lambda: view.position_ms() > 300, timeout=5000)
    assert positions and max(positions) > 300

    view.pause()
    qtbot.wait(100)
    held = view.position_ms()
    qtbot.wait(300)
    assert view.position_ms() == held

    view.seek(1500)
    qtbot.wait(100)
    assert abs(view.position_ms() - 1500) <= 100
    assert abs(positions[-1] - 1500) <= 100
    assert view.slider.value() == view.position_ms()
    assert view.time_label.text() == "0:01 / 0:03"


def test_toggle_flips_the_button_and_says_so(qtbot, media) -> None:
    view = loaded(qtbot, music=media[0])
    before = view.play_button.grab().toImage()
    assert view.play_button.accessibleName() == "Play"

    with qtbot.waitSignal(view.playingChanged, timeout=2000) as started:
        view.toggle()
    assert started.args == [True] and view.is_playing()
    assert view.play_button.accessibleName() == "Pause"
    after = view.play_button.grab().toImage()
    assert after != before  # the pause glyph replaced the play glyph

    with qtbot.waitSignal(view.playingChanged, timeout=2000) as stopped:
        view.toggle()
    assert stopped.args == [False] and not view.is_playing()
    assert view.play_button.grab().toImage() == before


def test_space_toggles_when_the_player_has_focus(qtbot, media) -> None:
    view = loaded(qtbot, music=media[0])
    view.setFocus()
    with qtbot.waitSignal(view.playingChanged, timeout=2000) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Space)
    assert blocker.args == [True]
    with qtbot.waitSignal(view.playingChanged, timeout=2000) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Space)
    assert blocker.args == [False]


def test_music_volume_is_a_percentage(qtbot, media) -> None:
    view = loaded(qtbot, music=media[0])
    view.set_music_volume(40)
    assert view.music_volume() == 40
    assert view._music.audio.volume() == pytest.approx(0.4)
    view.set_music_volume(250)
    assert view.music_volume() == 100


def test_video_with_music_keeps_the_offset(qtbot, media) -> None:
    music, video = media
    view = loaded(qtbot, music=music, video=video)
    assert view.mode() is PlayerMode.VIDEO
    assert view.screen_stack.currentWidget() is view.video_widget
    assert view.duration_ms() == VIDEO_S * 1000
    assert view.original_audio_on()  # the clip's own sound is heard, as in the export
    assert view.original_audio.isChecked()
    view.set_music_offset_ms(1000)

    view.play()
    qtbot.wait(300)
    assert not view._music.playing()  # the video has not reached the music yet
    assert view.music_position_ms() == 0

    qtbot.waitUntil(lambda: view.position_ms() > 1700, timeout=5000)
    assert view._music.playing()
    gaps = []
    for _ in range(6):
        gaps.append(view.music_position_ms() - (view.position_ms() - 1000))
        qtbot.wait(40)
    assert abs(statistics.median(gaps)) <= 150, gaps


def test_seeking_the_video_moves_the_music(qtbot, media) -> None:
    music, video = media
    view = loaded(qtbot, music=music, video=video)
    view.set_music_offset_ms(500)
    view.seek(2000)
    qtbot.wait(100)
    assert abs(view.position_ms() - 2000) <= 100
    assert abs(view.music_position_ms() - 1500) <= 100
    view.seek(200)  # before the music starts: it waits at its top
    qtbot.wait(100)
    assert view.music_position_ms() == 0


def test_modes_share_the_timeline_clock(qtbot, media) -> None:
    music, video = media
    view = loaded(qtbot, music=music, video=video)
    view.set_music_offset_ms(1000)
    view.seek(2500)
    qtbot.wait(100)

    view.set_mode(PlayerMode.MUSIC)
    assert view.mode() is PlayerMode.MUSIC and view.music_button.isChecked()
    assert view.screen_stack.currentWidget() is not view.video_widget
    assert abs(view.position_ms() - 2500) <= 100  # 1.5 s into the music
    assert abs(view.slider.value() - 1500) <= 100
    assert view.duration_ms() == 1000 + MUSIC_S * 1000

    view.load_video(None)
    assert view.mode() is PlayerMode.MUSIC and not view.video_button.isEnabled()
    view.set_mode(PlayerMode.VIDEO)
    assert view.mode() is PlayerMode.MUSIC  # no clip, no video mode


def test_unloading_everything_disables_again(qtbot, media) -> None:
    view = loaded(qtbot, music=media[0])
    view.load_music(None)
    assert not view.play_button.isEnabled() and not view.slider.isEnabled()
    assert view.placeholder.text().startswith("Nothing to play yet")


def test_drift_is_pulled_back(qtbot, media) -> None:
    """If the music slips (a stall, a slow decoder), the player moves it back under the video."""
    music, video = media
    view = loaded(qtbot, music=music, video=video)
    view.play()
    qtbot.waitUntil(lambda: view._music.playing() and view.position_ms() > 300, timeout=5000)
    qtbot.wait(900)  # past the settling time after the music started
    view._music.player.setPosition(view.music_position_ms() - 500)  # knock it 0.5 s behind
    assert view.position_ms() - view.music_position_ms() > 300

    qtbot.waitUntil(lambda: abs(view.music_position_ms() - view.position_ms()) < 150, timeout=2000)
    gaps = []
    for _ in range(5):
        gaps.append(view.music_position_ms() - view.position_ms())
        qtbot.wait(40)
    assert abs(statistics.median(gaps)) <= 150, gaps
