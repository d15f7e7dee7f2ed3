"""The local engine is started with ``NEMODESK_SOUNDFONT`` only when the user chose a SoundFont
(issue 17): checked in the environment of the real engine process, where a value inherited
from the app's own environment must not override the choice of the built-in sounds."""

from __future__ import annotations

from pathlib import Path

import pytest

from nemodesk.client.local_engine import SOUNDFONT_ENV, LocalEngine
from nemodesk.engine.music import soundfont

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc"),
    pytest.mark.timeout(90),
]
ENV = {"NEMODESK_WORKERS": "1"}


def process_env(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


def started_env(data_dir: Path, chosen: Path | None) -> dict[str, str]:
    engine = LocalEngine(data_dir, env=ENV, soundfont=chosen)
    with engine:
        assert engine.owned and engine.pid is not None
        return process_env(engine.pid)


def test_the_client_names_the_variable_the_engine_reads() -> None:
    assert SOUNDFONT_ENV == soundfont.SOUNDFONT_ENV == "NEMODESK_SOUNDFONT"


def test_a_chosen_soundfont_reaches_the_engine(tmp_path: Path, monkeypatch) -> None:
    own = tmp_path / "My Piano.sf2"
    own.write_bytes(b"RIFF\0\0\0\0sfbk")
    monkeypatch.setenv(SOUNDFONT_ENV, str(tmp_path / "inherited.sf2"))
    env = started_env(tmp_path / "data", own)
    assert env[SOUNDFONT_ENV] == str(own)
    assert env["NEMODESK_WORKERS"] == "1"  # the other extras still arrive


def test_the_built_in_sounds_start_the_engine_without_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(SOUNDFONT_ENV, str(tmp_path / "inherited.sf2"))
    env = started_env(tmp_path / "data", None)
    assert SOUNDFONT_ENV not in env
    assert env["NEMODESK_WORKERS"] == "1"


def test_the_launch_env_without_a_process(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(SOUNDFONT_ENV, raising=False)
    assert SOUNDFONT_ENV not in LocalEngine(tmp_path).launch_env()
    assert SOUNDFONT_ENV not in LocalEngine(tmp_path, soundfont="").launch_env()
    chosen = LocalEngine(tmp_path, soundfont=tmp_path / "a.sf3").launch_env()
    assert chosen[SOUNDFONT_ENV] == str(tmp_path / "a.sf3")
