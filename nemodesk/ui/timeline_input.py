"""How the timeline answers the mouse and keyboard, kept apart from what it shows.

Click a segment to select it; click the ruler (and drag to scrub) or an empty spot to seek;
Ctrl+wheel zooms around the pointer, the wheel and Shift+wheel scroll; Left/Right move the
playhead (Shift: finer), Home/End jump, +/- zoom, 0 fits; hovering a segment shows its summary.
Right-click a cut marker to turn its accent off or on, move it to the playhead, or make the
accents harder or softer (hitEditRequested; the app asks the backend for a new take).
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, SignalInstance
from PySide6.QtGui import QContextMenuEvent, QHelpEvent, QKeyEvent, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QMenu, QToolTip

from nemodesk.core.draft import Draft

WHEEL_ZOOM_PER_NOTCH = 1.25
KEY_STEP_MS = 1_000
FINE_KEY_STEP_MS = 100


class TimelineSurface(Protocol):
    """What the handlers use of ``ui.timeline.TimelineView`` (the widget this is mixed into),
    typed by shape so that this module, which the timeline imports, does not import it."""

    seekRequested: SignalInstance
    hitEditRequested: SignalInstance
    _scrubbing: bool

    def width(self) -> int: ...
    def update(self) -> None: ...
    def tr(self, text: str) -> str: ...
    def draft(self) -> Draft: ...
    def duration_ms(self) -> float: ...
    def playhead(self) -> int: ...
    def set_playhead(self, ms: float, follow: bool = False) -> None: ...
    def seek_to(self, ms: float) -> None: ...
    def ms_at(self, x: float) -> float: ...
    def content_left(self) -> int: ...
    def ruler_rect(self) -> QRect: ...
    def px_per_s(self) -> float: ...
    def set_zoom(self, px_per_s: float, anchor_x: float | None = None) -> None: ...
    def zoom_in(self) -> None: ...
    def zoom_out(self) -> None: ...
    def fit(self) -> None: ...
    def scroll_px(self) -> int: ...
    def set_scroll_px(self, value: int) -> None: ...
    def cut_near(self, x: float, tolerance_px: float = 6.0) -> float | None: ...
    def hit_on_cut(self, cut_ms: float, tolerance_ms: float = 120.0) -> bool: ...
    def cut_menu(self, cut_ms: float) -> QMenu: ...
    def tooltip_at(self, pos: QPoint) -> str: ...
    def _lanes_bottom(self) -> int: ...
    def _hit(self, pos: QPoint) -> tuple[int, int] | None: ...
    def _select(self, hit: tuple[int, int] | None) -> None: ...


class TimelineInput:
    """Mixed into TimelineView (before QWidget), using only its public API plus ``_hit``
    and ``_select``."""

    _scrubbing = False

    def seek_to(self: TimelineSurface, ms: float) -> None:
        """Move the playhead as the user asked and tell the player (seekRequested)."""
        ms = round(min(max(0.0, ms), self.duration_ms()))
        self.set_playhead(ms, follow=True)
        self.seekRequested.emit(ms)

    def mousePressEvent(self: TimelineSurface, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        pos = event.position().toPoint()
        if pos.x() < self.content_left() or pos.y() >= self._lanes_bottom():
            return
        if self.ruler_rect().contains(pos):
            self._scrubbing = True
            self.seek_to(self.ms_at(pos.x()))
            return
        hit = self._hit(pos)
        self._select(hit)
        if hit is None:
            self.seek_to(self.ms_at(pos.x()))

    def mouseMoveEvent(self: TimelineSurface, event: QMouseEvent) -> None:
        if self._scrubbing:
            self.seek_to(self.ms_at(event.position().x()))

    def mouseReleaseEvent(self: TimelineSurface, event: QMouseEvent) -> None:
        self._scrubbing = False

    def cut_menu(self: TimelineSurface, cut_ms: float) -> QMenu:
        """The menu for one cut's accent (built apart from showing it, so tests can use it)."""
        menu = QMenu(self)
        cut_s = cut_ms / 1000
        if self.hit_on_cut(cut_ms):
            off = menu.addAction(self.tr("No accent on this cut"))
            off.triggered.connect(lambda: self.hitEditRequested.emit("off", cut_s, 0.0))
            to = self.playhead()
            if abs(to - cut_ms) >= 50:
                move = menu.addAction(
                    self.tr("Move this accent to the playhead ({0})").format(_clock(to))
                )
                move.triggered.connect(lambda: self.hitEditRequested.emit("move", cut_s, to / 1000))
        else:
            on = menu.addAction(self.tr("Accent this cut again"))
            on.triggered.connect(lambda: self.hitEditRequested.emit("on", cut_s, 0.0))
        menu.addSeparator()
        harder = menu.addAction(self.tr("Hit harder on the cuts"))
        harder.triggered.connect(lambda: self.hitEditRequested.emit("boost", cut_s, 6.0))
        softer = menu.addAction(self.tr("Softer accents"))
        softer.triggered.connect(lambda: self.hitEditRequested.emit("boost", cut_s, -6.0))
        return menu

    def contextMenuEvent(self: TimelineSurface, event: QContextMenuEvent) -> None:
        cut = self.cut_near(event.pos().x()) if self.draft().first(1) is not None else None
        if cut is None or event.pos().y() >= self._lanes_bottom():
            event.ignore()
            return
        self.cut_menu(cut).exec(event.globalPos())

    def wheelEvent(self: TimelineSurface, event: QWheelEvent) -> None:
        angle, pixels = event.angleDelta(), event.pixelDelta()
        event.accept()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            notches = (angle.y() or angle.x()) / 120
            if notches:
                zoom = self.px_per_s() * WHEEL_ZOOM_PER_NOTCH**notches
                self.set_zoom(zoom, event.position().x())
            return
        # Lanes fit the height, so every wheel direction scrolls time.
        if not pixels.isNull():
            delta = pixels.x() or pixels.y()
        else:
            page = self.width() - self.content_left()
            delta = round((angle.x() or angle.y()) / 120 * max(40, page / 8))
        self.set_scroll_px(self.scroll_px() - delta)

    def keyPressEvent(self: TimelineSurface, event: QKeyEvent) -> None:
        key = event.key()
        fine = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        step = FINE_KEY_STEP_MS if fine else KEY_STEP_MS
        if key == Qt.Key.Key_Left:
            self.seek_to(self.playhead() - step)
        elif key == Qt.Key.Key_Right:
            self.seek_to(self.playhead() + step)
        elif key == Qt.Key.Key_Home:
            self.seek_to(0)
        elif key == Qt.Key.Key_End:
            self.seek_to(self.duration_ms())
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_out()
        elif key == Qt.Key.Key_0:
            self.fit()
        else:
            event.ignore()

    def event(self: TimelineSurface, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        if event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self.update()
        return super().event(event)  # type: ignore[misc]


def _clock(ms: float) -> str:
    s = ms / 1000
    return f"{int(s // 60)}:{s % 60:04.1f}"
