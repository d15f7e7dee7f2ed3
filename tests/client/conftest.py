"""Client tests: a real `nemodesk serve` on loopback, and the cloud stand-in for what only
the cloud does. The developer's own keyring is never touched: the keyring test brings its
own Secret Service under dbus-run-session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.engine.server.conftest import Engine, start_engine, stop_engine

os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Iterator[Engine]:
    e = start_engine(tmp_path_factory.mktemp("engine"))
    yield e
    try:
        assert stop_engine(e) == 0
    finally:  # a module's engine data (GBs of takes) does not wait for the session's end
        shutil.rmtree(e.data_dir, ignore_errors=True)
