"""export_draft() on generated clips and music, measured on the output with PyAV: streams
and lengths per format, music level, ducking, fades, placement, titles, the copy path,
cancelling, errors and progress."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from nemodesk.engine.media.export import ExportCancelled, ExportError, export_draft
from nemodesk.engine.music.audiofile import read_audio, write_audio
from tests.fixtures.media import make_clip, make_image, make_text_file_named

RATE = 48_000
MUSIC_HZ = 1000.0
CLIP_HZ = 220.0  # make_clip's audio bed: a 220 Hz tone at 0.05 over soft noise


# ---- measuring ------------------------------------------------------------------------


def sound(path: Path) -> np.ndarray:
    """The output's sound, mono-averaged, at 48 kHz."""
    audio, sr = read_audio(path)
    assert sr == RATE
    return audio.mean(axis=1)


def window(x: np.ndarray, a: float, b: float) -> np.ndarray:
    return x[round(a * RATE) : round(b * RATE)]


def rms_db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(x.astype(np.float64) ** 2)) + 1e-12))


def tone_db(x: np.ndarray, hz: float) -> float:
    """Level of one sine component (projection on sin/cos), in dB of its amplitude."""
    t = np.arange(x.size) / RATE
    c = np.abs(np.sum(x * np.exp(-2j * np.pi * hz * t))) * 2 / x.size
    return float(20 * np.log10(c + 1e-12))


def streams(path: Path) -> dict[str, list[str]]:
    with av.open(str(path)) as box:
        out: dict[str, list[str]] = {"video": [], "audio": []}
        for s in box.streams:
            if s.type in out:
                out[s.type].append(s.codec_context.name)
        return out


def duration_s(path: Path) -> float:
    with av.open(str(path)) as box:
        return box.duration / av.time_base


def video_packets(path: Path, n: int = 30) -> list[bytes]:
    with av.open(str(path)) as box:
        out = []
        for packet in box.demux(box.streams.video[0]):
            if packet.size:
                out.append(bytes(packet))
            if len(out) >= n:
                break
        return out


def luma_frames(path: Path) -> list[tuple[float, np.ndarray]]:
    with av.open(str(path)) as box:
        return [
            (float(f.time), f.to_ndarray(format="gray").astype(np.int16))
            for f in box.decode(box.streams.video[0])
        ]


# ---- inputs -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def files(media_dir: Path) -> dict[str, Path]:
    """resolve() targets: clips with and without sound, a steady 1 kHz music bed."""
    t = np.arange(8 * RATE) / RATE
    tone = (0.5 * np.sin(2 * np.pi * MUSIC_HZ * t)).astype(np.float32)
    return {
        "upload:a": make_clip(media_dir / "exp_a.mp4", duration_s=3.0, cuts_s=[1.5]),
        "upload:long": make_clip(media_dir / "exp_long.mp4", duration_s=5.0),
        "upload:mute": make_clip(media_dir / "exp_mute.mp4", duration_s=4.0, audio=False),
        "upload:cuts": make_clip(
            media_dir / "exp_cuts.mp4", duration_s=4.0, cuts_s=[2.0], audio=False
        ),
        "upload:webm": make_clip(media_dir / "exp_vp8.webm", duration_s=2.0),
        "media:tone": write_audio(media_dir / "exp_tone.wav", np.stack([tone, tone], 1), RATE),
        "media:mono": write_audio(media_dir / "exp_mono.wav", tone, RATE),
        # silent for its first 0.5 s, then the tone: shows where an in-point cuts
        "media:late": write_audio(
            media_dir / "exp_late.wav", np.concatenate([np.zeros(RATE // 2), tone]), RATE
        ),
    }


def resolver(files: dict[str, Path]) -> Callable[[str], Path]:
    return lambda src: files[src]


def video(src: str, d: int, **meta: Any) -> dict[str, Any]:
    track_meta = {k: meta.pop(k) for k in ("sound", "duck_db", "volume") if k in meta}
    return {"tt": 0, "m": track_meta, "sg": [{"d": d, "m": {"src": src, "name": "clip", **meta}}]}


def music(d: int, src: str = "media:tone", **meta: Any) -> dict[str, Any]:
    return {"tt": 1, "sg": [{"d": d, "m": {"src": src, "name": "Lo-fi", **meta}}]}


def title(text: str, start: int, d: int) -> dict[str, Any]:
    return {"tt": 7, "sg": [{"d": d, "m": {"text": text, "start": start}}]}


def export(files: dict[str, Path], out: Path, *tracks: dict[str, Any], **kw: Any):
    return export_draft({"t": list(tracks)}, resolver(files), out, **kw)


# ---- streams, lengths, formats ------------------------------------------------------------


def test_mp4_has_h264_and_aac_at_the_clips_length(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    r = export(files, out, video("upload:a", 3000), music(3000, volume=35))
    assert r.path == out and r.format == "mp4" and r.has_video and r.has_audio
    assert streams(out) == {"video": ["h264"], "audio": ["aac"]}
    assert abs(duration_s(out) - 3.0) <= 0.1
    assert abs(r.duration_s - 3.0) < 1e-6
    assert sorted(tmp_path.iterdir()) == [out]  # no temp file left beside it


@pytest.mark.parametrize(
    ("fmt", "want"),
    [
        ("mov", {"video": ["h264"], "audio": ["aac"]}),
        ("webm", {"video": ["vp9"], "audio": ["opus"]}),
        ("wav", {"video": [], "audio": ["pcm_s16le"]}),
        ("mp3", {"video": [], "audio": ["mp3float"]}),
        ("m4a", {"video": [], "audio": ["aac"]}),
    ],
)
def test_each_format_is_valid_with_the_right_length(
    files: dict[str, Path], tmp_path: Path, fmt: str, want: dict[str, list[str]]
) -> None:
    out = tmp_path / f"out.{fmt}"
    r = export(files, out, video("upload:a", 3000), music(2000, start=500), fmt=fmt)
    assert r.format == fmt and r.has_video == bool(want["video"])
    assert streams(out) == want
    assert abs(duration_s(out) - 3.0) <= 0.1
    if not want["video"]:  # the sound is all there, not just a header promising it
        assert abs(len(sound(out)) / RATE - 3.0) <= 0.1


def test_audio_only_draft_is_as_long_as_its_longest_track(
    files: dict[str, Path], tmp_path: Path
) -> None:
    r = export(files, tmp_path / "song.mp4", music(2500, start=500), music(1000))
    assert r.path == tmp_path / "song.m4a" and r.format == "m4a"
    assert not r.has_video and r.has_audio
    assert streams(r.path) == {"video": [], "audio": ["aac"]}
    assert abs(duration_s(r.path) - 3.0) <= 0.1
    assert not (tmp_path / "song.mp4").exists()


def test_video_source_in_webm_is_reencoded_to_h264(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    export(files, out, video("upload:webm", 2000))
    assert streams(out)["video"] == ["h264"]
    assert abs(duration_s(out) - 2.0) <= 0.1


# ---- the copy path ---------------------------------------------------------------------


def test_whole_h264_clip_is_copied_packet_for_packet(
    files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "copy.mp4"
    export(files, out, video("upload:a", 3000), music(2000, volume=35, start=500))
    assert video_packets(out, 90) == video_packets(files["upload:a"], 90)


def test_a_title_or_a_trim_means_reencoding(files: dict[str, Path], tmp_path: Path) -> None:
    src = video_packets(files["upload:a"], 10)
    titled = tmp_path / "titled.mp4"
    export(files, titled, video("upload:a", 3000), title("Hi", 0, 1000))
    trimmed = tmp_path / "trimmed.mp4"
    export(files, trimmed, video("upload:a", 2000))
    assert video_packets(titled, 10) != src
    assert video_packets(trimmed, 10) != src
    assert abs(duration_s(trimmed) - 2.0) <= 0.1


def test_in_point_and_sequence_show_the_right_footage(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """Second half of the cut clip (from its in-point), then its first half: the output's
    two seconds swap the source's two shots."""
    draft = {
        "t": [
            {
                "tt": 0,
                "sg": [
                    {"d": 2000, "m": {"src": "upload:cuts", "in": 2000}},
                    {"d": 2000, "m": {"src": "upload:cuts"}},  # follows on at 2 s
                ],
            }
        ]
    }
    out = tmp_path / "swap.mp4"
    export_draft(draft, resolver(files), out)
    src = luma_frames(files["upload:cuts"])
    got = luma_frames(out)
    assert abs(len(got) - 120) <= 1

    def mean_at(frames: list[tuple[float, np.ndarray]], t: float) -> float:
        return float(min(frames, key=lambda f: abs(f[0] - t))[1].mean())

    first_shot, second_shot = mean_at(src, 1.0), mean_at(src, 3.0)
    assert abs(first_shot - second_shot) > 15  # the shots really differ
    assert abs(mean_at(got, 1.0) - second_shot) < 4
    assert abs(mean_at(got, 3.0) - first_shot) < 4


def test_still_image_after_a_clip_is_letterboxed(files: dict[str, Path], tmp_path: Path) -> None:
    """A 4:3 photo after a 16:9 clip: shown for its time, fitted with black bars at the
    sides, the title running across both."""
    photo = make_image(tmp_path / "photo.png", width=64, height=48)
    draft = {
        "t": [
            {
                "tt": 0,
                "sg": [
                    {"d": 1000, "m": {"src": "upload:a"}},
                    {"d": 1000, "m": {"src": "upload:photo"}},
                ],
            },
            title("Holiday", 500, 1000),
        ]
    }
    out = tmp_path / "mixed.mp4"
    r = export_draft(draft, resolver({**files, "upload:photo": photo}), out)
    assert r.has_video and abs(duration_s(out) - 2.0) <= 0.1
    frames = luma_frames(out)
    assert frames[0][1].shape == (180, 320)
    late = min(frames, key=lambda f: abs(f[0] - 1.8))[1]
    early = min(frames, key=lambda f: abs(f[0] - 0.2))[1]
    assert late[:, :30].mean() < 20 and late[:, -30:].mean() < 20  # bars
    assert late[:, 100:220].std() > 30  # the photo's random pixels
    assert early[:, :30].mean() > 40  # the clip filled the frame


# ---- sound ------------------------------------------------------------------------------


def test_music_volume_35_is_9db_below_100(files: dict[str, Path], tmp_path: Path) -> None:
    levels = {}
    for volume in (100, 35):
        out = tmp_path / f"v{volume}.mp4"
        export(files, out, video("upload:mute", 4000), music(4000, volume=volume))
        levels[volume] = rms_db(window(sound(out), 1.0, 3.0))
    expected = 20 * np.log10(0.35)  # -9.1 dB
    assert abs((levels[35] - levels[100]) - expected) <= 1.5, levels


def test_mono_music_plays_at_full_level(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "mono.wav"
    draft = {"t": [{"tt": 1, "sg": [{"d": 2000, "m": {"src": "media:mono"}}]}]}
    export_draft(draft, resolver(files), out, fmt="wav")
    audio, _ = read_audio(out)
    assert audio.shape[1] == 2
    for side in (0, 1):  # 0.5 amplitude on each side, not 3 dB down
        assert abs(rms_db(audio[RATE // 2 : RATE, side]) - rms_db(np.full(1, 0.5 / 2**0.5))) < 0.3


def _music_db(x: np.ndarray, a: float, b: float) -> float:
    return tone_db(window(x, a, b), MUSIC_HZ)


@pytest.mark.parametrize("mode", ["duck", "even", "mute"])
def test_the_music_dips_under_speech_and_the_clip_keeps_its_level(
    files: dict[str, Path], tmp_path: Path, mode: str
) -> None:
    """Speech at 2.0-3.0 s of the clip: in "duck" mode the music is 12 dB down by 150 ms before
    it (look-ahead) until it ends, then back within 0.4 s; the clip's own sound is never
    lowered; "even" leaves both alone, "mute" leaves the clip's sound out."""
    out = tmp_path / f"voice_{mode}.wav"
    clip = video("upload:long", 5000, sound=mode, speech=[[2000, 3000]])
    export(files, out, clip, music(5000, volume=35), fmt="wav")
    x = sound(out)
    clear = _music_db(x, 0.3, 1.5)
    dip = {"duck": -12.0, "even": 0.0, "mute": 0.0}[mode]
    assert abs(_music_db(x, 1.86, 2.0) - (clear + dip)) < 0.5  # down before the first syllable
    assert abs(_music_db(x, 2.1, 2.9) - (clear + dip)) < 0.5
    assert abs(_music_db(x, 3.45, 4.9) - clear) < 0.5  # back after the 0.4 s release
    clip_level = tone_db(window(x, 0.3, 1.5), CLIP_HZ)
    if mode == "mute":
        assert clip_level < clear - 40
    else:
        assert abs(tone_db(window(x, 2.1, 2.9), CLIP_HZ) - clip_level) < 1.0
        assert clip_level > -45  # the clip's quiet tone is really there


def test_depth_and_clips_placed_later_on_the_timeline(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """Speech is in the clip's own time: a second clip placed at 3 s with an in-point of 1 s
    speaks at 3 + (1.5 - 1) = 3.5 s on the timeline; the depth follows `duck_db`."""
    out = tmp_path / "placed.wav"
    track = video("upload:a", 3000, duck_db=20, speech=[[500, 800]])
    track["sg"].append(
        {
            "d": 2000,
            "m": {"src": "upload:long", "start": 3000, "in": 1000, "speech": [[1500, 1900]]},
        }
    )
    export(files, out, track, music(5000, volume=35), fmt="wav")
    x = sound(out)
    clear = _music_db(x, 1.6, 3.0)
    assert abs(_music_db(x, 0.55, 0.75) - (clear - 20)) < 0.5
    assert abs(_music_db(x, 3.55, 3.85) - (clear - 20)) < 0.5
    assert abs(_music_db(x, 4.35, 4.95) - clear) < 0.5


def test_fades_in_and_out(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "fades.mp4"
    export(
        files,
        out,
        video("upload:mute", 4000),
        music(4000, fade_in=2000, fade_out=1000),
    )
    x = sound(out)
    full = rms_db(window(x, 2.0, 2.5))
    assert rms_db(window(x, 0.0, 0.1)) < full - 15
    assert rms_db(window(x, 1.0, 1.1)) < full - 1  # still rising half-way
    assert rms_db(window(x, 3.9, 4.0)) < full - 15


def test_music_starts_at_its_start_and_from_its_in_point(
    files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "start.wav"
    late = music(1000, "media:late", start=1500, **{"in": 500})
    export(files, out, video("upload:mute", 3000), late, fmt="wav")
    x = sound(out)
    assert rms_db(window(x, 0.0, 1.49)) < -80
    loud = np.flatnonzero(np.abs(x) > 0.05)
    assert abs(loud[0] / RATE - 1.5) <= 0.001  # sample-accurate placement
    assert abs(loud[-1] / RATE - 2.5) <= 0.001  # trimmed to d
    assert rms_db(window(x, 2.6, 3.0)) < -80


def test_loud_sum_is_limited_below_minus_1_dbfs(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "loud.wav"
    export(files, out, video("upload:a", 3000), music(3000, volume=300), fmt="wav")
    audio, _ = read_audio(out)
    assert np.abs(audio).max() <= 10 ** (-1 / 20) + 1e-3
    assert rms_db(audio[RATE : 2 * RATE, 0]) > -6  # limited, not just turned down to nothing


# ---- titles ------------------------------------------------------------------------------


def test_title_shows_in_the_lower_third_during_its_time(
    files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "title.mp4"
    r = export(files, out, video("upload:a", 3000), title("Urban Dreams", 500, 1000))
    assert r.has_video and abs(duration_s(out) - 3.0) <= 0.1
    src = dict(luma_frames(files["upload:a"]))
    got = luma_frames(out)
    h = got[0][1].shape[0]
    lower, upper = slice(2 * h // 3, h), slice(0, 2 * h // 3)

    def changed(t: float, rows: slice) -> int:
        """Pixels far off the source (re-encoding alone moves them by a few levels)."""
        frame = min(got, key=lambda f: abs(f[0] - t))[1]
        ref = src[min(src, key=lambda s: abs(s - t))]
        return int((np.abs(frame[rows] - ref[rows]) > 40).sum())

    for t in (0.9, 1.0, 1.2):
        assert changed(t, lower) > 500 and changed(t, upper) < 20, t
    for t in (0.2, 1.8, 2.8):
        assert changed(t, lower) < 20, t


def test_chinese_title_renders(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "zh.mp4"
    export(files, out, video("upload:a", 3000), title("城市之梦", 0, 2000))
    frame = min(luma_frames(out), key=lambda f: abs(f[0] - 1.0))[1]
    assert (frame[2 * frame.shape[0] // 3 :] > 200).sum() > 100  # white strokes are there


# ---- control, errors -------------------------------------------------------------------


@pytest.mark.parametrize("case", ["reencode", "copy", "audio"])
def test_progress_is_monotonic_frequent_and_ends_at_1(
    files: dict[str, Path], tmp_path: Path, case: str
) -> None:
    seen: list[float] = []
    tracks = [video("upload:a", 3000), music(3000)]
    if case == "reencode":
        tracks.append(title("Hi", 0, 1000))
    fmt = "wav" if case == "audio" else "mp4"
    export(files, tmp_path / f"p.{fmt}", *tracks, fmt=fmt, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and all(0 <= p <= 1 for p in seen)
    assert max(np.diff([0.0, *seen])) <= 0.03
    assert seen.count(1.0) == 1


def test_cancel_midway_leaves_no_file(files: dict[str, Path], tmp_path: Path) -> None:
    """A re-encode to VP9 takes long enough (even on a fast machine) to be stopped between
    two polls."""
    fmt = "webm"
    seen: list[float] = []
    polls: list[float] = []

    def cancelled() -> bool:
        polls.append(seen[-1] if seen else 0.0)
        return polls[-1] > 0.3

    with pytest.raises(ExportCancelled) as exc:
        export(
            files,
            tmp_path / f"cancel.{fmt}",
            video("upload:long", 5000),
            music(5000),
            title("Stop", 0, 5000),
            fmt=fmt,
            progress=seen.append,
            cancelled=cancelled,
        )
    assert str(exc.value) == "The export was cancelled."
    assert polls[-1] > 0.3 and seen[-1] < 1.0  # stopped part-way, never reported done
    assert len(polls) > 2  # asked repeatedly, not just once at the start
    assert list(tmp_path.iterdir()) == []


def test_missing_source_is_a_clear_error(files: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(ExportError) as exc:
        export(files, tmp_path / "x.mp4", video("upload:gone", 2000))
    assert str(exc.value) == "A file this draft uses is missing: clip."
    assert list(tmp_path.iterdir()) == []


def test_unreadable_source_is_a_clear_error(files: dict[str, Path], tmp_path: Path) -> None:
    fake = make_text_file_named(tmp_path / "fake.mp4")
    with pytest.raises(ExportError) as exc:
        export({**files, "upload:fake": fake}, tmp_path / "x.mp4", video("upload:fake", 2000))
    msg = str(exc.value)
    assert "fake.mp4" in msg and "Traceback" not in msg and msg.endswith(".")
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.parametrize(
    ("draft", "kw", "words"),
    [
        ({"t": []}, {}, "nothing to export"),
        ({"t": [{"tt": 7, "sg": [{"d": 1000, "m": {"text": "Hi"}}]}]}, {}, "nothing to export"),
        ({"t": [music(1000)]}, {"fmt": "avi"}, "Unknown export format"),
        ({"t": [music(1000)]}, {"quality": "ultra"}, "Unknown export quality"),
    ],
)
def test_bad_requests_say_why(
    files: dict[str, Path], tmp_path: Path, draft: dict, kw: dict, words: str
) -> None:
    with pytest.raises(ExportError, match=words):
        export_draft(draft, resolver(files), tmp_path / "x.mp4", **kw)


def test_missing_output_folder_is_a_clear_error(files: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        export(files, tmp_path / "nope" / "x.mp4", music(1000))


def test_unknown_tracks_and_fields_are_ignored(files: dict[str, Path], tmp_path: Path) -> None:
    clip = video("upload:a", 3000, sound="duck")
    clip["sg"][0]["m"]["filter"] = {"kind": "sepia"}
    clip["x-extra"] = [1, 2, 3]
    draft = {
        "t": [
            {"tt": 42, "sg": [{"d": 99_000, "m": {"src": "upload:unknown"}}]},
            clip,
            {"tt": 1, "sg": [{"d": 1000}]},  # no src: nothing to play
            {"tt": 7, "sg": [{"d": 1000, "m": {"font": "Comic"}}]},  # no text
            {"tt": 1, "sg": ["junk", {"d": "long", "m": {"src": "media:tone"}}, None]},
            {"tt": "video", "sg": []},
            "not a track",
        ],
        "m": {"title": "x"},
    }
    out = tmp_path / "x.mp4"
    r = export_draft(draft, resolver(files), out)
    assert r.has_video and abs(duration_s(out) - 3.0) <= 0.1
