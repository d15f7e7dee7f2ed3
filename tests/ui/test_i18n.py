"""The translation round trip (code → .ts → fill → .qm → live switch) and the completeness
check that keeps the Chinese UI whole."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale

from nemodesk.ui import i18n
from nemodesk.ui.i18n import Translator

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "translations.py"

SAMPLE = """
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QLabel


class Banner(QLabel):
    def __init__(self) -> None:
        super().__init__()
        self.clips = 3
        self.retranslate()

    def retranslate(self) -> None:
        self.setText(self.tr("Drop a clip here"))
        self.setToolTip(self.tr("%n clip(s)", "", self.clips))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def farewell() -> str:
    return QCoreApplication.translate("Farewell", "See you")
"""

CHINESE = {"Drop a clip here": "把片段拖到这里", "%n clip(s)": "%n 个片段", "See you": "再见"}


def load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    return load_module(SCRIPT, "nemodesk_translations_script")


@pytest.fixture
def english_after(qapp) -> Iterator[list[Translator]]:
    """Translators a test creates are switched back to English (and the locale restored)."""
    made: list[Translator] = []
    locale = QLocale()
    yield made
    for translator in made:
        translator.apply("en")
    QLocale.setDefault(locale)


def test_round_trip_switches_language_live(tool, tmp_path, qtbot, english_after) -> None:
    source = tmp_path / "sample_widgets.py"
    source.write_text(SAMPLE, encoding="utf-8")
    ts = tmp_path / "demo_zh_CN.ts"

    tool.update(ts, [source])
    assert sorted(tool.check(ts)) == [
        "Banner: %n clip(s)",
        "Banner: Drop a clip here",
        "Farewell: See you",
    ]
    changed, unknown = tool.fill(ts, {**CHINESE, "Not in the code": "不存在"})
    assert (changed, unknown) == (3, ["Not in the code"])
    assert tool.check(ts) == []
    tool.update(ts, [source])  # a later update keeps what was filled in
    assert tool.check(ts) == []
    (qm,) = tool.release([ts])
    assert qm == tmp_path / "demo_zh_CN.qm" and qm.read_bytes()[:4] == b"\x3c\xb8\x64\x18"

    sample = load_module(source, "sample_widgets")
    banner = sample.Banner()
    qtbot.addWidget(banner)
    assert banner.text() == "Drop a clip here"

    translator = Translator(catalog_dir=tmp_path, prefix="demo")
    english_after.append(translator)
    assert translator.apply("zh_CN") == "zh_CN"
    qtbot.waitUntil(lambda: banner.text() == "把片段拖到这里")
    assert banner.toolTip() == "3 个片段"
    assert sample.farewell() == "再见"
    assert QLocale().name() == "zh_CN"

    assert translator.apply("en") == "en"
    qtbot.waitUntil(lambda: banner.text() == "Drop a clip here")
    assert sample.farewell() == "See you"
    assert QLocale().language() == QLocale.Language.English


def test_qt_base_strings_follow_the_language(tmp_path, english_after) -> None:
    qt_dir = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    if not (qt_dir / "qtbase_zh_CN.qm").exists():
        pytest.skip("this Qt build ships no qtbase_zh_CN.qm")
    translator = Translator(catalog_dir=tmp_path)  # no app catalogue here: logged, not fatal
    english_after.append(translator)
    translator.apply("zh_CN")
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    translator.apply("en")
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"


def test_fill_sets_every_plural_form_and_clears_unfinished(tool, tmp_path) -> None:
    ts = tmp_path / "x_zh_CN.ts"
    ts.write_text(
        textwrap.dedent("""\
            <?xml version="1.0" encoding="utf-8"?>
            <!DOCTYPE TS>
            <TS version="2.1" language="zh_CN">
            <context>
                <name>Ctx</name>
                <message numerus="yes">
                    <source>%n file(s)</source>
                    <translation type="unfinished"><numerusform></numerusform></translation>
                </message>
                <message>
                    <source>Old</source>
                    <translation type="vanished">旧</translation>
                </message>
            </context>
            </TS>
            """),
        encoding="utf-8",
    )
    assert tool.check(ts) == ["Ctx: %n file(s)"]  # vanished messages don't count
    assert tool.fill(ts, {"%n file(s)": "%n 个文件"}) == (1, [])
    text = ts.read_text(encoding="utf-8")
    assert "<numerusform>%n 个文件</numerusform>" in text
    assert "<!DOCTYPE TS>" in text and 'type="unfinished"' not in text
    assert tool.check(ts) == []


def test_cli_check_fails_until_filled(tool, tmp_path) -> None:
    source = tmp_path / "w.py"
    source.write_text(SAMPLE, encoding="utf-8")
    ts = tmp_path / "cli_zh_CN.ts"
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, str(SCRIPT), "--ts", str(ts), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run("update", "--sources", str(source)).returncode == 0
    failing = run("check")
    assert failing.returncode == 1
    assert "untranslated: Farewell: See you" in failing.stdout
    mapping = tmp_path / "zh.json"
    mapping.write_text(json.dumps(CHINESE, ensure_ascii=False), encoding="utf-8")
    assert run("fill", str(mapping)).returncode == 0
    assert run("check").returncode == 0
    assert run("release").returncode == 0
    assert ts.with_suffix(".qm").stat().st_size > 0
    # --fresh re-extracts first: a new string in the code is caught before anyone runs update.
    source.write_text(SAMPLE + '\nQCoreApplication.translate("Farewell", "Later")\n')
    fresh = run("check", "--fresh", "--sources", str(source))
    assert fresh.returncode == 1 and "Farewell: Later" in fresh.stdout
    assert run("check").returncode == 0  # the .ts itself was left alone


def test_shipped_chinese_catalogue_is_complete_and_compiled(tool, english_after) -> None:
    ts = tool.DEFAULT_TS
    assert tool.check(ts) == [], "run scripts/translations.py update/fill/release"
    assert ts.with_suffix(".qm").exists()
    translator = Translator()
    english_after.append(translator)
    translator.apply("zh_CN")
    assert i18n.language_label("system") == "跟随系统"
    assert i18n.language_label("zh_CN") == "简体中文"


@pytest.mark.parametrize(
    ("system", "expected"),
    [
        ("zh_CN", "zh_CN"),
        ("zh_TW", "zh_CN"),
        ("fr_FR", "en"),
        ("en_GB", "en"),
    ],
)
def test_system_language_picks_chinese_or_english(monkeypatch, system, expected) -> None:
    class FakeLocale(QLocale):
        @staticmethod
        def system() -> QLocale:
            return QLocale(system)

    monkeypatch.setattr(i18n, "QLocale", FakeLocale)
    assert i18n.system_language() == expected
    assert i18n.resolve("system") == expected
    assert i18n.resolve("en") == "en" and i18n.resolve("xx") == "en"


def test_music_segment_is_named_in_the_users_language(english_after) -> None:
    """The local engine writes the genre id on the BGM segment; the timeline names it in the
    UI language (a cloud draft with only a name keeps that name)."""
    from nemodesk.ui.timeline_model import segment_label

    ours = {"name": "Cinematic", "genre": "cinematic", "volume": 80}
    theirs = {"name": "Epic Trailer"}
    assert segment_label("audio", ours) == "Cinematic"
    translator = Translator()
    english_after.append(translator)
    translator.apply("zh_CN")
    assert segment_label("audio", ours) == "电影感"
    assert segment_label("audio", theirs) == "Epic Trailer"
    assert segment_label("audio", {"genre": "not-a-genre", "name": "X"}) == "X"


def test_tool_activity_is_named_in_the_users_language(qtbot, english_after) -> None:
    from nemodesk.ui.conversation import Conversation

    view = Conversation()
    qtbot.addWidget(view)
    view.set_activity("generate_music")
    assert view.activity.text().startswith("Working: generating music")
    translator = Translator()
    english_after.append(translator)
    translator.apply("zh_CN")
    view.set_activity("generate_music")
    assert view.activity.text().startswith("处理中：生成音乐")
    view.set_activity("trim_clip")  # a tool only the cloud has: its name, readable
    assert view.activity.text().startswith("处理中：trim clip")
    view.set_activity("")
    assert view.activity.isHidden()
