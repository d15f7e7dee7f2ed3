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
    "agent.redo.done": {"en": "Redid the change.", "zh": "已重做。"},
    "agent.undo.nothing": {"en": "There is nothing to undo yet.", "zh": "还没有可以撤销的操作。"},
    "agent.redo.nothing": {"en": "There is nothing to redo.", "zh": "没有可以重做的操作。"},
    "agent.undo.rest_not_applied": {
        "en": " Anything else in the message was not applied; ask again after the undo.",
        "zh": " 消息里的其他要求没有执行，请在撤销后再说一次。",
    },
    "agent.use.rest_not_applied": {
        "en": "Anything else in the message was not applied; ask again now that the take is"
        " chosen.",
        "zh": "消息里的其他要求没有执行，选好版本后请再说一次。",
    },
    "agent.candidates": {
        "en": " ({n} candidates; the first is on the timeline, pick another any time.)",
        "zh": "（共 {n} 个候选，第一个已放上时间线，随时可以换成别的。）",
    },
    "agent.help": {
        "en": "I make music and change the current music (tempo, instruments, mood, genre, "
        "length, loop, volume, start time, fades, title), or undo.",
        "zh": "我可以生成音乐，也可以修改当前的音乐：速度、乐器、情绪、风格、时长、循环、"
        "音量、开始时间、淡入淡出、标题，或者撤销。",
    },
    "agent.thanks": {
        "en": "Glad you like it! Tell me whenever you want a change.",
        "zh": "不客气！想改什么随时告诉我。",
    },
    # -- the client: errors (nemodesk/client/errors.py) -------------------------------------
    "client.error.generic": {
        "en": "Something went wrong talking to the music service.",
        "zh": "与音乐服务通信时出错。",
    },
    "client.error.token_expired": {
        "en": "Your sign-in expired and could not be renewed. Please try again.",
        "zh": "登录已过期且无法自动续期，请重试。",
    },
    "client.error.session_lost": {
        "en": "That project session was not found; a new session has been started.",
        "zh": "找不到该项目会话，已为你新建会话。",
    },
    "client.error.no_credits": {
        "en": "You are out of credits. Register to get more: {link}",
        "zh": "积分不足。注册即可获得更多积分：{link}",
    },
    "client.error.no_credits.top_up": {
        "en": "Out of credits: top up at nemovideo.ai.",
        "zh": "积分不足，请在 nemovideo.ai 充值。",
    },
    "client.error.unsupported_file": {
        "en": "This file can't be used: it isn't a video, image or audio file NemoDesk can "
        "read. Supported: {formats}.",
        "zh": "无法使用该文件：它不是可读取的视频、图片或音频文件。支持的格式：{formats}。",
    },
    "client.error.unsupported_file.named": {
        "en": "“{name}” can't be used: it isn't a video, image or audio file NemoDesk can "
        "read. Supported: {formats}.",
        "zh": "无法使用“{name}”：它不是可读取的视频、图片或音频文件。支持的格式：{formats}。",
    },
    "client.error.file_too_large": {
        "en": "This file is too large. Compress it or trim it to the part you need, then try "
        "again.",
        "zh": "文件太大。请压缩或剪掉不需要的部分后重试。",
    },
    "client.error.missing_client_id": {
        "en": "The service did not recognise this app's id.",
        "zh": "服务无法识别本应用的标识。",
    },
    "client.error.export_locked": {
        "en": "Register at nemovideo.ai to unlock export.",
        "zh": "请在 nemovideo.ai 注册以解锁导出。",
    },
    "client.error.rate_limited": {
        "en": "The service is busy. Please wait a minute and try again.",
        "zh": "服务繁忙，请稍等一分钟后重试。",
    },
    "client.error.duplicate_render": {
        "en": "The export could not be started (duplicate id). Please try again.",
        "zh": "导出无法开始（任务编号重复），请重试。",
    },
    "client.error.render_failed": {"en": "The export failed.", "zh": "导出失败。"},
    "client.error.render_timeout": {
        "en": "The export is taking far longer than expected. Check back later or try again.",
        "zh": "导出时间远超预期，请稍后查看或重试。",
    },
    "client.error.stream_timeout": {
        "en": "The request timed out: the service kept working without an answer for too long.",
        "zh": "请求超时：服务长时间没有给出结果。",
    },
    "client.error.connection_lost": {
        "en": "The connection to the music service was lost. Check your network and try again.",
        "zh": "与音乐服务的连接已断开，请检查网络后重试。",
    },
    "client.error.disk_full": {
        "en": "The disk is full: free some space or choose another folder, then export again.",
        "zh": "磁盘已满：请释放空间或选择其他文件夹后重新导出。",
    },
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
