"""Preferences: typed values with defaults, a bad file never crashes, and no token ever lands
in the INI file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths

from nemodesk.client.api import DEFAULT_API_URL
from nemodesk.ui.preferences import (
    DEFAULT_LOUDNESS_LUFS,
    Preferences,
    SecretRefused,
    looks_secret,
    open_settings,
)

TOKEN = "nmv_usr_Q2hlY2tUaGlzSXNOb3RBUmVhbFRva2Vu-x_y"


def prefs_at(path: Path) -> Preferences:
    return Preferences(QSettings(str(path), QSettings.Format.IniFormat))


@pytest.fixture
def ini(tmp_path: Path) -> Path:
    return tmp_path / "NemoDesk.ini"


def test_defaults_on_an_empty_file(ini: Path) -> None:
    prefs = prefs_at(ini)
    music = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MusicLocation)
    assert prefs.backend == "local"
    assert prefs.api_url == DEFAULT_API_URL
    assert prefs.language == "system"
    assert prefs.output_folder == (Path(music) if music else Path.home())
    assert prefs.loudness_lufs == DEFAULT_LOUDNESS_LUFS == -14.0
    assert prefs.window_geometry == b""
    assert prefs.window_state == b""
    assert prefs.prompt_choices == {}


def test_values_survive_a_restart(ini: Path, tmp_path: Path) -> None:
    prefs = prefs_at(ini)
    prefs.backend = "cloud"
    prefs.api_url = "http://127.0.0.1:8765/"
    prefs.language = "zh_CN"
    prefs.output_folder = tmp_path / "音乐"
    prefs.loudness_lufs = -16.5
    geometry = bytes(range(256))
    prefs.window_geometry = geometry
    prefs.window_state = b"\x00\xffstate"
    prefs.prompt_choices = {"mood": "紧张", "duration": 90, "loop": True, "instruments": ["piano"]}
    prefs.sync()

    again = prefs_at(ini)
    assert again.backend == "cloud"
    assert again.api_url == "http://127.0.0.1:8765"  # trailing slash dropped
    assert again.language == "zh_CN"
    assert again.output_folder == tmp_path / "音乐"
    assert again.loudness_lufs == -16.5
    assert again.window_geometry == geometry
    assert again.window_state == b"\x00\xffstate"
    assert again.prompt_choices == {
        "mood": "紧张",
        "duration": 90,
        "loop": True,
        "instruments": ["piano"],
    }


def test_prompt_choices_keep_only_known_keys_as_json(ini: Path) -> None:
    prefs = prefs_at(ini)
    prefs.prompt_choices = {"genre": "lofi", "tempo": 80, "arc": "build", "variations": 3, "x": 1}
    prefs.sync()
    assert prefs.prompt_choices == {"genre": "lofi", "tempo": 80, "arc": "build", "variations": 3}
    text = ini.read_text(encoding="utf-8")
    assert '"genre": "lofi"' in text.replace('\\"', '"')
    assert '"x"' not in text.replace('\\"', '"')


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("backend", "remote"),
        ("language", "fr"),
        ("api_url", "ftp://example.com"),
        ("api_url", "not a url"),
        ("loudness_lufs", -30.0),
        ("loudness_lufs", -8.5),
        ("output_folder", "  "),
    ],
)
def test_invalid_values_are_refused(ini: Path, attribute: str, value: object) -> None:
    prefs = prefs_at(ini)
    with pytest.raises(ValueError):
        setattr(prefs, attribute, value)
    prefs.sync()
    assert not ini.exists() or attribute not in ini.read_text()


def test_a_hand_edited_file_falls_back_to_defaults(ini: Path) -> None:
    ini.write_text(
        "[General]\nbackend=mainframe\nlanguage=klingon\napi_url=gopher://x\n"
        "loudness_lufs=loud\nprompt%2Fchoices=not json\n"
        "[prompt]\nchoices={broken\n",
        encoding="utf-8",
    )
    prefs = prefs_at(ini)
    assert prefs.backend == "local"
    assert prefs.language == "system"
    assert prefs.api_url == DEFAULT_API_URL
    assert prefs.loudness_lufs == -14.0
    assert prefs.prompt_choices == {}


def test_loudness_limits_are_inclusive(ini: Path) -> None:
    prefs = prefs_at(ini)
    prefs.loudness_lufs = -23
    assert prefs.loudness_lufs == -23.0
    prefs.loudness_lufs = -9
    assert prefs.loudness_lufs == -9.0


def test_changed_fires_once_per_real_change(ini: Path, qtbot) -> None:
    prefs = prefs_at(ini)
    seen: list[str] = []
    prefs.changed.connect(seen.append)
    prefs.language = "en"
    prefs.language = "en"
    prefs.loudness_lufs = -12.0
    prefs.prompt_choices = {"mood": "calm"}
    prefs.prompt_choices = {"mood": "calm"}
    assert seen == ["language", "loudness_lufs", "prompt/choices"]


def test_no_change_signal_after_a_restart(ini: Path, qtbot) -> None:
    """The file gives numbers and bytes back as text; re-setting them is still no change."""
    first = prefs_at(ini)
    first.loudness_lufs = -12.5
    first.window_geometry = b"\x00\x01geometry"
    first.prompt_choices = {"duration": 90, "loop": False}
    first.output_folder = "~/exports"
    first.sync()
    again = prefs_at(ini)
    seen: list[str] = []
    again.changed.connect(seen.append)
    again.loudness_lufs = -12.5
    again.window_geometry = b"\x00\x01geometry"
    again.prompt_choices = {"loop": False, "duration": 90}
    again.output_folder = "~/exports"
    assert seen == []
    again.loudness_lufs = -13
    assert seen == ["loudness_lufs"]


def test_default_file_is_the_users_nemodesk_ini() -> None:
    settings = open_settings()
    assert settings.format() == QSettings.Format.IniFormat
    path = Path(Preferences(settings).file_path)
    assert path.name == "NemoDesk.ini"
    assert path.parent.name == "NemoDesk"
    assert str(path).startswith(os.environ["XDG_CONFIG_HOME"])


@pytest.mark.parametrize(
    ("key", "value", "secret"),
    [
        ("auth/token", "abc", True),
        ("api_token", "", True),
        ("Password", "x", True),
        ("api_url", f"https://nemovideo.com/?token={TOKEN}", True),
        ("prompt/choices", {"mood": TOKEN}, True),
        ("api_url", "Bearer abc.def", True),
        ("api_url", "https://mega-api-prod.nemovideo.ai", False),
        ("window/geometry", b"nmv_binary", False),
        ("language", "zh_CN", False),
    ],
)
def test_looks_secret(key: str, value: object, secret: bool) -> None:
    assert looks_secret(key, value) is secret


def test_credentials_never_reach_the_file(ini: Path) -> None:
    prefs = prefs_at(ini)
    # Use every setter with ordinary values ...
    prefs.backend = "cloud"
    prefs.api_url = "https://mega-api-prod.nemovideo.ai"
    prefs.language = "en"
    prefs.output_folder = "/srv/exports"  # not tmp_path: its name holds this test's name
    prefs.loudness_lufs = -14.0
    prefs.window_geometry = b"\x01\x02"
    prefs.window_state = b"\x03"
    prefs.prompt_choices = {"mood": "tense", "duration": 60}
    # ... and try to sneak tokens in through each text value.
    attempts = [
        ("api_url", f"https://api.example.com/?t={TOKEN}"),
        ("output_folder", f"/tmp/{TOKEN}"),
        ("prompt_choices", {"mood": f"Bearer {TOKEN}"}),
        ("prompt_choices", {"genre": TOKEN}),
    ]
    for attribute, value in attempts:
        with pytest.raises(SecretRefused) as refused:
            setattr(prefs, attribute, value)
        assert TOKEN not in str(refused.value)  # the error names the key, not the value
    prefs.sync()

    data = ini.read_bytes()
    assert data  # the file was really written
    for needle in (b"nmv_", b"token", b"bearer"):
        assert needle not in data.lower()
    assert prefs.api_url == "https://mega-api-prod.nemovideo.ai"
