"""What the session's current music is — the brief plus how it sits in the mix — and its
stored (JSON) form.

Its own module so the planner, the edit appliers (``apply``) and take choice (``takes``) can
all use it without importing each other.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from dataclasses import asdict, dataclass
from typing import Any

from nemodesk.engine.agent.params import DEFAULT_LOUDNESS
from nemodesk.engine.brief import Brief


@dataclass
class MusicSettings:
    """What the session's current music is: the brief plus how it sits in the mix."""

    brief: Brief
    seed: int
    volume: int = 100  # music volume % in the mix (0..100)
    start_s: float = 0.0  # where the music starts on the timeline
    fade_in_s: float = 0.0
    fade_out_s: float = 0.0
    title: str | None = None
    title_s: float = 3.0
    loudness_lufs: float = DEFAULT_LOUDNESS  # the mix's loudness target


def to_dict(s: MusicSettings) -> dict[str, Any]:
    """JSON-safe form for the draft / SQLite."""
    return asdict(s)


def _get(d: dict, key: str, default: Any, cast: type) -> Any:
    value = d.get(key, default)
    try:
        value = cast(value)
    except (TypeError, ValueError, OverflowError):
        return default
    if isinstance(value, float) and not math.isfinite(value):
        return default
    return value


def from_dict(d: dict[str, Any]) -> MusicSettings:
    """The inverse of ``to_dict``; tolerant of missing or unknown keys."""
    d = d if isinstance(d, dict) else {}
    raw = d.get("brief") if isinstance(d.get("brief"), dict) else {}
    names = {f.name for f in dataclasses.fields(Brief)}
    brief = Brief(**{k: copy.deepcopy(v) for k, v in raw.items() if k in names})
    title = d.get("title")
    return MusicSettings(
        brief=brief,
        seed=_get(d, "seed", 0, int),
        volume=_get(d, "volume", 100, int),
        start_s=_get(d, "start_s", 0.0, float),
        fade_in_s=_get(d, "fade_in_s", 0.0, float),
        fade_out_s=_get(d, "fade_out_s", 0.0, float),
        title=title if isinstance(title, str) else None,
        title_s=_get(d, "title_s", 3.0, float),
        loudness_lufs=_get(d, "loudness_lufs", DEFAULT_LOUDNESS, float),
    )
