"""GUI tests run offscreen with real widgets (pytest-qt); nothing touches the user's keyring
or settings."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
# QSettings (and the client id file) go to a throwaway folder, not the developer's own.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="nemodesk-ui-config-")
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="nemodesk-ui-cache-")


import pytest


@pytest.fixture(autouse=True)
def _empty_clipboard(request):
    """A QMimeData left on the clipboard crashes Qt at interpreter exit: clear it after each
    test that had a QApplication."""
    yield
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is not None:
        QGuiApplication.clipboard().clear()
