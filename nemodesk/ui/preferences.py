"""The user's preferences, in one INI file that is safe to read, copy or attach to a bug report.

Typed properties with defaults, so a missing or hand-edited value never crashes the app: a
value that does not fit falls back to its default. Secrets belong in the OS keyring
(``client/tokens.py``), never here, so every write passes a guard that refuses anything that
looks like a token.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QByteArray, QObject, QSettings, QStandardPaths, QUrl, Signal

from nemodesk.client import DEFAULT_API_URL
from nemodesk.ui.redact import TOKEN_RE

ORGANIZATION: Final = "NemoDesk"
APPLICATION: Final = "NemoDesk"

BACKENDS: Final = ("local", "cloud")
LANGUAGES: Final = ("system", "en", "zh_CN")
LOUDNESS_MIN_LUFS: Final = -23.0
LOUDNESS_MAX_LUFS: Final = -9.0
DEFAULT_LOUDNESS_LUFS: Final = -14.0
PROMPT_KEYS: Final = (
    "duration",
    "mood",
    "genre",
    "tempo",
    "instruments",
    "arc",
    "loop",
    "variations",
)
# The settings the dialog edits; ``Preferences.snapshot`` returns exactly these.
EDITABLE_KEYS: Final = (
    "backend",
    "api_url",
    "language",
    "output_folder",
    "loudness_lufs",
    "soundfont",
)
SOUNDFONT_SUFFIXES: Final = (".sf2", ".sf3")

_SECRET_KEY_RE: Final = re.compile(r"token|secret|password|bearer", re.IGNORECASE)


class SecretRefused(ValueError):
    """Raised instead of writing something that looks like a credential to the INI file."""


def looks_secret(key: str, value: object) -> bool:
    """Whether ``key`` names a credential or ``value`` (as text) contains a token."""
    if _SECRET_KEY_RE.search(key):
        return True
    if isinstance(value, bytes | bytearray | QByteArray):
        return False  # window geometry: opaque binary, never a token
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return bool(TOKEN_RE.search(text))


def default_output_folder() -> Path:
    music = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MusicLocation)
    return Path(music) if music else Path.home()


def videos_folder() -> Path:
    """The user's Videos folder (XDG / Windows / macOS), else the home folder."""
    movies = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MoviesLocation)
    return Path(movies) if movies and Path(movies).is_dir() else Path.home()


def open_settings() -> QSettings:
    """The app's own settings file (per user, INI everywhere, also on Windows and macOS)."""
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


class Preferences(QObject):
    """Typed access to the settings; ``changed(key)`` fires after a value really changed."""

    changed = Signal(str)

    def __init__(self, settings: QSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings if settings is not None else open_settings()

    @property
    def file_path(self) -> Path:
        return Path(self._settings.fileName())

    def sync(self) -> None:
        self._settings.sync()

    # -- storage ----------------------------------------------------------------------------

    def _read(self, key: str) -> Any:
        return self._settings.value(key)

    def _write(self, key: str, value: Any, unchanged: bool = False) -> None:
        """Store ``value`` unless it is secret-looking, or already stored (``unchanged``, as
        judged by the typed getter: the file gives back strings for numbers)."""
        if looks_secret(key, value):
            # The message names the key only: the value may be the secret itself.
            raise SecretRefused(f"refusing to store a credential-like value under {key!r}")
        if unchanged and self._settings.contains(key):
            return
        self._settings.setValue(key, value)
        self.changed.emit(key)

    # -- backend ----------------------------------------------------------------------------

    @property
    def backend(self) -> str:
        value = self._read("backend")
        return value if value in BACKENDS else "local"

    @backend.setter
    def backend(self, value: str) -> None:
        if value not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, not {value!r}")
        self._write("backend", value, value == self.backend)

    @property
    def api_url(self) -> str:
        value = self._read("api_url")
        return value if isinstance(value, str) and is_http_url(value) else DEFAULT_API_URL

    @api_url.setter
    def api_url(self, value: str) -> None:
        value = value.strip().rstrip("/")
        if not is_http_url(value):
            raise ValueError("the API address must be an http:// or https:// URL")
        self._write("api_url", value, value == self.api_url)

    # -- language and files -----------------------------------------------------------------

    @property
    def language(self) -> str:
        value = self._read("language")
        return value if value in LANGUAGES else "system"

    @language.setter
    def language(self, value: str) -> None:
        if value not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {value!r}")
        self._write("language", value, value == self.language)

    @property
    def output_folder(self) -> Path:
        value = self._read("output_folder")
        return Path(value) if isinstance(value, str) and value else default_output_folder()

    @output_folder.setter
    def output_folder(self, value: str | Path) -> None:
        if not str(value).strip():
            raise ValueError("the output folder must not be empty")
        path = Path(str(value).strip()).expanduser()
        self._write("output_folder", str(path), path == self.output_folder)

    @property
    def loudness_lufs(self) -> float:
        try:
            value = float(self._read("loudness_lufs"))
        except (TypeError, ValueError):
            return DEFAULT_LOUDNESS_LUFS
        return value if LOUDNESS_MIN_LUFS <= value <= LOUDNESS_MAX_LUFS else DEFAULT_LOUDNESS_LUFS

    @loudness_lufs.setter
    def loudness_lufs(self, value: float) -> None:
        value = float(value)
        if not LOUDNESS_MIN_LUFS <= value <= LOUDNESS_MAX_LUFS:
            raise ValueError(f"loudness must be {LOUDNESS_MIN_LUFS}..{LOUDNESS_MAX_LUFS} LUFS")
        self._write("loudness_lufs", value, value == self.loudness_lufs)

    @property
    def soundfont(self) -> str:
        """The user's own SoundFont (.sf2/.sf3) the local engine plays, or "" for the
        built-in sounds (also when the stored value is not such a file name)."""
        value = self._read("sounds/soundfont")
        if isinstance(value, str) and Path(value).suffix.lower() in SOUNDFONT_SUFFIXES:
            return value
        return ""

    @soundfont.setter
    def soundfont(self, value: str | Path) -> None:
        text = str(value).strip()
        if text and Path(text).suffix.lower() not in SOUNDFONT_SUFFIXES:
            raise ValueError("a SoundFont file name ends in .sf2 or .sf3")
        text = str(Path(text).expanduser()) if text else ""
        self._write("sounds/soundfont", text, text == self.soundfont)

    @property
    def last_open_folder(self) -> Path | None:
        """The folder the user last opened or dropped a clip from (None when never)."""
        value = self._read("files/last_open_folder")
        return Path(value) if isinstance(value, str) and value else None

    @last_open_folder.setter
    def last_open_folder(self, value: str | Path) -> None:
        path = Path(str(value)).expanduser()
        self._write("files/last_open_folder", str(path), path == self.last_open_folder)

    def open_folder(self) -> Path:
        """Where the file dialog starts: the last folder a clip came from while it exists,
        else the Videos folder — never the working directory."""
        last = self.last_open_folder
        return last if last is not None and last.is_dir() else videos_folder()

    # -- one-time notices -------------------------------------------------------------------

    @property
    def keyring_notice_shown(self) -> bool:
        """Whether the "no system keyring" notice was shown once already."""
        return str(self._read("notices/keyring") or "").lower() in ("true", "1")

    @keyring_notice_shown.setter
    def keyring_notice_shown(self, value: bool) -> None:
        self._write("notices/keyring", bool(value), bool(value) == self.keyring_notice_shown)

    # -- window -----------------------------------------------------------------------------

    def _bytes(self, key: str) -> bytes:
        value = self._read(key)
        return bytes(value.data()) if isinstance(value, QByteArray) else bytes(value or b"")

    @property
    def window_geometry(self) -> bytes:
        return self._bytes("window/geometry")

    @window_geometry.setter
    def window_geometry(self, value: bytes | QByteArray) -> None:
        data = bytes(value.data()) if isinstance(value, QByteArray) else bytes(value)
        self._write("window/geometry", QByteArray(data), data == self.window_geometry)

    @property
    def window_state(self) -> bytes:
        return self._bytes("window/state")

    @window_state.setter
    def window_state(self, value: bytes | QByteArray) -> None:
        data = bytes(value.data()) if isinstance(value, QByteArray) else bytes(value)
        self._write("window/state", QByteArray(data), data == self.window_state)

    # -- the prompt panel -------------------------------------------------------------------

    @property
    def prompt_choices(self) -> dict[str, Any]:
        """The prompt panel's last choices (only the known keys; unreadable JSON gives {})."""
        raw = self._read("prompt/choices")
        try:
            data = json.loads(raw) if isinstance(raw, str) else {}
        except ValueError:
            return {}
        return {k: data[k] for k in PROMPT_KEYS if k in data} if isinstance(data, dict) else {}

    @prompt_choices.setter
    def prompt_choices(self, value: dict[str, Any]) -> None:
        kept = {k: value[k] for k in PROMPT_KEYS if k in value}
        text = json.dumps(kept, ensure_ascii=False, sort_keys=True)
        self._write("prompt/choices", text, kept == self.prompt_choices)

    # -- the dialog's view ------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The values the settings dialog edits, keyed as in ``EDITABLE_KEYS``."""
        return {
            "backend": self.backend,
            "api_url": self.api_url,
            "language": self.language,
            "output_folder": str(self.output_folder),
            "loudness_lufs": self.loudness_lufs,
            "soundfont": self.soundfont,
        }


def is_soundfont(path: str | Path) -> bool:
    """A readable file that starts like a SoundFont: ``RIFF``, a size, ``sfbk`` (.sf2 and
    .sf3 alike; the engine still falls back to its built-in sounds if it cannot load it)."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError:
        return False
    return len(head) == 12 and head[:4] == b"RIFF" and head[8:12] == b"sfbk"


def is_http_url(text: str) -> bool:
    """An absolute http(s) address with a host, e.g. ``https://api.example.com``."""
    url = QUrl(text.strip(), QUrl.ParsingMode.StrictMode)
    return url.isValid() and url.scheme() in ("http", "https") and bool(url.host())
