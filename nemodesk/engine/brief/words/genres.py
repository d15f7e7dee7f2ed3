"""Genre synonyms, English and Chinese: phrase -> one of ``model.GENRES``.

The table format is described in ``words.format``.
"""

from __future__ import annotations

from nemodesk.engine.brief.words.format import expand

_STRONG = {
    "acoustic": "acoustic, folk, indie folk, singer songwriter, unplugged, country, 原声, 民谣",
    "lofi": (
        "lofi, lo fi, lowfi, low fi, chillhop, chill hop, lo fi hip hop, lofi hip hop, hip hop, "
        "hiphop, hip hop beat, boom bap, jazzhop, jazz hop, rap, 低保真, 嘻哈"
    ),
    "cinematic": (
        "cinematic, orchestral, orchestra, symphonic, film score, movie score, score, trailer, "
        "epic orchestral, 电影, 管弦, 交响"
    ),
    "electronic": (
        "electronic, electronica, edm, house, deep house, techno, dance, synthwave, synth wave, "
        "synthpop, synth pop, electro, dubstep, trance, future bass, drum and bass, dnb, club, "
        "retrowave, 电子"
    ),
    "ambient": "ambient, drone, drones, atmospheric, soundscape, 环境音乐",
    "corporate": "corporate, pop, commercial, 企业, 流行",
    "rock": (
        "rock, indie rock, punk, punk rock, pop punk, grunge, metal, hard rock, alt rock, "
        "alternative rock, garage rock, 摇滚"
    ),
    "jazz": "jazz, swing, bossa, bossa nova, bebop, big band, smooth jazz, blues, lounge, 爵士",
    "piano": (
        "solo piano, piano solo, piano only, only piano, just piano, just a piano, pure piano, "
        "piano piece, piano ballad, piano music, 钢琴独奏, 纯钢琴, 钢琴曲, 只有钢琴"
    ),
    "chiptune": (
        "chiptune, chiptunes, chip tune, 8 bit, 8bit, 16 bit, retro game, retro gaming, "
        "video game music, arcade, game boy, gameboy, 8位, 芯片"
    ),
}
# Weak: implied by an instrument or a loose word; used only when nothing stronger is said.
_WEAK = {
    "acoustic": "guitar, acoustic guitar, ukulele, 吉他, 木吉他",
    "rock": "electric guitar, 电吉他",
    "electronic": "synth, synths, synthesizer, 合成器",
    "jazz": "jazzy",
    "cinematic": "配乐",
    "ambient": "氛围",
}

GENRE_WEAK_WORDS = expand(_WEAK)
GENRE_WORDS = {**expand(_STRONG), **GENRE_WEAK_WORDS}
GENRE_WEAK = frozenset(GENRE_WEAK_WORDS)
