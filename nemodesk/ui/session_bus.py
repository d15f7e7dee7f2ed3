"""No D-Bus daemon left behind: on a Linux desktop without a session bus (a bare X server,
Xvfb, an SSH session, a window manager started without ``dbus-launch``), Qt's first D-Bus
call makes libdbus *autolaunch* one — ``dbus-launch --autolaunch`` and a ``dbus-daemon`` —
which lives on after the app quits. Before Qt starts, the app points
``DBUS_SESSION_BUS_ADDRESS`` at the bus that exists (the systemd user bus in
``$XDG_RUNTIME_DIR/bus``) or, when there is none, at an address that fails at once instead
of autolaunching. Nothing the app needs is lost: with no session bus there is no keyring
and no portal to talk to anyway.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import MutableMapping
from pathlib import Path

NO_BUS = "disabled:"  # not a transport libdbus or jeepney knows: connecting fails, fast


def avoid_autolaunch(environ: MutableMapping[str, str] | None = None) -> str | None:
    """Set the session bus address when it is unset (Linux and BSDs); returns what it is
    now, or None where D-Bus autolaunch does not exist (Windows, macOS)."""
    env = os.environ if environ is None else environ
    if sys.platform in ("win32", "darwin"):
        return None
    address = env.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = env.get("XDG_RUNTIME_DIR")
    bus = Path(runtime) / "bus" if runtime else None
    try:
        user_bus = bus is not None and stat.S_ISSOCK(bus.stat().st_mode)
    except OSError:
        user_bus = False
    env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={bus}" if user_bus else NO_BUS
    return env["DBUS_SESSION_BUS_ADDRESS"]
