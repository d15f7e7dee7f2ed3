"""Client tests: a real `nemodesk serve` on loopback, and the cloud stand-in for what only
the cloud does. The developer's own keyring is never touched: the keyring test brings its
own Secret Service under dbus-run-session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.engine.server.conftest import Engine, start_engine, stop_engine

os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Iterator[Engine]:
    e = start_engine(tmp_path_factory.mktemp("engine"))
    yield e
    assert stop_engine(e) == 0
