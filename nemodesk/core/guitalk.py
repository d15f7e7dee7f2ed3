"""Turning the backend's GUI talk into app actions.

The backend writes as if the user sat in NemoVideo's web editor ("Click the Export button",
"打开时间线面板", "drag the clip…"). NemoDesk has no such buttons, so showing those words would
send users hunting; instead each instruction becomes an ``Action`` the app performs, and only
what the text says about the content is shown.

Stripping works on clauses (split at commas, semicolons, colons and "and/so/then" before a GUI
verb), so "The BGM is at 35%, click Export when you're happy." keeps "The BGM is at 35%.".
Besides the instruction itself it drops the lead-in that sets it up ("To download your video,",
"如果满意，") and the clauses that carry it on ("then choose MP4", "然后下载"); any other
clause is content and stays. A GUI word used as content ("the beat drops", "an open, airy pad",
"视频已导出") is not an instruction: instructions are matched as imperatives and buttons.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum


class Action(Enum):
    EXPORT = "export"  # run the export flow
    SHOW_STATE = "show_state"  # fetch the state and show it
    SHOW_SUMMARY = "show_summary"  # show the track summary
    SEND_EDIT = "send_edit"  # send the edit over SSE
    SHOW_CREDITS = "show_credits"  # show the credit balance
    CLICK = "click"  # do what the named button does, through the API


@dataclass(frozen=True)
class Step:
    """One GUI instruction found in the text. ``target`` is the button (CLICK, EXPORT) or panel
    (SHOW_STATE) it names, when it names one; ``instruction`` is the stripped clause verbatim,
    so a SEND_EDIT can still tell the backend what to move where."""

    action: Action
    target: str | None
    instruction: str


@dataclass(frozen=True)
class Translated:
    """The text to show (GUI talk removed) and the steps to run, in order of appearance."""

    text: str
    steps: tuple[Step, ...] = ()

    @property
    def actions(self) -> tuple[Action, ...]:
        return tuple(s.action for s in self.steps)

    @property
    def clicks(self) -> tuple[str, ...]:
        """Names of the buttons to press through the API (the CLICK steps)."""
        return tuple(s.target or "" for s in self.steps if s.action is Action.CLICK)


_Q_OPEN = "\"'“‘「『【《"
_Q_CLOSE = "\"'”’」』】》"
_BUTTON_WORD = r"(?:button|icon|tab|link|option|menu item)"
_PANEL_WORD = (
    r"(?:panel|tab|menu|sidebar|editor|window|page|section|view|library|settings|timeline"
    r"|project|inspector|properties|dashboard)"
)


def _quoted(most: int) -> str:
    """A quoted button name, captured as "qname"."""
    return rf"[{_Q_OPEN}](?P<qname>[^{_Q_CLOSE}]{{1,{most}}})[{_Q_CLOSE}]"


_ZH_STOP = r"[^\s,.!?:;。]"
# Each pattern runs on the shadow text (see ``_shadow``); groups qname/name/word are the target.
_GUI_TABLE: tuple[tuple[str, Action], ...] = (
    # "a click track" is a metronome and "a hit song" a success: only imperatives count, and
    # "press"/"hit" only with a quoted name or a following "button".
    (
        r"(?<!\ba )(?<!\bthe )\b(?:(?P<soft>click|tap)(?!\s+tracks?\b)|press|hit)\s+"
        rf"(?:on\s+)?(?:the\s+)?(?:{_quoted(40)}"
        rf"|(?P<name>[\w+&'-]+(?:\s+[\w+&'-]+){{0,3}}?)(?=\s+{_BUTTON_WORD}\b)"
        rf"|(?(soft)(?P<word>[\w+&'-]+)|(?!)))(?:\s+{_BUTTON_WORD}\b)?",
        Action.CLICK,
    ),
    (
        rf"(?:点击|单击|点一下|点按)\s*(?:{_quoted(20)}|(?P<name>{_ZH_STOP}{{1,8}}?)(?=按钮|图标|键)"
        rf"|(?P<word>导出|下载|{_ZH_STOP}{{1,4}}))(?:按钮|图标|键)?",
        Action.CLICK,
    ),
    (r"\bexport\s+(?:button|menu|panel|dialog|tab|option)\b", Action.EXPORT),
    (r"导出(?:按钮|菜单|面板|选项|键)", Action.EXPORT),
    (
        r"(?:^|(?<=请)|(?<=然后)|(?<=再)|(?<=最后)|(?<=接着)|(?<=可以)|(?<=即可))\s*导出",
        Action.EXPORT,
    ),
    (
        r"\b(?:open(?:\s+up)?|go\s+to|head\s+(?:over\s+)?to|navigate\s+to|switch\s+to)\s+"
        rf"(?:the\s+|your\s+)?(?:{_quoted(40)}|(?P<name>(?:[\w-]+\s+){{0,2}}?{_PANEL_WORD}))\b",
        Action.SHOW_STATE,
    ),
    (
        rf"打开(?P<name>{_ZH_STOP}{{1,8}}?(?:面板|页面|窗口|标签|菜单|时间[线轴]|编辑器)?)"
        r"(?=即可|查看|看|$|[\s,.!?:;。])",
        Action.SHOW_STATE,
    ),
    (r"打开", Action.SHOW_STATE),
    # "the tempo doesn't drag" is content; "drop" alone is a beat drop, so it needs a place.
    (
        r"(?<!n't )(?<!not )(?<!\ba )(?<!\bthe )\bdrag(?:\s*(?:and|&|-n-)\s*drop|-and-drop)?\b",
        Action.SEND_EDIT,
    ),
    (
        r"(?:^|(?<=\s))drop\s+(?:it|them|this|that|(?:the|your)\s+[\w-]+(?:\s+[\w-]+)?)\s+"
        r"(?:into|onto|on|in|to)\s+(?:the\s+)?(?:timeline|track|editor|canvas|panel)\b",
        Action.SEND_EDIT,
    ),
    (r"拖拽|拖动|拖放|拖入|拖到|拖进", Action.SEND_EDIT),
    (
        r"\b(?:preview|see|check|view|review|find)\s+(?:it\s+|them\s+|this\s+|the\s+[\w-]+\s+)?"
        r"(?:in|on)\s+(?:the\s+)?timeline\b",
        Action.SHOW_SUMMARY,
    ),
    (
        r"\bpreview\s+(?:it|the\s+(?:result|video|track|music|changes|edit|mix))\b",
        Action.SHOW_SUMMARY,
    ),
    (r"(?:在)?时间[线轴](?:上|中|里)?(?:预览|查看)|预览", Action.SHOW_SUMMARY),
    (
        r"\b(?:check|visit|view)\s+(?:your\s+|the\s+)?"
        r"(?:account|billing|balance|credits?|credit\s+balance)\b",
        Action.SHOW_CREDITS,
    ),
    (r"\b(?:account|billing)\s+(?:page|settings|section|tab|panel)\b", Action.SHOW_CREDITS),
    (
        r"(?:查看|前往|进入)(?:您的|你的)?(?:账户|帐户|余额|积分)|(?:账户|帐户)(?:页面|中心|设置)",
        Action.SHOW_CREDITS,
    ),
)
_GUI = tuple((re.compile(p, re.IGNORECASE), a) for p, a in _GUI_TABLE)

_NOT_A_NAME = {"here", "it", "this", "that", "there", "on", "这里", "此处"}
_EXPORT_NAME = re.compile(r"^(?:export|download|导出|下载)", re.IGNORECASE)
_CREDITS_NAME = re.compile(r"^(?:credits?|billing|account|balance|积分|余额|账户|帐户)", re.I)

# Clause edges: punctuation (not in numbers or times), dashes between spaces, and a
# conjunction just before a GUI verb ("…is ready and you can click Export").
_CLAUSE_EDGE = re.compile(
    r",(?!\d)\s*|;\s*|:(?!\d)\s*|\s+[-–—]+\s+|—+"
    r"|\s+(?=(?:and|so|then|or)\s+(?:then\s+)?(?:you\s+can\s+|just\s+|simply\s+|now\s+)?"
    r"(?:click|tap|press|hit|open|drag|drop|preview|check|go\s+to|head\s+to)\b)",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(
    r"^\s*(?:to\s+\w+|if\s+you|when(?:ever)?\s+you|once\s+you|once\s+(?:it|that|this)|next"
    r"|now|then|finally|simply|just|after\s+that|afterwards|from\s+there|if\s+needed"
    r"|when\s+ready|so|in\s+the\s+(?:editor|timeline|app))\b"
    r"|^\s*(?:如果|若|要|想要|需要|然后|接下来|最后|现在|完成后|满意后|准备好后|之后|随后|您可以|你可以|可以)",
    re.IGNORECASE,
)
_CONTINUATION = re.compile(
    r"^\s*(?:(?:and|or)\s+)?(?:then|and|or|to|choose|select|pick|set|wait|save|download|export"
    r"|confirm|enter|type|adjust|which\s+will|you(?:'ll|\s+will)\s+(?:see|get|find))\b"
    r"|^\s*(?:然后|再|并|接着|选择|即可|就|下载|保存|导出|确认|等待|稍等)",
    re.IGNORECASE,
)
_TRAILING_JUNK = re.compile(
    r"(?:[\s,;:、，；：\-–—]|\b(?:and|so|then|or|but)\b|然后|并且|所以)+$", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"。+|[.!?]+(?=\s|$|[^\x00-\x7f])")
_TERMINATOR = re.compile(r"[.!?。]+\s*$")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_PAREN = re.compile(r"\s*[(（][^()（）]*[)）]")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _shadow(text: str) -> str:
    """The text with each character folded by NFKC where that keeps it one character, so
    patterns see "Ｃｌｉｃｋ" as "Click" and "，" as "," while positions match the original."""
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch)
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


def _gui_steps(text: str) -> list[Step]:
    """The GUI instructions in one piece of text, left to right, overlaps resolved leftmost."""
    shadow = _shadow(text)
    hits: list[tuple[int, int, Action, str | None]] = []
    for pattern, action in _GUI:
        for m in pattern.finditer(shadow):
            groups = m.groupdict()
            name = groups.get("qname") or groups.get("name") or groups.get("word")
            hits.append((m.start(), m.end(), action, name.strip() if name else None))
    hits.sort(key=lambda h: (h[0], -h[1]))
    steps: list[Step] = []
    end = -1
    for start, stop, action, name in hits:
        if start < end:
            continue
        end = stop
        if name and name.lower() in _NOT_A_NAME:
            name = None
        if name and action in (Action.CLICK, Action.SHOW_STATE):
            if _EXPORT_NAME.match(name):
                action = Action.EXPORT
            elif _CREDITS_NAME.match(name):
                action = Action.SHOW_CREDITS
        steps.append(Step(action, name, text.strip().strip("()（）").strip()))
    return steps


def _clauses(sentence: str) -> list[tuple[str, str]]:
    """(clause, edge that followed it) pairs; joining them gives the sentence back."""
    out, pos = [], 0
    for m in _CLAUSE_EDGE.finditer(_shadow(sentence)):
        if m.end() == m.start() and m.start() == pos:
            continue
        out.append((sentence[pos : m.start()], sentence[m.start() : m.end()]))
        pos = m.end()
    out.append((sentence[pos:], ""))
    return out


def _strip_sentence(sentence: str) -> tuple[str, list[Step]]:
    """The sentence without its GUI clauses, and the steps they held."""
    steps: list[Step] = []

    def drop_paren(m: re.Match[str]) -> str:
        found = _gui_steps(m.group(0))
        steps.extend(found)
        return "" if found else m.group(0)

    sentence = _PAREN.sub(drop_paren, sentence)
    end = _TERMINATOR.search(_shadow(sentence))
    cut = end.start() if end else len(sentence)
    body, terminator = sentence[:cut], sentence[cut:].strip()
    kinds: list[str] = []
    clauses = _clauses(body)
    for clause, _ in clauses:
        found = _gui_steps(clause)
        steps.extend(found)
        flat = _shadow(clause)
        if found:
            kinds.append("gui")
        elif kinds and kinds[-1] in ("gui", "cont") and _CONTINUATION.match(flat):
            kinds.append("cont")
        elif _LEAD_IN.match(flat):
            kinds.append("lead")
        else:
            kinds.append("content")
    if not steps:
        return sentence.strip(), []
    for i in range(len(kinds) - 2, -1, -1):  # a lead-in just before an instruction goes too
        if kinds[i] == "lead" and kinds[i + 1] in ("gui", "droplead"):
            kinds[i] = "droplead"
    kept = [(c, e) for (c, e), k in zip(clauses, kinds, strict=True) if k in ("lead", "content")]
    if not kept:
        return "", steps
    text = "".join(c + e for c, e in kept)
    text = _TRAILING_JUNK.sub("", text.strip()).strip()
    if not text:
        return "", steps
    if kinds[0] not in ("lead", "content"):
        text = text[0].upper() + text[1:]
    return text + terminator, steps


def _sentences(line: str) -> list[str]:
    out, pos = [], 0
    for m in _SENTENCE_END.finditer(_shadow(line)):
        out.append(line[pos : m.end()])
        pos = m.end()
    out.append(line[pos:])
    return [s.strip() for s in out if s.strip()]


def _join(sentences: list[str]) -> str:
    text = ""
    for s in sentences:
        glue = "" if not text or _CJK.match(s[0]) or _CJK.match(text[-1]) else " "
        text += glue + s
    return text


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t\u3000]+", " ", text)
    text = re.sub(r" +(?=[,.;:!?，。；：！？、])", "", text)
    return re.sub(r"([,;，；])\1+", r"\1", text).strip()


def translate(text: str) -> Translated:
    """Strip the GUI instructions from a piece of backend text and name the actions they ask
    for. Lines (and list markers) are kept; repeated actions run once."""
    lines: list[str] = []
    steps: list[Step] = []
    for line in text.splitlines():
        marker = _LIST_MARKER.match(line)
        prefix = marker.group(0).lstrip() if marker else ""
        body = line[marker.end() :] if marker else line
        kept: list[str] = []
        for sentence in _sentences(body):
            rest, found = _strip_sentence(sentence)
            steps += found
            if rest:
                kept.append(_tidy(rest))
        if kept:
            lines.append(prefix + _join(kept))
        elif not body.strip() and lines and lines[-1]:
            lines.append("")
    seen: set[tuple[Action, str | None]] = set()
    unique: list[Step] = []
    for step in steps:
        key = (step.action, step.target if step.action is Action.CLICK else None)
        if key not in seen:
            seen.add(key)
            unique.append(step)
    return Translated("\n".join(lines).strip(), tuple(unique))


_GLITCH = re.compile(
    r"\b(?:I|we)\s+(?:have\s+)?(?:encountered|ran\s+into|hit|experienced|had)\s+(?:a|some)\s+"
    r"temporary\s+(?:issue|problem|error|glitch)"
    r"|遇到了?(?:一些|一个|一点)?临时(?:性)?(?:的)?(?:问题|故障|错误)|暂时出现(?:了)?(?:一些|一点)?(?:问题|故障)",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"^\W*(?:sorry|apologies|i\s+apologi[sz]e|please\s+try\s+again(?:\s+later)?|try\s+again"
    r"(?:\s+later)?|抱歉|对不起|请稍后(?:再)?(?:试|重试)|请重试)\W*$",
    re.IGNORECASE,
)
_BUT = re.compile(r"\b(?:but|however|although|though)\b|但|不过|然而", re.IGNORECASE)


def is_temporary_issue(text: str) -> bool:
    """True when the text is only the backend's "I encountered a temporary issue" notice
    (with its apology and "try again"), not a message that merely mentions one."""
    pieces = [c for s in _sentences(_shadow(text)) for c, _ in _clauses(s) if c.strip()]
    if not any(_GLITCH.search(p) for p in pieces):
        return False
    return all((_GLITCH.search(p) and not _BUT.search(p)) or _BOILERPLATE.match(p) for p in pieces)


def drop_trailing_glitch(parts: list[str]) -> list[str]:
    """The text parts without a final "temporary issue" notice, when an earlier part carried
    normal text: the work was done and the notice is noise (per the spec). A notice that is all
    the backend said stays, as the user needs to see it."""
    filled = [i for i, p in enumerate(parts) if p.strip()]
    if len(filled) < 2 or not is_temporary_issue(parts[filled[-1]]):
        return list(parts)
    if all(is_temporary_issue(parts[i]) for i in filled[:-1]):
        return list(parts)
    return list(parts[: filled[-1]])
