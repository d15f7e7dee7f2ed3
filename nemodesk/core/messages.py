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
    "agent.failed": {
        "en": "Sorry — something went wrong while making that. Please try again.",
        "zh": "抱歉，生成时出了问题，请再试一次。",
    },
    "agent.disk_full": {
        "en": "The disk that holds the render's working files ({folder}) is full, so the music"
        " could not be made. Free some space and ask again.",
        "zh": "存放渲染临时文件的磁盘（{folder}）已满，音乐没能生成。请腾出一些空间后再试。",
    },
    "agent.write_failed": {
        "en": "The music was made but could not be saved: {reason}",
        "zh": "音乐已经生成，但无法保存：{reason}",
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
    "agent.and_sep": {"en": " and ", "zh": "、"},
    "agent.examples": {
        "en": "You can say, for example: {some} or {last}.",
        "zh": "你可以这样说：{some}或{last}。",
    },
    "agent.key": {"en": "{key} {mode}", "zh": "{key}{mode}"},
    "agent.loudness": {"en": "loudness {lufs:g} LUFS", "zh": "响度 {lufs:g} LUFS"},
    # -- the agent: a new piece (planner._generate) ----------------------------------------
    "agent.generated": {"en": "Made a {description}.", "zh": "已生成：{description}。"},
    "agent.generated.video": {
        "en": "Length matched to your video ({length}).",
        "zh": "时长已匹配视频（{length}）。",
    },
    "agent.generated.variations": {"en": "{n} variations.", "zh": "共 {n} 个版本。"},
    "agent.generated.also": {"en": "Also: {done}.", "zh": "另外：{done}。"},
    "agent.generate.nothing_yet": {
        "en": "There is no music to change yet — describe the music first.",
        "zh": "还没有音乐可以调整——先描述想要的音乐。",
    },
    # -- the agent: an edit (planner._edit) ---------------------------------------------------
    "agent.edit.done": {"en": "Done: {done}.", "zh": "已调整：{done}。"},
    "agent.edit.mix_only": {
        "en": "Only the mix changed, so there is no re-render.",
        "zh": "只改了混音，不需要重新生成。",
    },
    "agent.edit.variations": {"en": "Rendered {n} variations.", "zh": "已生成 {n} 个版本。"},
    "agent.edit.rerendered": {"en": "The music was re-rendered.", "zh": "已重新生成音乐。"},
    "agent.edit.nothing": {
        "en": "Nothing to change: the music is already like that.",
        "zh": "没有需要改的地方：现在的音乐已经是这样了。",
    },
    # -- the agent: what an edit changed (apply.Say.change) -----------------------------------
    "agent.change.tempo": {"en": "tempo {old:g} → {new:g} BPM", "zh": "速度 {old:g} → {new:g} BPM"},
    "agent.change.length": {"en": "length {old} → {new}", "zh": "时长 {old} → {new}"},
    "agent.change.add": {"en": "added {name}", "zh": "加入{name}"},
    "agent.change.exclude": {"en": "removed {name}", "zh": "去掉{name}"},
    "agent.change.allow": {"en": "{name} allowed again", "zh": "不再排除{name}"},
    "agent.change.drop": {"en": "no longer asking for {name}", "zh": "不再指定{name}"},
    "agent.change.genre": {"en": "genre {old} → {new}", "zh": "风格 {old} → {new}"},
    "agent.change.mood": {"en": "mood {moods}", "zh": "情绪改为{moods}"},
    "agent.change.key": {"en": "key {old} → {new}", "zh": "调性 {old} → {new}"},
    "agent.change.arc": {"en": "arc: {arc}", "zh": "结构改为{arc}"},
    "agent.change.energy_up": {
        "en": "more energy ({old:.0%} → {new:.0%})",
        "zh": "能量提高（{old:.0%} → {new:.0%}）",
    },
    "agent.change.energy_down": {
        "en": "less energy ({old:.0%} → {new:.0%})",
        "zh": "能量降低（{old:.0%} → {new:.0%}）",
    },
    "agent.change.loop_on": {"en": "loopable", "zh": "可无缝循环"},
    "agent.change.loop_off": {"en": "no longer loops", "zh": "取消循环"},
    "agent.change.volume": {
        "en": "music volume {old}% → {new}%",
        "zh": "音乐音量 {old}% → {new}%",
    },
    "agent.change.start": {"en": "music starts at {at}", "zh": "音乐从 {at} 开始"},
    "agent.change.fade_in": {"en": "fade-in {seconds:g} s", "zh": "淡入 {seconds:g} 秒"},
    "agent.change.fade_out": {"en": "fade-out {seconds:g} s", "zh": "淡出 {seconds:g} 秒"},
    "agent.change.no_fade_in": {"en": "no fade-in", "zh": "去掉淡入"},
    "agent.change.no_fade_out": {"en": "no fade-out", "zh": "去掉淡出"},
    "agent.change.title": {
        "en": 'title "{title}" (first {seconds:g} s)',
        "zh": "标题“{title}”（前 {seconds:g} 秒）",
    },
    "agent.change.no_title": {"en": "removed the title", "zh": "去掉标题"},
    "agent.change.title_s": {
        "en": "title shown for {seconds:g} s",
        "zh": "标题显示 {seconds:g} 秒",
    },
    "agent.change.hit_off": {"en": "no accent at {at}", "zh": "{at} 处不再加重音"},
    "agent.change.hit_on": {"en": "the accent at {at} is back", "zh": "恢复了 {at} 的重音"},
    "agent.change.hit_move": {
        "en": "the accent at {at} moved to {to}",
        "zh": "{at} 的重音移到了 {to}",
    },
    "agent.change.hits_harder": {"en": "harder accents on the cuts", "zh": "卡点重音更强"},
    "agent.change.hits_softer": {"en": "softer accents on the cuts", "zh": "卡点重音更轻"},
    # -- the agent: remarks on what was asked (apply.Say.note) --------------------------------
    "agent.note.bpm_range": {
        "en": "{value} BPM is out of range, so I used {bpm:g} (tempo must be 40–220 BPM).",
        "zh": "{value} BPM 超出范围（40–220），已使用 {bpm:g}。",
    },
    "agent.note.length_longest": {
        "en": "{length} is the longest length I can make (1 s – 20 min), so I used that.",
        "zh": "时长必须在 1 秒到 20 分钟之间，已使用 {length}。",
    },
    "agent.note.length_shortest": {
        "en": "{length} is the shortest length I can make (1 s – 20 min), so I used that.",
        "zh": "时长必须在 1 秒到 20 分钟之间，已使用 {length}。",
    },
    "agent.note.longest_track": {
        "en": "The longest track I can make is 20 minutes, so I used that.",
        "zh": "最长只能生成 20 分钟，已使用 20 分钟。",
    },
    "agent.note.no_video_length_kept": {
        "en": "There is no video yet, so the length stays as it is.",
        "zh": "还没有上传视频，时长保持不变。",
    },
    "agent.note.no_video_length_chosen": {
        "en": "There is no video yet, so I chose {length}.",
        "zh": "还没有上传视频，时长选了 {length}。",
    },
    "agent.note.hits_strongest": {
        "en": "The accents are already as strong as they go.",
        "zh": "重音已经是最强了。",
    },
    "agent.note.hits_softest": {
        "en": "The accents are already as soft as they go.",
        "zh": "重音已经是最轻了。",
    },
    "agent.note.tempo_rechosen": {
        "en": "Tempo re-chosen to suit it: {bpm:g} BPM.",
        "zh": "速度已按新风格重新选择：{bpm:g} BPM。",
    },
    "agent.note.volume_range": {
        "en": "Music volume must be 0–100%, so I used {volume}%.",
        "zh": "音乐音量必须在 0–100% 之间，已使用 {volume}%。",
    },
    "agent.note.fade_limit": {
        "en": "A fade can be at most {limit:g} s here, so I used {fade:g} s.",
        "zh": "淡入淡出最长 {limit:g} 秒，已使用 {fade:g} 秒。",
    },
    "agent.note.variations_max": {
        "en": "I can make at most {most} variations at once, so you get {n}.",
        "zh": "一次最多生成 {most} 个版本，这次生成 {n} 个。",
    },
    "agent.note.no_level_per_instrument": {
        "en": "There is no level per instrument, so I left the {name} out; say "
        '"add {name}" to bring it back.',
        "zh": "无法单独调整某个乐器的音量，所以去掉了{name}；说“加点{name}”可以加回来。",
    },
    "agent.note.title_cut": {
        "en": "Titles are cut to {most} characters.",
        "zh": "标题最多 {most} 个字符，已截断。",
    },
    # -- the agent: explicit parameters the user set (params.given_words) -----------------
    "agent.given": {"en": "Set by you: {names}.", "zh": "你设定的：{names}。"},
    "agent.given.genre": {"en": "genre", "zh": "风格"},
    "agent.given.mood": {"en": "mood", "zh": "情绪"},
    "agent.given.bpm": {"en": "tempo", "zh": "速度"},
    "agent.given.key": {"en": "key", "zh": "调性"},
    "agent.given.duration_s": {"en": "length", "zh": "时长"},
    "agent.given.instruments": {"en": "instruments", "zh": "乐器"},
    "agent.given.arc": {"en": "arc", "zh": "结构"},
    "agent.given.loop": {"en": "loop", "zh": "循环"},
    "agent.given.variation": {"en": "{n} variation", "zh": "{n} 个版本"},
    "agent.given.variations": {"en": "{n} variations", "zh": "{n} 个版本"},
    # -- the agent: choosing a take (takes.choose / used_reply) ------------------------------
    "agent.use.no_mix": {
        "en": "There is no generated mix {media_id!r} in this session; nothing was changed.",
        "zh": "这个会话里没有 {media_id} 这段音乐，没有做任何更改。",
    },
    "agent.use.no_takes": {
        "en": 'There are no variations to choose from yet — ask for some first, e.g. "3 '
        'variations". Nothing was changed.',
        "zh": "还没有可选的版本——先说“三个版本”生成几个。",
    },
    "agent.use.no_such_take": {
        "en": "There is no variation {number}: the last generation made {count} variations "
        "(1–{count}). Nothing was changed.",
        "zh": "没有第 {number} 个版本：上次生成了 {count} 个（1–{count}）。没有做任何更改。",
    },
    "agent.use.no_such_take.one": {
        "en": "There is no variation {number}: the last generation made {count} take. "
        "Nothing was changed.",
        "zh": "没有第 {number} 个版本：上次生成了 {count} 个（1–{count}）。没有做任何更改。",
    },
    "agent.use.take": {"en": "variation {n}", "zh": "第 {n} 个版本"},
    "agent.use.that_take": {"en": "that take", "zh": "这段音乐"},
    "agent.use.tail": {"en": "({bpm:g} BPM, {key})", "zh": "（{bpm:g} BPM，{key}）"},
    "agent.use.using": {"en": "Using {what} {tail}.", "zh": "已使用{what}{tail}。"},
    "agent.use.already": {
        "en": "{what} {tail} is already on the timeline.",
        "zh": "{what}已经在时间线上了{tail}。",
    },
    # -- the agent: the clip's own sound (voice.apply) -------------------------------------
    "agent.voice.no_clip": {
        "en": "There is no clip yet: drop in a video with sound first, and the music will "
        "dip under its voice.",
        "zh": "还没有视频片段：先拖入一个带声音的视频，音乐才会在人声处自动压低。",
    },
    "agent.voice.muted": {
        "en": "Muted the clip's original sound: the export has the music only.",
        "zh": "已关闭视频原声，导出里只有音乐。",
    },
    "agent.voice.even": {
        "en": "Ducking is off: the clip's sound and the music stay at their own levels.",
        "zh": "已关闭自动避让：原声和音乐都保持各自的音量。",
    },
    "agent.voice.ducked": {
        "en": "The music now dips {depth:g} dB under the voice{limit} and comes back in the "
        "pauses.",
        "zh": "人声出现时，音乐会压低 {depth:g} dB{limit}，停顿时再回来。",
    },
    "agent.voice.deepest": {"en": " (the most it goes)", "zh": "（已是最大）"},
    "agent.voice.shallowest": {"en": " (the least it goes)", "zh": "（已是最小）"},
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
