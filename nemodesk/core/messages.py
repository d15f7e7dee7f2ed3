"""One catalog for what the engine and the client say to users, in English and 中文.

Widgets keep Qt's ``tr``; everything else a user reads — the agent's replies, the client's
errors — is a keyed message here, so a sentence and its translation live side by side and a
test (``tests/core/test_messages.py``) fails when a key lacks a language or when the two
languages disagree on the parameters a message takes.

Use ``say(key, lang, **params)``: ``lang`` is ``"zh"`` for Chinese and anything else for
English (the agent's and the client's convention); parameters are ``str.format`` fields.
``LANGS`` lists the languages every message must have.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

LANGS: tuple[str, ...] = ("en", "zh")

Catalog = Mapping[str, Mapping[str, str]]

MESSAGES: dict[str, dict[str, str]] = {
    # -- the agent: generic replies -------------------------------------------------------
    "agent.undo.done": {"en": "Undid the last change.", "zh": "已撤销上一步。"},
    "agent.message.empty": {"en": "The message is empty.", "zh": "消息是空的。"},
    "agent.not_understood": {"en": "I didn't understand {quoted}.", "zh": "我没有理解{quoted}。"},
    "agent.quote": {"en": '"{text}"', "zh": "“{text}”"},
    "agent.list_sep": {"en": ", ", "zh": "、"},
    "agent.clause_sep": {"en": ", ", "zh": "，"},
    "agent.sentence_sep": {"en": " ", "zh": ""},
    "agent.seconds": {"en": "{seconds:g} s", "zh": "{seconds:g} 秒"},
    "agent.done.music": {"en": "updated the music", "zh": "更新了音乐"},
    "agent.done.seed": {"en": "seed {seed}", "zh": "种子 {seed}"},
    "agent.done.new_take": {"en": "a new take (new seed)", "zh": "新的一版（新的随机种子）"},
}


def lang_of(lang: str | None) -> str:
    """The catalog language for a caller's ``lang``: ``"zh"`` stays, anything else is English."""
    return "zh" if lang == "zh" else "en"


def say(key: str, lang: str | None = "en", /, **params: object) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in.

    An unknown key or a missing parameter raises (``KeyError``) — a message that cannot be
    said is a bug to find in the tests, not a blank line to show the user.
    """
    return MESSAGES[key][lang_of(lang)].format(**params)


def fields(text: str) -> set[str]:
    """The parameter names a message template uses (``{n}``, ``{seconds:g}`` → n, seconds)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def problems(catalog: Catalog = MESSAGES) -> list[str]:
    """Every key that lacks a language or whose languages take different parameters."""
    found: list[str] = []
    for key, texts in catalog.items():
        missing = [lang for lang in LANGS if lang not in texts]
        if missing:
            found.append(f"{key}: no {', '.join(missing)}")
            continue
        names = {lang: fields(texts[lang]) for lang in LANGS}
        if len({frozenset(n) for n in names.values()}) > 1:
            found.append(f"{key}: parameters differ {names}")
    return found
