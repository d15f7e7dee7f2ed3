"""Where the client talks to and how patient it is: read once from the environment.

Every wait the spec prescribes (30 s after a 429, 2 s before an SSE reconnect, polls every
5 s, "Still working…" every 2 minutes, a 10-minute heartbeat-only timeout) is a field here,
so tests make time fast by configuration instead of skipping the waits.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from nemodesk import __version__
from nemodesk.client import api

Backend = Literal["local", "cloud"]


def client_id_file(home: Path | None = None) -> Path:
    return (home or Path.home()) / ".config" / "nemovideo" / "client_id"


def load_client_id(home: Path | None = None) -> str:
    """The client id from ``~/.config/nemovideo/client_id``, created with a fresh UUID when
    missing or unreadable. It holds no secret."""
    path = client_id_file(home)
    try:
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    except OSError:
        pass
    value = str(uuid.uuid4())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(value + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home still gets a working id for this run
    return value


@dataclass(frozen=True)
class Timing:
    retry_429_s: float = 30.0
    sse_reconnect_s: float = 2.0
    sse_reconnects: int = 3
    still_working_s: float = 120.0
    heartbeat_timeout_s: float = 600.0
    sse_hard_timeout_s: float = 900.0
    state_poll_s: float = 5.0
    state_poll_max_s: float = 900.0
    recovery_notice_s: float = 30.0
    settle_polls: int = 0  # cloud: re-read state until it stops changing (two-stage results)
    render_poll_s: float = 10.0
    render_max_polls: int = 180
    download_retries: int = 5
    download_retry_s: float = 1.0


CLOUD_TIMING = Timing(settle_polls=3)
LOCAL_TIMING = Timing(
    state_poll_s=0.5, render_poll_s=0.25, render_max_polls=7200, recovery_notice_s=30.0
)


@dataclass(frozen=True)
class ClientConfig:
    backend: Backend = "local"
    api_url: str = api.DEFAULT_API_URL
    web_url: str = api.DEFAULT_WEB_URL
    env_token: str | None = None
    client_id: str = ""
    platform: str = api.DEFAULT_PLATFORM
    version: str = __version__
    language: str = "en"
    timing: Timing = CLOUD_TIMING
    max_upload_bytes: int | None = None
    keyring_account: str = ""  # the keyring entry's name; defaults to the API base

    @classmethod
    def from_env(
        cls,
        backend: Backend | None = None,
        environ: Mapping[str, str] | None = None,
        home: Path | None = None,
        **overrides: object,
    ) -> ClientConfig:
        """The environment's settings: ``NEMO_API_URL``, ``NEMO_WEB_URL``, ``NEMO_TOKEN``,
        ``NEMO_CLIENT_ID``, ``SKILL_SOURCE``. A token or API address in the environment
        means the cloud unless a backend is named."""
        env = os.environ if environ is None else environ
        if backend is None:
            backend = "cloud" if env.get("NEMO_TOKEN") or env.get("NEMO_API_URL") else "local"
        cfg = cls(
            backend=backend,
            api_url=(env.get("NEMO_API_URL") or api.DEFAULT_API_URL).rstrip("/"),
            web_url=(env.get("NEMO_WEB_URL") or api.DEFAULT_WEB_URL).rstrip("/"),
            env_token=env.get("NEMO_TOKEN") or None,
            client_id=env.get("NEMO_CLIENT_ID") or load_client_id(home),
            platform=env.get("SKILL_SOURCE") or api.DEFAULT_PLATFORM,
            timing=CLOUD_TIMING if backend == "cloud" else LOCAL_TIMING,
        )
        return replace(cfg, **overrides) if overrides else cfg

    def with_api(self, api_url: str, keyring_account: str | None = None) -> ClientConfig:
        return replace(self, api_url=api_url.rstrip("/"), keyring_account=keyring_account or "")

    @property
    def account(self) -> str:
        return self.keyring_account or self.api_url

    def attribution(self) -> dict[str, str]:
        """The three headers every request carries (exports fail with 402 without them)."""
        return {
            api.H_SKILL_SOURCE: api.SKILL_SOURCE,
            api.H_SKILL_VERSION: self.version,
            api.H_SKILL_PLATFORM: self.platform,
        }
