"""Switching the UI language while the app runs (English, 简体中文), no restart needed.

Installing or removing a QTranslator makes Qt send ``QEvent.LanguageChange`` to every
widget. So each widget sets its texts in one ``retranslate()`` method, calls it once from
``__init__`` and again from ``changeEvent``::

    class ExportPanel(QWidget):
        def __init__(self) -> None:
            super().__init__()
            self._export = QPushButton()
            self.retranslate()

        def retranslate(self) -> None:
            self._export.setText(self.tr("Export"))
            self._export.setAccessibleName(self.tr("Export the music"))

        def changeEvent(self, event: QEvent) -> None:
            if event.type() == QEvent.Type.LanguageChange:
                self.retranslate()
            super().changeEvent(event)

Strings built once and kept (e.g. in a model) will not follow the switch; keep the source
text and translate it where it is shown.

The app's catalogues are ``resources/translations/nemodesk_<lang>.qm`` (made by
``scripts/translations.py release``); Qt's own (standard buttons, file dialogs) come from
the Qt installation when present.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from nemodesk.ui.resources import translations_dir

log = logging.getLogger(__name__)

SYSTEM = "system"
ENGLISH = "en"
CHINESE = "zh_CN"
LANGUAGES: tuple[str, ...] = (SYSTEM, ENGLISH, CHINESE)

# Shown in each language's own script, so a user who cannot read the current UI finds theirs.
NATIVE_NAMES: dict[str, str] = {ENGLISH: "English", CHINESE: "简体中文"}


def language_label(language: str) -> str:
    """What the language picker shows for ``language``."""
    if language == SYSTEM:
        return QCoreApplication.translate("Language", "System default")
    return NATIVE_NAMES[language]


def system_language() -> str:
    """The supported language closest to the OS locale: Chinese, else English."""
    return CHINESE if QLocale.system().language() == QLocale.Language.Chinese else ENGLISH


def resolve(language: str) -> str:
    """``language`` with "system" replaced by the OS choice; unknown codes become English."""
    if language == SYSTEM:
        return system_language()
    return language if language in (ENGLISH, CHINESE) else ENGLISH


class Translator:
    """Owns the installed QTranslators, so switching can remove exactly what it added."""

    def __init__(self, catalog_dir: Path | None = None, prefix: str = "nemodesk") -> None:
        self._catalog_dir = catalog_dir if catalog_dir is not None else translations_dir()
        self._prefix = prefix
        self._installed: list[QTranslator] = []
        self._language: str | None = None

    @property
    def language(self) -> str | None:
        """The resolved language in effect ("en" or "zh_CN"), None before the first apply."""
        return self._language

    def apply(self, language: str) -> str:
        """Switch to "system", "en" or "zh_CN"; returns the resolved language.

        A missing app catalogue is logged and leaves the UI in English rather than failing.
        """
        resolved = resolve(language)
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication before applying a language")
        if resolved == self._language:
            return resolved
        for old in self._installed:
            QCoreApplication.removeTranslator(old)
        self._installed.clear()

        if resolved == ENGLISH:
            system = QLocale.system()
            english = system.language() == QLocale.Language.English
            QLocale.setDefault(system if english else QLocale(QLocale.Language.English))
        else:
            QLocale.setDefault(QLocale(resolved))
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            self._install(f"qtbase_{resolved}", qt_dir, required=False)
            self._install(f"{self._prefix}_{resolved}", str(self._catalog_dir), required=True)
        self._language = resolved
        return resolved

    def _install(self, name: str, directory: str, *, required: bool) -> None:
        translator = QTranslator()
        if not translator.load(name, directory):
            if required:
                log.warning("translation %s.qm not found in %s", name, directory)
            return
        QCoreApplication.installTranslator(translator)
        self._installed.append(translator)
