"""The local engine through its HTTP API, on 127.0.0.1: what a user of the app waits for.

Run: .venv/bin/python -m benchmarks.bench_server
Rows:
1. prompt → finished 90 s BGM in the state, warm (one warm-up generation on the same engine
   first; each measured prompt goes to a fresh session, since the same prompt again in one
   session is "nothing to change"): from sending the message on /run_sse until the stream
   has closed and GET state shows a 90 s BGM track (tt 1). Best and median of 3.
   Goal ≤ 1.5 s (issue 18; was 2 s).
2. first SSE event latency (first `data:` line) of a generate request and of a mix edit
   ("music at 30%"). Goal ≤ 150 ms (the worst of 3 samples each).
3. upload throughput on loopback: a 1 GiB stream of zeros named x.mp4, multipart via httpx,
   from a file object that hands out one small zero buffer (no big allocation). The engine
   stores and hashes it, then refuses it (4001, not a video): end to end, so the refusal is
   included. Beside it the engine process's peak VmRSS increase (sampled every 50 ms) and a
   plain 1 GiB file copy on the same disk (shutil.copyfile) for a ratio. Goals: ≥ 200 MB/s,
   RSS flat (≤ 50 MB increase). MB here = 2**20 bytes.
4. GET /api/credits/balance/simple latency, p50/p99 of 200 calls, idle and while two renders
   (a 30 s 720p clip with a title: every frame re-encoded) run. Goal p99 < 100 ms. The calls
   are paced (one per 15 ms) to stay under the engine's per-client rate limit.
5. export speed through the API on a 60 s 720p clip with generated music: without a title
   (video packets copied) and with one ("title: Benchmark"), as multiples of real time from
   submit to "completed" (polled every 100 ms).
The last stdout line is one JSON object. Clips are cached in benchmarks/results/clips/.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # allow `python benchmarks/bench_server.py` too
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.engine.server.conftest import Engine, start_engine, stop_engine  # noqa: E402
from tests.engine.server.sse import chat  # noqa: E402
from tests.fixtures.media import make_clip  # noqa: E402

CLIP_DIR = ROOT / "benchmarks" / "results" / "clips"
PROMPT_90 = "90 second upbeat acoustic track"
PROMPT_VIDEO = "upbeat electronic track that fits this video"
MIX_EDIT = "music at 30%"
TITLE_MSG = "title: Benchmark"
UPLOAD_BYTES = 2**30
MB = 2**20
CREDIT_CALLS = 200
CREDIT_GAP_S = 0.015
POLL_S = 0.1
GOAL_BGM_S = 1.5  # issue 18 (was 2 s)
GOAL_FIRST_EVENT_MS = 150.0
GOAL_UPLOAD_MBPS = 200.0
GOAL_RSS_FLAT_MB = 50.0
GOAL_CREDITS_P99_MS = 100.0


# ---------------------------------------------------------------------------- helpers


def _clip(seconds: int) -> Path:
    """720p30 H.264 at 5 Mb/s (veryfast, B-frames), AAC sound, a cut every 7 s: the same
    clip as bench_export's (shared cache)."""
    path = CLIP_DIR / f"720p30_5mbps_{float(seconds):g}s.mp4"
    if not path.exists():
        print(f"generating {path.name} …", file=sys.stderr, flush=True)
        CLIP_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.mp4")
        make_clip(
            tmp,
            duration_s=float(seconds),
            cuts_s=[float(s) for s in range(7, seconds, 7)],
            width=1280,
            height=720,
            fps=30,
            preset="veryfast",
            bit_rate=5_000_000,
        )
        tmp.rename(path)
    return path


def _start(data_dir: Path, **env: str) -> Engine:
    engine = start_engine(data_dir, **env)
    host = httpx.URL(engine.url).host
    if host != "127.0.0.1":
        stop_engine(engine)
        raise SystemExit(f"engine is not on 127.0.0.1: {engine.url}")
    for pipe in (engine.proc.stdout, engine.proc.stderr):  # never let a full pipe block it
        threading.Thread(target=lambda p=pipe: p.read(), daemon=True).start()
    return engine


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{tid}/children").read_text()
            out += [int(x) for x in text.split()]
    except OSError:
        pass
    return out


def _cpu_s(pid: int) -> float:
    total = 0.0
    for p in (pid, *_children(pid)):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


def _wait_idle(pid: int, limit_s: float = 30.0) -> None:
    """Until the engine and its workers (loading the SoundFont) stop using the CPU."""
    end = time.monotonic() + limit_s
    last = _cpu_s(pid)
    while time.monotonic() < end:
        time.sleep(0.5)
        now = _cpu_s(pid)
        if now - last < 0.05:
            return
        last = now


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class _RssSampler(threading.Thread):
    def __init__(self, pid: int, every_s: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.every_s = pid, every_s
        self.samples: list[float] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            self.samples.append(_rss_mb(self.pid))
            self.halt.wait(self.every_s)


class _Zeros:
    """A read-only file of `size` zero bytes that never holds more than one small buffer."""

    def __init__(self, size: int, chunk: int = 64 * 1024) -> None:
        self.size, self.pos = size, 0
        self._chunk = bytes(chunk)

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.pos
        n = left if n is None or n < 0 else min(n, left)
        n = min(n, len(self._chunk))
        self.pos += n
        return self._chunk if n == len(self._chunk) else self._chunk[:n]

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self.pos, os.SEEK_END: self.size}[whence]
        self.pos = max(0, min(self.size, base + offset))
        return self.pos

    def tell(self) -> int:
        return self.pos


def _state(c: httpx.Client, sid: str) -> dict[str, Any]:
    r = c.get(f"/api/state/nemo_agent/me/{sid}/latest")
    return r.json()["data"]["state"]


def _track_ms(state: dict[str, Any], tt: int) -> int:
    return sum(
        int(s.get("d", 0))
        for t in state.get("draft", {}).get("t", [])
        if t.get("tt") == tt
        for s in t.get("sg", [])
    )


def _upload(c: httpx.Client, sid: str, path: Path) -> dict[str, Any]:
    with open(path, "rb") as f:
        r = c.post(
            f"/api/upload-video/nemo_agent/me/{sid}",
            files=[("files", (path.name, f, "video/mp4"))],
        )
    body = r.json()
    if body.get("code") != 0:
        raise RuntimeError(f"upload of {path.name} failed: {body}")
    return body["data"]["files"][0]


def _chat_ok(c: httpx.Client, sid: str, text: str) -> tuple[list[dict], list[float]]:
    events, times = chat(c, sid, text)
    if not events:
        raise RuntimeError(f"no events for {text!r}")
    return events, times


def _submit(c: httpx.Client, sid: str, draft: dict[str, Any]) -> tuple[str, float]:
    rid = f"render_bench_{uuid.uuid4().hex[:16]}"
    t0 = time.perf_counter()
    r = c.post(
        "/api/render/proxy/lambda",
        json={
            "id": rid,
            "sessionId": sid,
            "draft": draft,
            "output": {"format": "mp4", "quality": "high"},
        },
    )
    if not r.json().get("success"):
        raise RuntimeError(f"render submit failed: {r.json()}")
    return rid, t0


def _wait_render(c: httpx.Client, rid: str, t0: float, limit_s: float = 150.0) -> float:
    """Seconds from submit (t0) to the status "completed", polled every 100 ms."""
    while time.perf_counter() - t0 < limit_s:
        s = c.get(f"/api/render/proxy/lambda/{rid}").json()
        status = s["data"]["status"]
        if status == "completed":
            return time.perf_counter() - t0
        if status in ("failed", "cancelled"):
            raise RuntimeError(f"render {rid} {status}: {s['data'].get('error')}")
        time.sleep(POLL_S)
    raise RuntimeError(f"render {rid} did not finish in {limit_s:.0f} s")


def _pct(values: list[float], p: float) -> float:
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def _credits(c: httpx.Client, n: int, gap_s: float) -> list[tuple[float, float]]:
    """(end time, latency in ms) of n paced calls."""
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = c.get("/api/credits/balance/simple")
        t1 = time.perf_counter()
        if r.status_code != 200 or r.json().get("code") != 0:
            raise RuntimeError(f"credits call failed: {r.status_code} {r.text[:200]}")
        out.append((t1, (t1 - t0) * 1000))
        time.sleep(max(0.0, gap_s - (t1 - t0)))
    return out


def _ms(x: float) -> float:
    return round(x * 1000, 1)


# ---------------------------------------------------------------------------- sections


def bench_generation(engine: Engine) -> dict[str, Any]:
    """Sections 1 and 2."""
    token = engine.token()
    with engine.client(token) as c:
        warm_sid = engine.session(token)
        t0 = time.perf_counter()
        _chat_ok(c, warm_sid, PROMPT_90)
        warmup_s = time.perf_counter() - t0
        if abs(_track_ms(_state(c, warm_sid), 1) - 90_000) > 100:
            raise RuntimeError("warm-up generation left no 90 s BGM track")
        runs, engine_s, gen_first, mix_first, mix_total = [], [], [], [], []
        for _ in range(3):
            sid = engine.session(token)
            t0 = time.perf_counter()
            events, times = _chat_ok(c, sid, PROMPT_90)
            bgm_ms = _track_ms(_state(c, sid), 1)
            while abs(bgm_ms - 90_000) > 100 and time.perf_counter() - t0 < 30:
                time.sleep(0.05)  # a second stage still landing (not expected locally)
                bgm_ms = _track_ms(_state(c, sid), 1)
            runs.append(time.perf_counter() - t0)
            if abs(bgm_ms - 90_000) > 100:
                raise RuntimeError(f"no 90 s BGM track after {PROMPT_90!r}: {bgm_ms} ms")
            gen_first.append(times[0])
            engine_s += [
                float(e["result"]["render_s"])
                for e in events
                if e.get("type") == "tool_result" and e.get("name") == "generate_music"
            ][:1]
            t0 = time.perf_counter()
            events, times = _chat_ok(c, sid, MIX_EDIT)
            mix_total.append(time.perf_counter() - t0)
            if not any(e.get("name") == "update_mix" for e in events):
                raise RuntimeError(f"{MIX_EDIT!r} was not read as a mix edit: {events}")
            mix_first.append(times[0])
    return {
        "bgm_90s": {
            "warmup_s": round(warmup_s, 3),
            "runs_s": [round(x, 3) for x in runs],
            "best_s": round(min(runs), 3),
            "median_s": round(statistics.median(runs), 3),
            "worker_render_s": [round(x, 3) for x in engine_s],
            "api_overhead_s_median": round(
                statistics.median(r - e for r, e in zip(runs, engine_s, strict=False)), 3
            ),
        },
        "first_event_ms": {
            "generate": [_ms(x) for x in gen_first],
            "generate_max": _ms(max(gen_first)),
            "mix": [_ms(x) for x in mix_first],
            "mix_max": _ms(max(mix_first)),
            "mix_stream_total_ms_median": _ms(statistics.median(mix_total)),
        },
    }


def bench_upload(tmp: Path) -> dict[str, Any]:
    """Section 3, on an engine of its own (1 GiB upload limit raised to 2 GiB)."""
    data_dir = tmp / "upload-engine"
    engine = _start(data_dir, NEMODESK_MAX_UPLOAD_BYTES=str(2 * 2**30), NEMODESK_WORKERS="1")
    try:
        token = engine.token()
        sid = engine.session(token)
        with engine.client(token) as c:  # the refusal path's imports (probe) loaded first
            r = c.post(
                f"/api/upload-video/nemo_agent/me/{sid}",
                files=[("files", ("w.mp4", _Zeros(MB), "video/mp4"))],
            )
            if r.json().get("code") != 4001:
                raise RuntimeError(f"expected 1 MiB of zeros to be refused: {r.text[:200]}")
        _wait_idle(engine.proc.pid)
        pid = engine.proc.pid
        sampler = _RssSampler(pid)
        sampler.start()
        time.sleep(0.3)
        base_rss = max(sampler.samples)
        with engine.client(token) as c:
            t0 = time.perf_counter()
            r = c.post(
                f"/api/upload-video/nemo_agent/me/{sid}",
                files=[("files", ("x.mp4", _Zeros(UPLOAD_BYTES), "video/mp4"))],
            )
            upload_s = time.perf_counter() - t0
        time.sleep(0.1)
        sampler.halt.set()
        sampler.join()
        body = r.json()
        if body.get("code") != 4001:
            raise RuntimeError(f"expected the zeros to be refused with 4001: {body}")
        peak_rss = max(sampler.samples)
        left = list((data_dir / "files" / sid / "uploads").glob("*.mp4"))
    finally:
        stop_engine(engine)
    # A plain 1 GiB copy on the same disk: written first (not timed against), then copied.
    src, dst = tmp / "zeros.bin", tmp / "zeros-copy.bin"
    block = bytes(16 * MB)
    t0 = time.perf_counter()
    with open(src, "wb") as f:
        for _ in range(UPLOAD_BYTES // len(block)):
            f.write(block)
    write_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    shutil.copyfile(src, dst)
    copy_s = time.perf_counter() - t0
    src.unlink()
    dst.unlink()
    mbps = UPLOAD_BYTES / MB / upload_s
    copy_mbps = UPLOAD_BYTES / MB / copy_s
    return {
        "bytes": UPLOAD_BYTES,
        "seconds": round(upload_s, 3),
        "mb_per_s": round(mbps, 1),
        "refused_code": body.get("code"),
        "stored_file_removed": not left,
        "rss_base_mb": round(base_rss, 1),
        "rss_peak_mb": round(peak_rss, 1),
        "rss_increase_mb": round(peak_rss - base_rss, 1),
        "rss_samples": len(sampler.samples),
        "disk_write_mb_per_s": round(UPLOAD_BYTES / MB / write_s, 1),
        "file_copy_mb_per_s": round(copy_mbps, 1),
        "upload_vs_copy": round(mbps / copy_mbps, 2),
        "upload_vs_write": round(mbps / (UPLOAD_BYTES / MB / write_s), 2),
    }


def _session_with_music(
    engine: Engine, token: str, clip: Path, title: bool
) -> tuple[str, dict[str, Any]]:
    """A session holding `clip` and music fitted to it (and a title): returns its state."""
    sid = engine.session(token)
    with engine.client(token) as c:
        t0 = time.perf_counter()
        _upload(c, sid, clip)
        upload_s = time.perf_counter() - t0
        _chat_ok(c, sid, PROMPT_VIDEO)
        if title:
            _chat_ok(c, sid, TITLE_MSG)
        state = _state(c, sid)
    if _track_ms(state, 1) <= 0:
        raise RuntimeError(f"no music in the session of {clip.name}")
    if title and _track_ms(state, 7) <= 0:
        raise RuntimeError(f"{TITLE_MSG!r} left no title track")
    state["_upload_s"] = upload_s
    return sid, state


def bench_exports(engine: Engine, clip60: Path) -> dict[str, Any]:
    """Section 5."""
    token = engine.token()
    sid, state = _session_with_music(engine, token, clip60, title=False)
    with engine.client(token) as c:
        rid, t0 = _submit(c, sid, state["draft"])
        plain_s = _wait_render(c, rid, t0)
        _chat_ok(c, sid, TITLE_MSG)
        titled = _state(c, sid)
        if _track_ms(titled, 7) <= 0:
            raise RuntimeError(f"{TITLE_MSG!r} left no title track")
        rid, t0 = _submit(c, sid, titled["draft"])
        title_s = _wait_render(c, rid, t0)
    return {
        "clip": "720p30 H.264 5 Mb/s, 60 s, generated music",
        "upload_and_analysis_s": round(state["_upload_s"], 3),
        "copy_s": round(plain_s, 3),
        "copy_x_realtime": round(60 / plain_s, 1),
        "title_s": round(title_s, 3),
        "title_x_realtime": round(60 / title_s, 1),
    }


def bench_credits(engine: Engine, clip30: Path) -> dict[str, Any]:
    """Section 4."""
    render_token, credit_token = engine.token(), engine.token()  # separate rate buckets
    sid, state = _session_with_music(engine, render_token, clip30, title=True)
    with engine.client(credit_token) as cc, engine.client(render_token) as rc:
        _credits(cc, 5, CREDIT_GAP_S)  # connection up
        idle = [ms for _, ms in _credits(cc, CREDIT_CALLS, CREDIT_GAP_S)]
        submitted = [_submit(rc, sid, state["draft"]) for _ in range(2)]
        done: dict[str, float] = {}
        errors: list[BaseException] = []

        def watch() -> None:
            with engine.client(render_token) as wc:
                for rid, t0 in submitted:
                    try:
                        done[rid] = t0 + _wait_render(wc, rid, t0)
                    except BaseException as e:  # reported from the main thread
                        errors.append(e)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        time.sleep(0.3)  # both renders picked up by the workers
        busy = _credits(cc, CREDIT_CALLS, CREDIT_GAP_S)
        watcher.join(180)
        if errors:
            raise errors[0]
    first_done = min(done.values())
    during = [ms for end, ms in busy if end <= first_done]
    if len(during) < 20:
        raise RuntimeError(f"the renders ended after {len(during)} credits calls: too few")
    render_s = [done[rid] - t0 for rid, t0 in submitted]
    return {
        "idle": {
            "n": len(idle),
            "p50_ms": round(_pct(idle, 50), 2),
            "p99_ms": round(_pct(idle, 99), 2),
            "max_ms": round(max(idle), 2),
        },
        "during_renders": {
            "n": len(during),
            "p50_ms": round(_pct(during, 50), 2),
            "p99_ms": round(_pct(during, 99), 2),
            "max_ms": round(max(during), 2),
        },
        "renders": {
            "clip": "720p30 H.264 5 Mb/s, 30 s, music + title (re-encoded), 2 at once",
            "seconds": [round(x, 3) for x in render_s],
            "x_realtime_each": [round(30 / x, 1) for x in render_s],
        },
    }


# ---------------------------------------------------------------------------- main


def main() -> None:
    t_start = time.perf_counter()
    clip30, clip60 = _clip(30), _clip(60)
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp_name:
        tmp = Path(tmp_name)
        upload = bench_upload(tmp)
        engine = _start(tmp / "engine")
        try:
            gen = bench_generation(engine)
            exports = bench_exports(engine, clip60)
            credits = bench_credits(engine, clip30)
        finally:
            code = stop_engine(engine)
    total_s = time.perf_counter() - t_start

    b, fe = gen["bgm_90s"], gen["first_event_ms"]
    ci, cb = credits["idle"], credits["during_renders"]
    print(f"{'measure':<48} {'value':>22} {'goal':>12}")
    rows = [
        ("prompt → 90 s BGM in state, warm: best", f"{b['best_s']:.3f} s", ""),
        (
            "prompt → 90 s BGM in state, warm: median of 3",
            f"{b['median_s']:.3f} s",
            f"≤ {GOAL_BGM_S:g} s",
        ),
        ("  (warm-up generation)", f"{b['warmup_s']:.3f} s", ""),
        (
            "  worker render time of the 3 runs",
            " / ".join(f"{x:.2f}" for x in b["worker_render_s"]) + " s",
            "",
        ),
        ("first SSE event, generate (worst of 3)", f"{fe['generate_max']:.1f} ms", "≤ 150 ms"),
        ("first SSE event, mix edit (worst of 3)", f"{fe['mix_max']:.1f} ms", "≤ 150 ms"),
        ("upload 1 GiB zeros (stored, then 4001)", f"{upload['mb_per_s']:.0f} MB/s", "≥ 200 MB/s"),
        ("  engine peak RSS increase during upload", f"{upload['rss_increase_mb']:.1f} MB", "flat"),
        ("  plain file copy, same disk", f"{upload['file_copy_mb_per_s']:.0f} MB/s", ""),
        ("  plain 1 GiB write, same disk", f"{upload['disk_write_mb_per_s']:.0f} MB/s", ""),
        (
            "  upload / copy, upload / write",
            f"{upload['upload_vs_copy']:.2f}, {upload['upload_vs_write']:.2f}",
            "",
        ),
        (
            f"credits idle p50 / p99 (n={ci['n']})",
            f"{ci['p50_ms']:.1f} / {ci['p99_ms']:.1f} ms",
            "p99 < 100",
        ),
        (
            f"credits during 2 renders p50 / p99 (n={cb['n']})",
            f"{cb['p50_ms']:.1f} / {cb['p99_ms']:.1f} ms",
            "p99 < 100",
        ),
        (
            "  the 2 concurrent 30 s title renders",
            " / ".join(f"{x:.1f}×" for x in credits["renders"]["x_realtime_each"]),
            "",
        ),
        (
            "export 60 s 720p, no title (copy)",
            f"{exports['copy_s']:.2f} s = {exports['copy_x_realtime']:.1f}×",
            "",
        ),
        (
            "export 60 s 720p, with title (re-encode)",
            f"{exports['title_s']:.2f} s = {exports['title_x_realtime']:.1f}×",
            "",
        ),
    ]
    for name, value, goal in rows:
        print(f"{name:<48} {value:>22} {goal:>12}")
    print(f"engine exit status {code}; whole benchmark {total_s:.1f} s")
    goals = {
        "bgm_90s_median_le_1_5s": b["median_s"] <= GOAL_BGM_S,
        "first_event_generate_le_150ms": fe["generate_max"] <= GOAL_FIRST_EVENT_MS,
        "first_event_mix_le_150ms": fe["mix_max"] <= GOAL_FIRST_EVENT_MS,
        "upload_ge_200MBps": upload["mb_per_s"] >= GOAL_UPLOAD_MBPS,
        "upload_rss_flat": upload["rss_increase_mb"] <= GOAL_RSS_FLAT_MB,
        "credits_idle_p99_lt_100ms": ci["p99_ms"] < GOAL_CREDITS_P99_MS,
        "credits_rendering_p99_lt_100ms": cb["p99_ms"] < GOAL_CREDITS_P99_MS,
    }
    print(
        json.dumps(
            {
                **gen,
                "upload": upload,
                "credits": credits,
                "exports": exports,
                "engine_exit": code,
                "total_s": round(total_s, 1),
                "goals": goals,
            }
        )
    )


if __name__ == "__main__":
    main()
