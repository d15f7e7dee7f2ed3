import pytest


@pytest.fixture(scope="session")
def engine():
    """One warm engine for the whole run, as the server keeps one."""
    from nemodesk.engine.music.generate import MusicEngine

    return MusicEngine()
