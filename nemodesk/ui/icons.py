"""Line icons recoloured to the current palette, sharp on high-DPI screens.

The SVGs in ``resources/icons`` draw with ``currentColor``; :func:`icon` substitutes a real
colour (the palette's WindowText by default) so the same file reads well in light and dark
themes. Pixmaps are pre-rendered at the common toolbar/button sizes for device pixel
ratios 1 and 2 (and the screen's own ratio) because QIcon scales bitmaps blurrily.

Icons take the colour of the palette *at the time they are made*: a widget that shows one
should call :func:`icon` again when it receives ``QEvent.PaletteChange`` (the theme
switched), which is cheap because results are cached per (name, colour, ratios).
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from nemodesk.ui.resources import icon_path

ICON_NAMES: tuple[str, ...] = (
    "play",
    "pause",
    "stop",
    "export",
    "open",
    "folder",
    "settings",
    "copy",
    "cancel",
    "music",
    "video",
    "title",
    "zoom-in",
    "zoom-out",
    "generate",
    "variations",
    "check",
    "warning",
    "error",
    "upload",
    "drag",
    "app",
    "send",
    "trash",
    "info",
    "chevron-down",
    "chevron-up",
    "undo",
    "redo",
)

ICON_SIZES_PX: tuple[int, ...] = (16, 24, 32, 48)
APP_ICON_SIZES_PX: tuple[int, ...] = (16, 24, 32, 48, 64, 128, 256, 512)
DISABLED_OPACITY = 0.38  # Material's disabled-content opacity: visibly inactive, still legible.


@cache
def _svg_source(name: str) -> str:
    path = icon_path(name)
    if not path.is_file():
        raise KeyError(f"no icon named {name!r} (expected {path})")
    return path.read_text(encoding="utf-8")


def svg_source(name: str, color: QColor) -> str:
    """The SVG text of a line icon drawn in ``color``, for places that need a file (QSS)."""
    return _svg_source(name).replace("currentColor", color.name(QColor.NameFormat.HexRgb))


def _device_pixel_ratios() -> tuple[float, ...]:
    ratios = {1.0, 2.0}
    app = QGuiApplication.instance()
    if app is not None:
        ratios.update(screen.devicePixelRatio() for screen in QGuiApplication.screens())
    return tuple(sorted(ratios))


def _render(svg: str, size_px: int, dpr: float, opacity: float = 1.0) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    side = round(size_px * dpr)
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setOpacity(opacity)
    renderer.render(painter, QRectF(0, 0, side, side))
    painter.end()
    pixmap.setDevicePixelRatio(dpr)
    return pixmap


@cache
def _build_icon(name: str, rgb: str, alpha: float, ratios: tuple[float, ...]) -> QIcon:
    svg = _svg_source(name)
    if rgb:
        svg = svg.replace("currentColor", rgb)
    sizes = APP_ICON_SIZES_PX if not rgb else ICON_SIZES_PX
    result = QIcon()
    for dpr in ratios:
        for size in sizes:
            result.addPixmap(_render(svg, size, dpr, alpha), QIcon.Mode.Normal)
            disabled = _render(svg, size, dpr, alpha * DISABLED_OPACITY)
            result.addPixmap(disabled, QIcon.Mode.Disabled)
    return result


def _default_color() -> QColor:
    return QGuiApplication.palette().color(
        QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText
    )


def icon(name: str, color: QColor | None = None) -> QIcon:
    """The named line icon drawn in ``color`` (default: the palette's WindowText).

    Raises KeyError for a name with no SVG, so a typo fails loudly during development.
    """
    if name == "app":
        return app_icon()
    shade = QColor(color) if color is not None else _default_color()
    rgb = shade.name(QColor.NameFormat.HexRgb)
    return _build_icon(name, rgb, round(shade.alphaF(), 3), _device_pixel_ratios())


def app_icon() -> QIcon:
    """The full-colour logo, for window icons and the about box."""
    return _build_icon("app", "", 1.0, _device_pixel_ratios())
