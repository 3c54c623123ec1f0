"""Things that sit over any screen: the key map (F1), story errors after a reload, yes/no questions."""
from __future__ import annotations

from collections.abc import Callable

import pygame

from .. import widgets
from ..controller import BUTTONS
from .base import MenuScene, Scene, is_back
from .registry import screen

KEYMAP: list[tuple[str, list[tuple[str, str]]]] = [
    ("Reading", [
        ("Click, Space, Enter", "show the whole line, then go on"),
        ("1 – 9", "take a choice"),
        ("↑ ↓ then Enter", "pick a choice with the keyboard"),
        ("Wheel up, Page Up, Backspace", "roll back: take back lines and choices"),
        ("Wheel down, Page Down", "go on"),
        ("Tab", "skip text you have read before"),
        ("Ctrl (hold)", "skip while held"),
        ("A", "auto-advance on / off"),
        ("H", "hide the text box to see the scene"),
        ("B", "history of what was said"),
    ]),
    ("Game", [
        ("Esc, right click", "game menu; Esc also goes back"),
        ("S / L", "save / load screen"),
        ("F6 / F9", "quicksave / quickload"),
        ("F", "flowchart of the story so far"),
        ("F1", "this help"),
        ("F5", "reload the story files (for writers)"),
        ("F11, Alt + Enter", "fullscreen on / off"),
        ("F12", "screenshot into your data folder"),
        ("V", "self-voicing: lines read aloud"),
        ("Close the window", "autosaves the game"),
    ]),
]


class Overlay(Scene):
    """Something to read over the screen below: Esc, Enter, Space or a click closes it."""
    opaque = False

    def handle_event(self, event: pygame.event.Event) -> bool:
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_ESCAPE, pygame.K_RETURN, pygame.K_SPACE):
            self.close()
        elif event.type == pygame.MOUSEBUTTONUP and event.button in (1, 3):
            self.close()
        return True


@screen("help")
class HelpOverlay(Overlay):
    """F1: every key, and every controller button, on two tabs (Tab, the arrows or LB / RB switch)."""
    TABS = ("Keyboard and mouse", "Controller")

    def __init__(self, app):
        super().__init__(app)
        self.tab = 1 if app.controllers.connected() else 0

    def pages(self) -> list[tuple[str, list[tuple[str, str]]]]:
        if self.tab == 0:
            return KEYMAP
        rows = [(name, meaning) for _, name, _, meaning in BUTTONS]
        half = -(-len(rows) // 2)
        return [("Buttons", rows[:half]), ("", rows[half:])]

    def handle_event(self, event: pygame.event.Event) -> bool:
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_TAB, pygame.K_LEFT, pygame.K_RIGHT,
                                                          pygame.K_PAGEUP, pygame.K_PAGEDOWN):
            self.tab = 1 - self.tab
            self.app.speak(self.TABS[self.tab])
            return True
        if event.type == pygame.MOUSEBUTTONUP and event.button == 1:
            for i, rect in enumerate(self.tab_rects()):
                if rect.collidepoint(event.pos):
                    self.tab = i
                    return True
        return super().handle_event(event)

    def panel_rect(self) -> pygame.Rect:
        theme = self.theme
        return theme.centred(min(theme.w - theme.px(40), theme.px(1120)), min(theme.h - theme.px(40), theme.px(620)))

    def tab_rects(self) -> list[pygame.Rect]:
        theme = self.theme
        rect = self.panel_rect()
        x = rect.x + theme.px(44)
        rects = []
        for label in self.TABS:
            width = theme.ui.size(label)[0] + theme.px(28)
            rects.append(pygame.Rect(x, rect.y + theme.px(30), width, theme.px(36)))
            x += width + theme.px(8)
        return rects

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        rect = self.panel_rect()
        widgets.dialog(surface, theme, rect, theme.px(18))
        for i, (label, tab) in enumerate(zip(self.TABS, self.tab_rects())):
            widgets.panel(surface, tab, pal.button_hover if i == self.tab else pal.button, theme.px(10))
            widgets.text(surface, theme, theme.ui, label, pal.hover_text if i == self.tab else pal.text_dim,
                         tab.center, "center")
        col_w = (rect.width - theme.px(88)) // 2
        key_font, meaning_font = theme.font("ui_medium", 16), theme.font("ui", 15)
        for c, (title, rows) in enumerate(self.pages()):
            x = rect.x + theme.px(44) + c * (col_w + theme.px(20))
            y = rect.y + theme.px(100)
            keys_w = max(key_font.size(keys)[0] for keys, _ in rows) + theme.px(14)  # the meanings get the rest
            widgets.text(surface, theme, theme.font("ui_medium", 15), title.upper(), pal.accent_soft, (x, y))
            y += theme.px(34)
            for keys, meaning in rows:
                widgets.text(surface, theme, key_font, keys, pal.text, (x, y))
                lines = widgets.wrap(meaning_font, meaning, col_w - keys_w)
                if len(lines) > 2:
                    lines = [lines[0], widgets.fit(meaning_font, " ".join(lines[1:]), col_w - keys_w)]
                line_h = meaning_font.get_linesize() - theme.px(2)
                top = y + theme.px(1) - (line_h // 2 if len(lines) == 2 else 0)  # two lines share the row
                for i, line in enumerate(lines):
                    widgets.text(surface, theme, meaning_font, line, pal.text_dim, (x + keys_w, top + i * line_h))
                y += theme.px(40)
        widgets.text(surface, theme, theme.ui_small, "Tab or ← → : the other tab  ·  Esc or click to close",
                     pal.text_dim, (rect.centerx, rect.bottom - theme.px(22)), "center")


@screen("error")
class ErrorOverlay(Overlay):
    """The story failed to reload: its errors as file:line lines; the game goes on with the last good story."""

    def __init__(self, app, title: str, lines: list[str]):
        super().__init__(app)
        self.title = title
        self.lines = lines

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        rect = theme.centred(theme.w - theme.px(80), theme.h - theme.px(80))
        widgets.dialog(surface, theme, rect, theme.px(14), (26, 14, 18, 240), pal.bad)
        widgets.text(surface, theme, theme.font("ui_medium", 22), self.title, pal.bad,
                     (rect.x + theme.px(30), rect.y + theme.px(24)))
        font = theme.font("ui", 15)
        y = rect.y + theme.px(70)
        width = rect.width - theme.px(60)
        shown = 0
        for entry in self.lines:
            for part in entry.split("\n"):
                for line in widgets.wrap(font, part, width):
                    if y > rect.bottom - theme.px(60):
                        break
                    widgets.text(surface, theme, font, line, pal.text if not part.startswith(" ") else pal.text_dim,
                                 (rect.x + theme.px(30), y))
                    y += font.get_linesize()
            shown += 1
            y += theme.px(6)
        if shown < len(self.lines):
            widgets.text(surface, theme, font, f"... and {len(self.lines) - shown} more", pal.text_dim,
                         (rect.x + theme.px(30), y))
        widgets.text(surface, theme, theme.ui_small, "Fix the files and press F5 again · Esc to close", pal.text_dim,
                     (rect.centerx, rect.bottom - theme.px(24)), "center")


@screen("confirm")
class Confirm(MenuScene):
    opaque = False

    def __init__(self, app, question: str, yes_label: str, on_yes: Callable[[], None]):
        super().__init__(app)
        self.question = question
        self.on_yes = on_yes
        self.buttons = [widgets.Button(yes_label, self.yes), widgets.Button("Cancel", self.close)]
        self.focus = 1

    def yes(self) -> None:
        self.close()
        self.on_yes()

    def spoken(self) -> str:
        return f"{self.question} Focused: Cancel."

    def layout(self) -> None:
        theme = self.theme
        self.rect = theme.centred(theme.px(620), theme.px(220))
        w, h = theme.px(200), theme.px(46)
        for i, button in enumerate(self.buttons):
            button.rect = pygame.Rect(0, 0, w, h)
            button.rect.center = (self.rect.centerx + (i * 2 - 1) * (w // 2 + theme.px(10)), self.rect.bottom - theme.px(56))

    def handle_event(self, event: pygame.event.Event) -> bool:
        if is_back(event):
            self.close()
        elif event.type == pygame.KEYDOWN and event.key in (pygame.K_LEFT, pygame.K_RIGHT):
            self.focus = 1 - max(0, self.focus)
        elif event.type == pygame.KEYDOWN and event.key == pygame.K_y:
            self.yes()
        else:
            self.handle_buttons(event)
        return True

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        widgets.dialog(surface, theme, self.rect, theme.px(16))
        font = theme.font("prose", 27)
        y = self.rect.y + theme.px(36)
        for line in widgets.wrap(font, self.question, self.rect.width - theme.px(60))[:3]:
            widgets.text(surface, theme, font, line, pal.text, (self.rect.centerx, y), "midtop")
            y += font.get_linesize()
        for i, button in enumerate(self.buttons):
            widgets.draw_button(surface, theme, button, i == self.focus)


@screen("content_note")
class ContentNote(MenuScene):
    """Before something that may trouble some players: what it is, and the setting that softens it, asked once."""
    opaque = False

    def __init__(self, app, note: str, on_close: Callable[[], None]):
        super().__init__(app)
        self.note = note
        self.on_close = on_close
        self.buttons = [widgets.Button("Reduce motion", lambda: self.answer(True)),
                        widgets.Button("Keep the effect", lambda: self.answer(False))]
        self.focus = 0

    def font(self) -> pygame.font.Font:
        return self.theme.font("prose", 25, True)

    def spoken(self) -> str:
        return f"Content note. {self.note} Focused: Reduce motion."

    def answer(self, reduce: bool) -> None:
        settings = self.app.settings
        settings.reduced_motion = reduce or settings.reduced_motion
        settings.motion_note_seen = True
        self.app.save_settings()
        self.close()
        self.on_close()

    def layout(self) -> None:
        theme = self.theme
        width = min(theme.w - theme.px(40), theme.px(700))
        self.lines = widgets.wrap(self.font(), self.note, width - theme.px(70))
        height = theme.px(62) + len(self.lines) * self.font().get_linesize() + theme.px(100)
        self.rect = theme.centred(width, min(theme.h - theme.px(20), height))
        w, h = theme.px(230), theme.px(46)
        for i, button in enumerate(self.buttons):
            button.rect = pygame.Rect(0, 0, w, h)
            button.rect.center = (self.rect.centerx + (i * 2 - 1) * (w // 2 + theme.px(10)), self.rect.bottom - theme.px(50))

    def handle_event(self, event: pygame.event.Event) -> bool:
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_LEFT, pygame.K_RIGHT):
            self.focus = 1 - max(0, self.focus)
        elif is_back(event):
            self.answer(False)
        else:
            self.handle_buttons(event)
        return True

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        widgets.dialog(surface, theme, self.rect, theme.px(16), pal.panel_solid)
        widgets.text(surface, theme, theme.font("ui_medium", 17), "CONTENT NOTE", pal.accent_soft,
                     (self.rect.centerx, self.rect.y + theme.px(26)), "midtop")
        font = self.font()
        y = self.rect.y + theme.px(62)
        for line in self.lines:
            widgets.text(surface, theme, font, line, pal.text, (self.rect.centerx, y), "midtop")
            y += font.get_linesize()
        for i, button in enumerate(self.buttons):
            widgets.draw_button(surface, theme, button, i == self.focus)
