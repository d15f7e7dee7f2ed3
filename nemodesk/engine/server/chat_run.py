"""What one chat message does: ask the agent for a plan, run it, say what happened.

Generation runs in the worker pool; while it runs the stream carries a heartbeat at least
every ``heartbeat_s``. The music settings travel inside the draft (``m.nemodesk``), so undo
restores the music together with the timeline. Choosing one of a generation's takes puts
that mix on the BGM track as it is, without rendering anything.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nemodesk.core.draft import Draft, TrackType, summary
from nemodesk.core.ducking import speech_on_timeline
from nemodesk.core.messages import say
from nemodesk.engine.agent import planner, voice
from nemodesk.engine.agent import settings as music_settings
from nemodesk.engine.agent import takes as take_choice
from nemodesk.engine.agent.planner import ChatAction, ChatPlan
from nemodesk.engine.agent.text import language_of
from nemodesk.engine.brief import Brief
from nemodesk.engine.music import variations as music_variations
from nemodesk.engine.music.head import HEAD_S, wants_head
from nemodesk.engine.server import api_preview, disk_budget, draftops, work

SETTINGS_KEY = "nemodesk"
STATUS_WORDS = re.compile(
    r"(status|show( me)? (the )?tracks|what'?s on the timeline|状态|显示轨道)[?？!.。]*"
)


def _settings_of(draft: Draft) -> music_settings.MusicSettings | None:
    data = draft.meta.get(SETTINGS_KEY)
    return music_settings.from_dict(data) if isinstance(data, dict) else None


def _mix_of(settings: music_settings.MusicSettings) -> dict[str, Any]:
    return {
        "volume": settings.volume,
        "start_s": settings.start_s,
        "fade_in_s": settings.fade_in_s,
        "fade_out_s": settings.fade_out_s,
        "title": settings.title,
        "title_s": settings.title_s,
    }


async def _await_with_heartbeats(run, future: asyncio.Future, heartbeat_s: float) -> Any:
    while True:
        try:
            return await asyncio.wait_for(asyncio.shield(future), heartbeat_s)
        except TimeoutError:
            run.emit({"type": "heartbeat"})


def _cuts(store, session_id: str) -> list[float]:
    state = store.state(session_id)  # read once: the clips' analyses and their lengths
    infos = state.get("video_infos", [])
    offset, cuts = 0.0, []
    for a in state.get("video_analyses", []):  # clips follow each other on the video track
        info = next((v for v in infos if v.get("upload_id") == a.get("upload_id")), {})
        cuts += [offset + c for c in a.get("cuts_s", [])]
        offset += float(info.get("duration", 0.0))
    return cuts


async def execute(app, run, user: str, text: str, parameters: dict[str, Any] | None = None) -> None:
    store = app.state.store
    sid = run.session_id
    said = json.dumps({"parameters": parameters}, ensure_ascii=False) if parameters else ""
    store.add_message(sid, "user", f"{text}\n{said}".strip())
    draft = Draft.decode(store.draft(sid))
    text, parameters, draft = _clip_sound(store, run, text, parameters, draft)
    if text is None:
        return
    if not parameters and STATUS_WORDS.fullmatch(text.strip().lower()):  # the app routes these
        run.emit({"type": "text", "content": summary(draft)})
        store.add_message(sid, "assistant", summary(draft))
        return
    video_s = draftops.video_ms(draft) / 1000 or None
    plan = planner.plan_message(
        text,
        _settings_of(draft),
        video_duration_s=video_s,
        seed=secrets.randbelow(2**31 - 1) + 1,
        parameters=parameters,
    )

    turn = _Turn(app, run, user, text, draft, video_s)
    await _handler_for(plan)(turn, plan)
    store.add_message(
        sid, "assistant", " ".join(e["content"] for e in run.events if e.get("type") == "text")
    )


@dataclass
class _Turn:
    """What every plan handler works on: the app, the stream, who asked, and the draft."""

    app: Any
    run: Any
    user: str
    text: str
    draft: Draft
    video_s: float | None


async def _on_use(turn: _Turn, plan: ChatPlan) -> None:
    _use(turn.app.state.store, turn.run, plan, turn.draft)


async def _on_none(turn: _Turn, plan: ChatPlan) -> None:
    turn.run.emit({"type": "text", "content": plan.reply})


async def _on_history(turn: _Turn, plan: ChatPlan) -> None:
    """Undo or redo: the store keeps the drafts; the reply says when there was nothing to do."""
    store, run, step = turn.app.state.store, turn.run, plan.action.value
    restored = store.undo(run.session_id) if step == "undo" else store.redo(run.session_id)
    reply = plan.reply if restored is not None else say(f"agent.{step}.nothing", plan.lang)
    run.emit({"type": "tool_call", "name": step, "args": {}})
    run.emit({"type": "tool_result", "name": step, "result": {"ok": restored is not None}})
    run.emit({"type": "text", "content": reply})


async def _on_mix(turn: _Turn, plan: ChatPlan) -> None:
    """Only the mix changed: the draft is updated, nothing is rendered."""
    store, run, draft, settings = turn.app.state.store, turn.run, turn.draft, plan.settings
    assert settings is not None
    run.emit({"type": "tool_call", "name": "update_mix", "args": _mix_of(settings)})
    draftops.set_mix(draft, _mix_of(settings))
    draft.edit_meta()[SETTINGS_KEY] = music_settings.to_dict(settings)
    store.save_draft(
        run.session_id, draft.encode(), f"mix: {', '.join(plan.changes) or turn.text[:60]}"
    )
    run.emit({"type": "tool_result", "name": "update_mix", "result": {"ok": True}})
    run.emit({"type": "text", "content": plan.reply})


async def _on_generate(turn: _Turn, plan: ChatPlan) -> None:
    await _generate(turn.app, turn.run, turn.user, plan, turn.draft, turn.video_s)


Handler = Callable[[_Turn, ChatPlan], Awaitable[None]]
HANDLERS: dict[ChatAction, Handler] = {
    ChatAction.USE: _on_use,
    ChatAction.NONE: _on_none,
    ChatAction.UNDO: _on_history,
    ChatAction.REDO: _on_history,
    ChatAction.MIX: _on_mix,
    ChatAction.GENERATE: _on_generate,
    ChatAction.REGENERATE: _on_generate,
}
NEEDS_SETTINGS = frozenset({ChatAction.MIX, ChatAction.GENERATE, ChatAction.REGENERATE})


def _handler_for(plan: ChatPlan) -> Handler:
    """One handler per action; a plan that needs settings and has none only says its reply."""
    if plan.action in NEEDS_SETTINGS and plan.settings is None:
        return _on_none
    return HANDLERS[plan.action]


_FILLER = re.compile(r"(?:[\s\W_]|and|also|please|then|too|i|it|和|并且|然后|请|也)*", re.I)


def _clip_sound(
    store, run, text: str, parameters: dict[str, Any] | None, draft: Draft
) -> tuple[str | None, dict[str, Any] | None, Draft]:
    """Apply what the message (or the app's control) says about the clips' own sound; returns
    the rest for the music agent (None when nothing is left to do)."""
    change, rest = voice.read(text)
    given = voice.from_parameters(parameters)
    if given:
        change = given
    params = {k: v for k, v in (parameters or {}).items() if k not in voice.PARAM_KEYS} or None
    if not change:
        return text, parameters, draft
    lang = language_of(text)
    args = {"mode": change.mode.value if change.mode else None, "duck_db": change.depth_db}
    run.emit({"type": "tool_call", "name": "set_clip_sound", "args": args})
    changed, reply = voice.apply(draft, change, lang)
    if changed:
        store.save_draft(run.session_id, draft.encode(), f"clip sound: {text[:60] or args}")
    run.emit({"type": "tool_result", "name": "set_clip_sound", "result": {"ok": changed}})
    run.emit({"type": "text", "content": reply})
    if _FILLER.fullmatch(rest) and not params:
        store.add_message(run.session_id, "assistant", reply)
        return None, None, draft
    return rest, params, draft


def public_brief(brief: Brief, video_s: float | None) -> dict[str, Any]:
    """What the current track is, for an app's prompt panel (on the BGM segment as
    ``m.brief``): the fields users set, the ones the engine chose, and whether the length is
    the video's."""
    fit = bool(video_s) and abs(brief.duration_s - float(video_s or 0)) < 0.05
    return {
        "mood": brief.mood,
        "genre": brief.genre,
        "instruments": list(brief.instruments),
        "exclude": list(brief.exclude),
        "bpm": round(brief.bpm, 2),
        "key": brief.key,
        "mode": brief.mode,
        "arc": brief.arc,
        "loop": brief.loop,
        "duration_s": round(brief.duration_s, 3),
        "fits_video": fit,
        "chosen": list(brief.chosen),
    }


def _use(store, run, plan, draft: Draft) -> None:
    """Put one of the generated takes on the BGM track, keeping the mix; undo-able."""
    sid = run.session_id
    number = "last" if plan.use == take_choice.LAST else plan.use
    args = {"media_id": plan.use_media_id} if plan.use_media_id else {"variation": number}
    run.emit({"type": "tool_call", "name": "use_variation", "args": args})
    media = store.state(sid).get("generated_media", [])
    entry, why = take_choice.choose(media, plan.use, plan.use_media_id, plan.lang)
    if entry is not None:
        store.touch_media(entry["media_id"])  # chosen: the last the disk budget removes
    if entry is None:
        run.emit({"type": "tool_result", "name": "use_variation", "result": {"ok": False}})
        run.emit({"type": "text", "content": why})
        return
    bgm = draft.first(TrackType.AUDIO)
    srcs = [s.meta.get("src") for s in bgm.segments] if bgm else []
    on = srcs == [f"media:{entry['media_id']}"]
    settings = _settings_of(draft) or music_settings.MusicSettings(brief=Brief(), seed=0)
    if not on:
        take_choice.adopt(settings, entry)
        draftops.set_music(
            draft,
            entry["media_id"],
            round(float(entry.get("duration_s") or settings.brief.duration_s) * 1000),
            settings.brief.genre,
            _mix_of(settings),
            {
                "seed": settings.seed,
                "bpm": settings.brief.bpm,
                "lufs": entry.get("loudness_lufs"),
                "brief": public_brief(settings.brief, draftops.video_ms(draft) / 1000 or None),
            },
        )
        draft.edit_meta()[SETTINGS_KEY] = music_settings.to_dict(settings)
        store.save_draft(sid, draft.encode(), f"use: {entry['media_id']}")
    result = {"ok": True, "media_id": entry["media_id"], "variation": entry.get("variation")}
    run.emit(
        {"type": "tool_result", "name": "use_variation", "result": result | {"changed": not on}}
    )
    reply = take_choice.used_reply(entry, plan.lang, already=on)
    run.emit({"type": "text", "content": f"{reply} {plan.reply}".strip()})


async def _generate(app, run, user: str, plan, draft: Draft, video_s: float | None) -> None:
    """Make the takes; until the draft and the state name them, the disk budget keeps them."""
    fresh: set[str] = getattr(getattr(app.state, "disk", None), "writing", set())
    made: list[str] = []
    try:
        await _make_takes(app, run, user, plan, draft, video_s, made, fresh)
    finally:
        fresh.difference_update(made)
    await disk_budget.enforce_soon(app)  # old takes go now, not in the next generation


MIX_FIELDS = (  # what a take's media row keeps of the render's result
    *("duration_s", "bpm", "key", "mode", "genre", "mood", "seed", "hits_s", "loudness_lufs"),
)
ENTRY_FIELDS = (  # and what the session state and the app see of it
    *("duration_s", "bpm", "key", "mode", "genre", "mood", "seed", "sections", "hits_s"),
    *("instruments", "loudness_lufs"),
)


async def _make_takes(
    app, run, user: str, plan, draft: Draft, video_s: float | None, made: list[str], fresh: set
) -> None:
    """Render each take in the worker pool, register its files, then put the first on the
    timeline; ``made`` and ``fresh`` name the takes the disk budget must not remove yet."""
    store, config, jobs = app.state.store, app.state.config, app.state.jobs
    sid = run.session_id
    settings = plan.settings
    brief = settings.brief
    cuts, speech = _music_clock(store, sid, settings, draft, video_s)
    folder = config.files_dir / sid / "music"
    folder.mkdir(parents=True, exist_ok=True)
    media: list[dict[str, Any]] = []  # this generation's takes
    first_media: tuple[str, dict[str, Any]] | None = None
    # take 1 is the brief; each further take changes at least two of lead, tempo, key,
    # chords and groove (never what the user set), so the candidates are a real choice
    takes = music_variations.takes(brief, max(1, plan.variations), settings.seed)
    for i, take in enumerate(takes):
        seed = settings.seed + i
        stem = f"track-{secrets.token_hex(6)}"
        character = music_variations.info(brief, take, i)
        args = {
            "prompt": brief.prompt[:200],
            "duration_s": brief.duration_s,
            "seed": seed,
            "genre": take.genre,
            "mood": take.mood,
            "bpm": round(take.bpm, 1),
            "variation": i + 1,
            "changes": character["changes"],
        }
        run.emit({"type": "tool_call", "name": "generate_music", "args": args})
        # the mix and its plan only: stems and MIDI are made when first asked for (an
        # export), from this recipe — the same render, so they add up to this mix
        recipe = {
            "brief": asdict(take),
            "seed": seed,
            "name": stem,
            "cuts_s": cuts,
            "loudness_lufs": settings.loudness_lufs,
            "speech_s": speech,
        }
        job = (
            asdict(take),
            *(seed, str(folder / f"{stem}.wav"), cuts, settings.loudness_lufs, None, None),
            *(str(folder / f"{stem}.json"), speech),
        )
        # the client plays the first take from its head (asked for: api_preview)
        if i == 0 and getattr(run, "preview", False) and wants_head(take.duration_s):
            head = api_preview.head_path(config.files_dir, sid, stem)
            future = asyncio.ensure_future(
                jobs.run(user, api_preview.generate_track, str(head), HEAD_S, *job)
            )
            url = f"/api/local/preview/{sid}/{head.name}"
            result = await api_preview.await_with_head(
                run, future, head, url, take.duration_s, config.heartbeat_s
            )
        else:
            future = asyncio.ensure_future(jobs.run(user, work.generate_track, *job))
            result = await _await_with_heartbeats(run, future, config.heartbeat_s)
        character["description"] = _description(character, result, i, plan.lang)
        mix_id = store.new_media_id()
        made.append(mix_id)
        fresh.add(mix_id)  # before its row exists: a budget pass never sees it unprotected
        entry = _register_take(store, sid, folder / stem, mix_id, i, result, recipe, character)
        media.append(entry)
        if first_media is None:
            first_media = (mix_id, result)
        run.emit(
            {
                "type": "tool_result",
                "name": "generate_music",
                "result": {
                    "media_id": mix_id,
                    "duration_s": result["duration_s"],
                    "bpm": result["bpm"],
                    "key": f"{result['key']} {result['mode']}",
                    "render_s": result["render_s"],
                    "description": character["description"],
                },
            }
        )
    assert first_media is not None
    _put_first_on_timeline(store, sid, plan, draft, video_s, first_media)
    # appended in one transaction: the disk budget may have removed old takes meanwhile
    store.append_state(sid, "generated_media", media)
    reply = plan.reply
    if plan.variations > 1:
        reply += say("agent.candidates", plan.lang, n=plan.variations)
    run.emit({"type": "text", "content": reply})


def _music_clock(
    store, sid: str, settings, draft: Draft, video_s: float | None
) -> tuple[list[float], list[tuple[float, float]]]:
    """The picture on the music's own clock: cuts and speech wherever the music plays, so a
    shorter track or a later start keeps its hits and its room for the voice."""
    brief = settings.brief
    cuts = [
        c - settings.start_s
        for c in (_cuts(store, sid) if video_s else [])
        if 0 < c - settings.start_s < brief.duration_s
    ]
    start_ms = settings.start_s * 1000
    speech = [
        ((a - start_ms) / 1000, (b - start_ms) / 1000)
        for a, b in speech_on_timeline(draft)
        if b > start_ms
    ]
    return cuts, speech


def _register_take(
    store,
    sid: str,
    stem_path: Path,
    mix_id: str,
    i: int,
    result: dict[str, Any],
    recipe: dict[str, Any],
    character: dict[str, Any],
) -> dict[str, Any]:
    """Store take ``i``'s mix and the files it can give on request (plan, MIDI, stems); the
    entry is what the session state and the app see of it."""
    mix_meta = {k: result[k] for k in MIX_FIELDS} | {"variation": i + 1, "recipe": recipe}
    store.add_media(sid, "mix", result["path"], mix_meta | character, mix_id)
    entry = {
        "media_id": mix_id,
        "kind": "mix",
        "variation": i + 1,
        "url": f"/api/local/media/{mix_id}",
        **{k: result[k] for k in ENTRY_FIELDS},
        **character,
        "files": {},
    }
    if result.get("plan"):
        entry["files"]["plan"] = store.add_media(sid, "plan", result["plan"], {"of": mix_id})
    on_request = {"of": mix_id, "on_request": True}  # no file until it is asked for
    stem = stem_path.name
    entry["files"]["midi"] = store.add_media(
        sid, "midi", str(stem_path.with_name(f"{stem}.mid")), on_request
    )
    for group in result.get("stem_groups", []):
        path = stem_path.with_name(f"{stem}-stems") / f"{stem}-{group}.wav"
        entry["files"][f"stem:{group}"] = store.add_media(
            sid, "stem", str(path), on_request | {"group": group}
        )
    return entry


def _put_first_on_timeline(
    store, sid: str, plan, draft: Draft, video_s: float | None, first: tuple[str, dict[str, Any]]
) -> None:
    """The first take goes on the BGM track with the mix; the draft is saved (undo-able)."""
    settings, brief = plan.settings, plan.settings.brief
    mix_id, result = first
    draftops.set_music(
        draft,
        mix_id,
        round(result["duration_s"] * 1000),
        result["genre"],
        _mix_of(settings),
        {
            "seed": result["seed"],
            "bpm": result["bpm"],
            "lufs": result["loudness_lufs"],
            "brief": public_brief(brief, video_s),
        },
    )
    settings.seed = result["seed"]
    draft.edit_meta()[SETTINGS_KEY] = music_settings.to_dict(settings)
    store.save_draft(sid, draft.encode(), f"{plan.action}: {brief.prompt[:60]}")


def _description(character: dict[str, Any], result: dict[str, Any], i: int, lang: str) -> str:
    """How take ``i`` sounds different, in words ("piano lead · 118 BPM · new chords …")."""
    return music_variations.describe(
        list(character["changes"]),
        lead=character["lead_instrument"],
        bpm=float(result["bpm"]),
        key=str(result["key"]),
        mode=str(result["mode"]),
        lang=lang,
        groove=character["groove_name"],
        chords=character["chords"],
        first=i == 0,
    )


def media_path(store, media_id: str, user: str) -> Path | None:
    m = store.get_media(media_id, user)
    return Path(m.path) if m else None
