"""The window: one loop, a stack of scenes, and the services they share.

The loop draws only when something changed or moves; otherwise it polls for events a few dozen
times a second (cheaper than pygame.event.wait, which spins inside SDL: see platform-notes).
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pygame

from ..audio import open_audio
from ..runtime.engine import EngineError
from ..runtime.saves import QUICK, SaveError
from ..story.model import CHANNELS, Story
from ..story.validate import load_and_validate
from . import widgets
from .controller import Controllers
from .painter import Painter, encode_thumbnail
from .scenes import SCREENS
from .scenes.base import Scene
from .session import PLAY, SCENE, Library, Session
from .settings import VOLUME_CHANNELS, Settings
from .theme import Theme
from .voice import MISSING, SelfVoice

WINDOW_SIZE = (1280, 720)
MIN_SIZE = (640, 360)
IDLE_FPS, ANIMATION_FPS = 30, 60
TOAST_SECONDS = 2.0  # real time: a toast must not outlive a slow frame or a paused loop
CAPTION_SECONDS = 4.0  # game time after the cue starts
FADE_SECONDS = 0.4
MAX_CAPTIONS = 3
TITLE_SCENE = {"location": "rooftop", "time": "dusk", "mood": "warm", "weather": "haze"}


class NoDisplay(Exception):
    """There is no screen to open a window on."""


@dataclass
class Options:
    fullscreen: bool = False
    fast: bool = False  # a replay plays as fast as possible
    replay_choices: list[int] | None = None
    size: tuple[int, int] = WINDOW_SIZE


@dataclass
class Notice:
    text: str
    until: float  # a toast: on App.clock (real time); a caption: on App.time
    kind: str = "toast"  # toast | caption
    cue: str = ""  # a caption's cue
    loop: bool = False  # a caption of a looping cue goes as soon as the loop stops


def return_freed_memory() -> None:
    """Let glibc hand large freed blocks back to the system. By default it raises its mmap threshold after the first
    window-sized surface is freed, so every later one comes from a heap that never shrinks: a window dragged through
    a hundred sizes then keeps ~150 MiB it no longer uses. Elsewhere (or without glibc) this does nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 256 * 1024)  # M_MMAP_THRESHOLD: fixed, so blocks from 256 KiB up are mapped and unmapped
    except (OSError, AttributeError):
        pass


def open_window(size: tuple[int, int], fullscreen: bool, title: str) -> pygame.Surface:
    """Open the game window, or raise NoDisplay when SDL found no real screen."""
    asked = os.environ.get("SDL_VIDEODRIVER", "")
    if sys.platform.startswith("linux") and not asked and not os.environ.get("DISPLAY") \
            and not os.environ.get("WAYLAND_DISPLAY"):
        raise NoDisplay("neither DISPLAY nor WAYLAND_DISPLAY is set")
    try:
        pygame.display.init()
    except pygame.error as err:
        raise NoDisplay(str(err)) from None
    driver = pygame.display.get_driver()
    if driver in ("offscreen", "dummy") and asked != driver:
        pygame.display.quit()
        raise NoDisplay(f"SDL found no screen (it fell back to its '{driver}' driver)")
    pygame.font.init()
    pygame.display.set_caption(title)
    pygame.key.set_repeat(400, 40)
    try:
        if fullscreen:
            return pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        return pygame.display.set_mode(size, pygame.RESIZABLE)
    except pygame.error as err:
        raise NoDisplay(str(err)) from None


def set_windowed(size: tuple[int, int]) -> pygame.Surface:
    screen = pygame.display.set_mode(size, pygame.RESIZABLE)
    if screen.get_size() != size:  # some drivers keep the fullscreen size when leaving fullscreen
        try:
            from pygame._sdl2.video import Window
            Window.from_display_module().size = size
            screen = pygame.display.set_mode(size, pygame.RESIZABLE)
        except (ImportError, pygame.error):
            pass
    return screen


class App:
    def __init__(self, library: Library, options: Options | None = None, session: Session | None = None,
                 notes: Sequence[str] = (), clock: Callable[[], float] = time.monotonic):
        return_freed_memory()
        self.library = library
        self.options = options or Options()
        self.settings = Settings.from_dict(library.player.settings)
        self.settings.fullscreen = self.settings.fullscreen or self.options.fullscreen
        self.windowed_size = self.options.size
        self.screen = open_window(self.options.size, self.settings.fullscreen, library.story.title)
        self.theme = Theme(self.screen.get_size(), self.settings)
        self.painter = Painter()
        library.thumbnailer = self.thumbnail
        self.stack: list[Scene] = []
        self.session: Session | None = None
        self.notices: list[Notice] = []
        self.clock = clock  # real time, for toasts; self.time is game time (animations, captions)
        self.time = 0.0
        self.dirty = True
        self.running = True
        self.keys_down: set[int] = set()  # keys pressed and not yet let go, so a screen can ignore one held over
        self.frame_times: list[float] = []  # seconds spent drawing each frame, for bench/
        self.audio = open_audio(library.story, self.settings.to_dict())
        self.apply_volume()
        self.voice = SelfVoice()
        self.controllers = Controllers()
        self._backdrop: tuple[tuple, pygame.Surface] | None = None
        self._was_animating = False  # an animation that stops must still have its last frame drawn
        self._below: tuple[tuple, pygame.Surface] | None = None  # what an overlay covers, dimmed (see below())
        if session is not None:
            self.session = session
            self.open("play", replay=self.options.replay_choices, fast=self.options.fast)
        else:
            self.open("title")
            self.title_music()
        messages = list(notes or ()) + ([library.player.note] if library.player.note else [])
        if messages:
            self.notify("\n".join(messages), 8.0)

    # ------------------------------------------------------------ scene stack

    @property
    def top(self) -> Scene | None:
        return self.stack[-1] if self.stack else None

    def open(self, name: str, replace: bool = False, **options: Any) -> None:
        """Open the screen called name (see scenes.registry) over the others, or instead of them all."""
        scene = SCREENS[name](self, **options)
        if replace:
            self.stack.clear()
        self.push(scene)

    def push(self, scene: Scene) -> None:
        self._below = None
        self.stack.append(scene)
        scene.layout()
        if scene.spoken():
            self.speak(scene.spoken())
        self.dirty = True

    def pop(self, scene: Scene | None = None) -> None:
        self._below = None
        if self.stack and (scene is None or self.stack[-1] is scene):
            self.stack.pop()
        elif scene in self.stack:
            self.stack.remove(scene)
        self.dirty = True

    def find(self, name: str) -> Scene | None:
        """The topmost open screen called name."""
        return next((s for s in reversed(self.stack) if s.name == name), None)

    # ------------------------------------------------------------ services

    @property
    def story(self) -> Story:
        return self.library.story

    def notify(self, text: str, seconds: float = TOAST_SECONDS) -> None:
        """A short message at the edge of the window; it replaces the one before. Errors ask for longer."""
        self.notices = [n for n in self.notices if n.kind != "toast"]
        self.notices.append(Notice(text, self.clock() + seconds))
        self.dirty = True

    @property
    def toast(self) -> Notice | None:
        return next((n for n in self.notices if n.kind == "toast"), None)

    @property
    def captions(self) -> list[Notice]:
        return [n for n in self.notices if n.kind == "caption"]

    def caption(self, text: str, cue: str = "", loop: bool = False) -> None:
        """A sound's caption; the same words again restart their time instead of showing twice."""
        self.notices = [n for n in self.notices if n.kind != "caption" or n.text != text]
        self.notices.append(Notice(text, self.time + CAPTION_SECONDS, "caption", cue, loop))
        captions = self.captions
        if len(captions) > MAX_CAPTIONS:
            self.notices = [n for n in self.notices if n not in captions[:-MAX_CAPTIONS]]
        self.dirty = True

    def drop_captions(self) -> None:
        """The scene changed (or the game did): what was heard before is no longer news."""
        if self.captions:
            self.notices = [n for n in self.notices if n.kind != "caption"]
            self.dirty = True

    def settle_captions(self) -> None:
        """Drop the captions of loops that have stopped. The audio is the one record of what sounds."""
        sounding = set(self.audio.playing())
        stopped = [n for n in self.captions if n.loop and n.cue not in sounding]
        if stopped:
            self.notices = [n for n in self.notices if n not in stopped]
            self.dirty = True

    def remaining(self, notice: Notice) -> float:
        """Seconds before a notice goes."""
        return notice.until - (self.time if notice.kind == "caption" else self.clock())

    def speak(self, words: str) -> None:
        """Read the words aloud when self-voicing is on."""
        if self.settings.self_voicing:
            self.voice.say(words)

    def toggle_self_voicing(self) -> None:
        if not self.settings.self_voicing and not self.voice.available:
            self.notify(MISSING, 8.0)
            return
        self.settings.self_voicing = not self.settings.self_voicing
        self.save_settings()
        if self.settings.self_voicing:
            self.voice.say("Self-voicing on.")
        else:
            self.voice.stop()
        self.notify("Self-voicing on: lines and the focused item are read aloud (V turns it off)."
                    if self.settings.self_voicing else "Self-voicing off.")

    def save_settings(self) -> None:
        self.library.player.settings = self.settings.to_dict()
        problem = self.library.save_player()
        if problem:
            self.notify(problem)

    def settings_changed(self) -> None:
        """Fonts, colours or sizes may differ now: rebuild the theme and lay every scene out again."""
        self._below = None
        self.theme = Theme(self.screen.get_size(), self.settings)
        if not self.settings.captions:
            self.drop_captions()
        self.apply_volume()
        for scene in self.stack:
            scene.layout()
        self.dirty = True

    def apply_volume(self) -> None:
        for channel in VOLUME_CHANNELS:
            self.audio.set_volume(channel, self.settings.volume[channel])

    def scene_info(self) -> dict:
        return dict(self.session.engine.state.scene) if self.session else dict(TITLE_SCENE)

    def thumbnail(self, scene: dict) -> str | None:
        """The game as the player last saw it, text box and all (drawn again without the menus over it)."""
        play = self.find("play")
        picture = pygame.Surface(self.screen.get_size())
        try:
            if play is not None:
                play.draw(picture)
            else:
                picture.blit(self.painter.background(scene, picture.get_size()), (0, 0))
            return encode_thumbnail(picture)
        except Exception:  # noqa: BLE001 - a save never fails for its picture (the crash handler saves too)
            return None

    def backdrop(self) -> pygame.Surface:
        """The current scene, blurred and dimmed: the ground of full-screen menus."""
        scene = self.scene_info()
        key = (tuple(sorted((k, v or "") for k, v in scene.items())), self.screen.get_size(),
               self.settings.high_contrast)
        if self._backdrop is None or self._backdrop[0] != key:
            size = self.screen.get_size()
            bg = self.painter.background(scene, size)
            small = pygame.transform.smoothscale(bg, (max(1, size[0] // 10), max(1, size[1] // 10)))
            surf = pygame.transform.smoothscale(small, size)
            widgets.shade(surf, (30, 16, 22, 150) if not self.settings.high_contrast else (0, 0, 0, 235))
            self._backdrop = (key, surf)
        return self._backdrop[1]

    # ------------------------------------------------------------ playthroughs

    def start_session(self, session: Session, notes: Sequence[str] = ()) -> None:
        self.session = session
        self.drop_captions()
        self.open("play", replace=True)
        if notes:
            self.notify("\n".join(notes), 6.0)

    def new_game(self) -> None:
        self.start_session(Session.new(self.library))

    def load_game(self, slot: str) -> bool:
        try:
            session, notes = Session.load(self.library, slot)
        except (SaveError, EngineError) as err:
            self.notify(f"Could not load: {err}", 6.0)
            return False
        loaded = "Loaded " + ("the autosave" if slot == "auto" else "the quicksave" if slot == QUICK else
                              f"slot {slot}") + "."
        self.start_session(session)
        self.notify("\n".join([loaded] + list(notes)), 6.0 if notes else TOAST_SECONDS)
        return True

    def replay_scene(self, node_id: str) -> None:
        self.autosave()
        self.start_session(Session.new(self.library, start=node_id, mode=SCENE))
        self.notify("Replaying a scene: nothing is saved until you return to the title screen.", 5.0)

    def autosave(self) -> None:
        if self.session and self.session.mode == PLAY:
            problem = self.session.autosave()
            if problem:
                self.notify(problem, 6.0)

    def to_title(self) -> None:
        self.autosave()
        self.session = None
        self.drop_captions()
        self.title_music()  # the story's loops and music do not follow onto the title
        self.open("title", replace=True, from_game=True)

    def title_music(self) -> None:
        """The title screen's own theme, if the story names one; everything else fades out."""
        theme = self.library.story.title_music
        self.audio.enter_node([theme] if theme else [], list(CHANNELS))

    def quit(self) -> None:
        """Closing the window autosaves the game in progress."""
        self.autosave()
        self.save_settings()
        self.running = False

    def reload_story(self) -> None:
        """F5: read the story files again; keep playing the last good version when they have errors."""
        if not self.library.story_paths:
            self.notify("This game cannot reload its story.")
            return
        result = load_and_validate(self.library.story_paths)
        if not result.ok or result.story is None:
            lines = [d.format() for d in result.errors] or ["The story could not be read."]
            self.open("error", title="The story has errors; still playing the last good version", lines=lines)
            return
        old_cues = self.library.story.cues
        if self.session is not None:
            notes = self.session.reload(result.story)
        else:
            self.library.set_story(result.story)
            notes = []
        if result.story.cues != old_cues:
            self.audio.shutdown()
            self.audio = open_audio(result.story, self.settings.to_dict())
            self.apply_volume()
        self._below = None
        for scene in self.stack:
            scene.layout()
        warnings = len(result.warnings)
        done = "Story reloaded" + (f" ({warnings} warning{'s' * (warnings != 1)})" if warnings else "") + "."
        self.notify("\n".join([done] + list(notes)), 6.0 if notes else TOAST_SECONDS)

    def quickload(self) -> None:
        if self.library.saves.info(QUICK) is None:
            self.notify("No quicksave yet (F6 makes one).")
            return
        self.load_game(QUICK)

    def quicksave(self) -> None:
        if self.session is None:
            return
        try:
            self.session.quicksave()
        except (OSError, SaveError) as err:
            self.notify(f"Could not save: {err}", 5.0)
            return
        self.notify("Quicksaved (F9 loads it).")

    # ------------------------------------------------------------ window

    def toggle_fullscreen(self) -> None:
        self.settings.fullscreen = not self.settings.fullscreen
        self.apply_window_mode()
        self.save_settings()

    def apply_window_mode(self) -> None:
        if self.settings.fullscreen:
            self.windowed_size = self.screen.get_size()
            self.screen = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        else:
            self.screen = set_windowed(self.windowed_size)
        self.resized()

    def resize(self, size: tuple[int, int]) -> None:
        size = (max(MIN_SIZE[0], size[0]), max(MIN_SIZE[1], size[1]))
        if self.screen.get_size() != size and not self.settings.fullscreen:
            self.screen = set_windowed(size)
        self.resized()

    def resized(self) -> None:
        self._below = None
        self.screen = pygame.display.get_surface()
        self.theme = Theme(self.screen.get_size(), self.settings)
        for scene in self.stack:
            scene.layout()
        self.dirty = True

    def screenshot(self) -> str | None:
        folder = os.path.join(self.library.folder, "screenshots")
        path = os.path.join(folder, datetime.now().strftime("her-%Y%m%d-%H%M%S.png"))
        try:
            os.makedirs(folder, exist_ok=True)
            self.draw()
            pygame.image.save(self.screen, path)
        except (OSError, pygame.error) as err:
            self.notify(f"Could not save the screenshot: {err}", 5.0)
            return None
        self.notify(f"Screenshot saved: {path}", 5.0)
        return path

    # ------------------------------------------------------------ the loop

    def handle_global(self, event: pygame.event.Event) -> bool:
        if event.type == pygame.QUIT:
            self.quit()
            return True
        if event.type == pygame.VIDEORESIZE:
            if not self.settings.fullscreen:
                self.resize(event.size)
            return True
        if event.type in (pygame.WINDOWSIZECHANGED, pygame.WINDOWEXPOSED, pygame.WINDOWRESTORED):
            if pygame.display.get_surface().get_size() != self.theme.size:
                self.resized()
            self.dirty = True
            return True
        if event.type == pygame.WINDOWFOCUSLOST:
            if self.settings.pause_in_background:
                self.audio.pause()
            return False
        if event.type == pygame.WINDOWFOCUSGAINED:
            self.audio.resume()
            return False
        if event.type != pygame.KEYDOWN:
            return False
        if event.key == pygame.K_F11 or (event.key in (pygame.K_RETURN, pygame.K_KP_ENTER) and event.mod & pygame.KMOD_ALT):
            self.toggle_fullscreen()
            return True
        if event.key == pygame.K_F12:
            self.screenshot()
            return True
        if event.key == pygame.K_v and not event.mod & (pygame.KMOD_CTRL | pygame.KMOD_ALT):
            self.toggle_self_voicing()
            return True
        if event.key == pygame.K_F1:
            if self.top is not None and self.top.name == "help":
                self.pop()
            else:
                self.open("help")
            return True
        if event.key == pygame.K_F5:
            self.reload_story()
            return True
        return False

    def dispatch(self, event: pygame.event.Event) -> None:
        stands_for = self.controllers.keys_for(event)
        if stands_for:
            for key_event in stands_for:
                self.dispatch(key_event)
            return
        if event.type in (pygame.MOUSEMOTION, pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEWHEEL,
                          pygame.KEYDOWN, pygame.KEYUP, pygame.TEXTINPUT):
            self.dirty = True
        if event.type == pygame.KEYDOWN:
            self.keys_down.add(event.key)
        elif event.type == pygame.KEYUP:
            self.keys_down.discard(event.key)
        if self.handle_global(event):
            return
        if self.top is not None:
            self.top.handle_event(event)

    def fading(self) -> bool:
        """A notice is fading out (it is drawn every frame until it has gone)."""
        return not self.settings.reduced_motion and any(self.remaining(n) < FADE_SECONDS for n in self.notices)

    def animating(self) -> bool:
        return self.fading() or any(scene.animating() for scene in self.stack)

    def next_wake(self) -> float | None:
        times = [t for t in (scene.wake_at() for scene in self.stack) if t is not None]
        times += [self.time + self.remaining(n) for n in self.notices]
        return min(times, default=None)

    def update(self, dt: float) -> None:
        self.time += dt
        self.audio.update(dt)
        if self.notices and any(self.remaining(n) <= 0 for n in self.notices):
            self.notices = [n for n in self.notices if self.remaining(n) > 0]
            self.dirty = True
        for scene in list(self.stack):
            scene.update(dt)

    def draw(self, full: bool = True) -> None:
        """Draw every visible scene; send the whole frame to the screen, or only the part that moved."""
        started = time.perf_counter()
        first = 0
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].opaque:
                first = i
                break
        if not self.stack or not self.stack[first].opaque:
            self.screen.fill(self.theme.palette.screen)
        # one overlay at a time: a menu under F1's help or under a question waits unseen until it is on top again
        base, top = self.stack[first], (self.stack[-1] if len(self.stack) - 1 > first else None)
        if top is None:
            base.draw(self.screen)
        else:
            self.screen.blit(self.below(base), (0, 0))
            top.draw(self.screen)
        self.draw_notices(self.screen)
        areas = [] if full else [scene.dirty_area() for scene in self.stack if scene.animating()]
        if self.fading():
            areas.append(None)
        parts = [area for area in areas if area is not None]
        if parts and len(parts) == len(areas):  # copying a whole window costs more than drawing it
            pygame.display.update(parts[0].unionall(parts[1:]).clip(self.screen.get_rect()))
        else:
            pygame.display.flip()
        self.frame_times.append(time.perf_counter() - started)
        if len(self.frame_times) > 5000:
            del self.frame_times[:2500]

    def below(self, base: Scene) -> pygame.Surface:
        """The screen under an overlay, dimmed; drawn once while it holds still (a menu redrawn for every move
        of the mouse then costs a copy, not the whole game and a full-window blend)."""
        key = (id(base), self.screen.get_size(), self.settings.high_contrast)
        if self._below is None or self._below[0] != key or base.animating():
            surf = self._below[1] if self._below is not None and self._below[0][1:] == key[1:] else \
                pygame.Surface(self.screen.get_size()).convert()
            base.draw(surf)
            widgets.shade(surf, self.theme.palette.shade)
            self._below = (key, surf)
        return self._below[1]

    def draw_notices(self, surface: pygame.Surface) -> None:
        """Captions top left, newest last; the toast centred at the top or bottom (the scene on top says which)."""
        theme = self.theme
        pal = theme.palette
        y = theme.px(18)
        for notice in self.captions:
            surf = theme.render(theme.ui, notice.text, pal.text)
            rect = surf.get_rect().inflate(theme.px(24), theme.px(12))
            rect.topleft = (theme.px(20), y)
            layer = self._notice_layer(rect.size, pal.panel, theme.px(8), None)
            layer.blit(surf, surf.get_rect(center=layer.get_rect().center))
            self._blit_fading(surface, layer, rect.topleft, notice)
            y = rect.bottom + theme.px(6)
        toast = self.toast
        if toast is None:
            return
        font = theme.ui
        lines = [line for part in toast.text.split("\n") for line in widgets.wrap(font, part, theme.w - theme.px(160))]
        if len(lines) > 4:
            lines = lines[:3] + [widgets.fit(font, " ".join(lines[3:]), theme.w - theme.px(160))]
        surfs = [theme.render(font, line, pal.text) for line in lines]
        width = max(s.get_width() for s in surfs) + theme.px(32)
        height = len(surfs) * font.get_linesize() + theme.px(16)
        rect = pygame.Rect(0, 0, width, height)
        if getattr(self.top, "toasts_at_top", False):
            rect.midtop = (theme.w // 2, theme.px(18))
        else:
            rect.midbottom = (theme.w // 2, theme.h - theme.px(18))
        layer = self._notice_layer(rect.size, pal.panel_solid, theme.px(10), pal.accent_soft)
        for i, surf in enumerate(surfs):
            layer.blit(surf, surf.get_rect(midtop=(width // 2, theme.px(8) + i * font.get_linesize())))
        self._blit_fading(surface, layer, rect.topleft, toast)

    def _notice_layer(self, size: tuple[int, int], colour: tuple, radius: int, edge: tuple | None) -> pygame.Surface:
        layer = pygame.Surface(size, pygame.SRCALPHA)
        widgets.panel(layer, layer.get_rect(), colour, radius, edge)
        return layer

    def _blit_fading(self, surface: pygame.Surface, layer: pygame.Surface, pos: tuple[int, int],
                     notice: Notice) -> None:
        left = self.remaining(notice)
        if left < FADE_SECONDS and not self.settings.reduced_motion:
            layer.set_alpha(max(0, int(255 * left / FADE_SECONDS)))
        surface.blit(layer, pos)

    def step(self, dt: float = 1 / 60) -> None:
        """One turn of the loop without waiting: tests and the benchmark drive the app with this."""
        for event in pygame.event.get():
            self.dispatch(event)
            if not self.running:
                return
        self.update(dt)
        moving = self.animating()
        # The tick an animation ends in is the one that shows its end (the typewriter's last letters, the mark
        # and the choices, a banner gone without a ghost): draw the whole frame once more then.
        full = self.dirty or (self._was_animating and not moving)
        self._was_animating = moving
        if full or moving:
            self.dirty = False
            self.draw(full)

    def loop(self, seconds: float | None = None) -> None:
        """The real loop: full speed while something moves, a slow poll while nothing does."""
        clock = pygame.time.Clock()
        last = start = time.perf_counter()
        while self.running and (seconds is None or last - start < seconds):
            now = time.perf_counter()
            self.step(min(0.1, now - last))
            last = now
            if self.animating():
                clock.tick(0 if self.options.fast else ANIMATION_FPS)
            else:
                clock.tick(IDLE_FPS)

    def run(self) -> int:
        try:
            self.loop()
        except KeyboardInterrupt:
            self.quit()
        except Exception:  # noqa: BLE001 - a bug in the window: no traceback for the player, and their place kept
            return self.crashed()
        finally:
            self.voice.stop()
            self.audio.shutdown()
            pygame.display.quit()
        return 0

    def crashed(self) -> int:
        """The loop raised: autosave if possible, keep the details in the data folder, say so in a few lines."""
        import traceback
        details = traceback.format_exc()
        kept = ""
        if self.session is not None and self.session.mode == PLAY:
            self.library.thumbnailer = None  # a screenshot would draw the broken frame again
            kept = self.session.autosave() or "Your place was autosaved: Continue on the title screen picks it up."
        path = os.path.join(self.library.folder, "crash.log")
        try:
            os.makedirs(self.library.folder, exist_ok=True)
            with open(path, "a", encoding="utf-8") as log:
                log.write(f"--- {datetime.now().isoformat(timespec='seconds')}\n{details}\n")
            where = f"The details are in {path}; please send them with a bug report."
        except OSError:
            where = "The details could not be written down:\n" + details.strip().splitlines()[-1]
        print("\n".join(["error: the game stopped because of a bug.", kept, where]).replace("\n\n", "\n"),
              file=sys.stderr)
        return 1

