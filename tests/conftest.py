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
