"""Where a line the user types goes: a local command, or the backend's chat stream.

Commands (export, credits, state, upload) are free and answered by the app itself; a chat
message may start a generation that costs credits. A music request taken for a command loses
the request, a command sent to the chat costs money, so the router only routes what is plainly a
command and sends everything else to the chat.

The rule. A message is a command when it names a command keyword (see ``_KEYWORDS``) and
  1. has no negation ("don't export", "cancel", "不要导出", "别上传"), and
  2. has no music-making or editing verb ("make", "add", "generate", "做", "生成", "加"…) —
     a mixed request such as "add BGM and export" goes to the backend, which can do both, and
  3. either the keyword leads the message once courtesy and question words are set aside
     ("please", "can you", "how many", "what's my", "请", "帮我", "查看"…), or the message is
     short (at most ``SHORT_WORDS`` words, two CJK characters counting as one) and names no
     music ("track", "beat", "song", "音乐"…).
A keyword must stand as a word of its own: "export-ready", "status-quo" and "uploaded" are not
keywords. Where a keyword is also music talk its neighbours decide: "balance the drums", "end
credits", "status quo", "render the drums louder" stay in the chat. When several keywords
match, the leading one wins, else the earliest.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from nemodesk.core.formats import MUSIC_FORMATS, VIDEO_OUTPUT_FORMATS


class Intent(Enum):
    EXPORT = "export"
    CREDITS = "credits"
    STATUS = "status"
    UPLOAD = "upload"
    CHAT = "chat"


EXPORT_FORMATS: tuple[str, ...] = VIDEO_OUTPUT_FORMATS + MUSIC_FORMATS
SHORT_WORDS = 8


@dataclass(frozen=True)
class Routed:
    """The routing of one message. ``format`` is the output format the user named in an export
    request ("export as mp3", "导出MP3"); ``keyword`` is the words that decided the route."""

    intent: Intent
    format: str | None = None
    keyword: str | None = None

    @property
    def over_sse(self) -> bool:
        """Only chat messages go to the backend's stream; commands are handled locally."""
        return self.intent is Intent.CHAT


# Word edges for Latin words: a hyphen or apostrophe glued to a letter extends the word, so
# "export-ready" and "status-quo" do not contain the keywords. CJK needs no edges.
_L = r"(?<![a-z0-9])(?<![a-z0-9]['-])"
_R = r"(?![a-z0-9]|['-][a-z0-9])"


def _words(*alternatives: str) -> str:
    """Any of the alternatives, as whole Latin words."""
    return _L + "(?:" + "|".join(alternatives) + ")" + _R


def _word_list(spaced: str) -> str:
    """``_words`` over a space-separated list (alternatives use ``\\s`` for their own spaces)."""
    return _words(*spaced.split())


_FMT = "|".join(EXPORT_FORMATS)
_OBJECT = r"(?:(?:the|my|this|that)\s+)?(?:final\s+)?(?:video|file|clip|movie|project|result)"

_KEYWORDS: dict[Intent, tuple[str, ...]] = {
    Intent.EXPORT: (
        _words(r"export") + r"(?!\s+ready)",
        _words(r"download"),
        _words(
            r"send\s+(?:(?:me|us)\s+)?(?:(?:the|my|this|that)\s+)?(?:final\s+)?"
            r"(?:video|file|clip|movie|result|export|link)"
        ),
        _words(r"send\s+(?:it|this|that)\s+(?:to\s+me|over)"),
        rf"{_L}render(?:\s*$|\s+(?:it|this|that|out|now|please|as|to|in|{_OBJECT}){_R})",
        _L + r"save(?:\s+(?:it|this|that|the\s+(?:video|file|result|project)))?"
        r"(?:\s*$|\s+(?:as|to|now|please)" + _R + ")",
        _L + r"save\s+(?:[a-z'-]+\s+){0,3}as\s+(?:an?\s+)?(?:" + _FMT + ")" + _R,
        r"导出|下载|发给我|发我|渲染(?:视频|成片|一下|吧|成|为|$)|另存为|保存[为成]|存[为成]",
    ),
    Intent.CREDITS: (
        rf"{_L}(?<!end )(?<!opening )(?<!closing )(?<!roll )(?<!the end )(?<!final )credits{_R}"
        rf"(?!\s+(?:music|song|track|scene|sequence|roll|theme|text|title|screen|card){_R})",
        _words(r"credit\s+balance", r"billing", r"(?:check|show|view|open)\s+(?:my\s+)?account"),
        rf"{_L}balance{_R}"
        rf"(?!\s+(?:the|it|out|them|this|that|these|those|our|between|with|against|levels?){_R})"
        r"(?!\s+of\s+(?:the\s+)?(?:mix|track|song|music|levels|sound))",
        r"积分|余额|额度|账户|帐户",
    ),
    Intent.STATUS: (
        rf"{_L}status{_R}(?!\s+quo{_R})",
        _words(r"progress"),
        _words(
            r"(?:show|list|view|display)\s+(?:me\s+)?(?:(?:the|my|all|all\s+the)\s+)?"
            r"(?:current\s+)?(?:tracks|timeline|state|draft)"
        )
        + rf"(?!\s+like{_R})",
        _words(r"what(?:'s|\s+is|s)\s+(?:on|in)\s+(?:the|my)\s+(?:timeline|project|draft)"),
        r"状态|进度|(?:查看|显示|看看|列出|看一下)(?:一下)?(?:当前|现在)?的?(?:轨道|时间[线轴]|草稿)"
        r"|时间[线轴]上?(?:有什么|有哪些|是什么)",
    ),
    Intent.UPLOAD: (_words(r"upload"), r"上传"),
}
_PATTERNS = [(intent, re.compile(p)) for intent, ps in _KEYWORDS.items() for p in ps]

_NEGATION = re.compile(
    _word_list(r"don'?t do\s+not never not\s+(?:yet|now) no\s+need stop cancel hold\s+off")
    + r"|不要|不用|先不|暂时不|不想|不需要|取消|停止|(?<![特区分级告类个识性])别"
)
_CREATIVE = re.compile(
    _word_list(
        r"make(?!\s+sure) makes making generate create compose write produce add remove delete"
        r" replace change edit mix remix swap trim (?<!final\s)cut fade lower raise increase"
        r" decrease boost adjust give put turn extend shorten speed\s+up slow\s+down louder"
        r" quieter slower faster sing score sync apply insert redo regenerate"
    )
    + r"|做|生成|来一段|来一首|来点|创作|写|作曲|编曲|配(?!置)|加(?!载)|添|换|改|调|制作|剪|删"
    + r"|去掉|变|弄"
)
_MUSIC = re.compile(
    _word_list(
        r"music(?:al)? songs? tracks? tunes? beats? melod(?:y|ies) bgm soundtrack jingle loops?"
        r" theme vibes? piano guitar drums? bass synths? lo-?fi chorus verse intro outro rhythm"
        r" tempo bpm genre jazz rock pop techno edm hip-hop ballad orchestral"
    )
    + r"|音乐|歌|曲|旋律|节奏|配乐|背景乐|鼓|钢琴|吉他|贝斯|前奏|副歌"
)
_LEAD_IN = re.compile(
    "(?:"
    + _word_list(
        r"please pls plz kindly ok okay hey hi hello so now then just also and any quick"
        r" (?:can|could|would|will)\s+(?:you|i|we) may\s+i let'?s let\s+me i\s+(?:want|need)\s+to"
        r" i\s+wanna i'?d\s+like\s+to i\s+would\s+like\s+to go\s+ahead\s+and time\s+to"
        r" how\s+(?:do|can)\s+i how\s+to what(?:'s|s|\s+is|\s+are) how\s+(?:many|much) check"
        r" show\s+me tell\s+me view see get my the our me current do\s+i\s+have is are"
    )
    + r"|请|帮我|帮忙|麻烦你?|你能|能不能|能否|可不可以|可以|我想要|我想|我要|现在|直接|马上"
    + r"|查看|查询|查一下|看看|看一下|显示|我的|一下|给我|把|你好|好的|那就|那|就|再"
    + r")\s*"
)
_FORMAT = re.compile(r"(?<![a-z0-9])(" + _FMT + r")(?![a-z0-9])")
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_QUOTES_AND_DASHES = str.maketrans(
    {"‘": "'", "’": "'", "´": "'", "`": "'", "‐": "-", "‑": "-", "–": "-"}
)


def normalize(text: str) -> str:
    """Full-width forms folded (NFKC), case folded, quotes unified; punctuation other than
    in-word hyphens and apostrophes becomes a space, so "ＥＸＰＯＲＴ！" reads "export"."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES_AND_DASHES)
    text = re.sub(r"[^\w\s'-]|_", " ", text)
    text = re.sub(r"(?<![a-z0-9])['-]+|['-]+(?![a-z0-9])", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def word_count(text: str) -> int:
    """Latin words, plus one word per two CJK characters (Chinese has no spaces)."""
    return len(_LATIN_WORD.findall(text)) + math.ceil(len(_CJK.findall(text)) / 2)


def _leading(text: str) -> tuple[Intent, re.Match[str]] | None:
    """The keyword at the head of the message, once courtesy and question words are skipped."""
    pos = 0
    while pos < len(text):
        for intent, pattern in _PATTERNS:
            m = pattern.match(text, pos)
            if m:
                return intent, m
        lead = _LEAD_IN.match(text, pos)
        if not lead or lead.end() == pos:
            return None
        pos = lead.end()
    return None


def route(text: str) -> Routed:
    """Route one message the user typed; see the module docstring for the rule."""
    norm = normalize(text)
    if not norm or _NEGATION.search(norm) or _CREATIVE.search(norm):
        return Routed(Intent.CHAT)
    found = _leading(norm)
    if found is None and word_count(norm) <= SHORT_WORDS and not _MUSIC.search(norm):
        hits = [(m.start(), intent, m) for intent, p in _PATTERNS if (m := p.search(norm))]
        if hits:
            _, intent, m = min(hits, key=lambda h: h[0])
            found = intent, m
    if found is None:
        return Routed(Intent.CHAT)
    intent, m = found
    fmt = None
    if intent is Intent.EXPORT and (f := _FORMAT.search(norm)):
        fmt = f.group(1)
    return Routed(intent, fmt, m.group(0).strip())
