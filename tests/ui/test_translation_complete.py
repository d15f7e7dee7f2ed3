"""The shipped Simplified Chinese UI is whole: every string in the code is translated, the
compiled catalogue reaches real widgets, and switching back to English needs no restart."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtWidgets import QPushButton

from nemodesk.ui.conversation import Conversation
from nemodesk.ui.export_view import ExportView
from nemodesk.ui.i18n import Translator
from nemodesk.ui.prompt_panel import PromptPanel

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "translations.py"
TRANSLATIONS = ROOT / "resources" / "translations"
CHINESE = json.loads((TRANSLATIONS / "zh_CN.json").read_text(encoding="utf-8"))
CJK = re.compile(r"[\u4e00-\u9fff]")
# What must survive translation: format fields, plural counts, ellipses, mnemonics.
KEPT = re.compile(r"\{\d+\}|%n|%\d|…|&(?=\w)")


@pytest.fixture
def chinese(qapp) -> Iterator[Translator]:
    """The real catalogue applied; English and the locale are restored afterwards."""
    locale = QLocale()
    translator = Translator()
    assert translator.apply("zh_CN") == "zh_CN"
    yield translator
    translator.apply("en")
    QLocale.setDefault(locale)


def test_every_string_in_the_code_is_translated() -> None:
    """A new tr() string without a Chinese translation fails here (re-extracts the code)."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "check", "--fresh"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, (
        "untranslated UI strings; add them to resources/translations/zh_CN.json, then run "
        "scripts/translations.py update, fill, release:\n" + result.stdout + result.stderr
    )


def test_the_compiled_catalogue_matches_the_json(qapp) -> None:
    """The .ts was filled from zh_CN.json and the .qm released from it (no stale .qm)."""
    qm = QTranslator()
    assert qm.load(str(TRANSLATIONS / "nemodesk_zh_CN.qm"))
    root = ET.parse(TRANSLATIONS / "nemodesk_zh_CN.ts").getroot()
    checked = 0
    for context in root.iter("context"):
        name = context.findtext("name", default="")
        for message in context.iter("message"):
            source = message.findtext("source", default="")
            assert source in CHINESE, f"{name}: {source!r} is not in zh_CN.json"
            n = 2 if message.get("numerus") == "yes" else -1
            shown = qm.translate(name, source, None, n)
            assert shown.replace("%n", "2") == CHINESE[source].replace("%n", "2")
            checked += 1
    assert checked >= 200


def test_translations_keep_placeholders() -> None:
    fold = lambda s: sorted(m.lower() for m in KEPT.findall(s))  # noqa: E731
    broken = {k: v for k, v in CHINESE.items() if not v.strip() or fold(v) != fold(k)}
    assert broken == {}


def test_plurals_use_the_single_chinese_form(chinese) -> None:
    assert QCoreApplication.translate("TimelineView", "%n segment(s)", None, 3) == "3 个片段"
    cuts = QCoreApplication.translate("DropArea", "%n cut(s) at {0}", "", 2)
    assert cuts.format("0:04, 0:09") == "2 处剪切点：0:04, 0:09"
    still = QCoreApplication.translate("Conversation", "Still working… (%n minute(s))", "", 1)
    assert still == "仍在处理…（1 分钟）"


def test_real_widgets_switch_to_chinese_and_back_live(qtbot, chinese) -> None:
    panel, export, talk = PromptPanel(), ExportView(), Conversation()
    for widget in (panel, export, talk):
        qtbot.addWidget(widget)
    buttons: list[tuple[QPushButton, str]] = [
        (panel.generate_button, "Generate"),
        (export.export_button, "Export"),
        (talk.send_button, "Send"),
    ]
    for button, english in buttons:
        assert button.text() == CHINESE[english]
        assert CJK.search(button.text())
    assert panel.generate_button.toolTip() == "生成（Ctrl+Enter）"
    assert export.export_button.accessibleName() == "导出"

    assert chinese.apply("en") == "en"
    qtbot.waitUntil(lambda: all(b.text() == english for b, english in buttons))
    assert panel.generate_button.toolTip() == "Generate (Ctrl+Enter)"
    assert not any(CJK.search(b.text()) for b, _ in buttons)

    assert chinese.apply("zh_CN") == "zh_CN"
    qtbot.waitUntil(lambda: talk.send_button.text() == "发送")
    assert export.export_button.text() == "导出"
