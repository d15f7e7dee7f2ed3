"""Every genre the brief can choose is named and played everywhere a genre is looked up:
a genre added in one table and missed in another crashed Chinese chat (KeyError) or hit
cuts with a piano stab in a trap beat."""

from __future__ import annotations

import pytest

from nemodesk.engine.agent import words as agent_words
from nemodesk.engine.agent.apply import describe_zh
from nemodesk.engine.brief import GENRES, parse_brief
from nemodesk.engine.music import accents, genres
from nemodesk.engine.server.draftops import GENRE_LABELS


@pytest.mark.parametrize("genre", GENRES)
def test_the_genre_is_in_every_table(genre):
    assert genre in genres.GENRE_TEMPLATES
    assert genre in genres.LEAD_CHOICES
    assert genre in accents.STABS, "its cut hits would fall back to a piano stab"
    assert genre in GENRE_LABELS, "the take would be named by its id"
    assert genre in agent_words.GENRE_ZH, "Chinese chat about it would fail"


@pytest.mark.parametrize("genre", GENRES)
def test_chinese_description_names_it(genre):
    brief = parse_brief("music", genre=genre)
    assert agent_words.GENRE_ZH[genre] in describe_zh(brief)
