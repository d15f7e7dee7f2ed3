"""Words of the chat agent that the brief parser does not have: edit phrases and labels.

Moods, genres, instruments, arcs, keys and durations are read by
``nemodesk.engine.brief``; this module only holds what an *edit* needs on top of that
("happier", "jazzier", "更有活力"), the Chinese labels for replies and the example requests
the agent offers when it does not understand.
"""

from __future__ import annotations

# --- English number words (variation counts) --------------------------------------------

COUNT_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a couple": 2,
    "a couple of": 2,
    "a pair of": 2,
    "a few": 3,
    "several": 3,
    "some": 3,
    "multiple": 3,
    "a handful of": 3,
}
ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}

# --- intensity ------------------------------------------------------------------------------

SMALL_EN = (
    r"(?:a\s+(?:little\s+|tiny\s+|wee\s+)?bit|a\s+little|a\s+touch|slightly|a\s+tad|somewhat|"
    r"just\s+a\s+bit|marginally|a\s+smidge)"
)
LARGE_EN = (
    r"(?:much|a\s+lot|way|far|lots|significantly|considerably|really|very|even|"
    r"dramatically|a\s+great\s+deal|massively|substantially)"
)
SMALL_ZH = ("一点点", "一点", "一些", "点", "点儿", "些", "稍微", "稍稍", "略微", "略", "有点")
LARGE_ZH = ("很多", "得多", "多了", "非常", "大幅", "特别", "很", "更加", "好多")

# Relative change per intensity: (small, default, large).
TEMPO_STEPS = (0.10, 0.15, 0.25)
VOLUME_STEPS = (10, 20, 35)  # percentage points
ENERGY_STEPS = (0.1, 0.15, 0.25)
LONGER_FACTORS = (1.15, 1.25, 1.5)
SHORTER_FACTORS = (0.87, 0.8, 0.6)
MORE_DRUMS_ENERGY = 0.1
DEFAULT_FADE_IN_S = 2.0
DEFAULT_FADE_OUT_S = 3.0

# --- energy phrases (checked before mood words: "more energetic" is energy, not a mood) ---

ENERGY_UP_EN = (
    "more energetic",
    "more energy",
    "more lively",
    "livelier",
    "more intense",
    "more exciting",
    "more excitement",
    "punchier",
    "more punch",
    "more punchy",
    "more powerful",
    "more power",
    "more drive",
    "more driving",
    "more oomph",
    "harder hitting",
    "hype it up",
    "pump it up",
    "amp it up",
    "kick it up a notch",
    "more dynamic",
    "busier",
    "bigger",
    "stronger",
)
ENERGY_DOWN_EN = (
    "calmer",
    "more calm",
    "less energetic",
    "less energy",
    "less intense",
    "less busy",
    "less aggressive",
    "softer",
    "gentler",
    "more gentle",
    "mellower",
    "more mellow",
    "more relaxed",
    "more laid back",
    "more subtle",
    "more restrained",
    "more minimal",
    "sparser",
    "tone it down",
    "tone down",
    "calm it down",
    "calm down",
    "chill it out",
    "smaller",
)
ENERGY_UP_ZH = (
    "更有活力",
    "有活力一点",
    "活力一点",
    "更活泼",
    "活泼一点",
    "更有力",
    "有力一点",
    "更激烈",
    "激烈一点",
    "更嗨",
    "嗨一点",
    "燃一点",
    "更燃",
    "更有劲",
    "有劲一点",
    "更带劲",
    "带劲一点",
    "更动感",
    "动感一点",
    "能量高一点",
    "更有能量",
    "强烈一点",
    "更强烈",
    "更饱满",
    "饱满一点",
)
ENERGY_DOWN_ZH = (
    "平静一点",
    "更平静",
    "安静一点",
    "更安静",
    "柔和一点",
    "更柔和",
    "轻柔一点",
    "更轻柔",
    "温和一点",
    "更温和",
    "舒缓一点",
    "更舒缓",
    "平缓一点",
    "低调一点",
    "收敛一点",
    "克制一点",
    "没那么激烈",
    "不要那么激烈",
    "别那么激烈",
    "简单一点",
    "更简单",
    "轻一点",
    "弱一点",
)

# --- comparatives the parser does not know: word -> ("mood" | "genre", value) -------------

COMPARATIVES = {
    "happier": ("mood", "happy"),
    "more happy": ("mood", "happy"),
    "cheerier": ("mood", "happy"),
    "cheerfuller": ("mood", "happy"),
    "brighter": ("mood", "happy"),
    "sunnier": ("mood", "happy"),
    "sadder": ("mood", "sad"),
    "gloomier": ("mood", "dark"),
    "moodier": ("mood", "dark"),
    "grittier": ("mood", "dark"),
    "scarier": ("mood", "tense"),
    "creepier": ("mood", "tense"),
    "edgier": ("mood", "tense"),
    "spookier": ("mood", "mysterious"),
    "dreamier": ("mood", "dreamy"),
    "funkier": ("mood", "upbeat"),
    "groovier": ("mood", "upbeat"),
    "bouncier": ("mood", "playful"),
    "warmer": ("mood", "warm"),
    "cozier": ("mood", "warm"),
    "cosier": ("mood", "warm"),
    "chiller": ("mood", "chill"),
    "heavier": ("mood", "aggressive"),
    "angrier": ("mood", "aggressive"),
    "more emotional": ("mood", "sad"),
    "jazzier": ("genre", "jazz"),
    "more jazzy": ("genre", "jazz"),
    "rockier": ("genre", "rock"),
    "more rock": ("genre", "rock"),
    "更开心": ("mood", "happy"),
    "更快乐": ("mood", "happy"),
    "暗一点": ("mood", "dark"),
    "更暗": ("mood", "dark"),
    "阴暗一点": ("mood", "dark"),
    "亮一点": ("mood", "happy"),
    "明亮一点": ("mood", "happy"),
    "更明亮": ("mood", "happy"),
    "更亮": ("mood", "happy"),
    "大气一点": ("mood", "epic"),
    "更大气": ("mood", "epic"),
    "恐怖一点": ("mood", "tense"),
    "爵士风": ("genre", "jazz"),
    "电影感": ("genre", "cinematic"),
    "摇滚一点": ("genre", "rock"),
}

# "less sad", "not so dark", "不那么悲伤": the mood to move towards instead.
MOOD_OPPOSITES = {
    "upbeat": "chill",
    "warm": "dark",
    "chill": "upbeat",
    "tense": "calm",
    "dark": "warm",
    "sad": "warm",
    "epic": "calm",
    "romantic": "upbeat",
    "playful": "calm",
    "mysterious": "warm",
    "inspiring": "calm",
    "calm": "upbeat",
    "happy": "calm",
    "dreamy": "upbeat",
    "aggressive": "calm",
    "nostalgic": "upbeat",
}

# Instruments whose "more" also lifts the energy.
ENERGETIC_INSTRUMENTS = frozenset({"drums", "percussion", "timpani", "brass", "electric_guitar"})

# --- labels -------------------------------------------------------------------------------

GENRE_EN = {
    "lofi": "lo-fi",
    "piano": "solo piano",
    "hiphop": "hip-hop",
    "epic": "epic orchestral",
    "rnb": "R&B",
    "kids": "kids' cartoon",
    "guofeng": "guofeng (Chinese traditional)",
}
GENRE_ZH = {
    "acoustic": "原声",
    "lofi": "Lo-fi",
    "cinematic": "电影配乐",
    "electronic": "电子",
    "ambient": "氛围",
    "corporate": "流行",
    "rock": "摇滚",
    "jazz": "爵士",
    "piano": "钢琴独奏",
    "chiptune": "8位芯片",
    "hiphop": "嘻哈",
    "house": "浩室",
    "funk": "放克",
    "folk": "民谣",
    "epic": "管弦史诗",
    "rnb": "节奏布鲁斯",
    "reggae": "雷鬼",
    "kids": "儿童",
    "guofeng": "国风",
}
MOOD_ZH = {
    "upbeat": "欢快",
    "warm": "温暖",
    "chill": "轻松",
    "tense": "紧张",
    "dark": "黑暗",
    "sad": "悲伤",
    "epic": "史诗",
    "romantic": "浪漫",
    "playful": "俏皮",
    "mysterious": "神秘",
    "inspiring": "励志",
    "calm": "平静",
    "happy": "快乐",
    "dreamy": "梦幻",
    "aggressive": "激烈",
    "nostalgic": "怀旧",
}
INSTRUMENT_ZH = {
    "piano": "钢琴",
    "guitar": "吉他",
    "electric_guitar": "电吉他",
    "ukulele": "尤克里里",
    "bass": "贝斯",
    "upright_bass": "低音提琴",
    "synth_bass": "合成器贝斯",
    "strings": "弦乐",
    "brass": "铜管",
    "synth": "合成器",
    "pad": "铺底音色",
    "drums": "鼓",
    "brushes": "鼓刷",
    "bells": "钟琴",
    "flute": "长笛",
    "marimba": "马林巴",
    "organ": "风琴",
    "choir": "合唱",
    "timpani": "定音鼓",
    "percussion": "打击乐",
}
MODE_ZH = {"major": "大调", "minor": "小调"}
ARC_ZH = {"flat": "平稳", "build": "渐强", "fall": "渐弱", "wave": "起伏"}
ARC_EN_HOW = {
    "flat": "steady energy",
    "build": "builds up to a climax",
    "fall": "winds down towards the end",
    "wave": "rises and falls",
}
CHOSEN_ZH = {
    "duration": "时长",
    "genre": "风格",
    "mood": "情绪",
    "key": "调性",
    "tempo": "速度",
    "arc": "结构",
}

# --- examples offered when a request is not understood -----------------------------------

EDIT_EXAMPLES_EN = (
    '"slower, no piano"',
    '"music at 20%"',
    '"start the music at 0:05"',
    '"3 variations"',
)
EDIT_EXAMPLES_ZH = ("“慢一点，不要钢琴”", "“音乐音量20%”", "“音乐从0:05开始”", "“两个版本”")
NEW_EXAMPLES_EN = (
    '"a 30 second upbeat acoustic track"',
    '"calm piano music for a wedding video"',
    '"dark cinematic score at 90 BPM, 3 variations"',
)
NEW_EXAMPLES_ZH = (
    "“做一段30秒的轻松背景音乐”",
    "“适合婚礼视频的钢琴曲”",
    "“紧张的电影配乐，三个版本”",
)
