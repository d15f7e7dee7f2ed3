"""Tokens: NEMO_TOKEN first, then the OS keyring, then a new anonymous token saved there —
checked with the real Secret Service (gnome-keyring in a private D-Bus session)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nemodesk.client.client import NemoClient
from nemodesk.client.config import ClientConfig, load_client_id
from nemodesk.client.tokens import TokenStore
from tests.client.support import local_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs dbus-run-session and gnome-keyring (make setup installs them)",
)
def test_token_saved_in_secret_service_and_forgotten(engine, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON_KEYRING", "DBUS"))}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    script = (
        "printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; "
        f'exec "{sys.executable}" -m tests.client.keyring_probe "$0"'
    )
    proc = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", script, engine.url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["secure"] and "SecretService" in result["backend"]
    assert result["saved"] and result["reused"]
    assert result["sources"] == ["keyring", "keyring"]
    assert result["after_forget"] is None
    assert result["token"].startswith("nmv_usr_")
    assert result["token"] not in proc.stderr  # debug logging of every request: no token


def test_env_token_wins_and_memory_fallback_is_reported(engine, tmp_path):
    async def flow():
        base = local_config(engine.url)
        async with NemoClient(base, TokenStore()) as c:  # no keyring here
            token = await c.token()
            assert c.token_source == "memory" and not c.token_is_saved
            assert not c.tokens.is_secure and c.tokens.problem
        env_cfg = ClientConfig(**{**base.__dict__, "env_token": token})
        async with NemoClient(env_cfg, TokenStore()) as c:
            assert await c.token() == token and c.token_source == "env"
            await c.create_session()  # the env token works
        return token

    asyncio.run(flow())


def test_client_id_file_created_once(tmp_path):
    first = load_client_id(tmp_path)
    path = tmp_path / ".config" / "nemovideo" / "client_id"
    assert path.read_text().strip() == first and len(first) == 36
    assert load_client_id(tmp_path) == first
    cfg = ClientConfig.from_env(environ={"NEMO_CLIENT_ID": "abc"}, home=tmp_path)
    assert cfg.client_id == "abc" and cfg.backend == "local"
    cloud = ClientConfig.from_env(
        environ={
            "NEMO_TOKEN": "nmv_usr_x",
            "NEMO_API_URL": "http://127.0.0.1:9/",
            "SKILL_SOURCE": "s",
        },
        home=tmp_path,
    )
    assert cloud.backend == "cloud" and cloud.api_url == "http://127.0.0.1:9"
    assert cloud.env_token == "nmv_usr_x" and cloud.attribution()["X-Skill-Platform"] == "s"
    assert cloud.attribution()["X-Skill-Source"] == "ai-music-generator-free"
