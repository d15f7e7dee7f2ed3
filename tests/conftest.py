"""Shared test fixtures. The repository root goes on sys.path so tests can import the
generators in tests/fixtures whether pytest is run as a script or as `python -m pytest`."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Temp files of this run — engine data, caches, settings, ffmpeg and Qt scratch, the
# subprocesses' own — go to one folder that is removed when the run ends; pytest's tmp_path
# stays in the system temp (kept for failed tests only, pyproject's retention policy).
TEMP_BUDGET_MB = 200
SYSTEM_TEMP = Path(tempfile.gettempdir())
os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", str(SYSTEM_TEMP))
RUN_TEMP = Path(tempfile.mkdtemp(prefix="nemodesk-tests-"))
os.environ["TMPDIR"] = str(RUN_TEMP)
tempfile.tempdir = None  # gettempdir() reads TMPDIR again


def disk_mb(path: Path) -> float:
    """What the files under ``path`` take (MB), counting each file once."""
    total, seen = 0, set()
    for folder, _dirs, files in os.walk(path):
        for name in files:
            try:
                st = os.lstat(os.path.join(folder, name))
            except OSError:
                continue
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_blocks * 512
    return total / 1e6


@pytest.hookimpl(trylast=True)  # after pytest removed the passed tests' tmp_path
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """What a run leaves in the temp dir stays under ``TEMP_BUDGET_MB``: this run's folder
    is measured then removed, and what is left of pytest's basetemp is measured."""
    factory = getattr(session.config, "_tmp_path_factory", None)
    base = getattr(factory, "_basetemp", None)
    scratch = disk_mb(RUN_TEMP)
    shutil.rmtree(RUN_TEMP, ignore_errors=True)
    left = disk_mb(base) if base is not None and base.is_dir() else 0.0
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("")  # after the progress dots
        reporter.write_line(
            f"temp: {scratch:.0f} MB of scratch removed, {left:.0f} MB left in {base or '-'}"
        )
    if exitstatus == 0 and left > TEMP_BUDGET_MB:
        if reporter is not None:
            reporter.write_line(f"FAILED: the run left {left:.0f} MB > {TEMP_BUDGET_MB} MB")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
