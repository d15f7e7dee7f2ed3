"""Server settings: where data lives and the limits that keep a local server safe."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from nemodesk.core.formats import MAX_UPLOAD_BYTES

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("NemoDesk", appauthor=False)) / "engine"


@dataclass
class ServerConfig:
    data_dir: Path = field(default_factory=default_data_dir)
    host: str = "127.0.0.1"
    port: int = 0
    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS  # Host-header allow-list (DNS rebinding)
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_json_bytes: int = 2 * 1024 * 1024
    url_upload_timeout_s: float = 120.0
    rate_per_s: float = 50.0  # requests per second per client, with a burst of twice that
    workers: int = 2
    heartbeat_s: float = 10.0
    token_ttl_s: int = 7 * 86400
    free_credits: int = 1_000_000  # local generation is free: a large, honest "available"
    # the files folder is kept under this by removing the least recently used takes and
    # renders (never what a session's current draft or a running job uses)
    data_budget_bytes: int = 5 * 2**30
    max_jobs_per_client: int = 4  # chat runs and renders in flight; more answer "busy" (429)

    def apply_env(self) -> None:
        """Limits from NEMODESK_* variables, so tests and power users can tune them."""
        for name, attr, kind in (
            ("NEMODESK_MAX_UPLOAD_BYTES", "max_upload_bytes", int),
            ("NEMODESK_HEARTBEAT_S", "heartbeat_s", float),
            ("NEMODESK_WORKERS", "workers", int),
            ("NEMODESK_RATE_PER_S", "rate_per_s", float),
            ("NEMODESK_DATA_BUDGET_BYTES", "data_budget_bytes", int),
            ("NEMODESK_MAX_JOBS_PER_CLIENT", "max_jobs_per_client", int),
        ):
            value = os.environ.get(name)
            if value:
                setattr(self, attr, kind(value))

    @property
    def db_path(self) -> Path:
        return self.data_dir / "engine.sqlite3"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"
