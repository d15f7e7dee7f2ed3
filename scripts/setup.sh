#!/usr/bin/env bash
# Set up a development machine: Debian packages (when apt-get is there), then .venv with the
# project installed editable and its dev tools. Idempotent: quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  portaudio19-dev                      # pyaudio (pulled by tinysoundfont) builds against it
  libpulse0                            # QtMultimedia on Linux
  fluid-soundfont-gm                   # FluidR3_GM.sf2: the engine's SoundFont (MIT), bundled too
  xvfb xauth imagemagick               # GUI tests and screenshots
  dbus-daemon dbus-x11 gnome-keyring   # the real Secret Service keyring in tests
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libfontconfig1 libdbus-1-3
  libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1  # the Qt xcb platform (Xvfb screenshots)
  fonts-noto-cjk                       # Chinese UI text in screenshots
  desktop-file-utils                   # validates the Linux .desktop entry (tests/packaging)
  gdb                                  # tests/hang_watch.py: a frozen test's native stacks
  icu-devtools                         # icupkg/genccode: the bundle's trimmed Qt ICU data (packaging/linux/slim.py)
  espeak-ng                            # real speech for the voice-over (ducking) tests
)

if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "setup: no apt-get here; install PortAudio and a General MIDI SoundFont yourself (see README)."
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.setup-stamp
want="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  echo "$want" > "$stamp"
fi
