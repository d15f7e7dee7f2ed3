"""Variation cards say how each take differs and show its waveform: three takes from the
real app and engine get three different lines and a drawn waveform each; the words follow
the language; a backend without the engine's fields still gets a sensible line."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage

from nemodesk.ui.i18n import Translator
from nemodesk.ui.variations import VariationsView, character
from tests.ui.test_main_window import desktop, run, until  # noqa: F401  (the real app and engine)


def _drawn_fraction(image: QImage, background: QColor) -> float:
    """Share of pixels that differ clearly from ``background``."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    w, h = image.width(), image.height()
    data = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(h, image.bytesPerLine())
    px = data[:, : w * 4].reshape(h, w, 4)[..., :3].astype(int)  # B, G, R
    bg = np.array([background.blue(), background.green(), background.red()])
    return float(np.mean(np.abs(px - bg).sum(axis=2) > 40))


def test_three_cards_differ_and_show_their_waveform(desktop):  # noqa: F811
    w = desktop.window
    w.prompt.prompt.setPlainText("upbeat acoustic travel vlog, warm")
    w.prompt.duration_mode.setCurrentIndex(w.prompt.DURATION_CUSTOM)
    w.prompt.duration.setTime(w.prompt.duration.time().fromString("00:06", "mm:ss"))
    w.prompt.request(3)
    view = w.variations
    run(
        desktop,
        until(
            lambda: (
                len(view.cards) == 3
                and not desktop.service.busy("chat")
                and all(len(c.waveform.peaks) for c in view.cards)
            )
        ),
    )
    texts = [c.how.text() for c in view.cards]
    print(texts)
    assert len(set(texts)) == 3 and all(texts), texts
    assert texts[0].startswith("The brief's take · ")
    for card in view.cards[1:]:
        assert " · " in card.how.text()  # at least two things changed
    for card in view.cards:
        peaks = card.waveform.peaks
        assert 0.05 < float(peaks.max()) <= 1.0 and float(np.std(peaks)) > 0.01
        card.waveform.resize(180, 30)
        background = card.waveform.palette().color(card.waveform.backgroundRole())
        drawn = _drawn_fraction(card.waveform.grab().toImage(), background)
        assert drawn > 0.1, drawn
    # different takes, different shapes
    a, b = (np.asarray(c.waveform.peaks) for c in view.cards[:2])
    assert not np.allclose(a, b)


ENTRY = {
    "media_id": "m2",
    "kind": "mix",
    "variation": 2,
    "bpm": 118.4,
    "key": "E",
    "mode": "major",
    "changes": ["lead", "tempo", "progression", "groove"],
    "lead_instrument": "piano",
    "groove_name": "push",
    "chords": "vi–IV–I–V",
}


def test_the_line_follows_the_language(qapp) -> None:
    assert character(ENTRY) == "piano lead · 118 BPM · new chords vi–IV–I–V · push groove"
    first = {**ENTRY, "variation": 1, "changes": [], "lead_instrument": "guitar"}
    assert character(first) == "The brief's take · acoustic guitar lead · 118 BPM · E major"
    translator = Translator()
    try:
        assert translator.apply("zh_CN") == "zh_CN"
        assert character(ENTRY) == "钢琴主奏 · 118 BPM · 新和弦 vi–IV–I–V · 切分律动"
        assert character(first).startswith("按描述的版本 · 木吉他主奏")
    finally:
        translator.apply("en")


def test_cards_degrade_without_the_engines_fields(qapp) -> None:
    plain = {"media_id": "c1", "kind": "mix", "variation": 1, "bpm": 96, "key": "A"}
    plain |= {"mode": "minor"}
    said = {**plain, "media_id": "c2", "variation": 2, "description": "brighter, with bells"}
    bare = {"media_id": "c3", "kind": "mix", "variation": 3}
    view = VariationsView()
    view.set_media([plain, said, bare], "c1")
    assert [c.how.text() for c in view.cards] == ["96 BPM · A minor", "brighter, with bells", ""]
    view.set_peaks("c2", [])  # nothing to draw is no error
    assert len(view.cards[1].waveform.peaks) == 0
    view.cards[1].waveform.grab()
