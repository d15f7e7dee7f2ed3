"""One NemoDesk per user: a second launch (a double-clicked clip, "Open with NemoDesk") hands
its files to the running window and quits, instead of starting a second engine and window.

The first instance listens on a local socket (a named pipe on Windows) whose name is derived
from the user, so two users on one machine each get their own app. A crash can leave the
socket file behind; a server that refuses connections is treated as dead and replaced.

Wire format, one line each way: ``{"files": [absolute paths]}`` then ``ok``.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import time
from typing import Final

from PySide6.QtCore import QByteArray, QCoreApplication, QEventLoop, QObject, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_TIMEOUT_MS: Final = 500
ACK_TIMEOUT_MS: Final = 3000
MAX_MESSAGE_BYTES: Final = 1 << 20
ACK: Final = b"ok\n"


def default_server_name() -> str:
    """``nemodesk-<hash>``: per user, and free of characters a pipe name cannot hold."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = ""
    uid = str(os.getuid()) if hasattr(os, "getuid") else ""
    digest = hashlib.sha256(f"{user}:{uid}".encode()).hexdigest()[:16]
    return f"nemodesk-{digest}"


class SingleInstance(QObject):
    """``try_primary`` once at start-up: the primary then emits ``filesReceived`` (non-empty
    lists only) and ``activated`` (every time) when a later launch calls ``send_to_primary``."""

    filesReceived = Signal(list)
    activated = Signal()

    def __init__(self, server_name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server_name = server_name or default_server_name()
        self._server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, bytearray] = {}

    @property
    def is_primary(self) -> bool:
        return self._server is not None and self._server.isListening()

    def _someone_listening(self) -> bool:
        probe = QLocalSocket()
        probe.connectToServer(self.server_name)
        alive = probe.waitForConnected(CONNECT_TIMEOUT_MS)
        if alive:
            probe.disconnectFromServer()
        return alive

    def try_primary(self) -> bool:
        """True when this process now owns the name (it listens); False when another
        instance answers on it."""
        if self.is_primary:
            return True
        if self._someone_listening():
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.server_name):
            if server.serverError() != QLocalSocket.LocalSocketError.AddressInUseError:
                server.deleteLater()
                return False
            # Another launch may have started listening since we probed: ask once more
            # before deciding the name is a stale leftover of a crashed instance.
            if self._someone_listening():
                server.deleteLater()
                return False
            QLocalServer.removeServer(self.server_name)
            if not server.listen(self.server_name):
                server.deleteLater()
                return False
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def close(self) -> None:
        """Stop listening (and remove the socket file) so the next launch becomes primary."""
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None
        for sock in list(self._buffers):
            sock.abort()
        self._buffers.clear()

    # -- primary side -----------------------------------------------------------------------

    def _accept(self) -> None:
        assert self._server is not None
        while (sock := self._server.nextPendingConnection()) is not None:
            self._buffers[sock] = bytearray()
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(lambda s=sock: self._drop(s))
            if sock.bytesAvailable():
                self._read(sock)

    def _drop(self, sock: QLocalSocket) -> None:
        self._buffers.pop(sock, None)
        sock.deleteLater()

    def _read(self, sock: QLocalSocket) -> None:
        buffer = self._buffers.get(sock)
        if buffer is None:
            return
        buffer += bytes(sock.readAll().data())
        if len(buffer) > MAX_MESSAGE_BYTES:
            sock.abort()
            return
        if b"\n" not in buffer:
            return
        line = bytes(buffer.split(b"\n", 1)[0])
        self._buffers.pop(sock, None)
        files = _parse(line)
        if files is None:
            sock.abort()
            return
        sock.write(QByteArray(ACK))
        sock.flush()
        sock.disconnectFromServer()
        if files:
            self.filesReceived.emit(files)
        self.activated.emit()

    # -- secondary side ---------------------------------------------------------------------

    def send_to_primary(self, paths: list[str], timeout_ms: int = ACK_TIMEOUT_MS) -> bool:
        """Hand ``paths`` (made absolute: the primary has another working folder) to the
        running instance; True once it acknowledged them."""
        message = json.dumps({"files": [os.path.abspath(p) for p in paths]}).encode() + b"\n"
        sock = QLocalSocket()
        sock.connectToServer(self.server_name)
        if not sock.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        sock.write(QByteArray(message))
        sock.flush()
        if QCoreApplication.instance() is None:
            reply = self._await_ack_blocking(sock, timeout_ms)
        else:
            reply = self._await_ack_in_loop(sock, timeout_ms)
        sock.abort()
        return bytes(reply).startswith(ACK)

    @staticmethod
    def _await_ack_blocking(sock: QLocalSocket, timeout_ms: int) -> bytearray:
        """Before a QApplication exists (a launch that only forwards its files and quits)."""
        reply = bytearray()
        deadline = time.monotonic() + timeout_ms / 1000
        while b"\n" not in reply and (left := deadline - time.monotonic()) > 0:
            if not sock.waitForReadyRead(max(1, int(left * 1000))):
                break
            reply += bytes(sock.readAll().data())
        return reply

    @staticmethod
    def _await_ack_in_loop(sock: QLocalSocket, timeout_ms: int) -> bytearray:
        """An event loop, not waitForReadyRead: when the primary lives in this very thread
        (tests, or a launch inside the app), it must get to run to answer."""
        reply = bytearray()
        loop = QEventLoop()

        def on_ready() -> None:
            reply.extend(bytes(sock.readAll().data()))
            if b"\n" in reply:
                loop.quit()

        sock.readyRead.connect(on_ready)
        sock.disconnected.connect(loop.quit)
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        timer.start(timeout_ms)
        if sock.bytesAvailable():
            on_ready()
        if b"\n" not in reply:
            loop.exec()
        timer.stop()
        sock.readyRead.disconnect(on_ready)
        if sock.bytesAvailable():
            reply += bytes(sock.readAll().data())
        return reply


def _parse(line: bytes) -> list[str] | None:
    """The file list of a message, or None when it is not one of ours."""
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return files
