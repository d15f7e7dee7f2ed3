import pytest

from nemodesk.core.intent import Intent, Routed, normalize, route, word_count

E, C, S, U, X = Intent.EXPORT, Intent.CREDITS, Intent.STATUS, Intent.UPLOAD, Intent.CHAT

# (message, intent, export format)
CASES = [
    # the spec's table, English
    ("export", E, None),
    ("Export as MP3, please.", E, "mp3"),
    ("download", E, None),
    ("Download the stems", E, None),
    ("send me the video", E, None),
    ("can you send me the video when it's done", E, None),
    ("render the video", E, None),
    ("save it as mp3", E, "mp3"),
    ("I'd like to download it in wav", E, "wav"),
    ("export the final cut as webm", E, "webm"),
    ("export to .flac", E, "flac"),
    ("credits", C, None),
    ("balance", C, None),
    ("how many credits do I have left?", C, None),
    ("what's my balance?", C, None),
    ("status", S, None),
    ("Any status update?", S, None),
    ("show tracks", S, None),
    ("show me the timeline", S, None),
    ("what's on the timeline", S, None),
    ("upload", U, None),
    ("Upload a video", U, None),
    # 中文
    ("导出", E, None),
    ("导出MP3", E, "mp3"),
    ("帮我导出视频", E, None),
    ("把视频导出成mp4格式", E, "mp4"),
    ("下载", E, None),
    ("把视频发给我", E, None),
    ("积分", C, None),
    ("我还有多少积分", C, None),
    ("余额", C, None),
    ("查询余额", C, None),
    ("状态", S, None),
    ("现在什么状态", S, None),
    ("查看时间线", S, None),
    ("上传", U, None),
    ("上传视频", U, None),
    # full-width and punctuation
    ("ＥＸＰＯＲＴ！", E, None),
    ("  导出 ＭＰ３ 。", E, "mp3"),
    ("Credits???", C, None),
    ("“status”", S, None),
    # everything else goes to the chat
    ("add BGM", X, None),
    ("make it slower", X, None),
    ("generate a lo-fi beat", X, None),
    ("来一段轻快的音乐", X, None),
    ("给视频加背景音乐", X, None),
    # tricky: a keyword inside a music request stays in the chat
    ("make a track about my bank balance", X, None),
    ("I need a track about my bank balance", X, None),
    ("make the ending status-quo", X, None),
    ("status quo", X, None),
    ("export-ready lo-fi beat", X, None),
    ("export ready lo-fi beat", X, None),
    ("balance the drums and vocals", X, None),
    ("music for the end credits", X, None),
    ("roll the credits at the end with a piano theme", X, None),
    ("a lo-fi beat for my upload", X, None),
    ("the song should feel like waiting for an upload to finish", X, None),
    ("I uploaded the wrong video", X, None),
    ("render the drums louder", X, None),
    ("show me tracks like daft punk", X, None),
    ("generate a lo-fi beat and export it as mp3", X, None),
    ("做一首关于余额的歌", X, None),
    ("给视频加背景音乐然后导出", X, None),
    ("用音乐渲染气氛", X, None),
    # negation: never run the command the user declined
    ("don't export yet", X, None),
    ("cancel the export", X, None),
    ("不要导出", X, None),
    ("先别上传", X, None),
    ("", X, None),
]


@pytest.mark.parametrize(("message", "intent", "fmt"), CASES)
def test_route(message: str, intent: Intent, fmt: str | None) -> None:
    routed = route(message)
    assert routed.intent is intent, routed
    assert routed.format == fmt


def test_enough_cases() -> None:
    assert len(CASES) >= 30
    assert sum(1 for m, *_ in CASES if any("\u4e00" <= ch <= "\u9fff" for ch in m)) >= 10


@pytest.mark.parametrize("intent", list(Intent))
def test_only_chat_goes_over_sse(intent: Intent) -> None:
    assert Routed(intent).over_sse is (intent is Intent.CHAT)


def test_routed_names_the_deciding_words_and_is_frozen() -> None:
    routed = route("Could you please send me the final video?")
    assert routed == Routed(Intent.EXPORT, None, "send me the final video")
    with pytest.raises(AttributeError):
        routed.intent = Intent.CHAT  # type: ignore[misc]
    assert route("add BGM").keyword is None


def test_format_only_for_export() -> None:
    assert route("status of the mp3").format is None
    assert route("download the wav and the mp4").format == "wav"


def test_long_request_routes_only_when_the_keyword_leads() -> None:
    assert route("export the video in full quality with the same settings as last time").intent is E
    assert route("after all that time what I really want is the export").intent is X


def test_normalize_and_word_count() -> None:
    assert normalize("  ＥＸＰＯＲＴ！ it’s —  'ready' ") == "export it's ready"
    assert normalize("status-quo, please") == "status-quo please"
    assert word_count("show me the timeline") == 4
    assert word_count("我还有多少积分") == 4  # seven characters, two to a word
    assert word_count("导出mp3") == 2
