"""The data folder under its budget: 50 generate/edit rounds through the local engine's API.

Run: .venv/bin/python -m benchmarks.bench_disk
An engine on 127.0.0.1 with NEMODESK_DATA_BUDGET_BYTES = 40 MB gets 50 chat rounds in one
session: a new 10 s track on each 5th round, edits that make a new take in between ("make it
faster", "more energetic", "3 variations" …). Every 10th round exports the current take's
stems and MIDI (downloads them, as the app's export does) and renders the draft to WAV.
After each round (the stream closed) the data folder is measured twice: as the engine counts
it (files + database, GET /api/local/disk) and all of it from outside (including SQLite's
write-ahead log, which SQLite bounds itself). Goal: the engine's measure never over the
budget after any round; after an export (whose files stay a little for their download)
back within it in < 30 s. Also printed: the bytes one take costs on disk before an export
(mix + plan) and after one (+ stems + MIDI, what every take cost before stems were made on request).
The last stdout line is one JSON object. MB = 10**6 bytes here.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from nemodesk.engine.server.disk_budget import folder_size  # noqa: E402
from tests.engine.server.conftest import start_engine, stop_engine  # noqa: E402
from tests.engine.server.sse import chat  # noqa: E402

MB = 1_000_000
BUDGET = 40 * MB
ROUNDS = 50
PROMPTS = ("lofi hip hop", "upbeat acoustic", "dark cinematic", "happy pop", "calm piano")
EDITS = ("make it faster", "more energetic", "slower and calmer", "add drums")


def _state(c: httpx.Client, sid: str) -> dict:
    return c.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]


def _current_entry(c: httpx.Client, sid: str) -> dict:
    state = _state(c, sid)
    src = next(seg["m"]["src"] for t in state["draft"]["t"] if t.get("tt") == 1 for seg in t["sg"])
    return next(m for m in state["generated_media"] if f"media:{m['media_id']}" == src)


def _used(c: httpx.Client) -> int:
    return c.get("/api/local/disk").json()["data"]["used_bytes"]


def _export(c: httpx.Client, sid: str, n: int) -> tuple[int, int]:
    """Download the current take's stems and MIDI and render the draft; returns (bytes of
    the take before, after)."""
    entry = _current_entry(c, sid)
    before = len(c.get(f"/api/local/media/{entry['media_id']}").content)
    before += len(c.get(f"/api/local/media/{entry['files']['plan']}").content)
    after = before
    for key, media_id in entry["files"].items():
        if key.startswith("stem:") or key == "midi":
            r = c.get(f"/api/local/media/{media_id}")
            assert r.status_code == 200, r.text
            after += len(r.content)
    rid = f"render_bench_disk_{n}"
    body = {"id": rid, "sessionId": sid, "draft": _state(c, sid)["draft"]}
    body["output"] = {"format": "wav"}
    assert c.post("/api/render/proxy/lambda", json=body).status_code == 200
    for _ in range(600):
        if c.get(f"/api/render/proxy/lambda/{rid}").json()["status"] in ("completed", "failed"):
            break
        time.sleep(0.05)
    assert c.get(f"/api/render/proxy/{rid}/download").status_code == 200
    return before, after


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-disk-") as tmp:
        data = Path(tmp) / "engine"
        engine = start_engine(data, NEMODESK_DATA_BUDGET_BYTES=str(BUDGET))
        for pipe in (engine.proc.stdout, engine.proc.stderr):
            threading.Thread(target=lambda p=pipe: p.read(), daemon=True).start()
        rows, take_bytes, settle = [], [], []
        t0 = time.perf_counter()
        try:
            token = engine.token()
            sid = engine.session(token)
            with engine.client(token) as c:
                for i in range(ROUNDS):
                    if i % 5 == 0:
                        text = f"{PROMPTS[(i // 5) % len(PROMPTS)]}, 10 seconds"
                    elif i % 7 == 3:
                        text = "give me 3 variations"
                    else:
                        text = EDITS[i % len(EDITS)]
                    chat(c, sid, text)
                    used = _used(c)
                    takes = len(_state(c, sid)["generated_media"])
                    rows.append((i + 1, text, used, folder_size(data), takes))
                    if i % 10 == 9:  # an export: its stems and render, then back in budget
                        take_bytes.append(_export(c, sid, i))
                        t = time.perf_counter()
                        peak = _used(c)
                        while _used(c) > BUDGET and time.perf_counter() - t < 30:
                            time.sleep(0.1)
                        settle.append((peak, time.perf_counter() - t))
                    assert c.get(f"/api/local/media/{_current_entry(c, sid)['media_id']}")
        finally:
            stop_engine(engine)
        wall = time.perf_counter() - t0
    print(f"{'round':>5}  {'message':<26} {'engine MB':>9} {'folder MB':>9} {'takes kept':>10}")
    for n, text, used, du, takes in rows:
        if n % 5 == 0 or used > BUDGET:
            print(f"{n:>5}  {text[:26]:<26} {used / MB:>9.2f} {du / MB:>9.2f} {takes:>10}")
    worst = max(r[2] for r in rows)
    worst_du = max(r[3] for r in rows)
    before = sum(b for b, _ in take_bytes) / len(take_bytes)
    after = sum(a for _, a in take_bytes) / len(take_bytes)
    ok = worst <= BUDGET
    print(
        f"budget {BUDGET / MB:.0f} MB: worst {worst / MB:.2f} MB as the engine counts, "
        f"{worst_du / MB:.2f} MB with the SQLite log — {'within' if ok else 'OVER'}"
    )
    print(
        f"one 10 s take on disk: {before / MB:.2f} MB (mix + plan) until an export asks for "
        f"stems and MIDI, {after / MB:.2f} MB after (every take, before this change)"
    )
    worst_export = max(p for p, _ in settle)
    worst_settle = max(t for _, t in settle)
    ok = ok and worst_settle < 30
    print(
        f"right after an export (its stems, MIDI and render kept for their download): up to "
        f"{worst_export / MB:.2f} MB, back within the budget after {worst_settle:.1f} s at most"
    )
    print(f"{ROUNDS} rounds in {wall:.1f} s")
    print(
        json.dumps(
            {
                "rounds": ROUNDS,
                "budget_bytes": BUDGET,
                "worst_used_bytes": worst,
                "worst_folder_bytes": worst_du,
                "within_budget": ok,
                "take_bytes_without_extras": round(before),
                "take_bytes_with_extras": round(after),
                "worst_after_export_bytes": worst_export,
                "worst_settle_after_export_s": round(worst_settle, 1),
                "wall_s": round(wall, 1),
            }
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
