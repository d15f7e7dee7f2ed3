"""Instrument names, English and Chinese: phrase -> one of ``model.INSTRUMENTS``.

The table format is described in ``words.format``.
"""

from __future__ import annotations

from nemodesk.engine.brief.words.format import expand

_INSTRUMENTS = {
    "piano": (
        "piano, pianos, keys, keyboard, keyboards, rhodes, electric piano, e piano, grand piano, "
        "upright piano, felt piano, wurlitzer, 钢琴, 电钢琴"
    ),
    "guitar": (
        "guitar, guitars, acoustic guitar, acoustic guitars, nylon guitar, classical guitar, 吉他, "
        "木吉他, 民谣吉他, 古典吉他"
    ),
    "electric_guitar": "electric guitar, electric guitars, distorted guitar, 电吉他",
    "ukulele": "ukulele, uke, ukelele, 尤克里里",
    "bass": "bass, bass guitar, bassline, bass line, electric bass, 贝斯, 低音",
    "upright_bass": "upright bass, double bass, contrabass, acoustic bass, 低音提琴, 倍大提琴",
    "synth_bass": "synth bass, 808, 808s, sub bass, subbass, 合成器贝斯",
    "strings": (
        "strings, string section, string ensemble, orchestra strings, orchestral strings, violin, "
        "violins, cello, cellos, viola, violas, fiddle, pizzicato, 弦乐, 小提琴, 大提琴, 中提琴"
    ),
    "brass": (
        "brass, horns, horn, french horn, trumpet, trumpets, trombone, trombones, tuba, sax, "
        "saxophone, 铜管, 小号, 长号, 圆号, 萨克斯"
    ),
    "synth": (
        "synth, synths, synthesizer, synthesizers, synthesiser, synthesisers, arp, arps, arpeggio, "
        "arpeggios, arpeggiator, lead synth, synth lead, 合成器"
    ),
    "pad": "pad, pads, synth pad, synth pads, 铺底",
    "drums": (
        "drums, drum, drum kit, drumkit, beat, beats, drum beat, kick, kick drum, bass drum, "
        "snare, hi hat, hihat, hi hats, 鼓, 鼓点, 架子鼓"
    ),
    "brushes": "brushes, brush drums, brushed drums, 鼓刷",
    "bells": "bells, bell, glockenspiel, celesta, chimes, music box, 钟琴, 铃铛, 八音盒",
    "flute": "flute, flutes, 长笛, 笛子",
    "marimba": "marimba, xylophone, vibraphone, 马林巴, 木琴",
    "organ": "organ, hammond, church organ, 管风琴, 风琴",
    "choir": "choir, choirs, chant, chanting, 合唱, 合唱团",
    "timpani": "timpani, 定音鼓",
    "percussion": (
        "percussion, shaker, tambourine, congas, bongos, hand percussion, taiko, 打击乐, 手鼓"
    ),
}

INSTRUMENT_WORDS = expand(_INSTRUMENTS)
