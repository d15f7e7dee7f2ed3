"""What the parser recognises in a text, without building a ``Brief``: the words it found
(instruments, moods, the genre, arc, loop), whether the text names a length, a key or a
tempo. Nothing is chosen or defaulted here.

The chat agent asks this of short fragments ("is 'drums' an instrument?", "is 'no piano'
understood?") so that a message is parsed into a Brief once; ``read_words`` (in ``parse``)
reads exactly what ``parse_brief`` would find in the same text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reading:
    """The text's own words, as ``parse_brief`` with no options reads them."""

    instruments: tuple[str, ...]  # asked for (Brief.instruments)
    exclude: tuple[str, ...]  # left out, "no piano" (Brief.exclude)
    moods: tuple[str, ...]  # named, not negated; empty: the Brief's mood would be chosen
    genre: str | None  # named, not negated; None: the Brief's genre would be chosen
    arc: bool  # an arc word, not negated
    loop: bool  # Brief.loop
    duration_s: float | None  # the length stated (Brief.duration_s when duration_given)
    key: bool  # a key named ("in A minor", "C大调")
    tempo: bool  # a tempo stated ("120 bpm") or a pure tempo word ("slow")

    @property
    def names_something(self) -> bool:
        """Does the text name anything a parse of it would use, not choose by default?"""
        named = self.genre is not None or bool(self.moods) or self.arc or self.key or self.tempo
        given = self.duration_s is not None
        return bool(self.instruments or self.exclude or self.loop) or named or given
