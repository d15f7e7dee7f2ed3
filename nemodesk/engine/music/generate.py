"""One call from a brief to files on disk: plan, compose, render, master, export.

``MusicEngine`` keeps the SoundFont and its note cache loaded, so a warm process (the
server, a benchmark) pays the load once and renders a 90 s track in well under a second.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import time
from concurrent.futures import wait
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from nemodesk.engine.brief import Brief
from nemodesk.engine.music import threads
from nemodesk.engine.music.audiofile import format_for, write_audio_blocks
from nemodesk.engine.music.compose import compose
from nemodesk.engine.music.plan import Plan, make_plan
from nemodesk.engine.music.render import Rendered, render
from nemodesk.engine.music.score import Score
from nemodesk.engine.music.synth import NoteSampler, find_soundfont

SAMPLE_RATE = 44100


@dataclass
class TrackResult:
    """What the CLI prints as JSON and the server stores; field names are a contract."""

    path: str
    duration_s: float
    sample_rate: int
    bpm: float
    key: str
    mode: str
    genre: str
    mood: str
    instruments: list[str]
    arc: str
    loop: bool
    seed: int
    sections: list[dict]
    hits_s: list[float]
    cuts_s: list[float]
    loudness_lufs: float
    true_peak_db: float
    render_s: float
    hit_offsets_ms: list[float] = field(default_factory=list)  # each hit to its nearest cut
    format: str = "wav"
    n_samples: int = 0
    stems: dict[str, str] = field(default_factory=dict)
    midi: str | None = None
    plan: str | None = None
    moods: list[str] = field(default_factory=list)
    chosen: list[str] = field(default_factory=list)
    # a variation's picks (Brief.progression / groove / lead), and what it changes from
    # variation 1 (variations.ASPECTS names; set by the caller, which knows the takes)
    progression: int | None = None
    groove: int | None = None
    lead: str | None = None
    variation: int = 1
    changes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def new_seed() -> int:
    return secrets.randbelow(2**31 - 1) + 1


def _hit_offsets(hits: list[float], cuts: list[float]) -> list[float]:
    if not cuts:
        return []
    c = np.asarray(cuts)
    return [round(float(np.min(np.abs(c - h))) * 1000, 1) for h in hits]


def _atomic_json(path: Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_stem(path: Path, rendered: Rendered, group: str, sr: int) -> Path:
    read = partial(rendered.stem_block, group)
    return write_audio_blocks(path, read, rendered.n_samples, sr, "wav", bits=24)


class MusicEngine:
    def __init__(self, sample_rate: int = SAMPLE_RATE, soundfont: Path | None = None) -> None:
        self.sample_rate = sample_rate
        self._soundfont = soundfont
        self._sampler: NoteSampler | None = None

    @property
    def sampler(self) -> NoteSampler:
        if self._sampler is None:
            self._sampler = NoteSampler(self._soundfont or find_soundfont(), self.sample_rate)
        return self._sampler

    def compose(
        self,
        brief: Brief,
        seed: int,
        cuts_s: list[float] | None = None,
        speech_s: list[tuple[float, float]] | None = None,
    ) -> tuple[Plan, Score]:
        plan = make_plan(brief, cuts_s)
        plan.speech_s = [(float(a), float(b)) for a, b in speech_s or []]
        return plan, compose(brief, plan, seed, self.sample_rate)

    def render(
        self,
        brief: Brief,
        seed: int,
        *,
        cuts_s: list[float] | None = None,
        speech_s: list[tuple[float, float]] | None = None,
        loudness_lufs: float = -14.0,
    ) -> tuple[Plan, Score, Rendered]:
        plan, score = self.compose(brief, seed, cuts_s, speech_s)
        rendered = render(
            score, self.sampler, end_s=plan.end_s, seed=seed, target_lufs=loudness_lufs
        )
        return plan, score, rendered

    def generate(
        self,
        brief: Brief,
        seed: int,
        out: Path,
        *,
        fmt: str | None = None,
        cuts_s: list[float] | None = None,
        speech_s: list[tuple[float, float]] | None = None,
        loudness_lufs: float = -14.0,
        stems_dir: Path | None = None,
        midi_path: Path | None = None,
        plan_path: Path | None = None,
    ) -> TrackResult:
        """Render the brief and write the track (and the stems, MIDI and plan asked for)."""
        t0 = time.perf_counter()
        fmt = format_for(out, fmt)
        plan, score, rendered = self.render(
            brief, seed, cuts_s=cuts_s, speech_s=speech_s, loudness_lufs=loudness_lufs
        )
        try:
            path, stems, midi = self._write_files(out, fmt, score, rendered, stems_dir, midi_path)
        finally:
            rendered.close()  # the spooled audio is in the files now
        result = _track_result(
            brief, seed, plan, score, rendered, fmt, self.sample_rate, str(path), stems, midi
        )
        if plan_path is not None:
            result.plan = str(plan_path)
            _atomic_json(plan_path, result.to_json())
        result.render_s = round(time.perf_counter() - t0, 3)
        return result

    def _write_files(
        self,
        out: Path,
        fmt: str,
        score: Score,
        rendered: Rendered,
        stems_dir: Path | None,
        midi_path: Path | None,
    ) -> tuple[Path, dict[str, str], str | None]:
        """The mix, the stems and the MIDI written at once (encoding, conversion and fsync
        mostly run without the GIL); returns the mix's path, the stems' and the MIDI's."""
        pool = threads.pool()
        mix = pool.submit(
            write_audio_blocks, out, rendered.mix_block, rendered.n_samples, self.sample_rate, fmt
        )
        stem_jobs = {}
        if stems_dir is not None:
            stems_dir.mkdir(parents=True, exist_ok=True)
            for group in rendered.groups:
                stem_jobs[group] = pool.submit(
                    _write_stem,
                    stems_dir / f"{out.stem}-{group}.wav",
                    rendered,
                    group,
                    self.sample_rate,
                )
        midi = None
        if midi_path is not None:
            from nemodesk.engine.music.midi import write_midi

            midi = str(write_midi(midi_path, score))
        wait([mix, *stem_jobs.values()])  # every file finished or removed before any error
        path = mix.result()
        stems = {group: str(job.result()) for group, job in stem_jobs.items()}
        return path, stems, midi


def _track_result(
    brief: Brief,
    seed: int,
    plan: Plan,
    score: Score,
    rendered: Rendered,
    fmt: str,
    sample_rate: int,
    path: str,
    stems: dict[str, str],
    midi: str | None,
) -> TrackResult:
    """What was made and where, as the contract's fields (the plan's path and the time taken
    are the caller's to set)."""
    return TrackResult(
        path=path,
        duration_s=brief.duration_s,
        sample_rate=sample_rate,
        bpm=round(plan.bpm, 2),
        key=brief.key,
        mode=brief.mode,
        genre=brief.genre,
        mood=brief.mood,
        instruments=sorted({p.name for p in score.parts if p.group != "hits"}),
        arc=brief.arc,
        loop=brief.loop,
        seed=seed,
        sections=[
            {
                "name": s.name,
                "start_s": round(s.start_s, 3),
                "end_s": round(s.end_s, 3),
                "energy": round(s.energy, 2),
            }
            for s in plan.sections
        ],
        hits_s=plan.hits_s,
        cuts_s=[round(c, 3) for c in plan.cuts_s],
        loudness_lufs=round(rendered.loudness_lufs, 2),
        true_peak_db=round(rendered.true_peak_db, 2),
        render_s=0.0,
        hit_offsets_ms=_hit_offsets(plan.hits_s, plan.cuts_s),
        format=fmt,
        n_samples=rendered.n_samples,
        stems=stems,
        midi=midi,
        moods=list(brief.moods),
        chosen=list(brief.chosen),
        progression=brief.progression,
        groove=brief.groove,
        lead=brief.lead,
    )
