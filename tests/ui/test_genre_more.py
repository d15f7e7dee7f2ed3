"""Nineteen genres in the prompt panel: the most-used as chips, the rest under "More…" (a
checkable menu; the genre picked there shows as a chip in the row), so the panel still shows
every row without scrolling at 1280×720 and fits the window's minimum width, in English and
Chinese; mouse and keyboard reach every genre, Generate sends it, and the panel shows any of
them when it follows a track (``show_track``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QApplication

from nemodesk.core import presets
from nemodesk.engine.brief import GENRES as ENGINE_GENRES
from nemodesk.ui.i18n import Translator
from nemodesk.ui.preset_labels import genre_labels
from nemodesk.ui.prompt_panel import PromptPanel
from nemodesk.ui.theme import apply_theme
from tests.ui.test_icons_theme import themed  # noqa: F401  (restores the app's style after)
from tests.ui.test_layout_fits import problems, prompt_scroll
from tests.ui.test_layout_fits import settle as settle_layout
from tests.ui.test_main_window import desktop  # noqa: F401  (the real app and engine)

LONGEST = "epic"  # "Epic orchestral": the widest chip the row may have to show


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def visible_choice(panel: PromptPanel) -> list[str]:
    """The words of the checked genre chips the user sees."""
    row = panel.genres
    chips = [*row.buttons.values(), row.extra]
    return [b.text() for b in chips if b.isVisibleTo(panel) and b.isChecked()]


def with_menu(panel: PromptPanel) -> QPixmap:
    """The panel with its open "More…" menu painted where it pops up (a popup is a window
    of its own: ``grab`` of the panel leaves it out)."""
    menu = panel.genres.menu
    shot = panel.grab()
    at = panel.mapFromGlobal(menu.pos())
    out = QPixmap(
        max(shot.width(), at.x() + menu.width()), max(shot.height(), at.y() + menu.height())
    )
    out.fill(Qt.GlobalColor.white)
    painter = QPainter(out)
    painter.drawPixmap(0, 0, shot)
    painter.drawPixmap(at, menu.grab())
    painter.end()
    return out


def save(pixmap: QPixmap, tmp_path: Path, name: str) -> None:
    pixmap.save(str(tmp_path / name))
    if folder := os.environ.get("NEMODESK_SHOTS"):  # to look at them after the run
        pixmap.save(str(Path(folder) / name))


def test_the_app_offers_every_genre_the_engine_knows():
    assert presets.GENRES == ENGINE_GENRES
    assert set(presets.MAIN_GENRES) < set(presets.GENRES)
    assert set(genre_labels()) == set(presets.GENRES)


def test_a_genre_from_more_is_sent_shown_and_cleared(qtbot):
    panel = PromptPanel()
    qtbot.addWidget(panel)
    panel.resize(372, 700)
    panel.show()
    qtbot.waitExposed(panel)
    row = panel.genres
    assert not row.extra.isVisible() and row.more.text() == "More…"
    assert list(row.buttons) == list(presets.MAIN_GENRES)
    assert [a.data() for a in row.menu.actions()] == list(row.rest)

    # the keyboard: Tab to "More…", Space opens the menu, arrows and Enter pick
    row.more.setFocus()
    qtbot.keyClick(row.more, Qt.Key.Key_Space)
    qtbot.waitUntil(row.menu.isVisible)
    assert row.menu.activeAction() is row.menu.actions()[0]
    for _ in range(row.rest.index("guofeng")):
        qtbot.keyClick(row.menu, Qt.Key.Key_Down)
    assert row.menu.activeAction().data() == "guofeng"
    qtbot.keyClick(row.menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not row.menu.isVisible())
    assert row.selected() == ["guofeng"]
    assert row.extra.isVisible() and visible_choice(panel) == ["Guofeng"]
    assert row.actions_by_key["guofeng"].isChecked()

    sent: list[tuple[str, dict]] = []
    panel.generateRequested.connect(lambda text, params: sent.append((text, params)))
    panel.prompt.setPlainText("tea house in the rain")
    panel.generate_button.click()
    assert sent == [("tea house in the rain", {"genre": "guofeng"})]

    # a chip in the row replaces it; the picked genre keeps its chip, unchecked
    qtbot.mouseClick(row.buttons["hiphop"], Qt.MouseButton.LeftButton)
    assert row.selected() == ["hiphop"] and not row.extra.isChecked()
    assert row.extra.isVisible() and not row.actions_by_key["guofeng"].isChecked()
    qtbot.mouseClick(row.extra, Qt.MouseButton.LeftButton)  # …a click brings it back
    assert row.selected() == ["guofeng"] and not row.buttons["hiphop"].isChecked()
    assert panel.parameters()["genre"] == "guofeng"
    qtbot.mouseClick(row.extra, Qt.MouseButton.LeftButton)  # clicked again: no genre
    assert row.selected() == [] and "genre" not in panel.parameters()

    # the menu's checked genre picked again clears it, as a chip clicked again does
    row.select(["reggae"])
    assert row.extra.text() == "Reggae" and row.actions_by_key["reggae"].isChecked()
    row.actions_by_key["reggae"].trigger()
    assert row.selected() == [] and not row.extra.isChecked()

    # what was chosen is remembered and restored (QSettings), from the menu too
    row.select(["kids"])
    kept = panel.choices()
    panel.genres.select([])
    panel.restore(kept)
    assert row.selected() == ["kids"] and visible_choice(panel) == ["Kids"]


@pytest.mark.parametrize("genre", presets.GENRES)
def test_the_panel_shows_any_genre_a_track_has(qtbot, genre):
    panel = PromptPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.genres.select(["jazz"])  # another from the menu before: replaced
    panel.show_track({"genre": genre, "chosen": []})
    assert panel.genres.selected() == [genre]
    assert visible_choice(panel) == [genre_labels()[genre]]
    assert panel.parameters()["genre"] == genre
    panel.show_track({"genre": genre, "chosen": ["genre"]})  # the engine chose: Auto
    assert panel.genres.selected() == [] and visible_choice(panel) == []


def test_hiphop_from_a_track_is_shown_in_chinese_too(qtbot, qapp):
    translator = Translator()
    try:
        assert translator.apply("zh_CN") == "zh_CN"
        panel = PromptPanel()
        qtbot.addWidget(panel)
        panel.show()
        panel.show_track({"genre": "hiphop"})
        assert visible_choice(panel) == ["嘻哈"]
        panel.show_track({"genre": "guofeng"})
        assert visible_choice(panel) == ["国风"] and panel.genres.more.text() == "更多…"
        assert panel.genres.menu.actions()[-1].text() == "国风"
    finally:
        translator.apply("en")


def test_the_row_fits_at_1280x720_and_the_minimum_width(themed, desktop, tmp_path):  # noqa: F811
    """With the widest chip from the menu in the row, English and Chinese: no row scrolled
    out of view at 1280×720, no words cut at either size; the open menu is screenshot."""
    apply_theme(themed, "light")
    w = desktop.window
    row = w.prompt.genres
    report: dict[str, list[str]] = {}
    try:
        for lang in ("en", "zh_CN"):
            desktop.preview_language(lang)
            row.select([LONGEST])
            settle_layout(w)
            least = w.minimumSize()
            assert least.width() <= 1200 and least.height() <= 640, least
            for width, height in [(least.width(), least.height()), (1280, 720)]:
                w.resize(width, height)
                settle_layout(w)
                name = f"{lang}-{w.width()}x{w.height()}"
                print(f"{name}: genre row {row.width()}×{row.height()} px, panel "
                      f"{w.prompt.height()} px in a {prompt_scroll(w).viewport().height()} px "
                      f"view")  # fmt: skip
                if found := problems(w, roomy=width >= 1280):
                    report[name] = found
                assert row.extra.isVisibleTo(w) and row.more.isVisibleTo(w)
                if width >= 1280:
                    assert not prompt_scroll(w).verticalScrollBar().isVisible(), name
                    row.more.setFocus()
                    row.more.click()
                    settle()
                    assert row.menu.isVisible()
                    save(with_menu(w.prompt), tmp_path, f"genre-more-{lang}.png")
                    row.menu.close()
                    settle()
    finally:
        desktop.preview_language("en")
    assert not report, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in report.items())
