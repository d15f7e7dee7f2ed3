"""Genre synonyms, English and Chinese: phrase -> one of ``model.GENRES``.

The table format is described in ``words.format``. A specific style word names its own
genre ("trap" → hiphop, "deep house" → house, "country" → folk, "orchestral" → epic);
the broad words keep their broad genre ("lofi hip hop", "boom bap" → lofi; "film score" →
cinematic; "synthwave" → electronic; "acoustic" → acoustic).
"""

from __future__ import annotations

from nemodesk.engine.brief.words.format import expand

_STRONG = {
    "acoustic": "acoustic, singer songwriter, unplugged, 原声",
    "lofi": (
        "lofi, lo fi, lowfi, low fi, chillhop, chill hop, lo fi hip hop, lofi hip hop, "
        "lo fi hiphop, lofi hiphop, chill hip hop, chill hiphop, boom bap, jazzhop, jazz hop, "
        "低保真, 低保真嘻哈"
    ),
    "hiphop": (
        "hip hop, hiphop, hip hop beat, rap, rap beat, trap, trap beat, trap music, drill, "
        "嘻哈, 说唱, 饶舌, 陷阱, 陷阱音乐, 陷阱说唱"
    ),
    "cinematic": ("cinematic, film score, movie score, score, trailer, soundtrack, 电影, 电影配乐"),
    "epic": (
        "orchestral, orchestra, symphonic, symphony, epic orchestral, orchestral epic, "
        "epic orchestra, epic music, heroic orchestral, 管弦, 交响, 管弦史诗, 史诗管弦, "
        "史诗音乐, 史诗配乐, 管弦乐"
    ),
    "electronic": (
        "electronic, electronica, techno, dance, synthwave, synth wave, synthpop, synth pop, "
        "electro, dubstep, trance, future bass, drum and bass, dnb, retrowave, 电子"
    ),
    "house": (
        "house, house music, deep house, tech house, progressive house, big room, edm, club, "
        "club music, four on the floor, 浩室, 电音, 电音舞曲, 电子舞曲, 舞曲, 浩室音乐"
    ),
    "funk": "funk, disco, nu disco, funk groove, 放克, 迪斯科, 迪斯可, 的士高",
    "folk": (
        "folk, folk song, indie folk, country, country music, americana, bluegrass, "
        "民谣, 乡村, 乡村音乐, 美式乡村"
    ),
    "rnb": (
        "r&b, r & b, r and b, rnb, r n b, rhythm and blues, soul, neo soul, motown, "
        "节奏布鲁斯, 灵魂乐, 节奏蓝调"
    ),
    "reggae": (
        "reggae, reggaeton, dancehall, ska, latin, latin pop, salsa, cumbia, samba, "
        "雷鬼, 拉丁, 拉丁音乐, 萨尔萨, 桑巴"
    ),
    "kids": (
        "kids, kids music, cartoon, cartoons, children, childrens, children's, "
        "children's music, cartoon music, nursery, nursery rhyme, preschool, "
        "儿童, 儿歌, 卡通, 童趣, 童谣, 动画片"
    ),
    "guofeng": (
        "guofeng, chinese traditional, traditional chinese, chinese style, chinese folk, "
        "ancient chinese, chinese instrumental, 国风, 古风, 中国风, 民乐, 民族乐, 中国传统, "
        "传统民乐"
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
    "funk": "funky",
    "cinematic": "配乐",
    "epic": "史诗",
    "ambient": "氛围",
    "guofeng": "guzheng, erhu, pipa, dizi, 古筝, 二胡, 琵琶, 笛子, 竹笛",
}

GENRE_WEAK_WORDS = expand(_WEAK)
GENRE_WORDS = {**expand(_STRONG), **GENRE_WEAK_WORDS}
GENRE_WEAK = frozenset(GENRE_WEAK_WORDS)
