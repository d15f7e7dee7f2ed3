"""The app's look: Fusion, a light and a dark palette, and one style sheet filled from them.

The scheme follows the OS (``QStyleHints.colorScheme``, falling back to the lightness of the
platform palette when Qt cannot tell) and is re-applied live when the OS switches. Widgets get
``QEvent.PaletteChange``/``StyleChange`` then; custom-painted widgets should read colours from
their palette or from :func:`colors` at paint time, never cache them.

Object-name hooks for the other widgets (``widget.setObjectName(...)``):

- ``QPushButton#primary`` — the one main action, filled with the accent colour.
- ``QFrame#card`` — a raised card (variation candidates); property ``selected=true`` outlines
  it in the accent colour; ``QPushButton#cardPlay`` — its icon-only play button, narrow.
- ``QLabel#muted`` — secondary text; ``QLabel#heading`` — a section title;
  ``QLabel#error`` — an inline error message.
- ``QFrame#dropArea`` — dashed drop target; property ``dragActive=true`` highlights it.
- ``QPushButton#chip`` (checkable) / ``QLabel#chip`` — rounded preset chips; accent when
  checked (for a label: property ``checked=true``).

Dynamic properties only restyle after a re-polish, so change them with
:func:`set_style_property`.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from string import Template
from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from nemodesk.ui.icons import svg_source

Scheme = Literal["system", "light", "dark"]

ACCENT = "#6C5CE7"
_CHOICE_PROPERTY = "nemodeskThemeChoice"
_CONNECTED_PROPERTY = "nemodeskThemeConnected"
_PLATFORM_DARK_PROPERTY = "nemodeskPlatformDark"
_arrow_dir: Path | None = None


@dataclass(frozen=True)
class ThemeColors:
    """Named colours of one scheme, for the style sheet and for custom painting."""

    dark: bool
    window: str
    surface: str  # inputs, lists (QPalette.Base)
    surface_alt: str  # alternate rows, grooves, disabled fields
    raised: str  # cards, menus
    text: str
    muted: str  # secondary text; still ≥ 4.5:1 on window
    disabled_text: str
    border: str
    border_strong: str
    button: str
    button_hover: str
    button_pressed: str
    accent: str
    accent_hover: str
    accent_pressed: str
    accent_soft: str  # tinted background: drop target active, selected card
    accent_disabled: str
    on_accent: str
    on_accent_disabled: str
    tooltip_bg: str
    tooltip_text: str
    link: str
    success: str
    warning: str
    danger: str


LIGHT = ThemeColors(
    dark=False,
    window="#F4F5F9",
    surface="#FFFFFF",
    surface_alt="#EEEFF4",
    raised="#FFFFFF",
    text="#1D1E24",
    muted="#5D6170",
    disabled_text="#A3A6B1",
    border="#D9DBE3",
    border_strong="#B4B8C5",
    button="#FFFFFF",
    button_hover="#F0F1F6",
    button_pressed="#E3E5ED",
    accent=ACCENT,
    accent_hover="#7B6CF0",
    accent_pressed="#5A4AD4",
    accent_soft="#ECEAFD",
    accent_disabled="#C9C3F6",
    on_accent="#FFFFFF",
    on_accent_disabled="#FFFFFF",
    tooltip_bg="#2B2C33",
    tooltip_text="#F4F5F9",
    link="#5443D6",
    success="#1B8A55",
    warning="#A86F00",
    danger="#C92F3F",
)

DARK = ThemeColors(
    dark=True,
    window="#1B1C21",
    surface="#23242B",
    surface_alt="#2A2B33",
    raised="#26272F",
    text="#E9EAEE",
    muted="#A2A5B3",
    disabled_text="#686B78",
    border="#363843",
    border_strong="#4D505E",
    button="#2C2D36",
    button_hover="#353744",
    button_pressed="#3F4150",
    accent=ACCENT,
    accent_hover="#7B6CF0",
    accent_pressed="#5A4AD4",
    accent_soft="#2E2A52",
    accent_disabled="#3B376A",
    on_accent="#FFFFFF",
    on_accent_disabled="#8F8ABA",
    tooltip_bg="#E9EAEE",
    tooltip_text="#1B1C21",
    link="#A99FFF",
    success="#3CCB7F",
    warning="#F0B429",
    danger="#F06272",
)

_STYLE_SHEET = Template("""
QToolTip { background: $tooltip_bg; color: $tooltip_text; border: none; padding: 4px 8px; }

QPushButton {
    background: $button; color: $text; border: 1px solid $border; border-radius: 8px;
    padding: 6px 14px;
}
QPushButton:hover { background: $button_hover; border-color: $border_strong; }
QPushButton:pressed, QPushButton:checked { background: $button_pressed; }
QPushButton:focus { border-color: $accent; }
QPushButton:disabled { background: $surface_alt; color: $disabled_text; border-color: $border; }

QPushButton#primary {
    background: $accent; color: $on_accent; border: 1px solid $accent; font-weight: 600;
}
QPushButton#primary:hover { background: $accent_hover; border-color: $accent_hover; }
QPushButton#primary:pressed { background: $accent_pressed; border-color: $accent_pressed; }
QPushButton#primary:focus { border-color: $text; }
QPushButton#primary:disabled {
    background: $accent_disabled; color: $on_accent_disabled; border-color: $accent_disabled;
}

QPushButton#chip, QLabel#chip {
    background: $surface; color: $text; border: 1px solid $border; border-radius: 12px;
    padding: 4px 12px;
}
QPushButton#chip:hover { border-color: $accent; }
QPushButton#chip:focus { border-color: $accent; }
QPushButton#chip:checked, QLabel#chip[checked="true"] {
    background: $accent; color: $on_accent; border-color: $accent;
}
QPushButton#chip:checked:hover { background: $accent_hover; border-color: $accent_hover; }

QToolButton {
    background: transparent; color: $text; border: 1px solid transparent; border-radius: 8px;
    padding: 4px;
}
QToolButton:hover { background: $button_hover; }
QToolButton:pressed { background: $button_pressed; }
QToolButton:checked { background: $accent_soft; border-color: $accent; }
QToolButton:focus { border-color: $accent; }

QLineEdit, QPlainTextEdit, QTextEdit, QAbstractSpinBox, QComboBox {
    background: $surface; color: $text; border: 1px solid $border; border-radius: 8px;
    padding: 5px 8px; selection-background-color: $accent; selection-color: $on_accent;
}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QAbstractSpinBox:focus,
QComboBox:focus { border-color: $accent; }
QLineEdit:disabled, QPlainTextEdit:disabled, QTextEdit:disabled, QAbstractSpinBox:disabled,
QComboBox:disabled { background: $surface_alt; color: $disabled_text; }
QComboBox::drop-down {
    subcontrol-origin: padding; subcontrol-position: center right; width: 20px; border: none;
}
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {
    subcontrol-origin: border; width: 18px; border: none; background: transparent;
}
QAbstractSpinBox::up-button { subcontrol-position: top right; margin: 3px 3px 0 0; }
QAbstractSpinBox::down-button { subcontrol-position: bottom right; margin: 0 3px 3px 0; }
QComboBox::down-arrow { image: url("$chevron_down"); width: 14px; height: 14px; }
QComboBox::down-arrow:disabled { image: url("$chevron_down_disabled"); }
QAbstractSpinBox::up-arrow { image: url("$chevron_up"); width: 12px; height: 12px; }
QAbstractSpinBox::down-arrow { image: url("$chevron_down"); width: 12px; height: 12px; }
QAbstractSpinBox::up-arrow:disabled, QAbstractSpinBox::up-arrow:off {
    image: url("$chevron_up_disabled");
}
QAbstractSpinBox::down-arrow:disabled, QAbstractSpinBox::down-arrow:off {
    image: url("$chevron_down_disabled");
}
QAbstractSpinBox::up-button:hover, QAbstractSpinBox::down-button:hover {
    background: $button_hover; border-radius: 4px;
}
QComboBox QAbstractItemView {
    background: $raised; color: $text; border: 1px solid $border; outline: none;
    selection-background-color: $accent; selection-color: $on_accent;
}

QListView, QTreeView, QTableView {
    background: $surface; color: $text; border: 1px solid $border; border-radius: 8px;
    alternate-background-color: $surface_alt; outline: none;
    selection-background-color: $accent; selection-color: $on_accent;
}

QProgressBar {
    background: $surface_alt; color: $text; border: 1px solid $border; border-radius: 8px;
    text-align: center; min-height: 16px;
}
QProgressBar[textVisible="false"] { border: none; border-radius: 4px; min-height: 8px;
    max-height: 8px; }
QProgressBar::chunk { background: $accent; border-radius: 7px; }
QProgressBar[textVisible="false"]::chunk { border-radius: 4px; }

QSlider::groove:horizontal { height: 4px; background: $border; border-radius: 2px; }
QSlider::sub-page:horizontal { background: $accent; border-radius: 2px; }
QSlider::handle:horizontal {
    background: $accent; border: 2px solid $surface; width: 12px; height: 12px;
    margin: -6px 0; border-radius: 8px;
}
QSlider::handle:horizontal:hover { background: $accent_hover; }

QScrollBar:vertical { background: transparent; width: 10px; margin: 0; }
QScrollBar:horizontal { background: transparent; height: 10px; margin: 0; }
QScrollBar::handle { background: $border_strong; border-radius: 3px; margin: 2px; }
QScrollBar::handle:vertical { min-height: 24px; }
QScrollBar::handle:horizontal { min-width: 24px; }
QScrollBar::handle:hover { background: $muted; }
QScrollBar::add-line, QScrollBar::sub-line { width: 0; height: 0; }
QScrollBar::add-page, QScrollBar::sub-page { background: none; }

QMenu { background: $raised; color: $text; border: 1px solid $border; padding: 4px; }
QMenu::item { padding: 6px 18px; border-radius: 6px; }
QMenu::item:selected { background: $accent; color: $on_accent; }
QMenu::separator { height: 1px; background: $border; margin: 4px 8px; }

QGroupBox {
    border: 1px solid $border; border-radius: 8px; margin-top: 16px; padding: 8px;
}
QGroupBox::title {
    subcontrol-origin: margin; subcontrol-position: top left; left: 10px; padding: 0 4px;
    color: $muted;
}

QStatusBar { background: $window; color: $muted; border-top: 1px solid $border; }
QStatusBar::item { border: none; }
QStatusBar QLabel { color: $muted; }

QFrame#card { background: $raised; border: 1px solid $border; border-radius: 12px; }
QFrame#card[selected="true"] { background: $accent_soft; border-color: $accent; }
QPushButton#cardPlay { padding: 6px 8px; }

QFrame#dropArea {
    background: $surface_alt; border: 2px dashed $border_strong; border-radius: 12px;
}
QFrame#dropArea[dragActive="true"] { background: $accent_soft; border-color: $accent; }

QLabel#muted { color: $muted; }
QLabel#heading { font-size: 15px; font-weight: 600; }
QLabel#error { color: $danger; }
QLabel#warning { color: $warning; }
QLabel#sectionLabel { font-weight: 600; }
QLabel#bubble-user { background: $accent_soft; border-radius: 10px; }
QLabel#bubble-assistant { background: $raised; border: 1px solid $border; border-radius: 10px; }
QLabel#bubble-notice { color: $muted; font-style: italic; }
QLabel#bubble-error { color: $danger; border: 1px solid $danger; border-radius: 10px; }
""")


def build_palette(c: ThemeColors) -> QPalette:
    """The QPalette of a scheme, so Fusion's own drawing matches the style sheet."""
    pal = QPalette()
    role = QPalette.ColorRole
    shades = (
        ("#FFFFFF", "#EEF0F5", "#C5C8D3", "#9A9DAA", "#6B6E7A")
        if not c.dark
        else ("#3A3C48", "#30323C", "#25262E", "#15161A", "#0B0B0E")
    )
    for r, value in (
        (role.Window, c.window),
        (role.WindowText, c.text),
        (role.Base, c.surface),
        (role.AlternateBase, c.surface_alt),
        (role.ToolTipBase, c.tooltip_bg),
        (role.ToolTipText, c.tooltip_text),
        (role.PlaceholderText, c.muted),
        (role.Text, c.text),
        (role.Button, c.button),
        (role.ButtonText, c.text),
        (role.BrightText, c.danger),
        (role.Light, shades[0]),
        (role.Midlight, shades[1]),
        (role.Mid, shades[2]),
        (role.Dark, shades[3]),
        (role.Shadow, shades[4]),
        (role.Highlight, c.accent),
        (role.HighlightedText, c.on_accent),
        (role.Link, c.link),
        (role.LinkVisited, c.link),
        (role.Accent, c.accent),
    ):
        pal.setColor(r, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text, role.ButtonText, role.PlaceholderText):
        pal.setColor(disabled, r, QColor(c.disabled_text))
    pal.setColor(disabled, role.Base, QColor(c.surface_alt))
    pal.setColor(disabled, role.Highlight, QColor(c.accent_disabled))
    pal.setColor(disabled, role.HighlightedText, QColor(c.on_accent_disabled))
    return pal


def _arrow_images(c: ThemeColors) -> dict[str, str]:
    """Chevron files in the scheme's colours: a style sheet can only show images by path."""
    global _arrow_dir
    if _arrow_dir is None:
        _arrow_dir = Path(tempfile.mkdtemp(prefix="nemodesk-theme-"))
        atexit.register(shutil.rmtree, _arrow_dir, True)
    images = {}
    for name in ("chevron-down", "chevron-up"):
        for suffix, shade in (("", c.text), ("_disabled", c.disabled_text)):
            path = _arrow_dir / f"{name}-{shade.lstrip('#').lower()}.svg"
            if not path.exists():
                path.write_text(svg_source(name, QColor(shade)), encoding="utf-8")
            images[name.replace("-", "_") + suffix] = path.as_posix()
    return images


def style_sheet(c: ThemeColors) -> str:
    return _STYLE_SHEET.substitute(asdict(c) | _arrow_images(c))


def system_is_dark(app: QApplication) -> bool:
    """Whether the OS asks for dark: the Qt ≥ 6.5 colour scheme, else the platform palette."""
    scheme = app.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    remembered = app.property(_PLATFORM_DARK_PROPERTY)
    if remembered is not None:
        return bool(remembered)
    return app.palette().color(QPalette.ColorRole.Window).lightnessF() < 0.5


def apply_theme(app: QApplication, scheme: Scheme = "system") -> ThemeColors:
    """Style ``app``; with "system" it follows the OS scheme, also when that changes later."""
    if app.property(_PLATFORM_DARK_PROPERTY) is None:
        # Remember the platform palette before replacing it: it is the fallback signal.
        dark_platform = app.palette().color(QPalette.ColorRole.Window).lightnessF() < 0.5
        app.setProperty(_PLATFORM_DARK_PROPERTY, dark_platform)
    app.setStyle("Fusion")  # once a style sheet is set, style() no longer says which it wraps
    app.setProperty(_CHOICE_PROPERTY, scheme)
    dark = system_is_dark(app) if scheme == "system" else scheme == "dark"
    chosen = DARK if dark else LIGHT
    app.setPalette(build_palette(chosen))
    app.setStyleSheet(style_sheet(chosen))
    if not app.property(_CONNECTED_PROPERTY):
        app.styleHints().colorSchemeChanged.connect(_on_color_scheme_changed)
        app.setProperty(_CONNECTED_PROPERTY, True)
    return chosen


def _on_color_scheme_changed(_scheme: Qt.ColorScheme) -> None:
    app = QApplication.instance()
    if isinstance(app, QApplication) and app.property(_CHOICE_PROPERTY) == "system":
        apply_theme(app, "system")


def colors() -> ThemeColors:
    """The colours of the scheme in use, for widgets that paint themselves."""
    app = QApplication.instance()
    window = QApplication.palette().color(QPalette.ColorRole.Window) if app else None
    return DARK if window is not None and window.lightnessF() < 0.5 else LIGHT


def set_style_property(widget: QWidget, name: str, value: object) -> None:
    """Set a dynamic property the style sheet selects on, and re-polish so it shows."""
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def relative_luminance(color: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio (1 … 21); 4.5 is the minimum for body text."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
