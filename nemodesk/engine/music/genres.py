"""Genre templates: which instruments play which role, in which pattern and with what sound.

A template is data; the composer reads it. Instruments asked for in the brief replace the
template's choice for their role, and excluded ones are swapped for the next candidate.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Voice:
    """An instrument in a role: GM program, stem group, playable range and level."""

    name: str  # canonical instrument name (brief.INSTRUMENTS) or a descriptive one
    program: int
    low: int = 48
    high: int = 84
    gain_db: float = 0.0


# Canonical instrument -> (preferred roles, voice). Roles: comp, lead, pad, bass, drums.
INSTRUMENT_VOICES: dict[str, tuple[tuple[str, ...], Voice]] = {
    "piano": (("comp", "lead"), Voice("piano", 0, 48, 84)),
    "guitar": (("comp", "lead"), Voice("guitar", 25, 40, 76)),
    "electric_guitar": (("comp", "lead"), Voice("electric_guitar", 27, 40, 79)),
    "ukulele": (("comp",), Voice("ukulele", 24, 57, 81)),
    "organ": (("comp", "pad"), Voice("organ", 16, 48, 79, -3)),
    "marimba": (("lead", "comp"), Voice("marimba", 12, 55, 88)),
    "bells": (("lead",), Voice("bells", 9, 72, 96, -4)),
    "flute": (("lead",), Voice("flute", 73, 62, 93, -2)),
    "synth": (("lead", "comp"), Voice("synth", 81, 55, 88, -6)),
    "brass": (("pad", "lead"), Voice("brass", 61, 48, 79, -3)),
    "strings": (("pad", "lead"), Voice("strings", 48, 48, 84, -1)),
    "pad": (("pad",), Voice("pad", 89, 48, 79, -2)),
    "choir": (("pad",), Voice("choir", 52, 53, 76, -2)),
    "bass": (("bass",), Voice("bass", 33, 28, 52)),
    "upright_bass": (("bass",), Voice("upright_bass", 32, 28, 52, 1)),
    "synth_bass": (("bass",), Voice("synth_bass", 38, 28, 52, -2)),
    "drums": (("drums",), Voice("drums", 0)),
    "brushes": (("drums",), Voice("brushes", 40)),
    "percussion": (("drums",), Voice("percussion", 0)),
    "timpani": (("fx",), Voice("timpani", 47, 36, 55)),
}

# Replacements when a template's instrument is excluded, per role.
ROLE_FALLBACKS: dict[str, tuple[str, ...]] = {
    "comp": ("piano", "guitar", "electric_guitar", "organ", "marimba"),
    "lead": ("bells", "flute", "piano", "synth", "strings", "marimba"),
    "pad": ("strings", "pad", "choir", "organ"),
    "bass": ("bass", "upright_bass", "synth_bass"),
}


@dataclass(frozen=True)
class Genre:
    name: str
    bpm_range: tuple[float, float]
    # pop acoustic lofi rock four jazz cinematic chip ambient trap house funk reggae latin
    # folk kids epic guofeng
    drum_style: str
    drum_kit: int  # GM drum kit (bank 128 preset)
    bass_style: str  # root8 pop lofi walking sub pulse 808 funk reggae rnb
    comp_style: str  # strum block arp stabs jazz pad skank funk
    lead_style: str  # plucky legato sparse pentatonic (legato, on the pentatonic scale)
    voices: dict[str, Voice] = field(default_factory=dict)  # role -> voice
    swing: float = 0.0  # 0: straight; 0.33: triplet swing of the swing unit
    swing_16ths: bool = False  # swing 16ths (lo-fi) rather than 8ths (jazz)
    sevenths: bool = False
    reverb: tuple[float, float] = (0.4, 0.15)  # room size, wet level
    lofi: bool = False
    bright: bool = True
    # The harmony keeps to the key's pentatonic mode too (theory.Key.parse(..., pentatonic)):
    # 国风. The melody follows the "pentatonic" lead style either way.
    pentatonic: bool = False


def _v(name: str, **kw) -> Voice:
    return replace(INSTRUMENT_VOICES[name][1], **kw)


GENRE_TEMPLATES: dict[str, Genre] = {
    "acoustic": Genre(
        "acoustic",
        (100, 116),
        "acoustic",
        0,
        "pop",
        "strum",
        "plucky",
        {
            "comp": _v("guitar"),
            "lead": _v("bells", gain_db=-8),
            "pad": _v("strings", gain_db=-9),
            "bass": _v("bass", program=32),
        },
        reverb=(0.35, 0.12),
    ),
    "lofi": Genre(
        "lofi",
        (72, 86),
        "lofi",
        0,
        "lofi",
        "block",
        "sparse",
        {
            "comp": _v("piano", program=4, gain_db=-1),
            "lead": _v("marimba", program=11, gain_db=-5),
            "pad": _v("pad", gain_db=-12),
            "bass": _v("bass", program=32),
        },
        swing=0.2,
        swing_16ths=True,
        sevenths=True,
        reverb=(0.5, 0.18),
        lofi=True,
        bright=False,
    ),
    "cinematic": Genre(
        "cinematic",
        (84, 100),
        "cinematic",
        48,
        "sub",
        "arp",
        "legato",
        {
            "comp": _v("piano", gain_db=-4),
            "lead": _v("strings", program=48, low=60, high=88),
            "pad": _v("strings", program=49, gain_db=-2),
            "bass": _v("bass", program=43, gain_db=0),
        },
        reverb=(0.85, 0.3),
        bright=False,
    ),
    "electronic": Genre(
        "electronic",
        (122, 128),
        "four",
        24,
        "pulse",
        "stabs",
        "plucky",
        {
            "comp": _v("synth", program=90, gain_db=-8),
            "lead": _v("synth", program=81, gain_db=-10),
            "pad": _v("pad", program=88, gain_db=-10),
            "bass": _v("synth_bass", gain_db=-3),
        },
        reverb=(0.5, 0.15),
    ),
    "ambient": Genre(
        "ambient",
        (60, 72),
        "ambient",
        0,
        "sub",
        "arp",
        "sparse",
        {
            "comp": _v("piano", gain_db=-4),
            "lead": _v("bells", program=14, gain_db=-10),
            "pad": _v("pad", program=89, gain_db=0),
            "bass": _v("bass", program=38, gain_db=-6),
        },
        reverb=(0.95, 0.35),
        bright=False,
    ),
    "corporate": Genre(
        "corporate",
        (108, 120),
        "pop",
        0,
        "root8",
        "block",
        "plucky",
        {
            "comp": _v("piano"),
            "lead": _v("bells", gain_db=-8),
            "pad": _v("strings", gain_db=-8),
            "bass": _v("bass"),
        },
        reverb=(0.4, 0.12),
    ),
    "rock": Genre(
        "rock",
        (120, 140),
        "rock",
        16,
        "root8",
        "strum",
        "legato",
        {
            "comp": _v("electric_guitar", program=29, gain_db=-6),
            "lead": _v("electric_guitar", program=30, low=55, high=84, gain_db=-9),
            "pad": _v("organ", gain_db=-14),
            "bass": _v("bass", program=34),
        },
        reverb=(0.3, 0.1),
    ),
    "jazz": Genre(
        "jazz",
        (110, 140),
        "jazz",
        40,  # the brush kit
        "walking",
        "jazz",
        "legato",
        {
            "comp": _v("piano"),
            "lead": _v("marimba", program=11, gain_db=-3),
            "pad": _v("strings", gain_db=-16),
            "bass": _v("upright_bass"),
        },
        swing=1 / 3,  # eighths swung 2:1 (triplet feel)
        sevenths=True,
        reverb=(0.4, 0.14),
    ),
    "piano": Genre(
        "piano",
        (68, 88),
        "none",
        0,
        "none",
        "arp",
        "legato",
        {"comp": _v("piano", low=36, high=72), "lead": _v("piano", low=60, high=91)},
        reverb=(0.6, 0.2),
    ),
    "chiptune": Genre(
        "chiptune",
        (140, 156),
        "chip",
        24,
        "pulse",
        "arp",
        "plucky",
        {
            "comp": _v("synth", program=80, gain_db=-14),
            "lead": _v("synth", program=80, gain_db=-9),
            "bass": _v("synth_bass", program=81, gain_db=-10),
        },
        reverb=(0.2, 0.06),
    ),
    "hiphop": Genre(
        "hiphop",
        (80, 95),
        "trap",
        25,
        "808",
        "block",
        "sparse",
        {
            "comp": _v("piano", gain_db=-8),
            "lead": _v("bells", program=10, gain_db=-10),
            "pad": _v("pad", program=89, gain_db=-12),
            "bass": _v("synth_bass", program=38, gain_db=-2),
        },
        reverb=(0.35, 0.1),
        bright=False,
    ),
    "house": Genre(
        "house",
        (120, 126),
        "house",
        25,
        "pulse",
        "stabs",
        "plucky",
        {
            "comp": _v("piano", program=4, gain_db=-7),
            "lead": _v("synth", program=81, gain_db=-10),
            "pad": _v("pad", program=89, gain_db=-10),
            "bass": _v("synth_bass", gain_db=-3),
        },
        sevenths=True,
        reverb=(0.5, 0.14),
    ),
    "funk": Genre(
        "funk",
        (105, 118),
        "funk",
        0,
        "funk",
        "funk",
        "plucky",
        {
            "comp": _v("electric_guitar", program=28, gain_db=-6),
            "lead": _v("brass", program=61, low=55, high=82, gain_db=-8),
            "pad": _v("organ", program=17, gain_db=-15),
            "bass": _v("bass", program=36, gain_db=-1),
        },
        sevenths=True,
        reverb=(0.3, 0.1),
    ),
    "folk": Genre(
        "folk",
        (90, 110),
        "folk",
        8,
        "pop",
        "strum",
        "legato",
        {
            "comp": _v("guitar", program=25),
            "lead": Voice("fiddle", 110, 60, 88, -7),
            "pad": _v("strings", gain_db=-13),
            "bass": _v("upright_bass", gain_db=0),
        },
        reverb=(0.35, 0.12),
    ),
    "epic": Genre(
        "epic",
        (85, 100),
        "epic",
        48,
        "sub",
        "arp",
        "legato",
        {
            "comp": _v("strings", program=48, gain_db=-3),
            "lead": _v("brass", program=60, low=53, high=79, gain_db=-2),
            "pad": _v("choir", program=52, gain_db=-5),
            "bass": _v("bass", program=43, gain_db=0),
        },
        reverb=(0.85, 0.28),
        bright=False,
    ),
    "rnb": Genre(
        "rnb",
        (70, 85),
        "lofi",
        0,
        "rnb",
        "block",
        "legato",
        {
            "comp": _v("piano", program=4, gain_db=-3),
            "lead": _v("electric_guitar", program=26, low=55, high=82, gain_db=-8),
            "pad": _v("pad", program=89, gain_db=-11),
            "bass": _v("synth_bass", program=38, gain_db=-3),
        },
        swing=0.12,
        swing_16ths=True,
        sevenths=True,
        reverb=(0.45, 0.15),
        bright=False,
    ),
    "reggae": Genre(
        "reggae",
        (80, 95),
        "reggae",
        0,
        "reggae",
        "skank",
        "plucky",
        {
            "comp": _v("electric_guitar", program=27, gain_db=-7),
            "lead": _v("brass", program=56, low=58, high=82, gain_db=-9),
            "pad": _v("organ", program=16, gain_db=-15),
            "bass": _v("bass", program=33, gain_db=0),
        },
        reverb=(0.35, 0.12),
    ),
    "kids": Genre(
        "kids",
        (110, 125),
        "kids",
        0,
        "pop",
        "strum",
        "plucky",
        {
            "comp": _v("ukulele"),
            "lead": _v("marimba", program=13, gain_db=-4),
            "pad": _v("strings", gain_db=-14),
            "bass": _v("bass", program=32),
        },
        reverb=(0.3, 0.1),
    ),
    # 国风: guzheng (koto) arpeggios, an erhu (fiddle) or dizi (flute) tune drawn from the
    # pentatonic scale ("pentatonic" lead style), soft strings, woodblock and frame drum.
    "guofeng": Genre(
        "guofeng",
        (68, 84),
        "guofeng",
        0,
        "sub",
        "arp",
        "pentatonic",
        {
            "comp": Voice("guzheng", 107, 48, 84, -2),
            "lead": Voice("erhu", 110, 60, 88, -5),
            "pad": _v("strings", program=49, gain_db=-12),
            "bass": _v("bass", program=43, gain_db=-6),
        },
        reverb=(0.7, 0.22),
        bright=False,
        pentatonic=True,
    ),
}


# Other leads that suit each genre, for variations (the template's own lead comes first
# when a variation goes back to it). Solo piano and chiptune keep theirs: it is the genre.
LEAD_CHOICES: dict[str, tuple[str, ...]] = {
    "acoustic": ("piano", "flute", "marimba", "bells"),
    "lofi": ("flute", "bells", "piano", "marimba"),
    "cinematic": ("flute", "brass", "piano", "strings"),
    "electronic": ("bells", "marimba", "piano", "synth"),
    "ambient": ("flute", "strings", "piano", "bells"),
    "corporate": ("marimba", "flute", "synth", "bells"),
    "rock": ("synth", "piano", "strings", "electric_guitar"),
    "jazz": ("flute", "guitar", "strings", "marimba"),
    "piano": (),
    "chiptune": (),
    "hiphop": ("piano", "flute", "synth", "marimba"),
    "house": ("piano", "bells", "marimba", "synth"),
    "funk": ("synth", "flute", "electric_guitar", "piano"),
    "folk": ("flute", "guitar", "piano", "bells"),
    "epic": ("strings", "flute", "piano", "brass"),
    "rnb": ("piano", "synth", "flute", "bells"),
    "reggae": ("piano", "flute", "marimba", "synth"),
    "kids": ("bells", "flute", "piano", "synth"),
    "guofeng": ("flute",),  # dizi (GM flute) for the erhu: the genre's own colours only
}


def arrange(
    genre: str, instruments: list[str], exclude: list[str], lead: str | None = None
) -> dict[str, Voice]:
    """The genre's voices per role after the brief's asks and exclusions.

    Each asked instrument takes its first preferred role not already taken by another ask;
    ``lead`` (a variation's pick) then plays the lead unless an ask took it or it is
    excluded; an excluded instrument is replaced by the role's first non-excluded fallback,
    or the role is dropped when nothing is left (drums and bass are simply dropped).
    """
    template = GENRE_TEMPLATES[genre]
    voices = dict(template.voices)
    if template.drum_style != "none":
        voices["drums"] = Voice("drums", template.drum_kit)
    taken: set[str] = set()
    for name in instruments:
        if name not in INSTRUMENT_VOICES or name in exclude:
            continue
        roles, voice = INSTRUMENT_VOICES[name]
        for role in roles:
            if role not in taken:
                if role == "drums":
                    kit = (
                        40 if name == "brushes" else (template.drum_kit if template.drum_kit else 0)
                    )
                    voice = Voice(name, kit)
                elif role in voices:
                    voice = replace(voice, gain_db=voices[role].gain_db)
                voices[role] = voice
                taken.add(role)
                break
    if (
        lead in INSTRUMENT_VOICES
        and "lead" in INSTRUMENT_VOICES[lead][0]
        and "lead" in voices
        and "lead" not in taken
        and lead not in exclude
    ):
        voices["lead"] = replace(INSTRUMENT_VOICES[lead][1], gain_db=voices["lead"].gain_db)
    for role, voice in list(voices.items()):
        if voice.name in exclude or (role == "drums" and "drums" in exclude):
            spare = [
                f for f in ROLE_FALLBACKS.get(role, ()) if f not in exclude and f != voice.name
            ]
            if spare and role not in ("drums", "bass"):
                voices[role] = replace(INSTRUMENT_VOICES[spare[0]][1], gain_db=voice.gain_db)
            else:
                del voices[role]
    if not {"comp", "pad"} & voices.keys():  # harmony must sound somewhere
        spare = [f for f in ROLE_FALLBACKS["pad"] if f not in exclude]
        voices["pad"] = INSTRUMENT_VOICES[spare[0] if spare else "pad"][1]
    return voices
