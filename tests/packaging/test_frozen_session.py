"""A session's features inside the slimmed frozen bundle — beyond --self-test: the player's
FFmpeg backend plays a clip, PyAV encodes H.264/AAC/MP3/Opus/FLAC/PCM and has the decoders
the stubbed libraries stood beside (HEVC, VP8/VP9, AV1 by dav1d, AMR, WebP), the title is
drawn with Pillow (Chinese too), Qt's trimmed ICU still sorts Chinese by pinyin, keyring
loads, speech is found in a voice-over (Silero in numpy, its weights from the bundle). Then
what the process loaded: no module the bundle excludes, no library from outside the bundle
but the system's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.packaging.conftest import fresh_env
from tests.packaging.frozen_probe import SESSION_PROBE, probe
from tests.packaging.test_excluded_modules import excluded_in, load_bundle

SYSTEM_LIBS = ("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/")


@pytest.fixture(scope="module")
def session(frozen_app: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("probe-home")
    return probe(frozen_app, SESSION_PROBE, fresh_env(home))


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_session_features_work_in_the_bundle(session: dict[str, Any]) -> None:
    assert not session["errors"], session["errors"]
    codecs = session["codecs"]
    assert codecs["h264_aac_frames"] == 25
    for encoder in ("libmp3lame", "libopus", "flac", "pcm_s16le"):
        assert codecs[encoder] > 40_000, (encoder, codecs)
    assert set(codecs["decoders"]) >= {"hevc", "vp9", "vp8", "libdav1d", "amrnb", "webp"}
    assert session["title"][0] > 50 and session["title"][1] > 20
    # Qt's trimmed ICU: zh collation by pinyin (a, bei, zhang; code-point order would put 阿
    # last), en collation, time-zone names in Chinese, locale case mapping
    assert session["collate"] == ["阿", "北", "张"]
    assert session["icu"] == {"compare": [-1, -1], "zone_zh": "中国标准时间", "upper_tr": "İ"}
    assert isinstance(session["keyring"], str)
    speech = session["speech"]  # espeak-ng's 5 s sentence: found, and measured for ducking
    assert speech["regions"] >= 1 and speech["voiced_s"] > 2.0 and speech["lufs"] is not None


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_player_backend_loads_and_plays(session: dict[str, Any]) -> None:
    """QtMultimedia's FFmpeg plugin links Qt Quick: without it (or its stub) the frozen app
    has "No QtMultimedia backends found" and the player never plays."""
    player = session["player"]
    assert player["available"], player
    assert player["duration_ms"] >= 900, player
    assert player["position_ms"] > 0, player
    assert player["frames"] >= 5 and player["width"] == 320, player  # pictures were shown
    for ext, music in player["music"].items():  # the formats music is previewed in
        assert music["duration_ms"] >= 900 and music["position_ms"] > 0, (ext, music)
    libs = [Path(p).name for p in session["libraries"]]
    assert "libffmpegmediaplugin.so" in libs
    # one FFmpeg: the plugin runs on PyAV's libraries (slim.share_ffmpeg), not a second copy
    assert [n for n in libs if n.startswith("libavcodec")] == [
        n for n in libs if n.startswith("libavcodec-")
    ], libs
    assert len([n for n in libs if n.startswith("libavcodec")]) == 1, libs


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_nothing_excluded_is_loaded(session: dict[str, Any], frozen_app: Path) -> None:
    leaked = excluded_in(session["modules"], load_bundle().EXCLUDES)
    assert not leaked, f"imported in the frozen app but excluded from the bundle: {leaked}"
    bundle = str(frozen_app.parent.resolve())
    outside = [
        p for p in session["libraries"]
        if not p.startswith(bundle) and not p.startswith(SYSTEM_LIBS)
    ]  # fmt: skip
    assert not outside, f"libraries loaded from outside the bundle: {outside}"
