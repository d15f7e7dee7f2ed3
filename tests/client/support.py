"""Small helpers shared by the client tests (kept apart from conftest, which also switches
the keyring off for the test process)."""

from __future__ import annotations

import uuid
from dataclasses import replace

from nemodesk.client.config import LOCAL_TIMING, ClientConfig


def local_config(url: str, **timing: float) -> ClientConfig:
    return ClientConfig(
        backend="local",
        api_url=url,
        client_id=str(uuid.uuid4()),
        timing=replace(LOCAL_TIMING, **timing),
    )
