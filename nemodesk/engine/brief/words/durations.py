"""Words the duration parser reads: English and Chinese number words, and decade styles.

The table format is described in ``words.format``.
"""

from __future__ import annotations

from nemodesk.engine.brief.words.format import phrases

_UNITS = "zero, one, two, three, four, five, six, seven, eight, nine"
_TEENS = "ten, eleven, twelve, thirteen, fourteen, fifteen, sixteen, seventeen, eighteen, nineteen"
_TENS = "twenty, thirty, forty, fifty, sixty, seventy, eighty, ninety"

UNITS = {w: n for n, w in enumerate(phrases(_UNITS))}
TEENS = {w: n for n, w in enumerate(phrases(_TEENS), start=10)}
TENS = {w: 10 * n for n, w in enumerate(phrases(_TENS), start=2)}
ZH_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))

# Words after "80s"/"90s" that make it a decade ("90s hip hop"), not a duration ("90s track").
DECADE_STYLE_WORDS = phrases(
    "hip hop, hiphop, rap, r&b, rnb, rock, pop, synth, synths, synthwave, disco, funk, grunge, "
    "house, techno, dance, edm, trance, rave, punk, metal, jazz, soul, country, new wave, "
    "lo fi, lofi, chiptune, boy band, vibe, vibes, style, styled, feel, aesthetic, era, sound, "
    "sounds, music, songs, tunes, nostalgia, retro, throwback, kid, kids, cartoon, cartoons, "
    "anime, tv, sitcom, movie, movies, arcade, video game, video games, inspired, electronic, "
    "r and b, 风, 风格, 复古"
)
