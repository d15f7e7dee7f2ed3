"""Icons recolour to the palette and stay sharp; both themes are legible and the QSS hooks
paint what they promise (checked on grabbed pixels)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPalette
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QPushButton, QVBoxLayout

from nemodesk.ui import theme
from nemodesk.ui.icons import ICON_NAMES, app_icon, icon
from nemodesk.ui.resources import icon_path
from nemodesk.ui.theme import DARK, LIGHT, ThemeColors, apply_theme, contrast_ratio

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    """Lets a test restyle the app, then puts the shared QApplication back as it was."""
    palette, sheet, style = qapp.palette(), qapp.styleSheet(), qapp.style().name()
    yield qapp
    if qapp.property("nemodeskThemeConnected"):
        qapp.styleHints().colorSchemeChanged.disconnect(theme._on_color_scheme_changed)
    for name in ("nemodeskThemeChoice", "nemodeskThemeConnected", "nemodeskPlatformDark"):
        qapp.setProperty(name, None)
    qapp.setStyleSheet(sheet)
    if style:
        qapp.setStyle(style)
    qapp.setPalette(palette)


def opaque_colors(image: QImage, min_alpha: int = 250) -> Counter[str]:
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    found: Counter[str] = Counter()
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if c.alpha() >= min_alpha:
                found[c.name()] += 1
    return found


def close(a: QColor | str, b: QColor | str, tolerance: int = 6) -> bool:
    a, b = QColor(a), QColor(b)
    return all(abs(x - y) <= tolerance for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))


def centre_row_color(widget) -> QColor:
    """The commonest colour along the widget's middle row: its fill, not its text."""
    image = widget.grab().toImage()
    y = image.height() // 2
    row = Counter(image.pixelColor(x, y).name() for x in range(3, image.width() - 3))
    return QColor(row.most_common(1)[0][0])


# --- icons ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ICON_NAMES)
def test_every_icon_is_a_24px_recolourable_line_icon(name: str) -> None:
    root = ET.parse(icon_path(name)).getroot()
    assert root.tag == f"{SVG}svg"
    if name == "app":
        assert len(root.findall(f".//{SVG}linearGradient")) >= 1  # the colourful logo
        return
    assert root.get("viewBox") == "0 0 24 24"
    assert root.get("stroke") == "currentColor"
    assert root.get("stroke-width") == "2"
    assert root.get("stroke-linecap") == "round"
    assert root.get("fill") == "none"
    assert "#" not in icon_path(name).read_text(encoding="utf-8")  # no baked-in colours


def test_unknown_icon_name_fails_loudly() -> None:
    with pytest.raises(KeyError, match="no-such-icon"):
        icon("no-such-icon")


def test_icon_is_drawn_in_the_requested_colour(qapp: QApplication) -> None:
    image = icon("stop", QColor("#E0115F")).pixmap(QSize(48, 48)).toImage()
    colors = opaque_colors(image)
    assert sum(colors.values()) > 150  # a 2 px outline of a 28 px square at 2x
    assert all(close(c, "#E0115F") for c in colors)


@pytest.mark.parametrize("colors", [LIGHT, DARK], ids=["light", "dark"])
def test_icon_default_colour_follows_the_theme(themed: QApplication, colors) -> None:
    apply_theme(themed, "dark" if colors.dark else "light")
    drawn = opaque_colors(icon("pause").pixmap(QSize(32, 32)).toImage())
    assert drawn, "nothing drawn"
    assert all(close(c, colors.text) for c in drawn)
    window = QColor(colors.window)
    assert contrast_ratio(QColor(drawn.most_common(1)[0][0]), window) >= 4.5


def test_disabled_icon_is_faded(qapp: QApplication) -> None:
    ico = icon("stop", QColor("#000000"))
    normal = ico.pixmap(QSize(32, 32), QIcon.Mode.Normal).toImage()
    disabled = ico.pixmap(QSize(32, 32), QIcon.Mode.Disabled).toImage()
    max_alpha = lambda img: max(  # noqa: E731
        img.pixelColor(x, y).alpha() for y in range(img.height()) for x in range(img.width())
    )
    assert max_alpha(normal) == 255
    assert 80 <= max_alpha(disabled) <= 110  # ~38 % opacity


def test_high_dpi_pixmaps_are_rendered_not_upscaled(qapp: QApplication) -> None:
    pixmap = icon("stop", QColor("#000000")).pixmap(QSize(24, 24), 2.0)
    assert pixmap.devicePixelRatio() == 2.0
    assert (pixmap.width(), pixmap.height()) == (48, 48)
    image = pixmap.toImage()
    # Rendered at 48 px, the 2 px stroke is 4 device pixels with a fully opaque core; the
    # top edge of the square (y = 5 in icon units) crosses x = 24 at device rows 9..11.
    core = [image.pixelColor(24, y).alpha() for y in range(8, 13)]
    assert core.count(255) >= 2


def test_icons_are_cached_per_colour(qapp: QApplication) -> None:
    red, blue = QColor("red"), QColor("blue")
    assert icon("play", red) is icon("play", QColor("red"))
    assert icon("play", red) is not icon("play", blue)


def test_app_icon_is_colourful_and_has_installer_sizes(qapp: QApplication) -> None:
    ico = app_icon()
    sizes = {s.width() for s in ico.availableSizes()}
    assert {16, 32, 256, 512} <= sizes
    big = ico.pixmap(QSize(256, 256), 1.0).toImage()
    tile = big.pixelColor(30, 128)  # left of the glyph: the gradient tile
    assert tile.alpha() == 255 and tile.hsvSaturationF() > 0.4
    glyph = big.pixelColor(80, 136)  # inside the play triangle
    assert close(glyph, "#FFFFFF", 10)
    small = ico.pixmap(QSize(16, 16), 1.0).toImage()
    assert small.pixelColor(0, 0).alpha() < 60  # rounded corner
    assert small.pixelColor(8, 1).alpha() > 200
    assert small.pixelColor(1, 8).hsvSaturationF() > 0.4


# --- theme ---------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_palettes_are_light_or_dark_and_legible(themed: QApplication, scheme: str) -> None:
    colors = apply_theme(themed, scheme)
    pal = themed.palette()
    role = QPalette.ColorRole
    lightness = pal.color(role.Window).lightnessF()
    assert lightness > 0.7 if scheme == "light" else lightness < 0.3
    assert colors.accent in themed.styleSheet()
    assert contrast_ratio(pal.color(role.Window), pal.color(role.WindowText)) >= 4.5
    assert contrast_ratio(pal.color(role.Base), pal.color(role.Text)) >= 4.5
    assert contrast_ratio(pal.color(role.Highlight), pal.color(role.HighlightedText)) >= 4.5
    assert contrast_ratio(QColor(colors.accent), QColor(colors.on_accent)) >= 4.5
    for background in (colors.window, colors.surface, colors.raised):
        assert contrast_ratio(QColor(background), QColor(colors.muted)) >= 4.5
    assert contrast_ratio(QColor(colors.window), QColor(colors.danger)) >= 4.5


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast_ratio(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert contrast_ratio(QColor("#777777"), QColor("white")) == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_primary_button_is_filled_with_the_accent(themed: QApplication, qtbot, scheme) -> None:
    colors = apply_theme(themed, scheme)
    plain, primary = QPushButton("Export"), QPushButton("Generate")
    primary.setObjectName("primary")
    for button in (plain, primary):
        qtbot.addWidget(button)
        button.resize(160, 36)
        button.show()
    qtbot.waitExposed(primary)
    assert close(centre_row_color(primary), colors.accent, 3)
    assert close(centre_row_color(plain), colors.button, 3)


def test_checked_chip_turns_accent(themed: QApplication, qtbot) -> None:
    colors = apply_theme(themed, "light")
    chip = QPushButton("Cinematic")
    chip.setObjectName("chip")
    chip.setCheckable(True)
    qtbot.addWidget(chip)
    chip.show()
    qtbot.waitExposed(chip)
    assert close(centre_row_color(chip), colors.surface, 3)
    chip.setChecked(True)
    assert close(centre_row_color(chip), colors.accent, 3)
    image = chip.grab().toImage()
    assert image.pixelColor(0, 0) != image.pixelColor(image.width() // 2, 0)  # rounded


def _drop_area(qtbot) -> QFrame:
    area = QFrame()
    area.setObjectName("dropArea")
    QVBoxLayout(area).addWidget(QLabel("Drop a clip"))
    area.resize(240, 120)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    return area


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_drop_area_highlights_while_dragging(themed: QApplication, qtbot, scheme) -> None:
    colors: ThemeColors = apply_theme(themed, scheme)
    area = _drop_area(qtbot)

    def sample() -> tuple[QColor, int]:
        image = area.grab().toImage()
        inside = image.pixelColor(20, 20)
        left_edge = [image.pixelColor(1, y) for y in range(20, 100)]
        return inside, sum(close(c, colors.accent, 20) for c in left_edge)

    inside, accent_dashes = sample()
    assert close(inside, colors.surface_alt, 3)
    assert accent_dashes == 0
    theme.set_style_property(area, "dragActive", True)
    inside, accent_dashes = sample()
    assert close(inside, colors.accent_soft, 3)
    assert 20 <= accent_dashes < 80  # dashed: accent with gaps


def test_selected_card_and_muted_label(themed: QApplication, qtbot) -> None:
    colors = apply_theme(themed, "dark")
    card = QFrame()
    card.setObjectName("card")
    muted = QLabel("0:42 · 96 BPM")
    muted.setObjectName("muted")
    QVBoxLayout(card).addWidget(muted)
    card.resize(200, 100)
    qtbot.addWidget(card)
    card.show()
    qtbot.waitExposed(card)
    assert close(card.grab().toImage().pixelColor(10, 90), colors.raised, 3)
    text = opaque_colors(muted.grab().toImage())
    assert any(close(c, colors.muted, 4) for c in text)
    theme.set_style_property(card, "selected", True)
    image = card.grab().toImage()
    assert close(image.pixelColor(10, 90), colors.accent_soft, 3)
    assert close(image.pixelColor(100, 0), colors.accent, 10)


def test_follows_the_os_scheme_when_it_changes(themed: QApplication, monkeypatch) -> None:
    monkeypatch.setattr(theme, "system_is_dark", lambda app: False)
    apply_theme(themed, "system")
    assert themed.palette().color(QPalette.ColorRole.Window) == QColor(LIGHT.window)

    monkeypatch.setattr(theme, "system_is_dark", lambda app: True)
    themed.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert themed.palette().color(QPalette.ColorRole.Window) == QColor(DARK.window)
    assert DARK.surface in themed.styleSheet()

    apply_theme(themed, "light")  # an explicit choice ignores the OS from then on
    themed.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert themed.palette().color(QPalette.ColorRole.Window) == QColor(LIGHT.window)


def test_combo_arrow_is_drawn_in_the_text_colour(themed: QApplication, qtbot) -> None:
    from PySide6.QtWidgets import QComboBox

    colors = apply_theme(themed, "dark")
    combo = QComboBox()
    combo.addItems(["Orchestral"])
    combo.resize(160, 34)
    qtbot.addWidget(combo)
    combo.show()
    qtbot.waitExposed(combo)
    image = combo.grab().toImage()
    arrow = image.copy(image.width() - 24, 0, 24, image.height())
    assert any(close(c, colors.text, 12) for c in opaque_colors(arrow))
