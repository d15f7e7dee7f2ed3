"""The player: the music alone, or the video with the music laid on it at its offset.

Two QMediaPlayers run side by side. In "Video + music" the video is the clock and the music
follows it: started when the video reaches the music's offset, stopped past its end, and
moved back into place when the two drift apart by more than ``DRIFT_TOLERANCE_MS``. The
ffmpeg backend reports positions in steps (about 93 ms for audio, a frame for video), so
drift is judged on interpolated positions averaged over a short window — single readings
would make the music seek over and over.

Positions in the API (``seek``, ``position_ms``, ``positionChanged``) are on the timeline's
clock, where the music begins at its offset, so the timeline's playhead and the player agree
in both modes. The slider and the time label show the clock of what is playing.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtMultimedia import QMediaDevices, QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nemodesk.ui.icons import icon
from nemodesk.ui.media_track import MediaTrack, prime_virtuals

DRIFT_TOLERANCE_MS = 40
SYNC_INTERVAL_MS = 50
DRIFT_WINDOW_SAMPLES = 6  # ~300 ms of readings averaged before a correction
CORRECTION_COOLDOWN_S = 0.8  # let a seek settle before judging drift again
PLAY_ICON_PX = 28


SWAP_LEAD_MS = 30  # measured: a new player's clock starts 26..37 ms after play() (offscreen)


class PlayerMode(StrEnum):
    MUSIC = "music"
    VIDEO = "video"


def format_clock(ms: float) -> str:
    """``m:ss`` (or ``h:mm:ss`` past an hour), as media players show time."""
    s = max(int(ms), 0) // 1000
    hours, rest = divmod(s, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class PlayerView(QWidget):
    """Plays the music alone or the video with the music; see the module docstring."""

    positionChanged = Signal(int)  # timeline ms
    playingChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._music = MediaTrack(self)
        # the next music file, loading while the current one plays (a head swapped for its
        # whole track at the same place: ``swap_music``)
        self._spare = MediaTrack(self)
        self._swap_to: Path | None = None
        self.last_swap: dict[str, Any] | None = None  # where the last swap left and landed
        self._more_coming = False  # the music is a head: its whole track will swap in
        self._resume = False  # the head ran out while playing: the track plays on from there
        self._video = MediaTrack(self)  # the clip's own sound is heard, as in the export
        self._music_path: Path | None = None
        self._music_title = ""  # the track's name for people (the file is a cache entry)
        self._offset_ms = 0
        self._mode = PlayerMode.MUSIC
        self._playing = False
        self._error = ""
        self._drift: deque[float] = deque(maxlen=DRIFT_WINDOW_SAMPLES)
        self._quiet_until = 0.0
        # the sound outputs there are (tests give their own); none: playback is silent
        self.audio_outputs: Callable[[], list[Any]] = QMediaDevices.audioOutputs
        self._devices = QMediaDevices(self)
        self._sync_timer = QTimer(self)
        self._sync_timer.setInterval(SYNC_INTERVAL_MS)
        self._sync_timer.timeout.connect(self._sync)
        self._build()
        self._wire()
        self.retranslate()
        self._refresh()

    # ---- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        """The screen (a still with a hint, or the video), the transport row, the mode row
        and the no-sound note."""
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._screen()
        self._controls()
        controls = QHBoxLayout()
        controls.addWidget(self.play_button)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.time_label)
        modes = QHBoxLayout()
        modes.setSpacing(2)
        modes.addWidget(self.music_button)
        modes.addWidget(self.video_button)
        modes.addSpacing(12)
        modes.addWidget(self.original_audio)
        modes.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.screen_stack, 1)
        layout.addLayout(controls)
        layout.addLayout(modes)
        self.sound_note = QLabel(self)  # said when there is no sound output at all
        self.sound_note.setObjectName("warning")
        self.sound_note.setWordWrap(True)
        self.sound_note.setVisible(False)
        layout.addWidget(self.sound_note)

    def _screen(self) -> None:
        self.video_widget = QVideoWidget(self)
        prime_virtuals(self.video_widget)  # the video renderer's thread talks to it too
        self._video.player.setVideoOutput(self.video_widget)
        self.placeholder_icon = QLabel(self)
        self.placeholder_icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder = QLabel(self)
        self.placeholder.setObjectName("muted")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        still = QFrame(self)
        still.setObjectName("playerScreen")
        still.setStyleSheet(
            "#playerScreen { background: palette(alternate-base); border-radius: 8px; }"
        )
        sv = QVBoxLayout(still)
        sv.addStretch(1)
        sv.addWidget(self.placeholder_icon)
        sv.addWidget(self.placeholder)
        sv.addStretch(1)
        self.screen_stack = QStackedWidget(self)
        self.screen_stack.addWidget(still)
        self.screen_stack.addWidget(self.video_widget)
        self.screen_stack.setMinimumHeight(120)
        self.screen_stack.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def _controls(self) -> None:
        """Play, the position slider and time; music/video mode and the clip's own sound."""
        self.play_button = QToolButton(self)
        self.play_button.setCheckable(True)
        self.play_button.setAutoRaise(True)
        self.play_button.setIconSize(QSize(PLAY_ICON_PX, PLAY_ICON_PX))
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setPageStep(5000)
        self.slider.setSingleStep(1000)
        self.time_label = QLabel(self)
        metrics = self.time_label.fontMetrics()
        self.time_label.setMinimumWidth(metrics.horizontalAdvance("00:00 / 00:00") + 8)
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.music_button = QToolButton(self)
        self.video_button = QToolButton(self)
        for button in (self.music_button, self.video_button):  # checked by _refresh alone
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.original_audio = QCheckBox(self)
        self.original_audio.setChecked(True)

    def _wire(self) -> None:
        self.play_button.clicked.connect(lambda _checked=False: self.toggle())
        self.slider.actionTriggered.connect(self._on_slider_action)
        self.music_button.clicked.connect(lambda: self.set_mode(PlayerMode.MUSIC))
        self.video_button.clicked.connect(lambda: self.set_mode(PlayerMode.VIDEO))
        self.original_audio.toggled.connect(self.set_original_audio)
        self._spare.player.mediaStatusChanged.connect(self._on_spare_status)
        for track in (self._music, self._spare, self._video):
            track.player.positionChanged.connect(self._on_track_position)
            track.player.durationChanged.connect(lambda _ms: self._refresh())
            track.player.playbackStateChanged.connect(self._on_track_state)
            track.player.errorOccurred.connect(self._on_error)
        self._devices.audioOutputsChanged.connect(self.check_audio_output)

    def retranslate(self) -> None:
        self.setAccessibleName(self.tr("Player"))
        self.slider.setAccessibleName(self.tr("Playback position"))
        self.time_label.setAccessibleName(self.tr("Time"))
        self.music_button.setText(self.tr("Music only"))
        self.music_button.setAccessibleName(self.tr("Play the music only"))
        self.video_button.setText(self.tr("Video + music"))
        self.video_button.setAccessibleName(self.tr("Play the video with the music"))
        self.original_audio.setText(self.tr("Original sound"))
        self.original_audio.setToolTip(self.tr("Hear the video's own sound under the music"))
        self.original_audio.setAccessibleName(self.tr("Original sound"))
        self.sound_note.setText(
            self.tr("No sound output found: playback is silent. Connect speakers or headphones.")
        )
        self.check_audio_output()
        self._refresh()

    def check_audio_output(self) -> bool:
        """Whether a sound output exists; without one the player says it plays silently."""
        try:
            present = bool(self.audio_outputs())
        except RuntimeError:  # no multimedia backend at all: nothing can be heard either
            present = False
        self.sound_note.setVisible(not present)
        return present

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.PaletteChange:
            self._refresh()
        super().changeEvent(event)

    # ---- public API -------------------------------------------------------------------------

    def load_music(self, path: Path | None, *, more_coming: bool = False) -> None:
        """Show a new music file (or none); playback stops and starts again from the top.
        The window gives the music as the export will have it: dipped under the clips'
        speech (service.preview_music), in both modes, so a mode switch needs no reload."""
        self.pause()
        self._error = ""
        self._drop_swap()
        self._more_coming, self._resume = more_coming and path is not None, False
        self._music_path = Path(path) if path else None
        self._music.load(self._music_path)
        if self._video.loaded and self._mode is PlayerMode.VIDEO:
            self._sync(force=True)
        self._refresh()

    def swap_music(self, path: Path) -> None:
        """Play ``path`` instead of the music loaded now, from the same place and playing
        if it was (the head of a track for the whole track): the new file loads beside the
        old one, which plays on until the new one is ready to take over. With nothing
        loaded it is ``load_music``."""
        if not self._music.loaded:
            self.load_music(path)
            return
        self._drop_swap()
        self._swap_to = Path(path)
        self._spare.audio.setVolume(self._music.audio.volume())
        self._spare.audio.setMuted(self._music.audio.isMuted())
        self._spare.load(self._swap_to)

    def drop_head(self) -> None:
        """The head's track will not come (the run was cancelled or failed): unload it."""
        if self._more_coming:
            self.load_music(None)

    def more_coming(self) -> bool:
        """The music loaded is the head of a track still rendering."""
        return self._more_coming and self._music.loaded

    def swap_pending(self) -> bool:
        return self._swap_to is not None

    def _drop_swap(self) -> None:
        if self._swap_to is not None:
            self._swap_to = None
            self._spare.load(None)

    def _on_spare_status(self, status: QMediaPlayer.MediaStatus) -> None:
        ready = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
        if self._swap_to is None or status not in ready:
            return
        old, new = self._music, self._spare
        running = old.playing()  # else paused, or a head that ran out (``_resume``)
        playing = running or self._resume
        at = old.estimate_ms()
        self._more_coming = self._resume = False
        # a player takes about this long from play() to its clock running: it starts ahead
        # by as much (tests/ui/test_progressive_preview.py measures the landing)
        new.set_position(round(at + (SWAP_LEAD_MS if running else 0)))
        self._music, self._spare = new, old  # first: the old one's pause is not ours
        if playing:
            new.player.play()
        old.player.pause()
        self._music_path, self._swap_to = self._swap_to, None
        old.load(None)
        self.last_swap = {
            "from_ms": at,
            "to_ms": new.player.position(),
            "playing": playing,
            "at": time.monotonic(),
        }
        if self._mode is PlayerMode.VIDEO:
            self._sync(force=True)
        self._refresh()

    def load_video(self, path: Path | None) -> None:
        """Show a clip (or none). Loading one switches to "Video + music"."""
        self.pause()
        self._error = ""
        self._video.load(Path(path) if path else None)
        self._mode = PlayerMode.VIDEO if self._video.loaded else PlayerMode.MUSIC
        self._music.set_position(0)
        self._refresh()

    def set_music_offset_ms(self, ms: int) -> None:
        """Where on the video's clock the music starts."""
        self._offset_ms = max(int(ms), 0)
        if self._mode is PlayerMode.VIDEO:
            self._sync(force=True)
        self._refresh()

    def music_offset_ms(self) -> int:
        return self._offset_ms

    def set_music_title(self, title: str) -> None:
        """What the music-only view calls the track (e.g. its genre), never the file."""
        self._music_title = title
        self.placeholder.setText(self._placeholder_text())

    def set_music_volume(self, percent: int) -> None:
        for track in (self._music, self._spare):
            track.audio.setVolume(min(max(percent, 0), 100) / 100.0)

    def music_volume(self) -> int:
        return round(self._music.audio.volume() * 100)

    def music_source(self) -> Path | None:
        """The file the music track plays."""
        return self._music_path if self._music.loaded else None

    def set_original_audio(self, on: bool) -> None:
        """The video's own sound: at its level (the default, as the export has it unless the
        draft mutes it) or muted, to judge the music."""
        self._video.audio.setMuted(not on)
        if self.original_audio.isChecked() != on:
            self.original_audio.setChecked(on)

    def original_audio_on(self) -> bool:
        return not self._video.audio.isMuted()

    def mode(self) -> PlayerMode:
        return self._mode

    def set_mode(self, mode: PlayerMode | str) -> None:
        """Switch between the music alone and the video with the music, keeping the place on
        the timeline and whether it was playing. "Video + music" needs a video."""
        mode = PlayerMode(mode)
        if mode is PlayerMode.VIDEO and not self._video.loaded:
            mode = PlayerMode.MUSIC
        if mode is not self._mode:
            was_playing, here = self._playing, self.position_ms()
            self.pause()
            self._mode = mode
            self.seek(here)
            if was_playing:
                self.play()
        self._refresh()

    def is_playing(self) -> bool:
        return self._playing

    def can_play(self) -> bool:
        return self._master().loaded

    def play(self) -> None:
        if not self.can_play():
            return
        self._master().player.play()
        if self._mode is PlayerMode.VIDEO:
            self._sync(force=True)
            self._sync_timer.start()
        self._set_playing(True)

    def pause(self) -> None:
        self._resume = False
        self._sync_timer.stop()
        self._music.player.pause()
        self._video.player.pause()
        self._set_playing(False)

    def toggle(self) -> None:
        if self._playing:
            self.pause()
        else:
            self.play()

    def seek(self, ms: int) -> None:
        """Go to ``ms`` on the timeline's clock (clamped to what can be played)."""
        if self._mode is PlayerMode.VIDEO:
            self._video.set_position(self._clamp(ms, self._video.player.duration()))
            self._sync(force=True)
        else:
            self._music.set_position(
                self._clamp(ms - self._offset_ms, self._music.player.duration())
            )
        self._show_position()
        self.positionChanged.emit(self.position_ms())

    def position_ms(self) -> int:
        if self._mode is PlayerMode.VIDEO:
            return self._video.player.position()
        return self._offset_ms + self._music.player.position()

    def music_position_ms(self) -> int:
        """Where the music itself is, on its own clock."""
        return self._music.player.position()

    def duration_ms(self) -> int:
        """The length of what plays, on the timeline's clock (0 when nothing is loaded)."""
        if self._mode is PlayerMode.VIDEO:
            return self._video.player.duration() if self._video.loaded else 0
        return self._offset_ms + self._music.player.duration() if self._music.loaded else 0

    # ---- keeping the music with the video ---------------------------------------------------

    def _master(self) -> MediaTrack:
        return self._video if self._mode is PlayerMode.VIDEO else self._music

    @staticmethod
    def _clamp(ms: float, duration: int) -> int:
        return int(min(max(ms, 0), duration)) if duration > 0 else int(max(ms, 0))

    def _sync(self, force: bool = False) -> None:
        """Start, stop or move the music so it sits where the video says it should."""
        if self._mode is not PlayerMode.VIDEO or not self._music.loaded:
            return
        music = self._music
        length = music.player.duration()
        target = self._video.estimate_ms() - self._offset_ms
        inside = target >= 0 and (length <= 0 or target < length)
        if not (inside and self._video.playing()):
            if music.playing():
                music.player.pause()
            if force or (target < 0 and music.player.position() != 0):
                music.set_position(self._clamp(target, length))
            self._drift.clear()
            return
        now = time.monotonic()
        if force or not music.playing():
            music.set_position(int(target))
            if not music.playing():
                music.player.play()
            self._drift.clear()
            self._quiet_until = now + CORRECTION_COOLDOWN_S
            return
        if now < self._quiet_until:
            return
        self._drift.append(music.estimate_ms() - target)
        if len(self._drift) == self._drift.maxlen:
            drift = sum(self._drift) / len(self._drift)
            if abs(drift) > DRIFT_TOLERANCE_MS:
                music.set_position(int(target))
                self._drift.clear()
                self._quiet_until = now + CORRECTION_COOLDOWN_S

    def _on_track_position(self, _ms: int) -> None:
        if self.sender() is self._master().player:
            self._show_position()
            self.positionChanged.emit(self.position_ms())

    def _on_track_state(self, state: QMediaPlayer.PlaybackState) -> None:
        if self.sender() is not self._master().player:
            return
        ended = state == QMediaPlayer.PlaybackState.StoppedState  # a pause is PausedState
        if self._more_coming and self._playing and ended:
            # the head ran out: still "playing", its track goes on from here when it comes
            self._resume = True
            return
        if state != QMediaPlayer.PlaybackState.PlayingState and self._playing:
            self._sync_timer.stop()
            if self._mode is PlayerMode.VIDEO:
                self._music.player.pause()
            self._set_playing(False)

    def _on_error(self, _error: QMediaPlayer.Error, message: str) -> None:
        sender = self.sender()
        if sender is self._spare.player:  # the next file would not load: keep this one
            self._drop_swap()
            return
        self._error = message or self.tr("unknown error")
        if sender is self._music.player:
            self._music.loaded = False
        elif sender is self._video.player:
            self._video.loaded = False
            self._mode = PlayerMode.MUSIC
        self.pause()
        self._refresh()

    def _set_playing(self, playing: bool) -> None:
        if playing != self._playing:
            self._playing = playing
            self._refresh_play_button()
            self.playingChanged.emit(playing)

    # ---- showing ----------------------------------------------------------------------------

    def _on_slider_action(self, _action: int) -> None:
        local = self.slider.sliderPosition()
        self.seek(local if self._mode is PlayerMode.VIDEO else local + self._offset_ms)

    def _show_position(self) -> None:
        if self._mode is PlayerMode.VIDEO:
            pos, length = self._video.player.position(), self._video.player.duration()
        else:
            pos, length = self._music.player.position(), self._music.player.duration()
        # This runs for every frame: touch the widgets only when what they show changes.
        if not self.slider.isSliderDown():
            if self.slider.maximum() != max(length, 0):
                self.slider.setRange(0, max(length, 0))
            if self.slider.value() != pos:
                self.slider.setValue(pos)
        text = f"{format_clock(pos)} / {format_clock(length)}"
        if self.time_label.text() != text:
            self.time_label.setText(text)

    def _refresh_play_button(self) -> None:
        self.play_button.setChecked(self._playing)
        self.play_button.setIcon(icon("pause" if self._playing else "play"))
        text = self.tr("Pause") if self._playing else self.tr("Play")
        self.play_button.setAccessibleName(text)
        self.play_button.setToolTip(self.tr("{0} (Space)").format(text))

    def _refresh(self) -> None:
        playable = self.can_play()
        for widget in (self.play_button, self.slider, self.time_label):
            widget.setEnabled(playable)
        self.music_button.setEnabled(self._music.loaded)
        self.video_button.setEnabled(self._video.loaded)
        self.music_button.setChecked(self._music.loaded and self._mode is PlayerMode.MUSIC)
        self.video_button.setChecked(self._mode is PlayerMode.VIDEO)
        self.music_button.setIcon(icon("music"))
        self.video_button.setIcon(icon("video"))
        self.original_audio.setVisible(self._video.loaded)
        self.original_audio.setEnabled(self._mode is PlayerMode.VIDEO)
        showing_video = self._mode is PlayerMode.VIDEO and not self._error
        self.screen_stack.setCurrentIndex(1 if showing_video else 0)
        self.placeholder.setText(self._placeholder_text())
        glyph = "warning" if self._error else "music"
        shade = self.palette().color(QPalette.ColorRole.PlaceholderText)
        self.placeholder_icon.setPixmap(icon(glyph, shade).pixmap(32, 32))
        self._refresh_play_button()
        self._show_position()

    def _placeholder_text(self) -> str:
        if self._error:
            return self.tr("This file can't be played: {0}").format(self._error)
        if self._music.loaded and self._music_path is not None:
            title = self._music_title or self._music_path.name  # a file the user chose
            return self.tr("Music only · {0}").format(title)
        if self._video.loaded:
            return self.tr("No music yet. Generate some to hear it with the video.")
        return self.tr("Nothing to play yet. Generate music or add a video to preview it here.")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.modifiers():
            self.toggle()
            event.accept()
            return
        super().keyPressEvent(event)
