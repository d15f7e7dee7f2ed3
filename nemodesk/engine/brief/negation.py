"""Negation in a prompt: "no drums", "without piano", "不要鼓", "not too fast"."""

from __future__ import annotations

import bisect
import re


class Scopes:
    """Stretches of text under a negation: from "no"/"without"/"不要" to the clause's end.

    A word is negated only when nothing but filler and words of its own kind stand between
    it and the cue: "no drums or bass" drops both, "not too fast acoustic guitar" drops
    the speed but keeps the guitar.
    """

    _CUE = re.compile(
        r"(?<![a-z'])(?:no|not|without|drop|remove|minus|avoid|skip|exclude|lose|cut out|"
        r"leave out|don't|dont|do not|doesn't|does not|isn't|is not|shouldn't|never|nothing)"
        r"(?![a-z'])|不要|去掉|不用|别用|别要|没有|去除|删掉|删除|拿掉|不需要|不含|不带|不想要|"
        r"避免|不是|不太|别太"
    )
    _END = re.compile(
        r"[,.;:!?()\[\]，。；：！？]|(?<![a-z])(?:but|with|instead|just|only|plus|rather|"
        r"though|featuring|keep|add|then)(?![a-z])|但|而|只|改用|换成|加上|加入|要"
    )
    _FILLER = re.compile(
        r"(?<![a-z])(?:the|a|an|any|too|so|very|overly|more|much|of|or|and|nor|need|want|"
        r"have|use|using|include|be|it|that|this|sound|loud|heavy|big|live|real|busy|extra|"
        r"additional|obvious|prominent|cheesy)(?![a-z])|[\s,、/&]|太|那么|过于|很|的|任何|和|或|也|用"
    )

    _REACH = 60

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[tuple[int, int]] = []  # sorted by start; each at most _REACH long
        for cue in self._CUE.finditer(text):
            end = self._END.search(text, cue.end(), cue.end() + self._REACH)
            self.spans.append((cue.end(), end.start() if end else cue.end() + self._REACH))
        self.starts = [a for a, _ in self.spans]

    def covers(self, pos: int, kind: re.Pattern[str]) -> bool:
        """Is the word of `kind` (a lexicon's pattern) at `pos` negated?"""
        lo = bisect.bisect_left(self.starts, pos - self._REACH)
        hi = bisect.bisect_right(self.starts, pos)
        return any(
            b > pos and not self._FILLER.sub("", kind.sub("", self.text[a:pos]))
            for a, b in self.spans[lo:hi]
        )
