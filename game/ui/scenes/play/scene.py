"""The game itself: the scene, the text box with its typewriter, choices, skip, auto, rollback, endings.

Every rule of the story is the engine's: this screen only shows engine.lines / engine.choices() and
calls proceed(), choose(n) and rollback() through the Session.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import pygame

from ....audio import sounding_after
from ....runtime.engine import Line
from ....story.model import CHANNELS, NARRATION
from ... import painter, widgets
from ...session import SCENE
from ...settings import INSTANT
from ...theme import hex_colour
from ..base import Scene
from ..registry import screen
from . import effects
from .replay import drive_replay

# Presentation choices, keyed by the story's own names: who has a visualizer, which cues bring
# the owl, which cue (or chapter file) means the operating system is gone.

SKIP_INTERVAL = 0.05
TRANSITION = 0.45
BANNER = 3.2
ENDING_GUARD = 1.0  # real seconds of no Space or Enter before the card takes one: mashing on never skips it


@dataclass(frozen=True)
class Beat:
    """One box of text: a line, or one page of a long line."""
    line: Line
    lines: tuple[str, ...]  # wrapped
    offset: int = 0  # where in line.text the first of them begins (a long line is several beats)

    @property
    def length(self) -> int:
        return sum(len(line) + 1 for line in self.lines)


@screen("play")
class PlayScene(Scene):
    toasts_at_top = True  # the sky is free; the text box is at the bottom
    def __init__(self, app, replay: list[int] | None = None, fast: bool = False):
        super().__init__(app)
        self.session = app.session
        self.beats: list[Beat] = []
        self.beat = 0
        self.shown = 0.0
        self.revealed_at: float | None = None
        self.choice_buttons: list[widgets.Button] = []
        self.choice_lines: list[list[str]] = []  # each choice's words, wrapped to its button
        self.quick_buttons: list[widgets.Button] = []
        self.ending_buttons: list[widgets.Button] = []
        self.focus = -1
        self.quick_focus = -1
        self.ending_focus = -1
        self.hidden = False
        self.skipping = False
        self.ctrl_held = False
        self.next_skip = 0.0
        self.ending_card = False
        self.ending_new = False
        self.ending_quiet_since = -10.0  # on app.clock: the card, or the last Space/Enter pressed at it
        self.old_background: pygame.Surface | None = None
        self.transition_start = -10.0
        self.banner = ""
        self.banner_start = -10.0
        self.node_start = app.time
        self.last_scene: dict | None = None
        self.last_chapter = ""
        self.replay = list(replay) if replay is not None else None
        self.fast = fast
        self.replay_pick = -1
        self.box = pygame.Rect(0, 0, 0, 0)
        self.node_key: tuple | None = None
        self.outage_frame: tuple | None = None  # the glitch picture last asked for
        self.note_due = False  # the outage's content note is to be shown
        self.enter_node(restore=True)

    # ------------------------------------------------------------ state

    @property
    def engine(self):
        return self.session.engine

    @property
    def settings(self):
        return self.app.settings

    @property
    def current(self) -> Beat | None:
        return self.beats[self.beat] if 0 <= self.beat < len(self.beats) else None

    @property
    def revealing(self) -> bool:
        beat = self.current
        return beat is not None and self.shown < beat.length

    @property
    def at_last_beat(self) -> bool:
        return self.beat >= len(self.beats) - 1

    @property
    def choosing(self) -> bool:
        """Choices are on screen: the last line has been shown and the node offers choices."""
        return self.at_last_beat and not self.revealing and bool(self.choice_buttons) and not self.ending_card

    @property
    def auto(self) -> bool:
        return self.settings.auto_forward

    def enter_node(self, rolled_back: bool = False, restore: bool = False) -> None:
        """A new node is current (or the same node again after rollback, load or reload).

        restore: the game was started, loaded or reloaded here, so the music and loops that the path
        so far leaves sounding are started, not just this node's cues."""
        engine = self.engine
        self.node_key = (engine.state.node, engine.state.steps)
        self.ending_card = False
        self.node_start = self.app.time
        scene = dict(engine.state.scene)
        if self.last_scene is not None and scene != self.last_scene:
            self.app.drop_captions()
            if not self.settings.reduced_motion and not (self.replay is not None and self.fast):
                self.old_background = self.app.painter.background(self.last_scene, self.app.screen.get_size())
                self.transition_start = self.app.time
        self.last_scene = scene
        chapter = engine.chapter_title
        if chapter and chapter != self.last_chapter and not rolled_back:
            self.banner = chapter
            self.banner_start = self.app.time
        self.last_chapter = chapter
        if not rolled_back or restore:
            self.start_sounds(restore)
        self.layout()
        if self.outage_active() and not self.settings.motion_note_seen and not (self.replay is not None and self.fast):
            self.note_due = True  # asked from update(): this scene may not be on the stack yet (a game started here)
        resume = self.resume_beat() if restore and not rolled_back else None
        if resume is not None:  # a load: back at the line that was on screen, shown whole
            self.beat = resume
            self.place_box()
            self.build_choices()
            self.build_quick_menu()
            self.complete()
        elif rolled_back:
            self.beat = max(0, len(self.beats) - 1)
            self.shown = self.current.length if self.current else 0
            self.revealed_at = self.app.time
        else:
            self.beat = 0
            self.start_beat()

    def restart_outage(self) -> None:
        """The content note was answered: the outage begins now, from its first screen."""
        self.node_start = self.app.time
        self.app.dirty = True

    def start_sounds(self, restore: bool = False) -> None:
        """The node's cues start and its stops silence; captions follow what the audio says it started."""
        node = self.engine.node
        if restore:
            cues = sounding_after(self.engine.story, self.engine.sounding_path)
            started = self.app.audio.enter_node(cues, list(CHANNELS))
        else:
            cues = list(node.cues)
            started = self.app.audio.enter_node(cues, list(node.stop))
        self.app.settle_captions()
        if not self.settings.captions:
            return
        for name in cues:
            cue = self.engine.story.cues.get(name)
            if cue is not None and cue.caption in started:
                started.remove(cue.caption)
                self.app.caption(cue.caption, cue.name, cue.loop)

    def resume_beat(self) -> int | None:
        """The first beat of the line the session says was on screen (a loaded save), or None for the first."""
        line = self.session.line
        if not 0 < line < len(self.engine.lines):
            return None
        wanted = self.engine.lines[line]
        return next((i for i, beat in enumerate(self.beats) if beat.line is wanted), None)

    def start_beat(self) -> None:
        self.shown = 0.0
        self.revealed_at = None
        beat = self.current
        if beat is not None:
            self.session.line = next((i for i, line in enumerate(self.engine.lines) if line is beat.line), 0)
        if beat is not None and beat.lines != ("",):
            words = (f"{beat.line.name}: " if beat.line.name else "") + " ".join(beat.lines)
            if self.at_last_beat and self.choice_buttons:  # said with the last line, so neither cuts the other off
                words += " Choices: " + " ".join(f"{b.key_hint}, {b.label}" + ("" if b.enabled else " (not available)")
                                                 for b in self.choice_buttons)
            self.app.speak(words)
        if self.settings.text_speed == INSTANT or (self.replay is not None and self.fast) or self.skip_active():
            self.complete()

    def complete(self) -> None:
        beat = self.current
        if beat is not None:
            self.shown = beat.length
        self.revealed_at = self.app.time
        self.app.dirty = True

    # ------------------------------------------------------------ layout

    def layout(self) -> None:
        theme = self.theme
        w, h = theme.size
        font = theme.prose
        margin = theme.px(90)
        box_w = min(w - 2 * theme.px(40), theme.px(1140))
        inner = box_w - 2 * margin
        max_lines = max(2, int((h * 0.42 - theme.px(90)) / font.get_linesize()))
        beats: list[Beat] = []
        for line in self.engine.lines:
            wrapped = widgets.wrap(font, line.text, inner)
            pages = -(-len(wrapped) // max_lines)
            per_page = -(-len(wrapped) // pages)  # even pages: no page left with one orphaned word
            offset = 0
            for start in range(0, len(wrapped), per_page):
                page = tuple(wrapped[start:start + per_page])
                beats.append(Beat(line, page, offset))
                offset += sum(len(text) + 1 for text in page)  # each wrapped line and the space it ended at
        if not beats:
            beats.append(Beat(Line(NARRATION, "", "#dddddd", ""), ("",)))
        old_key = getattr(self, "_layout_key", None)
        self.beats = beats
        self.beat = min(self.beat, len(beats) - 1)
        self._layout_key = (self.node_key, theme.size, theme.settings.font_scale)
        if old_key is not None and old_key[0] == self.node_key and self.current is not None:
            self.shown = min(self.shown, self.current.length)
        self.box_w, self.margin = box_w, margin
        self.place_box()
        self.build_choices()
        self.build_quick_menu()
        self.build_ending_buttons()

    def text_top(self) -> int:
        """From the top of the text box to its first line of text: room for the speaker's name (its size follows
        the text size setting) and the short rule under it."""
        theme = self.theme
        return theme.px(22) + theme.name.get_linesize() + max(1, theme.px(2)) + theme.px(9)

    def place_box(self) -> None:
        theme = self.theme
        beat = self.current
        lines = max(3, len(beat.lines) if beat else 3)
        height = self.text_top() + lines * theme.prose.get_linesize() + theme.px(44)
        self.box = pygame.Rect(0, 0, self.box_w, height)
        self.box.midbottom = (theme.w // 2, theme.h - theme.px(20))

    def choice_fonts(self) -> tuple[pygame.font.Font, pygame.font.Font, pygame.font.Font]:
        """Enabled label, disabled label, a disabled choice's reason."""
        theme = self.theme
        return theme.font("prose", 25, True), theme.font("prose_italic", 23, True), theme.font("ui", 14)

    def choice_text_room(self, width: int, enabled: bool) -> int:
        """How wide a choice's words may be in a button this wide (a disabled one keeps room for its reason)."""
        theme = self.theme
        room = width - 2 * theme.px(18) - theme.px(26)
        return room if enabled else int(width * 0.55) - theme.px(26)

    def build_choices(self) -> None:
        """Choice buttons stacked above the text box. A long choice wraps onto more lines (the button grows)
        rather than being cut: the player must be able to read every option."""
        theme = self.theme
        views = self.engine.choices() if not self.engine.is_over else []
        self.choice_buttons = []
        self.choice_lines = []
        if not views:
            return
        font, italic, _ = self.choice_fonts()
        gap = theme.px(12)
        narrow = min(theme.w - theme.px(80), theme.px(760))
        wide = min(theme.w - theme.px(80), max(narrow, self.box_w))

        def lines_for(view, width: int, most: int) -> list[str]:
            f = font if view.enabled else italic
            room = self.choice_text_room(width, view.enabled)
            lines = widgets.wrap(f, view.text, room)
            if len(lines) > most:
                lines = lines[:most - 1] + [widgets.fit(f, " ".join(lines[most - 1:]), room)]
            return lines

        fits = all(len(widgets.wrap(font if v.enabled else italic, v.text,
                                    self.choice_text_room(narrow, v.enabled))) == 1 for v in views)
        width = narrow if fits else wide
        room_above = self.box.top - theme.px(26) - theme.px(16)
        for most in (3, 2, 1):
            wrapped = [lines_for(v, width, most) for v in views]
            heights = [max(theme.px(54), len(lines) * (font if v.enabled else italic).get_linesize() + theme.px(24))
                       for v, lines in zip(views, wrapped)]
            if sum(heights) + gap * (len(views) - 1) <= room_above or most == 1:
                break
        if sum(heights) + gap * (len(views) - 1) > room_above:  # a very small window: squeeze the buttons
            squeeze = max(theme.px(30), (room_above - gap * (len(views) - 1)) // len(views))
            heights = [min(h, squeeze) for h in heights]
        y = self.box.top - theme.px(26) - sum(heights) - gap * (len(views) - 1)
        for view, lines, height in zip(views, wrapped, heights):
            number = view.number
            button = widgets.Button(view.text, functools.partial(self.choose, number), view.enabled,
                                    pygame.Rect(0, y, width, height), view.reason, str(number))
            button.rect.centerx = theme.w // 2
            self.choice_buttons.append(button)
            self.choice_lines.append(lines)
            y += height + gap

    def build_quick_menu(self) -> None:
        theme = self.theme
        items = [("Back", self.rollback), ("History", self.open_history), ("Skip", self.toggle_skip),
                 ("Auto", self.toggle_auto), ("Save", lambda: self.open_saves("save")),
                 ("Load", lambda: self.open_saves("load")), ("Q.Save", self.app.quicksave), ("Q.Load", self.app.quickload),
                 ("Settings", self.open_settings), ("Menu", self.open_menu)]
        font = theme.ui_small
        x = self.box.right - theme.px(28)
        y = self.box.bottom - theme.px(30)
        self.quick_buttons = []
        for label, action in reversed(items):
            w = font.size(label)[0] + theme.px(16)
            x -= w
            self.quick_buttons.insert(0, widgets.Button(label, action, True, pygame.Rect(x, y, w, theme.px(24))))
            x -= theme.px(4)

    def ending_words(self) -> tuple[list[str], int, int]:
        """The ending's description wrapped, where its found-note goes, and where the card under them ends."""
        theme = self.theme
        ending = self.engine.ending
        font = theme.font("prose", 26)
        room = min(theme.px(720), theme.w - theme.px(160))
        lines = widgets.wrap(font, ending.description if ending else "", room)[:4]
        note_y = theme.h // 2 - theme.px(20) + len(lines) * font.get_linesize() + theme.px(24)
        return lines, note_y, note_y + theme.ui.get_linesize() // 2 + theme.px(30)

    def build_ending_buttons(self) -> None:
        theme = self.theme
        w, h = theme.px(220), theme.px(48)
        y = min(self.ending_words()[2] + theme.px(28), theme.h - h - theme.px(16))
        self.ending_buttons = [
            widgets.Button("Endings", self.open_endings, True, pygame.Rect(theme.w // 2 - w - theme.px(10), y, w, h)),
            widgets.Button("Title screen", self.app.to_title, True, pygame.Rect(theme.w // 2 + theme.px(10), y, w, h)),
        ]

    # ------------------------------------------------------------ acting

    def advance(self) -> None:
        """Click / Space / Enter: finish the line, or go on to the next line, node or the ending card."""
        self.hidden = False
        self.app.dirty = True
        if self.ending_card:
            return
        if self.revealing:
            self.complete()
            return
        if not self.at_last_beat:
            self.beat += 1
            self.place_box()
            self.build_choices()
            self.build_quick_menu()
            self.start_beat()
            return
        engine = self.engine
        if engine.is_over:
            self.show_ending()
        elif engine.can_continue:
            if not self.session.roll_forward():  # after a rollback: the same way on, history and all
                self.session.proceed()
            self.enter_node()
        elif not self.choice_buttons:
            self.app.notify(f"This scene has no way forward ('{engine.state.node}'): the story needs fixing.", 6.0)
        self.app.dirty = True

    def choose(self, number: int) -> None:
        if not self.choosing:
            return
        views = self.engine.choices()
        if not 1 <= number <= len(views):
            return
        view = views[number - 1]
        if not view.enabled:
            self.app.notify(view.reason or "That choice is not available now.", 4.0)
            return
        problem = self.session.choose(number)
        if problem:
            self.app.notify(problem, 6.0)
        self.focus = -1
        self.skipping = self.skipping and self.settings.skip_unseen
        self.enter_node()

    def rollback(self) -> None:
        self.skipping = False
        self.hidden = False
        if self.ending_card:
            self.ending_card = False
            self.app.dirty = True
            return
        if self.beat > 0:
            self.beat -= 1
            self.place_box()
            self.build_choices()
            self.build_quick_menu()
            self.complete()
            return
        if self.session.rollback():
            self.enter_node(rolled_back=True)
        else:
            self.app.notify("This is as far back as you can go.")

    def roll_forward(self) -> None:
        """Wheel down or Page Down at a choice rolled back to: take again the choice taken before."""
        if self.engine.taken_before() is None:
            return
        self.skipping = False
        if self.session.roll_forward():
            self.focus = -1
            self.enter_node()

    def show_ending(self) -> None:
        self.ending_new = self.session.finish()
        self.ending_card = True
        self.ending_quiet_since = self.app.clock()
        self.ending_focus = 1  # Title screen, drawn as focused: Enter's target is never a guess
        ending = self.engine.ending
        if ending is not None:
            self.app.speak(f"The end: {ending.title}. {ending.description} Focused: Title screen.")
        self.skipping = False
        self.replay = None if self.replay is not None and not self.replay else self.replay
        self.app.dirty = True

    def skip_active(self) -> bool:
        return self.skipping or self.ctrl_held

    def can_skip(self) -> bool:
        return self.session.seen_before or self.settings.skip_unseen

    def toggle_skip(self) -> None:
        if not self.skipping and not self.can_skip():
            self.app.notify("Nothing to skip: this text is new to you (Settings can allow skipping unread text).")
            return
        self.skipping = not self.skipping
        self.app.dirty = True

    def toggle_auto(self) -> None:
        self.settings.auto_forward = not self.settings.auto_forward
        self.app.save_settings()
        self.app.notify("Auto-advance on." if self.auto else "Auto-advance off.")

    def open_menu(self) -> None:
        self.skipping = False
        self.app.open("menu")

    def open_history(self) -> None:
        self.skipping = False
        self.app.open("history", play=self)

    def open_saves(self, mode: str) -> None:
        self.skipping = False
        if mode == "save" and not self.session.can_save:
            self.app.notify("A replayed scene cannot be saved." if self.session.mode == SCENE else
                            "The story has ended: there is nothing to save.")
            return
        self.app.open("saves", mode=mode)

    def open_settings(self) -> None:
        self.app.open("settings")

    def open_endings(self) -> None:
        self.app.open("endings")

    def open_flowchart(self) -> None:
        self.app.open("flowchart")

    def history_lines(self) -> list[tuple[Line, str]]:
        """What the backlog shows: every node passed, then the current node up to the line on screen."""
        entries: list[tuple[Line, str]] = []
        for entry in self.engine.history:
            for line in entry.lines:
                entries.append((line, ""))
            if entry.choice:
                entries.append((Line(NARRATION, "", "", entry.choice), "choice"))
        shown = {id(b.line) for b in self.beats[:self.beat + 1]}
        for line in self.engine.lines:
            if id(line) in shown:
                entries.append((line, ""))
        return entries

    # ------------------------------------------------------------ events

    def handle_event(self, event: pygame.event.Event) -> bool:
        if (self.engine.state.node, self.engine.state.steps) != self.node_key:
            self.enter_node(restore=True)  # the engine was replaced (load, reload)
        if event.type == pygame.KEYUP and event.key in (pygame.K_LCTRL, pygame.K_RCTRL):
            self.ctrl_held = False
            return True
        if self.replay is not None and event.type in (pygame.KEYDOWN, pygame.MOUSEBUTTONUP) \
                and not (event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE):
            return True  # a replay plays itself; Esc still opens the menu
        if event.type == pygame.MOUSEMOTION:
            self.focus = next((i for i, b in enumerate(self.choice_buttons) if b.rect.collidepoint(event.pos)), -1)
            self.quick_focus = next((i for i, b in enumerate(self.quick_buttons) if b.hit(event.pos)), -1)
            hovered = next((i for i, b in enumerate(self.ending_buttons) if b.hit(event.pos)), -1)
            self.ending_focus = hovered if hovered != -1 else self.ending_focus  # the keyboard's target stays shown
            return True
        if event.type == pygame.MOUSEWHEEL:
            if event.y > 0:
                self.rollback()
            elif event.y < 0:
                self.roll_forward() if self.choosing else self.advance()
            return True
        if event.type == pygame.MOUSEBUTTONUP:
            return self.click(event)
        if event.type == pygame.KEYDOWN:
            return self.key(event)
        return False

    def click(self, event: pygame.event.Event) -> bool:
        if event.button == 3:
            self.open_menu()
            return True
        if event.button != 1:
            return False
        if self.hidden:
            self.hidden = False
            return True
        if self.ending_card:
            for button in self.ending_buttons:
                if button.hit(event.pos):
                    button.action()
            return True
        for button in self.quick_buttons:
            if button.hit(event.pos):
                button.action()
                return True
        if self.choosing:
            for button in self.choice_buttons:
                if button.rect.collidepoint(event.pos):
                    button.action() if button.enabled else self.app.notify(button.hint or "Not available now.")
                    return True
            return True
        self.skipping = False
        self.advance()
        return True

    def key(self, event: pygame.event.Event) -> bool:
        k = event.key
        if k in (pygame.K_LCTRL, pygame.K_RCTRL):
            self.ctrl_held = True
            return True
        if k == pygame.K_ESCAPE:
            self.open_menu()
            return True
        if self.ending_card:
            if k in (pygame.K_LEFT, pygame.K_RIGHT, pygame.K_TAB):
                self.ending_focus = 0 if self.ending_focus == 1 else 1
            elif k in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
                now = self.app.clock()
                if now - self.ending_quiet_since >= ENDING_GUARD:
                    self.ending_buttons[max(0, self.ending_focus)].action()
                else:  # still mashing: the guard starts again from this press
                    self.ending_quiet_since = now
            elif k in (pygame.K_PAGEUP, pygame.K_BACKSPACE):
                self.rollback()
            elif k == pygame.K_f:
                self.open_flowchart()
            elif k == pygame.K_b:
                self.open_history()
            return True
        if self.choosing:
            number = _digit(event)
            if number:
                self.choose(number)
                return True
            if k == pygame.K_PAGEDOWN:
                self.roll_forward()
                return True
            if k in (pygame.K_DOWN, pygame.K_UP):
                step = 1 if k == pygame.K_DOWN else -1
                count = len(self.choice_buttons)
                self.focus = (self.focus + step) % count if self.focus >= 0 else (0 if step > 0 else count - 1)
                button = self.choice_buttons[self.focus]
                self.app.speak(f"Choice {button.key_hint}: {button.label}" +
                               ("" if button.enabled else f". Not available: {button.hint}"))
                return True
            if k in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
                if self.focus >= 0:
                    button = self.choice_buttons[self.focus]
                    button.action() if button.enabled else self.app.notify(button.hint or "Not available now.")
                return True
        actions = {
            pygame.K_SPACE: self.advance, pygame.K_RETURN: self.advance, pygame.K_KP_ENTER: self.advance,
            pygame.K_PAGEDOWN: self.advance, pygame.K_PAGEUP: self.rollback, pygame.K_BACKSPACE: self.rollback,
            pygame.K_TAB: self.toggle_skip, pygame.K_a: self.toggle_auto, pygame.K_h: self.toggle_hidden,
            pygame.K_b: self.open_history, pygame.K_s: lambda: self.open_saves("save"),
            pygame.K_l: lambda: self.open_saves("load"), pygame.K_f: self.open_flowchart,
            pygame.K_F6: self.app.quicksave, pygame.K_F9: self.app.quickload,
        }
        action = actions.get(k)
        if action is None:
            return False
        if k in (pygame.K_SPACE, pygame.K_RETURN, pygame.K_KP_ENTER):
            self.skipping = False
        action()
        return True

    def toggle_hidden(self) -> None:
        self.hidden = not self.hidden

    # ------------------------------------------------------------ time

    def update(self, dt: float) -> None:
        if self is not self.app.top and self.replay is None:
            return
        if (self.engine.state.node, self.engine.state.steps) != self.node_key:
            self.enter_node()
        if self.note_due:
            self.note_due = False
            self.app.open("content_note", note=effects.OUTAGE_NOTE, on_close=self.restart_outage)
            return
        now = self.app.time
        effects.tick_outage(self, now)
        beat = self.current
        if self.revealing and beat is not None:
            speed = self.settings.text_speed or 10_000
            self.shown = min(beat.length, self.shown + speed * dt)
            if self.shown >= beat.length:
                self.revealed_at = now
        if self.replay is not None and self is self.app.top:
            drive_replay(self, now)
            return
        if self.skip_active() and not self.ending_card:
            if self.choosing or not self.can_skip():
                if self.skipping and not self.choosing:
                    self.app.notify("Skipping stopped at text you have not read yet.")
                self.skipping = False
            elif now >= self.next_skip:
                self.next_skip = now + SKIP_INTERVAL
                self.complete()
                self.advance()
            return
        deadline = self.auto_deadline()
        if deadline is not None and now >= deadline:
            self.advance()

    def reading_time(self) -> float:
        beat = self.current
        return 0.6 + (beat.length if beat else 0) / 28.0

    def auto_deadline(self) -> float | None:
        if not self.auto or self.revealing or self.choosing or self.ending_card or self.revealed_at is None:
            return None
        if self is not self.app.top:
            return None
        return self.revealed_at + self.settings.auto_delay + (self.current.length if self.current else 0) * 0.02

    def animating(self) -> bool:
        if self is not self.app.top and self.replay is None:
            return False
        now = self.app.time
        if self.revealing or self.skip_active() or (self.replay is not None and self.fast):
            return True
        if now - self.transition_start < TRANSITION or now - self.banner_start < BANNER:
            return not self.settings.reduced_motion or now - self.transition_start < TRANSITION
        if self.visualizer_energy() > 0.0 and not self.settings.reduced_motion:
            return True
        if self.owl_active() and now - self.node_start < effects.OWL_FLIGHT and not self.settings.reduced_motion:
            return True
        return False

    def wake_at(self) -> float | None:
        times = [self.auto_deadline()]
        if self.replay is not None and self.revealed_at is not None:
            times.append(self.revealed_at + self.reading_time() + (0.9 if self.replay_pick != -1 else 0))
        if self.banner:
            times.append(self.banner_start + BANNER)
        if self.outage_active():
            times.append(self.node_start + effects.OUTAGE_SCREEN)
        return min((t for t in times if t is not None), default=None)

    # ------------------------------------------------------------ presentation triggers (effects.py says which)

    def speaker_is_os(self) -> bool:
        beat = self.current
        return beat is not None and effects.has_visualizer(beat.line)

    def owl_active(self) -> bool:
        return effects.owl_in(self.engine.node)

    def outage_active(self) -> bool:
        return effects.outage_in(self.engine.story, self.engine.node)

    def visualizer_energy(self) -> float:
        """1 while Samantha's words appear, fading over a second and a half after."""
        if not self.speaker_is_os():
            return 0.0
        if self.revealing:
            return 1.0
        since = self.app.time - (self.revealed_at or 0.0)
        return max(0.0, 1.0 - since / 1.5)

    # ------------------------------------------------------------ drawing

    def draw(self, surface: pygame.Surface) -> None:
        now = self.app.time
        size = surface.get_size()
        background = self.app.painter.background(dict(self.engine.state.scene), size,
                                                 painter.OUTAGE_TINT if self.outage_active() else None)
        fade = (now - self.transition_start) / TRANSITION
        if self.old_background is not None and 0 <= fade < 1 and self.old_background.get_size() == size:
            surface.blit(self.old_background, (0, 0))
            background.set_alpha(int(255 * fade))
            surface.blit(background, (0, 0))
            background.set_alpha(None)
        else:
            surface.blit(background, (0, 0))
        if self.owl_active():
            effects.draw_owl(self, surface, now)
        if self.speaker_is_os() and not self.ending_card:
            self.draw_visualizer(surface, now)
        if self.banner and now - self.banner_start < BANNER and not self.ending_card:
            self.draw_banner(surface, now)
        if self.ending_card:
            self.draw_ending(surface)
        elif not self.hidden:
            self.draw_box(surface)
            if self.choosing:
                self.draw_choices(surface)
        self.draw_status(surface)
        if self.outage_active():
            effects.draw_outage(self, surface, now)
        if not (self.hidden or self.ending_card):
            self.draw_quick_menu(surface)  # over the outage's tearing: buttons stay where they are clicked

    def draw_box(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        beat = self.current
        box = self.box
        widgets.panel(surface, box, pal.panel, theme.px(18), pal.panel_edge)
        x = box.x + self.margin
        y = box.y + theme.px(22)
        if beat is not None and beat.line.name:
            colour = hex_colour(beat.line.colour)
            name_rect = widgets.text(surface, theme, theme.name, beat.line.name, colour, (x, y))
            pygame.draw.line(surface, colour, (x, name_rect.bottom + theme.px(4)),
                             (x + theme.px(28), name_rect.bottom + theme.px(4)), max(1, theme.px(2)))
        y = box.y + self.text_top()
        if beat is None:
            return
        font = theme.prose
        left = int(self.shown)
        line_h = font.get_linesize()
        last_end = (x, y)
        for text, styles in zip(beat.lines, _styles_of(beat)):
            if left <= 0:
                break
            end = x
            for piece, style in _pieces(text[:left], styles):
                surf = theme.render(theme.prose_in(style), piece, pal.text)
                surface.blit(surf, (end, y))
                end += surf.get_width()
            last_end = (end, y)
            left -= len(text) + 1
            y += line_h
        if not self.revealing and not self.choosing:
            self.draw_continue_mark(surface, last_end, line_h)

    def draw_quick_menu(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        for i, button in enumerate(self.quick_buttons):
            active = (button.label == "Skip" and self.skip_active()) or (button.label == "Auto" and self.auto)
            colour = pal.accent if active else (pal.text if i == self.quick_focus else pal.text_dim)
            widgets.text(surface, theme, theme.ui_small, button.label, colour, button.rect.center, "center")

    def draw_continue_mark(self, surface: pygame.Surface, end: tuple[int, int], line_h: int) -> None:
        theme = self.theme
        size = theme.px(6)
        x, y = end[0] + theme.px(14), end[1] + line_h // 2 + theme.px(2)
        colour = theme.palette.accent_soft
        if self.engine.is_over and self.at_last_beat:
            pygame.draw.circle(surface, colour, (x, y), size // 2 + 1)
        else:
            pygame.draw.polygon(surface, colour, [(x - size, y - size), (x + size, y), (x - size, y + size)])

    def draw_choices(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        font, italic, reason_font = self.choice_fonts()
        pad = theme.px(18)
        contrast = theme.settings.high_contrast
        for i, (button, lines) in enumerate(zip(self.choice_buttons, self.choice_lines)):
            rect = button.rect
            focused = i == self.focus and button.enabled
            if focused:
                widgets.panel(surface, rect, pal.button_hover, theme.px(10))
                colour = pal.hover_text
            elif button.enabled:
                widgets.panel(surface, rect, pal.button if contrast else pal.panel, theme.px(10), pal.panel_edge)
                colour = pal.button_text
            else:
                widgets.panel(surface, rect, pal.panel, theme.px(10), pal.panel_edge)
                colour = pal.disabled
            hint_colour = colour if focused else (pal.accent_soft if button.enabled else pal.disabled)
            if self.engine.taken_before() == i + 1:  # rolled back: the choice taken last time, wheel down retakes it
                widgets.text(surface, theme, theme.ui_small, "✓ chosen before", colour if focused else pal.accent_soft,
                             (rect.right - pad, rect.centery), "midright")
            widgets.text(surface, theme, theme.ui_small, button.key_hint, hint_colour, (rect.x + pad, rect.centery),
                         "midleft")
            f = font if button.enabled else italic
            line_h = f.get_linesize()
            y = rect.centery - line_h * len(lines) / 2
            for line in lines:
                widgets.text(surface, theme, f, line, colour, (rect.x + pad + theme.px(26), int(y)))
                y += line_h
            if not button.enabled and button.hint:
                room = int(rect.width * 0.38)
                reasons = widgets.wrap(reason_font, button.hint, room)
                if len(reasons) > max(1, len(lines)):
                    reasons = reasons[:max(1, len(lines)) - 1] + [
                        widgets.fit(reason_font, " ".join(reasons[max(1, len(lines)) - 1:]), room)]
                y = rect.centery - reason_font.get_linesize() * len(reasons) / 2
                for line in reasons:
                    widgets.text(surface, theme, reason_font, line, pal.accent_soft, (rect.right - pad, int(y)),
                                 "topright")
                    y += reason_font.get_linesize()

    def draw_status(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        words = []
        if self.replay is not None:
            words.append("Replay" + (" · fast" if self.fast else ""))
        if self.session.mode == SCENE:
            words.append("Scene replay")
        if self.skip_active():
            words.append("Skipping ▸▸")
        elif self.auto:
            words.append("Auto")
        if self.hidden:
            words.append("Text hidden (click to show)")
        if not words:
            return
        label = "   ·   ".join(words)
        surf = theme.render(theme.ui_small, label, pal.text)
        rect = surf.get_rect().inflate(theme.px(24), theme.px(12))
        rect.topright = (theme.w - theme.px(20), theme.px(18))
        widgets.panel(surface, rect, pal.panel, theme.px(8))
        surface.blit(surf, surf.get_rect(center=rect.center))

    def draw_banner(self, surface: pygame.Surface, now: float) -> None:
        theme = self.theme
        t = now - self.banner_start
        alpha = 255 if self.settings.reduced_motion else int(255 * min(1.0, t / 0.6, (BANNER - t) / 0.8))
        if alpha <= 0:
            return
        font = theme.font("prose_italic", 46)
        surf = theme.render(font, self.banner, (255, 244, 232))
        layer = pygame.Surface((surf.get_width() + theme.px(200), surf.get_height() + theme.px(40)), pygame.SRCALPHA)
        lr = layer.get_rect()
        pygame.draw.line(layer, (255, 230, 210, 160), (theme.px(20), lr.centery), (theme.px(80), lr.centery), 1)
        pygame.draw.line(layer, (255, 230, 210, 160), (lr.right - theme.px(80), lr.centery),
                         (lr.right - theme.px(20), lr.centery), 1)
        layer.blit(surf, surf.get_rect(center=lr.center))
        layer.set_alpha(alpha)
        surface.blit(layer, layer.get_rect(center=(theme.w // 2, int(theme.h * 0.2))))

    def visualizer_rect(self) -> pygame.Rect:
        theme = self.theme
        rect = pygame.Rect(0, 0, int(theme.w * 0.44), theme.px(120))
        rect.center = (theme.w // 2, min(int(theme.h * 0.33), self.box.top - theme.px(120)))
        if self.choosing:
            rect.centery = min(rect.centery, self.choice_buttons[0].rect.top - theme.px(80))
        return rect

    def draw_visualizer(self, surface: pygame.Surface, now: float) -> None:
        painter.draw_visualizer(surface, self.visualizer_rect(), now, self.visualizer_energy(),
                                self.settings.reduced_motion)

    def dirty_area(self) -> pygame.Rect | None:
        """Typing changes only the text box, and Samantha's waves their own corner of the sky."""
        now = self.app.time
        if self.skip_active() or self.replay is not None or now - self.transition_start < TRANSITION \
                or now - self.banner_start < BANNER or self.outage_active() \
                or (self.owl_active() and now - self.node_start < effects.OWL_FLIGHT):
            return None
        area = self.box.copy()
        if self.speaker_is_os():
            rect = self.visualizer_rect()
            area.union_ip(rect.inflate(rect.width * 0.1, rect.height * 1.0))
        return area

    def draw_ending(self, surface: pygame.Surface) -> None:
        """The ending's card: its words on a soft dark card of their own, so no scene behind can fight them."""
        theme = self.theme
        pal = theme.palette
        ending = self.engine.ending
        contrast = theme.settings.high_contrast
        widgets.shade(surface, (24, 12, 16, 110) if not contrast else (0, 0, 0, 220))
        cx, cy = theme.w // 2, theme.h // 2
        title_font, font = theme.font("prose_italic", 64), theme.font("prose", 26)
        title = widgets.fit(title_font, ending.title if ending else "", theme.w - theme.px(120))
        lines, note_y, bottom = self.ending_words()
        player = self.session.library.player
        found = sum(1 for e in self.engine.story.endings if e in player.endings)
        note = (f"A new ending  ·  {found} of {len(self.engine.story.endings)} found" if self.ending_new
                else f"{found} of {len(self.engine.story.endings)} endings found")
        width = max([title_font.size(title)[0], theme.ui.size(note)[0], theme.px(480)] +
                    [font.size(line)[0] for line in lines]) + theme.px(110)
        card = pygame.Rect(0, cy - theme.px(190), min(theme.w - theme.px(40), width), bottom - (cy - theme.px(190)))
        card.centerx = cx
        widgets.panel(surface, card, pal.panel, theme.px(24), (255, 214, 190, 34) if not contrast else pal.panel_edge)
        widgets.text(surface, theme, theme.font("ui_light", 18), "T H E   E N D", pal.accent_soft,
                     (cx, cy - theme.px(150)), "center")
        widgets.text(surface, theme, title_font, title, pal.text, (cx, cy - theme.px(80)), "center")
        y = cy - theme.px(20)
        for line in lines:
            widgets.text(surface, theme, font, line, pal.text_dim, (cx, y), "center")
            y += font.get_linesize()
        widgets.text(surface, theme, theme.ui, note, pal.accent if self.ending_new else pal.text_dim, (cx, note_y),
                     "center")
        for i, button in enumerate(self.ending_buttons):
            widgets.draw_button(surface, theme, button, i == self.ending_focus)


def _digit(event: pygame.event.Event) -> int:
    if pygame.K_1 <= event.key <= pygame.K_9:
        return event.key - pygame.K_0
    if pygame.K_KP1 <= event.key <= pygame.K_KP9:
        return event.key - pygame.K_KP1 + 1
    return 0


def _styles_of(beat: Beat) -> list[str]:
    """Per wrapped line of the beat, one style code per character ("" when the line has no emphasis)."""
    if not beat.line.runs:
        return ["" for _ in beat.lines]
    per_char = "".join(_STYLE_CODE[style] * len(text) for text, style in beat.line.runs)
    found, start = [], beat.offset
    for text in beat.lines:
        found.append(per_char[start:start + len(text)])
        start += len(text) + 1  # the space or line break the wrap took away
    return found


_STYLE_CODE = {"": " ", "i": "i", "b": "b", "bi": "B"}
_CODE_STYLE = {" ": "", "i": "i", "b": "b", "B": "bi"}


def _pieces(text: str, styles: str) -> list[tuple[str, str]]:
    """The visible part of a line cut where its style changes: [(words, style)]."""
    if not styles:
        return [(text, "")]
    pieces: list[tuple[str, str]] = []
    for i, char in enumerate(text):
        style = _CODE_STYLE[styles[i]] if i < len(styles) else ""
        if pieces and pieces[-1][1] == style:
            pieces[-1] = (pieces[-1][0] + char, style)
        else:
            pieces.append((char, style))
    return pieces

