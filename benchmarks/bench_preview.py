"""Progressive preview: how soon a long track can be heard, through the local engine's API.

Run: .venv/bin/python -m benchmarks.bench_preview
A real `nemodesk serve` on loopback (2 workers), warmed with two 3-minute generations. Then
RUNS times, each in a fresh session, "3-minute upbeat acoustic travel vlog" is sent on
/run_sse and the clock runs from the request:
- first sound: the ``music_preview`` event has come and its head (the first 8 s, WAV) is
  downloaded — the app loads it into the player from here. Goal ≤ 0.7 s (median).
- full track: the take's ``generate_music`` tool result (the whole track is on disk), and
  the stream's end.
- the share of the wait: first sound over the full track's time (the machine's load scales
  both alike, so this is the number to read on a busy machine).
- the head against the full track's first 8 s (past the 1 s fade-in): level difference
  (dB) and the difference signal under the music (dB).
The last stdout line is one JSON object.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # allow `python benchmarks/bench_preview.py` too
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from tests.engine.server.conftest import Engine, start_engine, stop_engine  # noqa: E402

PROMPT = "3-minute upbeat acoustic travel vlog"
RUNS = 5
GOAL_FIRST_SOUND_S = 0.7


def _pcm(data: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(data)) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        return x.reshape(-1, w.getnchannels()).astype(np.float64) / 32768.0


def _db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.square(x)) + 1e-20))


def one_run(engine: Engine, token: str) -> dict:
    sid = engine.session(token)
    body = {
        "app_name": "nemo_agent",
        "user_id": "me",
        "session_id": sid,
        "new_message": {"parts": [{"text": PROMPT}]},
    }
    out: dict = {}
    head = b""
    with engine.client(token) as c, engine.client(token) as c2:
        t0 = time.perf_counter()
        headers = {"Accept": "text/event-stream", "X-Nemo-Preview": "head"}
        with c.stream("POST", "/run_sse", json=body, headers=headers) as r:
            for line in r.iter_lines():
                if not line.startswith("data:") or not line[5:].strip():
                    continue
                ev = json.loads(line[5:])
                now = time.perf_counter() - t0
                if ev.get("type") == "tool_call" and "job_s" not in out:
                    out["job_s"] = now  # the take goes to a worker now
                elif ev.get("name") == "music_preview" and "preview_event_s" not in out:
                    out["preview_event_s"] = now
                    got = c2.get(ev["result"]["url"])
                    got.raise_for_status()
                    head = got.content
                    out["first_sound_s"] = time.perf_counter() - t0
                elif ev.get("type") == "tool_result" and ev.get("name") == "generate_music":
                    out["full_track_s"] = now
                    out["worker_render_s"] = ev["result"]["render_s"]
        out["stream_end_s"] = time.perf_counter() - t0
        state = c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]
        full = _pcm(c.get(state["generated_media"][0]["url"]).content)
    h = _pcm(head)
    a, b = 44100, len(h)
    out["level_db"] = _db(h[a:b]) - _db(full[a:b])
    out["diff_db"] = _db(h[a:b] - full[a:b]) - _db(full[a:b])
    out["head_s"] = len(h) / 44100
    return {k: round(v, 3) for k, v in out.items()}


def main() -> None:
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-preview-") as tmp:
        engine = start_engine(Path(tmp) / "engine", NEMODESK_WORKERS="2")
        try:
            token = engine.token()
            warm = [one_run(engine, token) for _ in range(2)]
            runs = [one_run(engine, token) for _ in range(RUNS)]
        finally:
            code = stop_engine(engine)

    def med(key: str) -> float:
        return round(statistics.median(r[key] for r in runs), 3)

    first = med("first_sound_s")
    rows = [
        (
            "progressive preview: first sound, 3-min track, warm",
            f"{first:.3f} s",
            f"≤ {GOAL_FIRST_SOUND_S} s",
        ),
        ("  runs (first sound)", " / ".join(f"{r['first_sound_s']:.2f}" for r in runs), ""),
        ("  generate_music tool call (job to a worker)", f"{med('job_s'):.3f} s", ""),
        ("  music_preview event", f"{med('preview_event_s'):.3f} s", ""),
        ("  full track on disk (generate_music result)", f"{med('full_track_s'):.3f} s", ""),
        ("  stream end", f"{med('stream_end_s'):.3f} s", ""),
        ("  worker: head + full render", f"{med('worker_render_s'):.3f} s", ""),
        (
            "  first sound / full track (share of the wait)",
            f"{statistics.median(r['first_sound_s'] / r['full_track_s'] for r in runs):.2f}",
            "",
        ),
        ("  head vs full: level (median / worst)", _worst(runs, "level_db", "dB"), ""),
        ("  head vs full: difference under the music", _worst(runs, "diff_db", "dB"), ""),
    ]
    print(f"{'measure':<56} {'value':>22} {'goal':>10}")
    for name, value, goal in rows:
        print(f"{name:<56} {value:>22} {goal:>10}")
    total = time.perf_counter() - t_start
    load = round(os.getloadavg()[0], 1)
    print(f"engine exit status {code}; whole benchmark {total:.1f} s; load average {load}")
    goals = {"first_sound_3min_le_0_7s": first <= GOAL_FIRST_SOUND_S}
    summary = {
        "first_sound_s": first,
        "preview_event_s": med("preview_event_s"),
        "full_track_s": med("full_track_s"),
        "stream_end_s": med("stream_end_s"),
    }
    out = {"preview": summary, "runs": runs, "warmup": warm, "load_1min": load, "goals": goals}
    print(json.dumps(out))


def _worst(runs: list[dict], key: str, unit: str) -> str:
    vals = [r[key] for r in runs]
    worst = max(vals, key=abs) if key == "level_db" else max(vals)
    return f"{statistics.median(vals):+.2f} / {worst:+.2f} {unit}"


if __name__ == "__main__":
    main()
