"""The ``nemodesk`` command: the desktop app by default; ``generate``, ``serve``, ``doctor``.

Every failure a user can cause ends with exit code 2 and one plain line on stderr — never a
traceback — and leaves no partial file behind.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from nemodesk import __version__

if TYPE_CHECKING:
    from nemodesk.engine.brief import Brief
    from nemodesk.engine.music.generate import TrackResult

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line instead of usage + message
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _generate_parser(sub: argparse._SubParsersAction) -> None:
    g = sub.add_parser(
        "generate",
        help="compose, render and master a track from a description",
        description="Compose an original track from a description.",
    )
    g.add_argument("prompt", help='e.g. "90-second upbeat acoustic track for a travel vlog"')
    g.add_argument("--duration", type=float, metavar="SECONDS")
    g.add_argument("--bpm", type=float)
    g.add_argument("--key", metavar="K", help='e.g. "A minor", "F#", "Bb major"')
    g.add_argument("--mood")
    g.add_argument("--genre")
    g.add_argument("--instruments", metavar="a,b", help="comma-separated, e.g. guitar,drums")
    g.add_argument("--arc", choices=("flat", "build", "fall", "wave"))
    g.add_argument("--loop", action="store_true", default=None, help="seamless loop")
    g.add_argument("--seed", type=int)
    g.add_argument("--variations", type=int, default=1, metavar="N")
    g.add_argument("--video", type=Path, metavar="FILE", help="fit length and cuts to a video")
    g.add_argument("--format", dest="fmt", metavar="wav|mp3|flac|m4a")
    g.add_argument("--stems", type=Path, metavar="DIR", help="also write one WAV per group")
    g.add_argument("--midi", type=Path, metavar="FILE", help="also write the score as MIDI")
    g.add_argument("--plan", type=Path, metavar="FILE", help="also write the plan as JSON")
    g.add_argument("--loudness", type=float, default=-14.0, metavar="LUFS")
    g.add_argument("-o", "--output", type=Path, metavar="OUT")
    g.add_argument("--json", action="store_true", help="last stdout line: the result as JSON")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="nemodesk", description="Original, royalty-free music for your video.")
    p.add_argument("--version", action="version", version=f"NemoDesk {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    _generate_parser(sub)
    s = sub.add_parser("serve", help="run the local engine's HTTP API")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=0, help="0 picks a free port")
    s.add_argument("--data-dir", type=Path, metavar="DIR")
    s.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (anyone who can reach it can use it)",
    )
    # The desktop app passes its pid so the engine stops when the app is gone, even on a crash.
    s.add_argument("--parent-pid", type=int, metavar="PID", help=argparse.SUPPRESS)
    _make_parser(sub)
    sub.add_parser("doctor", help="check the SoundFont, codecs and keyring")
    return p


def _make_parser(sub: argparse._SubParsersAction) -> None:
    m = sub.add_parser(
        "make",
        help="the app's flow without a window: upload, chat, export, download",
        description="Upload a clip, ask for music, export and download — as the app would.",
    )
    m.add_argument("prompt", help='e.g. "tense cinematic score that fits this video"')
    m.add_argument("--video", type=Path, metavar="FILE", help="a clip to upload first")
    m.add_argument("-o", "--output", type=Path, metavar="OUT")
    m.add_argument("--backend", choices=("local", "cloud"), default="local")
    m.add_argument("--format", dest="fmt", choices=("mp4", "wav", "mp3", "m4a"))
    m.add_argument("--data-dir", type=Path, metavar="DIR", help="the local engine's data folder")
    m.add_argument("--json", action="store_true", help="last stdout line: the result as JSON")


def _numbered(path: Path | None, i: int, n: int) -> Path | None:
    if path is None or n == 1:
        return path
    return path.with_name(f"{path.stem}-{i}{path.suffix}")


def _check_writable(path: Path, what: str) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"Cannot write {what} {path}: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"Cannot write {what} {path}: the folder {folder} is not writable.")
    if path.is_dir():
        raise UsageError(f"Cannot write {what} {path}: it is a folder.")


def cmd_generate(args: argparse.Namespace) -> int:
    """``nemodesk generate``: the brief, checked outputs, the video's cuts, then the takes."""
    brief = _brief_from_args(args)
    if not 1 <= args.variations <= 10:
        raise UsageError("--variations must be between 1 and 10.")
    if not -40.0 <= args.loudness <= -5.0:
        raise UsageError("--loudness must be between -40 and -5 LUFS (e.g. -14 or -16).")
    out, fmt = _output_and_format(args, brief.genre)
    _check_outputs(args, out)
    cuts: list[float] = []
    speech: list[tuple[float, float]] = []
    if args.video is not None:
        cuts, speech = _fit_to_video(args.video, brief)
    results, descriptions = _render_takes(args, brief, out, fmt, cuts, speech)
    if args.json:
        data = [
            r.to_json() | {"description": d} for r, d in zip(results, descriptions, strict=True)
        ]
        print(json.dumps(data[0] if args.variations == 1 else data, ensure_ascii=False))
    return 0


def _brief_from_args(args: argparse.Namespace) -> Brief:
    """The brief from the prompt and the options; a bad option is a usage error."""
    from nemodesk.engine.brief import BriefError, parse_brief

    try:
        instruments = (
            [s.strip() for s in args.instruments.split(",") if s.strip()]
            if args.instruments
            else None
        )
        return parse_brief(
            args.prompt,
            duration_s=args.duration,
            bpm=args.bpm,
            key=args.key,
            mood=args.mood,
            genre=args.genre,
            instruments=instruments,
            arc=args.arc,
            loop=args.loop,
        )
    except BriefError as e:
        raise UsageError(str(e)) from None


def _output_and_format(args: argparse.Namespace, genre: str) -> tuple[Path, str]:
    """The track's path and format: from -o and --format, else ``nemodesk-<genre>.wav``; a
    path without an extension gets the format's."""
    from nemodesk.engine.music.audiofile import AudioFileError, format_for

    ext = args.fmt or (args.output.suffix.lstrip(".") if args.output else "wav") or "wav"
    out = args.output or Path(f"nemodesk-{genre}.{ext}")
    try:
        fmt = format_for(out, args.fmt)
    except AudioFileError as e:
        raise UsageError(str(e)) from None
    if not out.suffix:
        out = out.with_suffix(f".{fmt}")
    return out, fmt


def _check_outputs(args: argparse.Namespace, out: Path) -> None:
    """Every file asked for can be written, before minutes of rendering are spent on it."""
    for path, what in ((out, "the track"), (args.midi, "the MIDI file"), (args.plan, "the plan")):
        if path is not None:
            _check_writable(path, what)
    if args.stems is not None and args.stems.exists() and not args.stems.is_dir():
        raise UsageError(f"Cannot write stems to {args.stems}: it is a file, not a folder.")


def _fit_to_video(video: Path, brief: Brief) -> tuple[list[float], list[tuple[float, float]]]:
    """The video's cuts and where someone talks in it; the brief takes the video's length
    unless a duration was given."""
    from nemodesk.engine.media.probe import MediaError, probe
    from nemodesk.engine.media.scenes import detect_cuts

    speech: list[tuple[float, float]] = []
    try:
        info = probe(video)
        if not info.has_video or info.duration_s <= 0:
            raise UsageError(f"{video.name} has no video to fit the music to.")
        cuts = detect_cuts(video)
        if info.has_audio:
            from nemodesk.engine.media.speech import SpeechError, detect_speech

            with contextlib.suppress(SpeechError):  # damaged sound: the melody just plays
                speech = detect_speech(video)[0]  # the melody rests where it talks
    except MediaError as e:
        raise UsageError(str(e)) from None
    if not brief.duration_given:
        brief.duration_s = round(info.duration_s, 3)
        brief.duration_given = True
        brief.chosen = [c for c in brief.chosen if c != "duration"]
    return cuts, speech


def _render_takes(
    args: argparse.Namespace,
    brief: Brief,
    out: Path,
    fmt: str,
    cuts: list[float],
    speech: list[tuple[float, float]],
) -> tuple[list[TrackResult], list[str]]:
    """Render every take, reporting each as it is written; the results and their words."""
    from nemodesk.engine.brief import describe
    from nemodesk.engine.music import variations as V
    from nemodesk.engine.music.audiofile import AudioFileError
    from nemodesk.engine.music.generate import MusicEngine, new_seed
    from nemodesk.engine.music.spool import ScratchFull

    engine = MusicEngine()
    seed0 = args.seed if args.seed is not None else new_seed()
    results = []
    descriptions = []
    report = sys.stderr if args.json else sys.stdout
    # take 1 is the brief; the others change its lead, tempo, key, chords or groove
    takes = V.takes(brief, args.variations, seed0)
    for i, take in enumerate(takes, start=1):
        seed = seed0 + i - 1
        try:
            r = engine.generate(
                take,
                seed,
                _numbered(out, i, args.variations),
                fmt=fmt,
                cuts_s=cuts,
                speech_s=speech,
                loudness_lufs=args.loudness,
                stems_dir=args.stems,
                midi_path=_numbered(args.midi, i, args.variations),
                plan_path=_numbered(args.plan, i, args.variations),
            )
        except AudioFileError as e:
            raise UsageError(str(e)) from None
        except ScratchFull as e:
            raise UsageError(e.strerror) from None
        words = _describe_take(r, brief, take, i)
        results.append(r)
        descriptions.append(words)
        if i == 1:
            print(describe(brief), file=report)
        print(
            f"Wrote {r.path}: {r.duration_s:g} s {r.genre} in {r.key} {r.mode} at "
            f"{r.bpm:g} BPM, {r.loudness_lufs:.1f} LUFS, seed {r.seed} "
            f"({r.render_s:.2f} s)" + (f" — {words}" if args.variations > 1 else ""),
            file=report,
        )
    return results, descriptions


def _describe_take(r: TrackResult, brief: Brief, take: Brief, i: int) -> str:
    """Mark the i-th take's result with what it changes from the brief; its words for it."""
    from nemodesk.engine.music import variations as V

    character = V.info(brief, take, i - 1)
    r.variation, r.changes = i, list(character["changes"])
    return V.describe(
        r.changes,
        lead=character["lead_instrument"],
        bpm=r.bpm,
        key=r.key,
        mode=r.mode,
        lang=brief.language,
        groove=character["groove_name"],
        chords=character["chords"],
        first=i == 1,
    )


def cmd_doctor(_: argparse.Namespace) -> int:
    import av

    from nemodesk.engine.music.soundfont import SoundFontMissing, find_soundfont

    try:
        print(f"SoundFont: {find_soundfont()}")
    except SoundFontMissing as e:
        print(f"SoundFont: missing — {e}")
    print(
        f"PyAV {av.__version__}, codecs: "
        + ", ".join(
            c
            for c in ("libx264", "aac", "libmp3lame", "flac", "libopus")
            if c in av.codecs_available
        )
    )
    return 0


SUBCOMMANDS = ("generate", "serve", "make", "doctor")


def _wants_window(argv: list[str]) -> bool:
    """No arguments, ``--self-test``, or files to open (e.g. from "Open With")."""
    return (
        not argv
        or argv[0] == "--self-test"
        or not (argv[0] in SUBCOMMANDS or argv[0].startswith("-"))
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if _wants_window(argv):
        from nemodesk.ui.app import run

        return run([a for a in argv if a != "--self-test"], self_test="--self-test" in argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "generate":
            return cmd_generate(args)
        if args.command == "serve":
            from nemodesk.engine.server.main import serve

            return serve(args.host, args.port, args.data_dir, args.allow_remote, args.parent_pid)
        if args.command == "make":
            from nemodesk.client.make import run

            return run(args)
        if args.command == "doctor":
            return cmd_doctor(args)
        parser.print_help()
        return 0
    except UsageError as e:
        print(f"nemodesk: {e}" if not str(e).startswith("nemodesk") else str(e), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("nemodesk: cancelled.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
