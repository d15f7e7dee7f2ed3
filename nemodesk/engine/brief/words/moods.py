"""Mood synonyms, English and Chinese: phrase -> one of ``model.MOODS``.

The table format is described in ``words.format``.
"""

from __future__ import annotations

from nemodesk.engine.brief.words.format import expand

_MOODS = {
    "upbeat": (
        "upbeat, up beat, energetic, lively, peppy, adventurous, adventure, exciting, excited, "
        "dynamic, vibrant, groovy, funky, energizing, energising, high energy, 欢快, 动感, 活力, "
        "明快, 冒险, 积极, 热情"
    ),
    "warm": (
        "warm, warmth, cozy, cosy, heartwarming, heart warming, friendly, homey, welcoming, 温暖, "
        "温馨"
    ),
    "chill": (
        "chill, chilled, chill out, chillout, relaxed, relaxing, laid back, laidback, mellow, "
        "easygoing, easy going, smooth, lazy, 轻松, 放松, 惬意, 慵懒, 悠闲, 舒缓"
    ),
    "tense": (
        "tense, tension, suspense, suspenseful, thriller, thrilling, horror, scary, creepy, "
        "anxious, nervous, urgent, edgy, nail biting, 紧张, 悬疑, 惊悚, 恐怖, 张力, 紧迫"
    ),
    "dark": (
        "dark, darker, sinister, ominous, gloomy, brooding, menacing, gritty, noir, 黑暗, 阴暗, "
        "阴森, 暗黑"
    ),
    "sad": (
        "sad, sadness, melancholic, melancholy, sorrowful, somber, sombre, tragic, mournful, "
        "heartbreaking, heartbroken, emotional, grief, lonely, 悲伤, 伤感, 忧伤, 忧郁, 哀伤, 难过"
    ),
    "epic": (
        "epic, heroic, grand, majestic, triumphant, anthemic, glorious, legendary, dramatic, 史诗, "
        "壮丽, 宏大, 恢弘, 英雄, 磅礴"
    ),
    "romantic": "romantic, romance, tender, intimate, sensual, love song, 浪漫, 爱情, 甜蜜, 温柔",
    "playful": (
        "playful, quirky, whimsical, funny, silly, cute, bouncy, fun, cheeky, comedic, comedy, "
        "cartoon, cartoonish, 俏皮, 可爱, 活泼, 搞笑, 诙谐, 调皮"
    ),
    "mysterious": (
        "mysterious, mystery, mystic, mystical, eerie, enigmatic, magical, spooky, 神秘, 诡异, "
        "奇幻, 魔幻"
    ),
    "inspiring": (
        "inspiring, inspirational, uplifting, motivational, motivating, hopeful, empowering, "
        "aspirational, 励志, 鼓舞, 激励, 振奋, 正能量"
    ),
    "calm": (
        "calm, calming, peaceful, serene, tranquil, soothing, gentle, quiet, meditative, 平静, "
        "宁静, 安静, 安宁, 祥和"
    ),
    "happy": (
        "happy, joyful, joyous, cheerful, sunny, feel good, feelgood, festive, bright, positive, "
        "carefree, 快乐, 开心, 愉快, 阳光, 喜庆, 欢乐"
    ),
    "dreamy": "dreamy, dreamlike, ethereal, floaty, hazy, airy, 梦幻, 空灵, 朦胧",
    "aggressive": (
        "aggressive, intense, angry, fierce, heavy, hard hitting, furious, brutal, 激烈, 愤怒, "
        "狂暴, 猛烈"
    ),
    "nostalgic": (
        "nostalgic, nostalgia, vintage, retro, bittersweet, wistful, sentimental, throwback, 怀旧, "
        "复古, 回忆"
    ),
}

MOOD_WORDS = expand(_MOODS)
