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


def test_epic_layers_strings_brass_and_choir_over_a_taiko_ensemble():
    """Orchestral epic: strings, brass and choir sound together over a taiko/tom ensemble
    (timpani join on the video's cuts, see accents.STABS) — counted on the score."""
    from nemodesk.engine.music.compose import compose
    from nemodesk.engine.music.plan import make_plan

    brief = parse_brief("epic orchestral trailer music that builds, 40 seconds")
    assert brief.genre == "epic"
    score = compose(brief, make_plan(brief), 3, 44100)
    programs = {p.program for p in score.parts if not p.is_drum and p.notes}
    assert {48, 52} <= programs and programs & {56, 57, 58, 60, 61}, (
        programs
    )  # strings, choir, brass
    toms = {41, 43, 45, 47, 48, 50}
    drums = [n for p in score.parts if p.is_drum for n in p.notes]
    assert sum(n.key in toms for n in drums) >= 20  # the taiko/tom ensemble
