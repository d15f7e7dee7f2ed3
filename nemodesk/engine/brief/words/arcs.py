"""Energy-arc and loop words, English and Chinese.

The table format is described in ``words.format``.
"""

from __future__ import annotations

from nemodesk.engine.brief.words.format import expand, phrases

# one of ``model.ARCS`` -> phrases
_ARCS = {
    "flat": "steady, constant, consistent, flat, unchanging, stable, 平稳, 稳定, 不变",
    "build": (
        "build, builds, building, build up, builds up, building up, buildup, building tension, "
        "crescendo, rising, rises, grows, growing, swells, swelling, escalating, escalates, "
        "ramps up, ramping up, intensifies, intensifying, dramatic finale, big finish, big ending, "
        "grand finale, epic finale, climax, climactic, starts quietly, starts quiet, "
        "starts softly, starts soft, starts slow, starts slowly, start quietly, begins quietly, "
        "begins softly, slow build, 渐强, 逐渐紧张, 高潮结尾, 逐渐增强, 逐渐加强, 慢慢增强, 高潮, "
        "递进, 越来越, 由弱到强, 渐进"
    ),
    "fall": (
        "winds down, wind down, winding down, fades out, fade out, fading out, fades away, "
        "fade away, calming down, calms down, decrescendo, diminuendo, ends quietly, ends softly, "
        "end quietly, quiet ending, soft ending, gentle ending, settles down, dies down, "
        "dies away, tapers off, 渐弱, 淡出, 逐渐平静, 渐渐平静, 由强到弱, 逐渐减弱, 结尾安静, "
        "慢慢安静"
    ),
    "wave": (
        "ebb and flow, waves, wave, ups and downs, rise and fall, peaks and valleys, 起伏, 跌宕, "
        "此起彼伏"
    ),
}
_LOOP = (
    "loop, loops, loopable, loop able, looping, looped, seamless, seamlessly, 循环, 无缝, 可循环"
)

ARC_WORDS = expand(_ARCS)
LOOP_WORDS = dict.fromkeys(phrases(_LOOP), True)
