"""The export view: the options it asks for, the two progress phases it shows, and the
finished file it hands over (to drag, or to show in its folder)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QGuiApplication

from nemodesk.client.models import Progress, RenderStatus
from nemodesk.ui import theme
from nemodesk.ui.export_view import ExportView
from nemodesk.ui.humanize import download_text, format_rate, format_size, format_time_left


@pytest.fixture
def opened() -> list[QUrl]:
    return []


@pytest.fixture
def view(qtbot, tmp_path: Path, opened: list[QUrl]) -> ExportView:
    v = ExportView(open_url=opened.append, pick_folder=lambda _parent, _start: "")
    qtbot.addWidget(v)
    v.set_output_folder(tmp_path)
    v.set_has_video(True)
    v.resize(420, 480)
    v.show()
    return v


def one_second_old(total: int | None, done: int) -> Progress:
    """A download that has been running for one second, so its rate is ``done`` per second."""
    return Progress(total=total, done=done, started=time.monotonic() - 1.0)


def test_sizes_rates_and_time_left_read_naturally() -> None:
    assert format_size(512) == "512 B"
    assert format_size(3_100_000) == "3.1 MB"
    assert format_size(12_400_000) == "12.4 MB"
    assert format_size(2_500_000_000) == "2.5 GB"
    assert format_size(45_600) == "45.6 KB"
    assert format_rate(5_200_000) == "5.2 MB/s"
    assert format_time_left(2.2) == "2 s left"
    assert format_time_left(65) == "1 min 5 s left"
    assert format_time_left(7_380) == "2 h 3 min left"


def test_download_text_leaves_out_what_is_unknown() -> None:
    p = one_second_old(12_400_000, 3_100_000)
    assert download_text(p) == "3.1 MB of 12.4 MB · 3.1 MB/s · 3 s left"
    assert download_text(one_second_old(None, 3_100_000)) == "3.1 MB · 3.1 MB/s"
    assert download_text(Progress(total=None, done=0)) == "0 B"


@pytest.mark.parametrize("fmt", ["mp4", "wav", "mp3", "m4a"])
def test_export_asks_with_the_chosen_options(qtbot, view: ExportView, tmp_path, fmt) -> None:
    view.format_buttons[fmt].click()
    view.quality.setCurrentIndex(1)
    with qtbot.waitSignal(view.exportRequested, timeout=1000) as asked:
        view.export_button.click()
    assert asked.args == [
        {
            "format": fmt,
            "quality": "medium",
            "stems": False,
            "midi": False,
            "folder": str(tmp_path),
        }
    ]


def test_stems_and_midi_only_on_the_local_engine(qtbot, view: ExportView) -> None:
    assert not view.stems.isEnabled() and not view.midi.isEnabled()
    assert "local engine" in view.stems.toolTip()
    view.set_local_extras(True)
    assert view.stems.isEnabled() and view.stems.toolTip() == ""
    view.stems.setChecked(True)
    view.midi.setChecked(True)
    view.quality.setCurrentIndex(2)
    with qtbot.waitSignal(view.exportRequested, timeout=1000) as asked:
        view.trigger_export()
    options = asked.args[0]
    assert (options["stems"], options["midi"], options["quality"]) == (True, True, "low")


def test_mp4_needs_a_video(view: ExportView) -> None:
    view.set_has_video(False)
    mp4 = view.format_buttons["mp4"]
    assert not mp4.isEnabled()
    assert "video" in mp4.toolTip()
    assert view.selected_format() == "wav"
    view.set_has_video(True)
    assert mp4.isEnabled() and mp4.toolTip() == ""


def test_change_folder_uses_the_picker(qtbot, tmp_path: Path) -> None:
    chosen = tmp_path / "renders"
    v = ExportView(pick_folder=lambda _parent, _start: str(chosen))
    qtbot.addWidget(v)
    v.change_folder.click()
    assert v.output_folder() == chosen
    assert v.folder_label.toolTip() == str(chosen)
    with qtbot.waitSignal(v.exportRequested, timeout=1000) as asked:
        v.trigger_export()
    assert asked.args[0]["folder"] == str(chosen)


def test_render_then_download_progress(view: ExportView) -> None:
    view.trigger_export()
    view.set_render_progress(RenderStatus("processing", 42.0, None, ""))
    assert view.status.text() == "Rendering… 42%"
    assert (view.bar.minimum(), view.bar.maximum(), view.bar.value()) == (0, 100, 42)

    view.set_download_progress(one_second_old(12_400_000, 3_100_000))
    assert view.status.text() == "Downloading…"
    assert view.detail.text() == "3.1 MB of 12.4 MB · 3.1 MB/s · 3 s left"
    assert view.bar.maximum() == 1000 and view.bar.value() == 250

    view.set_download_progress(one_second_old(None, 3_100_000))
    assert (view.bar.minimum(), view.bar.maximum()) == (0, 0)  # busy: size unknown


def test_render_progress_starts_the_running_state_by_itself(view: ExportView) -> None:
    """An export asked for in the conversation reports here without Export being pressed."""
    view.set_render_progress(RenderStatus("pending", 0.0, None, ""))
    assert view.is_running() and view.cancel_button.isEnabled()
    assert not view.export_button.isEnabled()
    assert view.status.text() == "Waiting for the renderer…"


def test_cancel_only_while_running(qtbot, view: ExportView) -> None:
    assert not view.cancel_button.isEnabled()
    view.trigger_export()
    assert view.cancel_button.isEnabled() and not view.export_button.isEnabled()
    assert not view.format_buttons["wav"].isEnabled()  # options hold still while running
    with qtbot.waitSignal(view.cancelRequested, timeout=1000):
        view.cancel_button.click()
    assert view.status.text() == "Cancelling…"
    view.set_cancelled()
    assert not view.cancel_button.isEnabled() and view.export_button.isEnabled()
    assert view.status.text() == "Export cancelled."


def test_a_second_export_waits_for_the_first(qtbot, view: ExportView) -> None:
    asked: list[dict] = []
    view.exportRequested.connect(asked.append)
    view.trigger_export()
    view.trigger_export()
    assert len(asked) == 1


def test_finished_file_can_be_dragged_and_shown(view: ExportView, tmp_path, opened) -> None:
    path = tmp_path / "beach-with-music.mp4"
    path.write_bytes(b"\0")
    view.trigger_export()
    view.set_finished(path)

    assert not view.cancel_button.isEnabled() and view.export_button.isEnabled()
    assert "beach-with-music.mp4" in view.status.text()
    assert view.chip.isVisible() and view.chip.name.text() == "beach-with-music.mp4"
    mime = view.chip.mime_data()
    assert [u.toLocalFile() for u in mime.urls()] == [str(path)]
    assert mime.hasUrls()

    view.show_folder.click()
    assert opened == [QUrl.fromLocalFile(str(tmp_path))]


def test_chip_copies_the_file_with_ctrl_c(qtbot, view: ExportView, tmp_path) -> None:
    path = tmp_path / "song.wav"
    view.set_finished(path)
    view.chip.setFocus()
    qtbot.keyClick(view.chip, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    copied = QGuiApplication.clipboard().mimeData()
    assert [u.toLocalFile() for u in copied.urls()] == [str(path)]


def test_failure_shows_the_message_in_red_and_allows_a_retry(view: ExportView) -> None:
    view.trigger_export()
    view.set_failed("Not enough credits to export.")
    assert view.status.text() == "Not enough credits to export."
    assert view.export_button.isEnabled() and not view.cancel_button.isEnabled()
    assert not view.bar.isVisible() and not view.chip.isVisible()

    image = view.status.grab().toImage()
    danger = QColor(theme.colors().danger)
    inked = [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).red() - image.pixelColor(x, y).green() > 60
    ]
    assert len(inked) > 20  # the message is drawn in the danger colour, not the text colour
    darkest = min(inked, key=lambda c: c.lightness())
    assert abs(darkest.red() - danger.red()) < 30 and abs(darkest.green() - danger.green()) < 30


def test_failed_render_status_counts_as_failure(view: ExportView) -> None:
    view.trigger_export()
    view.set_render_progress(RenderStatus("failed", 10.0, None, "Renderer crashed"))
    assert view.status.text() == "Renderer crashed"
    assert view.export_button.isEnabled()


def test_reset_hides_the_progress(view: ExportView, tmp_path: Path) -> None:
    view.trigger_export()
    view.set_finished(tmp_path / "x.wav")
    view.reset()
    assert not view.progress_area.isVisible() and view.result_path() is None
