"""Where the client talks to and how patient it is: read once from the environment.

Every wait the spec prescribes (30 s after a 429, 2 s before an SSE reconnect, polls every
5 s, "Still working…" every 2 minutes, a 10-minute heartbeat-only timeout) is a field here,
so tests make time fast by configuration instead of skipping the waits.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from nemodesk import __version__
from nemodesk.client import api

Backend = Literal["local", "cloud"]


def client_id_file(home: Path | None = None) -> Path:
    return (home or Path.home()) / ".config" / "nemovideo" / "client_id"


def _private_file(path: Path, make: Callable[[], str]) -> str:
    """The stripped text of ``path``, created with ``make()`` when missing or empty; the
    file is kept 0600 in a 0700 folder (an older version wrote 0644). A read-only home
    still gets a working value for this run."""
    try:
        value = path.read_text(encoding="utf-8").strip()
        if value:
            with contextlib.suppress(OSError):
                if path.stat().st_mode & 0o077:
                    path.chmod(0o600)
                if path.parent.stat().st_mode & 0o077:
                    path.parent.chmod(0o700)
            return value
    except OSError:
        pass
    value = make()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.chmod(0o700)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(value + "\n")
        os.replace(tmp, path)
    except OSError:
        pass
    return value


def load_client_id(home: Path | None = None) -> str:
    """The client id from ``~/.config/nemovideo/client_id``, created with a fresh UUID when
    missing or unreadable; 0600."""
    return _private_file(client_id_file(home), lambda: str(uuid.uuid4()))


def client_secret_file(home: Path | None = None) -> Path:
    return client_id_file(home).with_name("client_secret")


def load_client_secret(home: Path | None = None) -> str:
    """The secret kept beside the client id (0600), sent with it to the local engine so the
    id alone gets no token to this user's data."""
    return _private_file(client_secret_file(home), lambda: secrets.token_urlsafe(32))


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
    client_secret: str = ""  # local engine only (X-Client-Secret)
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
            client_secret=load_client_secret(home) if backend == "local" else "",
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
