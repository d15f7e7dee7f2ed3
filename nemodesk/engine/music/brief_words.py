"""Word tables for the brief parser: synonyms (English and Chinese) and the default tables.

Kept apart from the parsing logic so that adding a synonym never touches code. English
phrases are written in the parser's normal form: lower case, words separated by one space,
hyphens between letters already turned into spaces ("lo-fi" is written "lo fi").
Longer phrases win over shorter ones at the same position ("electric guitar" over "guitar").
"""

from __future__ import annotations

# --- number words -------------------------------------------------------------------------

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9,
}
TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
ZH_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
    "八": 8, "九": 9,
}

# Words after "80s"/"90s" that make it a decade ("90s hip hop"), not a duration ("90s track").
DECADE_STYLE_WORDS = (
    "hip hop", "hiphop", "rap", "r&b", "rnb", "rock", "pop", "synth", "synths", "synthwave",
    "disco", "funk", "grunge", "house", "techno", "dance", "edm", "trance", "rave", "punk",
    "metal", "jazz", "soul", "country", "new wave", "lo fi", "lofi", "chiptune", "boy band",
    "vibe", "vibes", "style", "styled", "feel", "aesthetic", "era", "sound", "sounds", "music",
    "songs", "tunes", "nostalgia", "retro", "throwback", "kid", "kids", "cartoon", "cartoons",
    "anime", "tv", "sitcom", "movie", "movies", "arcade", "video game", "video games",
    "inspired", "electronic", "r and b", "风", "风格", "复古",
)

# --- moods --------------------------------------------------------------------------------

MOOD_WORDS = {
    # upbeat
    "upbeat": "upbeat", "up beat": "upbeat", "energetic": "upbeat", "lively": "upbeat",
    "peppy": "upbeat", "adventurous": "upbeat", "adventure": "upbeat", "exciting": "upbeat",
    "excited": "upbeat", "dynamic": "upbeat", "vibrant": "upbeat", "groovy": "upbeat",
    "funky": "upbeat", "energizing": "upbeat", "energising": "upbeat", "high energy": "upbeat",
    "欢快": "upbeat", "动感": "upbeat", "活力": "upbeat", "明快": "upbeat", "冒险": "upbeat",
    "积极": "upbeat", "热情": "upbeat",
    # warm
    "warm": "warm", "warmth": "warm", "cozy": "warm", "cosy": "warm", "heartwarming": "warm",
    "heart warming": "warm", "friendly": "warm", "homey": "warm", "welcoming": "warm",
    "温暖": "warm", "温馨": "warm",
    # chill
    "chill": "chill", "chilled": "chill", "chill out": "chill", "chillout": "chill",
    "relaxed": "chill", "relaxing": "chill", "laid back": "chill", "laidback": "chill",
    "mellow": "chill", "easygoing": "chill", "easy going": "chill", "smooth": "chill",
    "lazy": "chill", "轻松": "chill", "放松": "chill", "惬意": "chill", "慵懒": "chill",
    "悠闲": "chill", "舒缓": "chill",
    # tense
    "tense": "tense", "tension": "tense", "suspense": "tense", "suspenseful": "tense",
    "thriller": "tense", "thrilling": "tense", "horror": "tense", "scary": "tense",
    "creepy": "tense", "anxious": "tense", "nervous": "tense", "urgent": "tense",
    "edgy": "tense", "nail biting": "tense", "紧张": "tense", "悬疑": "tense", "惊悚": "tense",
    "恐怖": "tense", "张力": "tense", "紧迫": "tense",
    # dark
    "dark": "dark", "darker": "dark", "sinister": "dark", "ominous": "dark", "gloomy": "dark",
    "brooding": "dark", "menacing": "dark", "gritty": "dark", "noir": "dark",
    "黑暗": "dark", "阴暗": "dark", "阴森": "dark", "暗黑": "dark",
    # sad
    "sad": "sad", "sadness": "sad", "melancholic": "sad", "melancholy": "sad",
    "sorrowful": "sad", "somber": "sad", "sombre": "sad", "tragic": "sad", "mournful": "sad",
    "heartbreaking": "sad", "heartbroken": "sad", "emotional": "sad", "grief": "sad",
    "lonely": "sad", "悲伤": "sad", "伤感": "sad", "忧伤": "sad", "忧郁": "sad", "哀伤": "sad",
    "难过": "sad",
    # epic
    "epic": "epic", "heroic": "epic", "grand": "epic", "majestic": "epic",
    "triumphant": "epic", "anthemic": "epic", "glorious": "epic", "legendary": "epic",
    "dramatic": "epic", "史诗": "epic", "壮丽": "epic", "宏大": "epic", "恢弘": "epic",
    "英雄": "epic", "磅礴": "epic",
    # romantic
    "romantic": "romantic", "romance": "romantic", "tender": "romantic", "intimate": "romantic",
    "sensual": "romantic", "love song": "romantic", "浪漫": "romantic", "爱情": "romantic",
    "甜蜜": "romantic", "温柔": "romantic",
    # playful
    "playful": "playful", "quirky": "playful", "whimsical": "playful", "funny": "playful",
    "silly": "playful", "cute": "playful", "bouncy": "playful", "fun": "playful",
    "cheeky": "playful", "comedic": "playful", "comedy": "playful", "cartoon": "playful",
    "cartoonish": "playful", "俏皮": "playful", "可爱": "playful", "活泼": "playful",
    "搞笑": "playful", "诙谐": "playful", "调皮": "playful",
    # mysterious
    "mysterious": "mysterious", "mystery": "mysterious", "mystic": "mysterious",
    "mystical": "mysterious", "eerie": "mysterious", "enigmatic": "mysterious",
    "magical": "mysterious", "spooky": "mysterious", "神秘": "mysterious",
    "诡异": "mysterious", "奇幻": "mysterious", "魔幻": "mysterious",
    # inspiring
    "inspiring": "inspiring", "inspirational": "inspiring", "uplifting": "inspiring",
    "motivational": "inspiring", "motivating": "inspiring", "hopeful": "inspiring",
    "empowering": "inspiring", "aspirational": "inspiring", "励志": "inspiring",
    "鼓舞": "inspiring", "激励": "inspiring", "振奋": "inspiring", "正能量": "inspiring",
    # calm
    "calm": "calm", "calming": "calm", "peaceful": "calm", "serene": "calm",
    "tranquil": "calm", "soothing": "calm", "gentle": "calm", "quiet": "calm",
    "meditative": "calm", "平静": "calm", "宁静": "calm", "安静": "calm", "安宁": "calm",
    "祥和": "calm",
    # happy
    "happy": "happy", "joyful": "happy", "joyous": "happy", "cheerful": "happy",
    "sunny": "happy", "feel good": "happy", "feelgood": "happy", "festive": "happy",
    "bright": "happy", "positive": "happy", "carefree": "happy", "快乐": "happy",
    "开心": "happy", "愉快": "happy", "阳光": "happy", "喜庆": "happy", "欢乐": "happy",
    # dreamy
    "dreamy": "dreamy", "dreamlike": "dreamy", "ethereal": "dreamy", "floaty": "dreamy",
    "hazy": "dreamy", "airy": "dreamy", "梦幻": "dreamy", "空灵": "dreamy", "朦胧": "dreamy",
    # aggressive
    "aggressive": "aggressive", "intense": "aggressive", "angry": "aggressive",
    "fierce": "aggressive", "heavy": "aggressive", "hard hitting": "aggressive",
    "furious": "aggressive", "brutal": "aggressive", "激烈": "aggressive",
    "愤怒": "aggressive", "狂暴": "aggressive", "猛烈": "aggressive",
    # nostalgic
    "nostalgic": "nostalgic", "nostalgia": "nostalgic", "vintage": "nostalgic",
    "retro": "nostalgic", "bittersweet": "nostalgic", "wistful": "nostalgic",
    "sentimental": "nostalgic", "throwback": "nostalgic", "怀旧": "nostalgic",
    "复古": "nostalgic", "回忆": "nostalgic",
}

# --- genres -------------------------------------------------------------------------------

GENRE_WORDS = {
    "acoustic": "acoustic", "folk": "acoustic", "indie folk": "acoustic",
    "singer songwriter": "acoustic", "unplugged": "acoustic", "country": "acoustic",
    "原声": "acoustic", "民谣": "acoustic",
    "lofi": "lofi", "lo fi": "lofi", "lowfi": "lofi", "low fi": "lofi", "chillhop": "lofi",
    "chill hop": "lofi", "lo fi hip hop": "lofi", "lofi hip hop": "lofi", "hip hop": "lofi",
    "hiphop": "lofi", "hip hop beat": "lofi", "boom bap": "lofi", "jazzhop": "lofi",
    "jazz hop": "lofi", "rap": "lofi", "低保真": "lofi", "嘻哈": "lofi",
    "cinematic": "cinematic", "orchestral": "cinematic", "orchestra": "cinematic",
    "symphonic": "cinematic", "film score": "cinematic", "movie score": "cinematic",
    "score": "cinematic", "trailer": "cinematic", "epic orchestral": "cinematic",
    "电影": "cinematic", "管弦": "cinematic", "交响": "cinematic",
    "electronic": "electronic", "electronica": "electronic", "edm": "electronic",
    "house": "electronic", "deep house": "electronic", "techno": "electronic",
    "dance": "electronic", "synthwave": "electronic", "synth wave": "electronic",
    "synthpop": "electronic", "synth pop": "electronic", "electro": "electronic",
    "dubstep": "electronic", "trance": "electronic", "future bass": "electronic",
    "drum and bass": "electronic", "dnb": "electronic", "club": "electronic",
    "retrowave": "electronic", "电子": "electronic",
    "ambient": "ambient", "drone": "ambient", "drones": "ambient", "atmospheric": "ambient",
    "soundscape": "ambient", "环境音乐": "ambient",
    "corporate": "corporate", "pop": "corporate", "commercial": "corporate",
    "企业": "corporate", "流行": "corporate",
    "rock": "rock", "indie rock": "rock", "punk": "rock", "punk rock": "rock",
    "pop punk": "rock", "grunge": "rock", "metal": "rock", "hard rock": "rock",
    "alt rock": "rock", "alternative rock": "rock", "garage rock": "rock", "摇滚": "rock",
    "jazz": "jazz", "swing": "jazz", "bossa": "jazz", "bossa nova": "jazz", "bebop": "jazz",
    "big band": "jazz", "smooth jazz": "jazz", "blues": "jazz", "lounge": "jazz",
    "爵士": "jazz",
    "solo piano": "piano", "piano solo": "piano", "piano only": "piano",
    "only piano": "piano", "just piano": "piano", "just a piano": "piano",
    "pure piano": "piano", "piano piece": "piano", "piano ballad": "piano",
    "piano music": "piano", "钢琴独奏": "piano", "纯钢琴": "piano", "钢琴曲": "piano",
    "只有钢琴": "piano",
    "chiptune": "chiptune", "chiptunes": "chiptune", "chip tune": "chiptune",
    "8 bit": "chiptune", "8bit": "chiptune", "16 bit": "chiptune", "retro game": "chiptune",
    "retro gaming": "chiptune", "video game music": "chiptune", "arcade": "chiptune",
    "game boy": "chiptune", "gameboy": "chiptune", "8位": "chiptune", "芯片": "chiptune",
    # weak: implied by an instrument or a loose word; used only when nothing stronger is said
    "guitar": "acoustic", "acoustic guitar": "acoustic", "ukulele": "acoustic",
    "electric guitar": "rock", "synth": "electronic", "synths": "electronic",
    "synthesizer": "electronic", "jazzy": "jazz", "吉他": "acoustic", "木吉他": "acoustic",
    "电吉他": "rock", "合成器": "electronic", "配乐": "cinematic", "氛围": "ambient",
}
GENRE_WEAK = frozenset({
    "guitar", "acoustic guitar", "ukulele", "electric guitar", "synth", "synths",
    "synthesizer", "jazzy", "吉他", "木吉他", "电吉他", "合成器", "配乐", "氛围",
})

# --- instruments --------------------------------------------------------------------------

INSTRUMENT_WORDS = {
    "piano": "piano", "pianos": "piano", "keys": "piano", "keyboard": "piano",
    "keyboards": "piano", "rhodes": "piano", "electric piano": "piano", "e piano": "piano",
    "grand piano": "piano", "upright piano": "piano", "felt piano": "piano",
    "wurlitzer": "piano", "钢琴": "piano", "电钢琴": "piano",
    "guitar": "guitar", "guitars": "guitar", "acoustic guitar": "guitar",
    "acoustic guitars": "guitar", "nylon guitar": "guitar", "classical guitar": "guitar",
    "吉他": "guitar", "木吉他": "guitar", "民谣吉他": "guitar", "古典吉他": "guitar",
    "electric guitar": "electric_guitar", "electric guitars": "electric_guitar",
    "distorted guitar": "electric_guitar", "电吉他": "electric_guitar",
    "ukulele": "ukulele", "uke": "ukulele", "ukelele": "ukulele", "尤克里里": "ukulele",
    "bass": "bass", "bass guitar": "bass", "bassline": "bass", "bass line": "bass",
    "electric bass": "bass", "贝斯": "bass", "低音": "bass",
    "upright bass": "upright_bass", "double bass": "upright_bass",
    "contrabass": "upright_bass", "acoustic bass": "upright_bass",
    "低音提琴": "upright_bass", "倍大提琴": "upright_bass",
    "synth bass": "synth_bass", "808": "synth_bass", "808s": "synth_bass",
    "sub bass": "synth_bass", "subbass": "synth_bass", "合成器贝斯": "synth_bass",
    "strings": "strings", "string section": "strings", "string ensemble": "strings",
    "orchestra strings": "strings", "orchestral strings": "strings", "violin": "strings",
    "violins": "strings", "cello": "strings", "cellos": "strings", "viola": "strings",
    "violas": "strings", "fiddle": "strings", "pizzicato": "strings", "弦乐": "strings",
    "小提琴": "strings", "大提琴": "strings", "中提琴": "strings",
    "brass": "brass", "horns": "brass", "horn": "brass", "french horn": "brass",
    "trumpet": "brass", "trumpets": "brass", "trombone": "brass", "trombones": "brass",
    "tuba": "brass", "sax": "brass", "saxophone": "brass", "铜管": "brass", "小号": "brass",
    "长号": "brass", "圆号": "brass", "萨克斯": "brass",
    "synth": "synth", "synths": "synth", "synthesizer": "synth", "synthesizers": "synth",
    "synthesiser": "synth", "synthesisers": "synth", "arp": "synth", "arps": "synth",
    "arpeggio": "synth", "arpeggios": "synth", "arpeggiator": "synth", "lead synth": "synth",
    "synth lead": "synth", "合成器": "synth",
    "pad": "pad", "pads": "pad", "synth pad": "pad", "synth pads": "pad", "铺底": "pad",
    "drums": "drums", "drum": "drums", "drum kit": "drums", "drumkit": "drums",
    "beat": "drums", "beats": "drums", "drum beat": "drums", "kick": "drums",
    "kick drum": "drums", "bass drum": "drums", "snare": "drums", "hi hat": "drums",
    "hihat": "drums", "hi hats": "drums", "鼓": "drums", "鼓点": "drums", "架子鼓": "drums",
    "brushes": "brushes", "brush drums": "brushes", "brushed drums": "brushes",
    "鼓刷": "brushes",
    "bells": "bells", "bell": "bells", "glockenspiel": "bells", "celesta": "bells",
    "chimes": "bells", "music box": "bells", "钟琴": "bells", "铃铛": "bells",
    "八音盒": "bells",
    "flute": "flute", "flutes": "flute", "长笛": "flute", "笛子": "flute",
    "marimba": "marimba", "xylophone": "marimba", "vibraphone": "marimba",
    "马林巴": "marimba", "木琴": "marimba",
    "organ": "organ", "hammond": "organ", "church organ": "organ", "管风琴": "organ",
    "风琴": "organ",
    "choir": "choir", "choirs": "choir", "chant": "choir", "chanting": "choir",
    "合唱": "choir", "合唱团": "choir",
    "timpani": "timpani", "定音鼓": "timpani",
    "percussion": "percussion", "shaker": "percussion", "tambourine": "percussion",
    "congas": "percussion", "bongos": "percussion", "hand percussion": "percussion",
    "taiko": "percussion", "打击乐": "percussion", "手鼓": "percussion",
}

# --- arc, loop, tempo, energy -------------------------------------------------------------

ARC_WORDS = {
    "steady": "flat", "constant": "flat", "consistent": "flat", "flat": "flat",
    "unchanging": "flat", "stable": "flat", "平稳": "flat", "稳定": "flat", "不变": "flat",
    "build": "build", "builds": "build", "building": "build", "build up": "build",
    "builds up": "build", "building up": "build", "buildup": "build",
    "building tension": "build", "crescendo": "build", "rising": "build", "rises": "build",
    "grows": "build", "growing": "build", "swells": "build", "swelling": "build",
    "escalating": "build", "escalates": "build", "ramps up": "build", "ramping up": "build",
    "intensifies": "build", "intensifying": "build", "dramatic finale": "build",
    "big finish": "build", "big ending": "build", "grand finale": "build",
    "epic finale": "build", "climax": "build", "climactic": "build",
    "starts quietly": "build", "starts quiet": "build", "starts softly": "build",
    "starts soft": "build", "starts slow": "build", "starts slowly": "build",
    "start quietly": "build", "begins quietly": "build", "begins softly": "build",
    "slow build": "build", "渐强": "build", "逐渐紧张": "build", "高潮结尾": "build",
    "逐渐增强": "build", "逐渐加强": "build", "慢慢增强": "build", "高潮": "build",
    "递进": "build", "越来越": "build", "由弱到强": "build", "渐进": "build",
    "winds down": "fall", "wind down": "fall", "winding down": "fall", "fades out": "fall",
    "fade out": "fall", "fading out": "fall", "fades away": "fall", "fade away": "fall",
    "calming down": "fall", "calms down": "fall", "decrescendo": "fall",
    "diminuendo": "fall", "ends quietly": "fall", "ends softly": "fall",
    "end quietly": "fall", "quiet ending": "fall", "soft ending": "fall",
    "gentle ending": "fall", "settles down": "fall", "dies down": "fall",
    "dies away": "fall", "tapers off": "fall", "渐弱": "fall", "淡出": "fall",
    "逐渐平静": "fall", "渐渐平静": "fall", "由强到弱": "fall", "逐渐减弱": "fall",
    "结尾安静": "fall", "慢慢安静": "fall",
    "ebb and flow": "wave", "waves": "wave", "wave": "wave", "ups and downs": "wave",
    "rise and fall": "wave", "peaks and valleys": "wave", "起伏": "wave", "跌宕": "wave",
    "此起彼伏": "wave",
}
LOOP_WORDS = {
    w: True for w in (
        "loop", "loops", "loopable", "loop able", "looping", "looped", "seamless",
        "seamlessly", "循环", "无缝", "可循环",
    )
}
# Tempo word -> (place in the genre's range: 0 low end, 1 high end, <0 / >1 beyond it,
# a pure tempo word?). Mood-like words ("upbeat") steer the tempo but leave it "chosen".
TEMPO_WORDS = {
    "very slow": (-0.35, True), "really slow": (-0.35, True), "super slow": (-0.35, True),
    "slow": (0.0, True), "slower": (0.0, True), "slow paced": (0.0, True),
    "slow tempo": (0.0, True), "downtempo": (0.1, True), "down tempo": (0.1, True),
    "relaxed": (0.2, False), "laid back": (0.2, False), "leisurely": (0.15, True),
    "mid tempo": (0.5, True), "midtempo": (0.5, True), "medium tempo": (0.5, True),
    "moderate": (0.5, True), "moderate tempo": (0.5, True), "upbeat": (0.8, False),
    "uptempo": (0.85, True), "up tempo": (0.85, True), "brisk": (0.85, True),
    "energetic": (0.9, False), "driving": (0.9, True), "fast": (1.0, True),
    "fast paced": (1.0, True), "quick": (1.0, True), "high tempo": (1.0, True),
    "very fast": (1.35, True), "really fast": (1.35, True), "super fast": (1.35, True),
    "很慢": (-0.35, True), "慢": (0.0, True), "慢节奏": (0.0, True), "舒缓": (0.2, False),
    "中速": (0.5, True), "轻快": (0.8, False), "快": (1.0, True), "快节奏": (1.0, True),
    "很快": (1.35, True), "激烈": (0.9, False),
}
ENERGY_WORDS = {
    "high energy": 0.2, "energetic": 0.15, "powerful": 0.15, "punchy": 0.1,
    "intense": 0.1, "hard hitting": 0.1, "driving": 0.1, "big": 0.05,
    "low energy": -0.2, "soft": -0.1, "gentle": -0.1, "subtle": -0.1, "minimal": -0.1,
    "minimalist": -0.1, "quiet": -0.1, "understated": -0.1, "sparse": -0.1,
    "background": -0.05, "动感": 0.1, "有力": 0.15, "强烈": 0.15, "高能": 0.2,
    "柔和": -0.1, "轻柔": -0.1, "安静": -0.1, "背景": -0.05, "简约": -0.1,
}

# Regexes for words that would otherwise match where they mean something else.
SPECIAL_PATTERNS = {
    "快": r"(?<![欢愉痛凉爽尽轻])快(?![乐递门])",  # not 欢快 (joyful), 快乐 (happy)
    "慢": r"(?<![慢很])慢(?!慢)",  # not 慢慢 (gradually)
    "鼓": r"鼓(?![舞励])",  # not 鼓舞 (inspiring)
    "低音": r"低音(?!提琴)",
    "beat": r"beat(?! per)",
    "beats": r"beats(?! per| a minute| ?/ ?min)",
    "house": r"house(?! tour| party| warming| plant)",
    "drone": r"drone(?! (?:footage|shots?|videos?|views?|cam|camera|flights?|clips?))",
    "retro": r"retro(?! game| gaming| arcade| video game)",
    "pop": r"pop(?! up)",
    "slow": r"slow(?! build| burn| motion| mo)",
    "fast": r"fast(?! forward)",
    "grand": r"grand(?! piano)",
    "wave": r"wave(?! (?:form|file))",
}

# --- uses ---------------------------------------------------------------------------------

# Use -> (default genre, default mood or None), in priority order (first found in this
# order wins, so "thriller short film" is a thriller and "study tips youtube" is study).
USES = {
    "travel vlog": ("acoustic", "upbeat"),
    "wedding": ("piano", "romantic"),
    "thriller": ("cinematic", "tense"),
    "trailer": ("cinematic", "epic"),
    "short film": ("cinematic", None),
    "documentary": ("cinematic", "inspiring"),
    "meditation": ("ambient", "calm"),
    "study": ("lofi", "chill"),
    "workout": ("electronic", "upbeat"),
    "cooking": ("acoustic", "happy"),
    "gaming": ("electronic", "upbeat"),
    "product demo": ("corporate", "upbeat"),
    "tutorial": ("corporate", "warm"),
    "presentation": ("corporate", "inspiring"),
    "podcast": ("lofi", "chill"),
    "promo": ("corporate", "upbeat"),
    "film": ("cinematic", None),
    "tiktok": ("electronic", "upbeat"),
    "vlog": ("acoustic", "happy"),
    "youtube": ("corporate", "upbeat"),
}
USE_WORDS = {
    "travel vlog": "travel vlog", "travel video": "travel vlog", "travel": "travel vlog",
    "travelling": "travel vlog", "traveling": "travel vlog", "road trip": "travel vlog",
    "trip": "travel vlog", "holiday": "travel vlog", "vacation": "travel vlog",
    "旅行": "travel vlog", "旅游": "travel vlog", "旅拍": "travel vlog",
    "wedding": "wedding", "weddings": "wedding", "婚礼": "wedding", "婚纱": "wedding",
    "thriller": "thriller", "horror": "thriller", "惊悚": "thriller", "恐怖片": "thriller",
    "trailer": "trailer", "teaser": "trailer", "预告片": "trailer", "预告": "trailer",
    "short film": "short film", "短片": "short film", "微电影": "short film",
    "documentary": "documentary", "纪录片": "documentary",
    "meditation": "meditation", "meditate": "meditation", "yoga": "meditation",
    "sleep": "meditation", "mindfulness": "meditation", "spa": "meditation",
    "冥想": "meditation", "瑜伽": "meditation", "睡眠": "meditation",
    "study": "study", "studying": "study", "homework": "study", "coding": "study",
    "programming": "study", "学习": "study", "读书": "study",
    "workout": "workout", "gym": "workout", "fitness": "workout", "sports": "workout",
    "健身": "workout", "运动": "workout",
    "cooking": "cooking", "recipe": "cooking", "food": "cooking", "kitchen": "cooking",
    "美食": "cooking", "烹饪": "cooking", "做饭": "cooking",
    "gaming": "gaming", "gameplay": "gaming", "game": "gaming", "games": "gaming",
    "video game": "gaming", "游戏": "gaming",
    "product demo": "product demo", "product video": "product demo",
    "product launch": "product demo", "unboxing": "product demo", "product": "product demo",
    "产品": "product demo",
    "tutorial": "tutorial", "explainer": "tutorial", "how to": "tutorial",
    "walkthrough": "tutorial", "lesson": "tutorial", "教程": "tutorial", "讲解": "tutorial",
    "教学": "tutorial",
    "presentation": "presentation", "business": "presentation",
    "corporate video": "presentation", "slideshow": "presentation",
    "keynote": "presentation", "演示": "presentation", "商务": "presentation",
    "汇报": "presentation",
    "podcast": "podcast", "播客": "podcast",
    "promo": "promo", "promotional": "promo", "promotion": "promo", "ad": "promo",
    "ads": "promo", "advert": "promo", "advertisement": "promo", "marketing": "promo",
    "宣传": "promo", "广告": "promo",
    "film": "film", "movie": "film",
    "tiktok": "tiktok", "tik tok": "tiktok", "reels": "tiktok", "instagram": "tiktok",
    "shorts": "tiktok", "抖音": "tiktok", "短视频": "tiktok",
    "vlog": "vlog", "vlogs": "vlog", "daily vlog": "vlog", "视频日志": "vlog",
    "youtube": "youtube", "油管": "youtube",
}

# --- defaults -----------------------------------------------------------------------------

# Usual tempo range per genre (BPM); tempo words and moods pick a place inside it.
GENRE_BPM = {
    "acoustic": (100.0, 115.0), "lofi": (75.0, 85.0), "cinematic": (80.0, 100.0),
    "electronic": (124.0, 128.0), "ambient": (60.0, 75.0), "corporate": (100.0, 120.0),
    "rock": (120.0, 140.0), "jazz": (110.0, 140.0), "piano": (70.0, 90.0),
    "chiptune": (140.0, 160.0),
}
# Where each mood sits in the genre's tempo range (0 low, 1 high).
MOOD_TEMPO = {
    "upbeat": 0.8, "warm": 0.45, "chill": 0.3, "tense": 0.75, "dark": 0.4, "sad": 0.15,
    "epic": 0.7, "romantic": 0.3, "playful": 0.75, "mysterious": 0.35, "inspiring": 0.6,
    "calm": 0.1, "happy": 0.75, "dreamy": 0.2, "aggressive": 0.95, "nostalgic": 0.3,
}
MOOD_ENERGY = {
    "upbeat": 0.75, "warm": 0.55, "chill": 0.4, "tense": 0.7, "dark": 0.6, "sad": 0.35,
    "epic": 0.9, "romantic": 0.45, "playful": 0.65, "mysterious": 0.5, "inspiring": 0.7,
    "calm": 0.3, "happy": 0.7, "dreamy": 0.35, "aggressive": 0.9, "nostalgic": 0.45,
}
MOOD_GENRE = {
    "upbeat": "corporate", "warm": "acoustic", "chill": "lofi", "tense": "cinematic",
    "dark": "cinematic", "sad": "piano", "epic": "cinematic", "romantic": "piano",
    "playful": "acoustic", "mysterious": "cinematic", "inspiring": "corporate",
    "calm": "ambient", "happy": "corporate", "dreamy": "ambient", "aggressive": "rock",
    "nostalgic": "lofi",
}
GENRE_MOOD = {
    "acoustic": "warm", "lofi": "chill", "cinematic": "epic", "electronic": "upbeat",
    "ambient": "calm", "corporate": "inspiring", "rock": "upbeat", "jazz": "warm",
    "piano": "calm", "chiptune": "playful",
}
# Candidate tonics per genre: (major, minor); the mood picks one, so it is deterministic.
GENRE_KEYS = {
    "acoustic": (("G", "D", "A", "E", "C"), ("E", "A", "B", "D")),
    "lofi": (("F", "Eb", "Bb", "C"), ("A", "D", "C", "F")),
    "cinematic": (("D", "C", "Eb", "F"), ("D", "C", "A", "E")),
    "electronic": (("F", "A", "C", "G"), ("A", "F", "F#", "C")),
    "ambient": (("D", "E", "F", "A"), ("E", "C#", "D", "B")),
    "corporate": (("C", "G", "D", "F"), ("A", "E", "B", "D")),
    "rock": (("E", "A", "D", "G"), ("E", "A", "B", "D")),
    "jazz": (("Bb", "F", "Eb", "C"), ("C", "D", "G", "F")),
    "piano": (("C", "Eb", "Ab", "D"), ("A", "C", "F#", "E")),
    "chiptune": (("C", "G", "F", "D"), ("A", "E", "D", "C")),
}
