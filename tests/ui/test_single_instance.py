"""One instance per user: the second launch hands its files to the first, and a crashed
instance's leftover socket does not lock the user out."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QDir
from PySide6.QtNetwork import QLocalSocket

from nemodesk.ui.single_instance import SingleInstance, default_server_name


@pytest.fixture
def name() -> str:
    return f"nemodesk-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def instances(qtbot):
    made: list[SingleInstance] = []

    def make(server_name: str) -> SingleInstance:
        instance = SingleInstance(server_name)
        made.append(instance)
        return instance

    yield make
    for instance in made:
        instance.close()


def test_second_instance_hands_its_files_to_the_first(qtbot, instances, name, tmp_path) -> None:
    first, second = instances(name), instances(name)
    assert first.try_primary() is True
    assert first.is_primary
    assert second.try_primary() is False
    assert not second.is_primary

    relative = "clip one.mp4"
    absolute = str(tmp_path / "视频.mov")
    with (
        qtbot.waitSignal(first.filesReceived, timeout=3000) as files,
        qtbot.waitSignal(first.activated, timeout=3000),
    ):
        assert second.send_to_primary([relative, absolute]) is True
    # Relative paths are resolved by the sender: the primary has another working folder.
    assert files.args == [[os.path.abspath(relative), absolute]]


def test_a_second_process_without_an_app_delivers(qtbot, instances, name) -> None:
    """The real case: a new launch, before it has made its QApplication, forwards and quits."""
    primary = instances(name)
    assert primary.try_primary()
    script = (
        "import sys\n"
        "from nemodesk.ui.single_instance import SingleInstance\n"
        "instance = SingleInstance(sys.argv[1])\n"
        "if instance.try_primary():\n"
        "    sys.exit(3)\n"
        "sys.exit(0 if instance.send_to_primary(sys.argv[2:]) else 4)\n"
    )
    cwd = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    with qtbot.waitSignal(primary.filesReceived, timeout=15000) as files:
        proc = subprocess.Popen(
            [sys.executable, "-c", script, name, "/m/one.mp4", "/m/two.png"], cwd=cwd, env=env
        )
    assert proc.wait(timeout=15) == 0
    assert files.args == [["/m/one.mp4", "/m/two.png"]]


def test_plain_second_launch_only_activates(qtbot, instances, name) -> None:
    first, second = instances(name), instances(name)
    assert first.try_primary()
    with (
        qtbot.waitSignal(first.activated, timeout=3000),
        qtbot.assertNotEmitted(first.filesReceived),
    ):
        assert second.send_to_primary([]) is True


def test_after_the_primary_closes_a_new_one_takes_over(qtbot, instances, name) -> None:
    first = instances(name)
    assert first.try_primary()
    first.close()
    assert not first.is_primary

    third, fourth = instances(name), instances(name)
    assert third.try_primary() is True
    with qtbot.waitSignal(third.filesReceived, timeout=3000) as files:
        assert fourth.send_to_primary(["/a.wav"]) is True
    assert files.args == [["/a.wav"]]


def test_nobody_listening_means_no_delivery(instances, name) -> None:
    lonely = instances(name)
    started = time.monotonic()
    assert lonely.send_to_primary(["/x.mp4"]) is False
    assert time.monotonic() - started < 2.0


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes leave no file behind")
def test_stale_socket_file_of_a_crashed_instance_is_recovered(qtbot, instances, name) -> None:
    path = Path(QDir.tempPath()) / name
    leftover = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    leftover.bind(str(path))
    leftover.close()  # like a crash: the file stays, nobody listens
    assert path.exists()

    revived, later = instances(name), instances(name)
    assert revived.try_primary() is True
    assert later.try_primary() is False
    with qtbot.waitSignal(revived.filesReceived, timeout=3000) as files:
        assert later.send_to_primary(["/b.mp4"]) is True
    assert files.args == [["/b.mp4"]]


def test_a_foreign_message_is_ignored(qtbot, instances, name) -> None:
    primary = instances(name)
    assert primary.try_primary()
    stranger = QLocalSocket()
    stranger.connectToServer(name)
    assert stranger.waitForConnected(1000)
    with (
        qtbot.assertNotEmitted(primary.filesReceived),
        qtbot.assertNotEmitted(primary.activated),
    ):
        stranger.write(QByteArray(b'{"files": "not a list"}\n'))
        stranger.flush()
        qtbot.wait(200)
    assert bytes(stranger.readAll().data()) == b""
    stranger.abort()


def test_default_name_is_per_user_and_stable() -> None:
    first, second = default_server_name(), default_server_name()
    assert first == second
    assert first.startswith("nemodesk-")
    assert len(first) == len("nemodesk-") + 16
    assert all(ch.isalnum() or ch == "-" for ch in first)
    assert SingleInstance().server_name == first
