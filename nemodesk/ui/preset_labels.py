"""Names users read for the engine's mood, genre and instrument ids, in the current
language: shared by the prompt panel's chips, the variation cards and the timeline."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def mood_labels() -> dict[str, str]:
    """Mood ids (what the engine reads) → names users read, in the current language."""
    return {
        "upbeat": QCoreApplication.translate("PromptPanel", "Upbeat"),
        "warm": QCoreApplication.translate("PromptPanel", "Warm"),
        "chill": QCoreApplication.translate("PromptPanel", "Chill"),
        "tense": QCoreApplication.translate("PromptPanel", "Tense"),
        "dark": QCoreApplication.translate("PromptPanel", "Dark"),
        "sad": QCoreApplication.translate("PromptPanel", "Sad"),
        "epic": QCoreApplication.translate("PromptPanel", "Epic"),
        "romantic": QCoreApplication.translate("PromptPanel", "Romantic"),
        "playful": QCoreApplication.translate("PromptPanel", "Playful"),
        "mysterious": QCoreApplication.translate("PromptPanel", "Mysterious"),
        "inspiring": QCoreApplication.translate("PromptPanel", "Inspiring"),
        "calm": QCoreApplication.translate("PromptPanel", "Calm"),
    }


def genre_labels() -> dict[str, str]:
    return {
        "acoustic": QCoreApplication.translate("PromptPanel", "Acoustic"),
        "lofi": QCoreApplication.translate("PromptPanel", "Lo-fi hip-hop"),
        "cinematic": QCoreApplication.translate("PromptPanel", "Cinematic"),
        "electronic": QCoreApplication.translate("PromptPanel", "Electronic"),
        "ambient": QCoreApplication.translate("PromptPanel", "Ambient"),
        "corporate": QCoreApplication.translate("PromptPanel", "Corporate pop"),
        "rock": QCoreApplication.translate("PromptPanel", "Rock"),
        "jazz": QCoreApplication.translate("PromptPanel", "Jazz"),
        "piano": QCoreApplication.translate("PromptPanel", "Solo piano"),
        "chiptune": QCoreApplication.translate("PromptPanel", "Chiptune"),
        "hiphop": QCoreApplication.translate("PromptPanel", "Hip-hop"),
        "house": QCoreApplication.translate("PromptPanel", "House"),
        "funk": QCoreApplication.translate("PromptPanel", "Funk"),
        "folk": QCoreApplication.translate("PromptPanel", "Folk"),
        "epic": QCoreApplication.translate("PromptPanel", "Epic orchestral"),
        "rnb": QCoreApplication.translate("PromptPanel", "R'n'B"),
        "reggae": QCoreApplication.translate("PromptPanel", "Reggae"),
        "kids": QCoreApplication.translate("PromptPanel", "Kids"),
        "guofeng": QCoreApplication.translate("PromptPanel", "Guofeng"),
    }


def instrument_labels() -> dict[str, str]:
    return {
        "guitar": QCoreApplication.translate("PromptPanel", "Guitar"),
        "ukulele": QCoreApplication.translate("PromptPanel", "Ukulele"),
        "piano": QCoreApplication.translate("PromptPanel", "Piano"),
        "strings": QCoreApplication.translate("PromptPanel", "Strings"),
        "brass": QCoreApplication.translate("PromptPanel", "Brass"),
        "synth": QCoreApplication.translate("PromptPanel", "Synth"),
        "drums": QCoreApplication.translate("PromptPanel", "Drums"),
        "upright_bass": QCoreApplication.translate("PromptPanel", "Upright bass"),
        "brushes": QCoreApplication.translate("PromptPanel", "Brushes"),
    }
