"""The backlog: what was said and chosen so far, newest at the bottom. Wheel or arrows scroll."""
from __future__ import annotations

import pygame

from .. import widgets
from ..theme import hex_colour
from .base import Screen


class HistoryScene(Screen):
    title = "History"
    toasts_at_top = True  # the newest line is at the bottom, where a toast would cover it

    def __init__(self, app, play):
        super().__init__(app)
        self.play = play
        self.scroll = 0  # pixels scrolled up from the newest line
        self.rows: list[tuple[str, str, tuple, str]] = []  # kind, name, colour, wrapped line
        self.height = 0

    def layout(self) -> None:
        theme = self.theme
        width = min(theme.w - theme.px(200), theme.px(980)) - theme.px(180)
        font = theme.font("prose", 25, True)
        self.rows = []
        entries = self.play.history_lines() if self.play is not None else []
        for line, kind in entries:
            wrapped = widgets.wrap(font, line.text, width)
            for i, part in enumerate(wrapped):
                name = line.name if i == 0 and kind != "choice" else ""
                self.rows.append((kind, name, hex_colour(line.colour) if line.name else (0, 0, 0), part))
            self.rows.append(("gap", "", (0, 0, 0), ""))
        self.line_h = font.get_linesize()
        self.height = sum(theme.px(12) if r[0] == "gap" else self.line_h for r in self.rows)
        self.view = pygame.Rect(theme.px(100), theme.px(120), min(theme.w - theme.px(200), theme.px(980)),
                                theme.h - theme.px(160))
        self.view.centerx = theme.w // 2
        self.scroll = min(self.scroll, max(0, self.height - self.view.height))

    def handle_event(self, event: pygame.event.Event) -> bool:
        if self.handle_common(event):
            return True
        step = self.line_h * 3
        limit = max(0, self.height - self.view.height)
        if event.type == pygame.MOUSEWHEEL:
            if event.y < 0 and self.scroll == 0:
                self.close()  # wheel down past the newest line returns to the game
            self.scroll = max(0, min(limit, self.scroll + event.y * step))
            return True
        if event.type == pygame.KEYDOWN:
            moves = {pygame.K_UP: step, pygame.K_DOWN: -step, pygame.K_PAGEUP: self.view.height,
                     pygame.K_PAGEDOWN: -self.view.height, pygame.K_HOME: limit, pygame.K_END: -limit}
            if event.key in moves:
                self.scroll = max(0, min(limit, self.scroll + moves[event.key]))
            elif event.key in (pygame.K_b, pygame.K_RETURN):
                self.close()
            return True
        return False

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        self.draw_frame(surface, "Wheel or arrows to scroll")
        widgets.panel(surface, self.view.inflate(theme.px(40), theme.px(20)), pal.panel, theme.px(16))
        font = theme.font("prose", 25, True)
        choice_font = theme.font("prose_italic", 25, True)
        name_font = theme.font("ui_medium", 16)
        y = self.view.bottom - self.height + self.scroll
        previous = surface.get_clip()
        surface.set_clip(self.view)
        text_x = self.view.x + theme.px(160)
        for kind, name, colour, part in self.rows:
            h = theme.px(12) if kind == "gap" else self.line_h
            if y + h >= self.view.y and y <= self.view.bottom and kind != "gap":
                if kind == "choice":
                    widgets.text(surface, theme, choice_font, "→ " + part, pal.accent_soft, (text_x, y))
                else:
                    if name:
                        widgets.text(surface, theme, name_font, name, colour,
                                     (text_x - theme.px(20), y + theme.px(6)), "topright")
                    widgets.text(surface, theme, font, part, pal.text, (text_x, y))
            y += h
        surface.set_clip(previous)
        if not self.rows:
            widgets.text(surface, theme, theme.prose_italic, "Nothing has been said yet.", pal.text_dim,
                         self.view.center, "center")
