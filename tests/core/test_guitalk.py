import pytest

from nemodesk.core.guitalk import (
    Action,
    Step,
    Translated,
    drop_trailing_glitch,
    is_temporary_issue,
    translate,
)

EXPORT, STATE, SUMMARY = Action.EXPORT, Action.SHOW_STATE, Action.SHOW_SUMMARY
EDIT, CREDITS, CLICK = Action.SEND_EDIT, Action.SHOW_CREDITS, Action.CLICK

# (backend text, text to show, actions)
CASES = [
    # the brief's examples
    (
        "I've added a warm acoustic BGM at 35%. Click the Export button to download your video.",
        "I've added a warm acoustic BGM at 35%.",
        (EXPORT,),
    ),
    ("背景音乐已添加。点击导出按钮下载视频。", "背景音乐已添加。", (EXPORT,)),
    ("背景音乐已添加，点击导出按钮下载视频。", "背景音乐已添加。", (EXPORT,)),
    # one of each phrase
    ("Done! Open the timeline panel to see the new BGM track.", "Done!", (STATE,)),
    (
        "The music now fades out over the last 3 seconds. You can preview it in the timeline.",
        "The music now fades out over the last 3 seconds.",
        (SUMMARY,),
    ),
    (
        "I picked a calm piano piece. To make it quieter, drag the volume slider down.",
        "I picked a calm piano piece.",
        (EDIT,),
    ),
    (
        "You have 250 credits left. Check your account page for billing details.",
        "You have 250 credits left.",
        (CREDITS,),
    ),
    ("Click the Generate button to create a new version.", "", (CLICK,)),
    ("Click Download to save the file.", "", (EXPORT,)),
    ("Go to the billing page to top up.", "", (CREDITS,)),
    ("积分不足。请查看账户充值。", "积分不足。", (CREDITS,)),
    (
        "已为视频添加轻快的钢琴配乐，音量35%。打开时间线面板即可查看。",
        "已为视频添加轻快的钢琴配乐，音量35%。",
        (STATE,),
    ),
    ("新的配乐已生成。将音乐拖拽到时间线上即可替换。", "新的配乐已生成。", (EDIT,)),
    ("标题已更新。可以在时间线上预览效果。", "标题已更新。", (SUMMARY,)),
    ("点击「生成」按钮重新生成。", "", (CLICK,)),
    # clauses: the instruction, its lead-in and its continuation go; content stays
    ("The BGM is at 35%, click Export when you're happy.", "The BGM is at 35%.", (EXPORT,)),
    ("Title added. When you're ready, click the Export button.", "Title added.", (EXPORT,)),
    ("To download your video, click the Export button.", "", (EXPORT,)),
    ("Click Export, then choose MP4 as the format.", "", (EXPORT,)),
    (
        "Open the editor panel, the BGM now fades out at 0:28.",
        "The BGM now fades out at 0:28.",
        (STATE,),
    ),
    (
        "Your track is ready so just click Export to save it.",
        "Your track is ready.",
        (EXPORT,),
    ),
    (
        "I've added the intro music (preview it in the timeline) and a title card.",
        "I've added the intro music and a title card.",
        (SUMMARY,),
    ),
    ('Click "Apply" and then click Export.', "", (CLICK, EXPORT)),
    # order of appearance, and one export however often it is asked for
    (
        "Drag the clip to 0:05. Click Export. Then hit the Export button again if needed.",
        "",
        (EDIT, EXPORT),
    ),
    # lines and list markers survive; whitespace is tidied
    (
        "Changes:\n1. BGM volume 35%\n2. Title added\n\nClick Export to download.",
        "Changes:\n1. BGM volume 35%\n2. Title added",
        (EXPORT,),
    ),
    ("  Added   BGM .   Click Export.  ", "Added BGM.", (EXPORT,)),
    ("Ｃｌｉｃｋ the Export button.", "", (EXPORT,)),
    # GUI words used as content are not instructions
    (
        "The beat drops at 0:30, then the strings come in.",
        "The beat drops at 0:30, then the strings come in.",
        (),
    ),
    (
        "I added an open, airy pad under the dialogue.",
        "I added an open, airy pad under the dialogue.",
        (),
    ),
    (
        "I added a click track at 120 BPM and it's a hit with drummers.",
        "I added a click track at 120 BPM and it's a hit with drummers.",
        (),
    ),
    ("The tempo doesn't drag anymore.", "The tempo doesn't drag anymore.", ()),
    ("Your video has been exported in MP4.", "Your video has been exported in MP4.", ()),
    ("视频已导出为MP4。", "视频已导出为MP4。", ()),
    ("Now, the intro is softer.", "Now, the intro is softer.", ()),
    ("", "", ()),
]


@pytest.mark.parametrize(("raw", "text", "actions"), CASES)
def test_translate(raw: str, text: str, actions: tuple[Action, ...]) -> None:
    result = translate(raw)
    assert result.text == text
    assert result.actions == actions


def test_enough_cases() -> None:
    assert len(CASES) >= 15


def test_click_keeps_the_button_name() -> None:
    result = translate('Click "Apply" and then click the Generate button.')
    assert result.clicks == ("Apply", "Generate")
    assert [s.target for s in result.steps] == ["Apply", "Generate"]
    assert translate("点击「生成」按钮重新生成。").clicks == ("生成",)
    assert translate("Click here to continue.").steps == (
        Step(CLICK, None, "Click here to continue"),
    )


def test_steps_keep_the_instruction_for_an_edit() -> None:
    step = translate("Music added. Drag the BGM to 0:05 on the timeline.").steps[0]
    assert step == Step(EDIT, None, "Drag the BGM to 0:05 on the timeline")


def test_panel_name_decides_the_action() -> None:
    assert translate("Open the Export panel.").steps[0] == Step(
        EXPORT, "Export panel", "Open the Export panel"
    )
    assert translate("Open the timeline panel.").steps[0].target == "timeline"


def test_content_is_never_lost_with_its_instruction() -> None:
    result = translate("All set: the BGM sits at 35%, fading out at 0:28 — click Export.")
    assert result == Translated(
        "All set: the BGM sits at 35%, fading out at 0:28.",
        (Step(EXPORT, "Export", "click Export"),),
    )


GLITCH = "I encountered a temporary issue. Please try again."


@pytest.mark.parametrize(
    ("parts", "kept"),
    [
        (["Added BGM at 35%.", GLITCH], ["Added BGM at 35%."]),
        (["Added.", "Sorry, I ran into a temporary problem.", "  "], ["Added."]),
        (["背景音乐已添加。", "抱歉，遇到了临时问题。"], ["背景音乐已添加。"]),
        (["标题已更新。", "暂时出现问题，请稍后重试。"], ["标题已更新。"]),
        # nothing normal before it: the notice is all the user gets, so it stays
        ([GLITCH], [GLITCH]),
        ([GLITCH, GLITCH], [GLITCH, GLITCH]),
        (["", GLITCH], ["", GLITCH]),
        # not at the end, or not only a notice
        (["A.", GLITCH, "B."], ["A.", GLITCH, "B."]),
        (
            ["A.", "I encountered a temporary issue, but the BGM is added."],
            ["A.", "I encountered a temporary issue, but the BGM is added."],
        ),
        ([], []),
    ],
)
def test_drop_trailing_glitch(parts: list[str], kept: list[str]) -> None:
    before = list(parts)
    assert drop_trailing_glitch(parts) == kept
    assert parts == before  # the input list is not changed


def test_is_temporary_issue() -> None:
    assert is_temporary_issue("I encountered a temporary issue.")
    assert is_temporary_issue("遇到了临时问题")
    assert not is_temporary_issue("The BGM is added.")
    assert not is_temporary_issue("I encountered a temporary issue, but the title is done.")
