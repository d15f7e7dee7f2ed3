"""Reading an SSE answer in tests (the client package has the real reader)."""

from __future__ import annotations

import json
import time

import httpx


def chat(client: httpx.Client, session_id: str, text: str) -> tuple[list[dict], list[float]]:
    """Send one message; return its events and each event's arrival time (s after send)."""
    body = {
        "app_name": "nemo_agent",
        "user_id": "me",
        "session_id": session_id,
        "new_message": {"parts": [{"text": text}]},
    }
    events, times = [], []
    t0 = time.perf_counter()
    with client.stream("POST", "/run_sse", json=body, headers={"Accept": "text/event-stream"}) as r:
        assert r.status_code == 200, r.read()
        for line in r.iter_lines():
            if line.startswith("data:"):
                events.append(json.loads(line[5:].strip()))
                times.append(time.perf_counter() - t0)
    return events, times


def texts(events: list[dict]) -> str:
    return " ".join(e["content"] for e in events if e.get("type") == "text")
