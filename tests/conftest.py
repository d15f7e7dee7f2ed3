"""Shared test fixtures. The repository root goes on sys.path so tests can import the
generators in tests/fixtures whether pytest is run as a script or as `python -m pytest`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for generated media, shared by the whole run (clips are costly to make)."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def _hang_watch():
    from tests.hang_watch import HangWatch

    return HangWatch()


@pytest.fixture(autouse=True)
def _c_level_watchdog(request, _hang_watch):
    """pytest-timeout's thread needs the GIL, so a deadlock inside Qt that holds it would hang
    the run for good. Two watchdogs that need no GIL: gdb photographs the native stacks at
    480 s (tests/hang_watch.py), then faulthandler's C thread dumps the Python stacks and
    exits at 570 s."""
    import faulthandler

    _hang_watch.arm(480, request.node.nodeid)
    faulthandler.dump_traceback_later(570, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()
    _hang_watch.disarm()
