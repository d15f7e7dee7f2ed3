"""Clear history (issue 15, item 2): the File menu deletes the session's takes, files and
conversation on the local engine, starts a fresh session and keeps the clip shown."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox

from nemodesk.core.draft import TrackType
from tests.fixtures.media import make_clip
from tests.ui.test_main_window import desktop, run, until  # noqa: F401 (the fixture)


def test_clear_history_deletes_the_sessions_files_and_keeps_the_clip(
    desktop,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    d, w = desktop, desktop.window
    clip = make_clip(tmp_path / "walk.mp4", duration_s=4.0, cuts_s=[2.0])
    w.upload([clip])
    run(d, until(lambda: w.drop.clip is not None and not d.service.busy("upload")))
    d.runs.clear()
    w.generate("calm piano", {"duration_s": 3.0})
    run(d, until(lambda: ("chat", False) in d.runs and not d.service.busy("chat")))
    old = d.service.client.session.session_id
    folder = d.service.engine.data_dir / "files" / old
    assert any(p.is_file() for p in folder.rglob("*"))  # the upload and the take
    assert w.conversation.messages and d.service.draft.first(TrackType.AUDIO)

    asked = []

    def no(*args, **kw):
        asked.append(args)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", no)
    w.clear_action.trigger()
    assert asked and d.service.client.session.session_id == old  # Cancel keeps everything

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    d.runs.clear()
    w.clear_action.trigger()
    # one wait: the clip's upload to the new session starts inside it (stopping the loop
    # between two waits would break that upload, which a running app never does)
    run(
        d,
        until(
            lambda: (
                ("clear", False) in d.runs
                and ("upload", False) in d.runs
                and not d.service.busy("upload")
                and d.service.draft.first(TrackType.VIDEO) is not None
            )
        ),
    )
    QApplication.processEvents()
    new = d.service.client.session.session_id
    assert new != old
    assert not folder.exists(), "the old session's files are gone"
    assert d.service.draft.first(TrackType.AUDIO) is None, "no music in the fresh session"
    assert [r for r, _ in w.conversation.messages] == ["notice"]
    assert w.drop.clip is not None and w.drop.clip["name"] == "walk.mp4"  # the clip stays
    assert any((d.service.engine.data_dir / "files" / new).rglob("*.mp4"))
