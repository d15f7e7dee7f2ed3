"""What the music is for (a travel vlog, a thriller, ...), English and Chinese.

The table format is described in ``words.format``.
"""

from __future__ import annotations

from nemodesk.engine.brief.words.format import expand

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
    "tips": ("lofi", "chill"),
}
# use -> phrases
_USES = {
    "travel vlog": (
        "travel vlog, travel video, travel, travelling, traveling, road trip, trip, holiday, "
        "vacation, 旅行, 旅游, 旅拍"
    ),
    "wedding": "wedding, weddings, 婚礼, 婚纱",
    "thriller": "thriller, horror, 惊悚, 恐怖片",
    "trailer": "trailer, teaser, 预告片, 预告",
    "short film": "short film, 短片, 微电影",
    "documentary": "documentary, 纪录片",
    "meditation": "meditation, meditate, yoga, sleep, mindfulness, spa, 冥想, 瑜伽, 睡眠",
    "study": "study, studying, homework, coding, programming, 学习, 读书",
    "workout": "workout, gym, fitness, sports, 健身, 运动",
    "cooking": "cooking, recipe, food, kitchen, 美食, 烹饪, 做饭",
    "gaming": "gaming, gameplay, game, games, video game, 游戏",
    "product demo": "product demo, product video, product launch, unboxing, product, 产品",
    "tutorial": "tutorial, explainer, how to, walkthrough, lesson, 教程, 讲解, 教学",
    "presentation": "presentation, business, corporate video, slideshow, keynote, 演示, 商务, 汇报",
    "podcast": "podcast, 播客",
    "promo": "promo, promotional, promotion, ad, ads, advert, advertisement, marketing, 宣传, 广告",
    "film": "film, movie",
    "tiktok": "tiktok, tik tok, reels, instagram, shorts, 抖音, 短视频",
    "vlog": "vlog, vlogs, daily vlog, 视频日志",
    "youtube": "youtube, 油管",
    "tips": "tips, tips video, 技巧",
}

USE_WORDS = expand(_USES)
