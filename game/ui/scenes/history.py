"""The backlog: what was said and chosen so far, newest at the bottom. Wheel or arrows scroll."""
from __future__ import annotations

import pygame

from .. import widgets
from ..theme import hex_colour
from .base import Screen
from .registry import screen


@screen("history")
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
        self.scroll = min(self.scroll, max(0, self.height - self.text_area.height))

    def handle_event(self, event: pygame.event.Event) -> bool:
        if self.handle_common(event):
            return True
        step = self.line_h * 3
        limit = max(0, self.height - self.text_area.height)
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

    def visible_rows(self) -> list[tuple[tuple[str, str, tuple, str], int]]:
        """The rows that fit whole in the view at the current scroll, with their tops: a row cut by an edge is left
        out (no half line, no descenders of the line above)."""
        y = self.text_area.bottom - self.height + self.scroll
        shown = []
        for row in self.rows:
            h = self.theme.px(12) if row[0] == "gap" else self.line_h
            if row[0] != "gap" and y >= self.text_area.y and y + h <= self.text_area.bottom:
                shown.append((row, y))
            y += h
        return shown

    def scrollbar(self) -> tuple[pygame.Rect, pygame.Rect] | None:
        """The track and the thumb, when there is more to read than the view holds."""
        if self.height <= self.text_area.height:
            return None
        theme = self.theme
        panel = self.panel_rect()
        track = pygame.Rect(panel.right - theme.px(18), panel.y + theme.px(16), theme.px(6),
                            panel.height - theme.px(32))
        size = max(theme.px(24), int(track.height * self.text_area.height / self.height))
        limit = self.height - self.text_area.height
        top = track.bottom - size - int((track.height - size) * self.scroll / limit)
        return track, pygame.Rect(track.x, top, track.width, size)

    def panel_rect(self) -> pygame.Rect:
        return self.view.inflate(self.theme.px(40), self.theme.px(20))

    @property
    def text_area(self) -> pygame.Rect:
        pad = self.theme.px(14)  # top and bottom padding inside the panel
        return self.view.inflate(0, -2 * pad)

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        self.draw_frame(surface, "Wheel or arrows to scroll · Home: the start · End: the newest")
        widgets.panel(surface, self.panel_rect(), pal.panel_solid, theme.px(16), pal.panel_edge)
        font = theme.font("prose", 25, True)
        choice_font = theme.font("prose_italic", 25, True)
        name_font = theme.font("ui_medium", 16)
        text_x = self.view.x + theme.px(160)
        for (kind, name, colour, part), y in self.visible_rows():
            if kind == "choice":
                widgets.text(surface, theme, choice_font, "→ " + part, pal.accent_soft, (text_x, y))
                continue
            if name:
                widgets.text(surface, theme, name_font, name, colour, (text_x - theme.px(20), y + theme.px(6)),
                             "topright")
            widgets.text(surface, theme, font, part, pal.text, (text_x, y))
        bar = self.scrollbar()
        if bar is not None:
            track, thumb = bar
            pygame.draw.rect(surface, pal.panel_edge[:3] if theme.settings.high_contrast else (70, 52, 58), track,
                             border_radius=track.width // 2)
            pygame.draw.rect(surface, pal.accent_soft, thumb, border_radius=thumb.width // 2)
        if not self.rows:
            widgets.text(surface, theme, theme.prose_italic, "Nothing has been said yet.", pal.text_dim,
                         self.view.center, "center")
