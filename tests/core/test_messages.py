"""The message catalog: every key speaks every language with the same parameters."""

import pytest

from nemodesk.core.messages import LANGS, MESSAGES, problems, say


def test_every_key_has_every_language_and_the_same_parameters() -> None:
    assert problems() == []


def test_a_key_without_chinese_is_a_problem() -> None:
    assert problems({"x": {"en": "hello"}}) == ["x: no zh"]


def test_a_parameter_missing_in_one_language_is_a_problem() -> None:
    found = problems({"x": {"en": "{n} takes", "zh": "几个版本"}})
    assert len(found) == 1 and found[0].startswith("x: parameters differ")


def test_say_fills_parameters_in_either_language() -> None:
    assert say("agent.done.seed", "en", seed=7) == "seed 7"
    assert say("agent.done.seed", "zh", seed=7) == "种子 7"
    assert say("agent.done.seed", None, seed=7) == "seed 7"


def test_say_refuses_a_missing_parameter() -> None:
    with pytest.raises(KeyError):
        say("agent.done.seed", "en")


def test_languages_are_english_and_chinese() -> None:
    assert LANGS == ("en", "zh")
    assert all(set(LANGS) <= set(texts) for texts in MESSAGES.values())
