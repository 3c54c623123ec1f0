"""The endings gallery, across every playthrough: found endings with their date, the rest as ???."""
from __future__ import annotations

from datetime import date

import pygame

from .. import widgets
from .base import Screen


class EndingsScene(Screen):
    title = "Endings"

    def layout(self) -> None:
        theme = self.theme
        endings = list(self.app.story.endings.values())
        columns = 3 if len(endings) > 4 else max(1, len(endings))
        rows = max(1, -(-len(endings) // columns))
        gap = theme.px(18)
        area = pygame.Rect(theme.px(60), theme.px(130), theme.w - theme.px(120), theme.h - theme.px(170))
        w = (area.width - gap * (columns - 1)) // columns
        h = min(theme.px(170), (area.height - gap * (rows - 1)) // rows)
        self.cards = []
        for i, ending in enumerate(endings):
            col, row = i % columns, i // columns
            self.cards.append((ending, pygame.Rect(area.x + col * (w + gap), area.y + row * (h + gap), w, h)))

    def handle_event(self, event: pygame.event.Event) -> bool:
        return self.handle_common(event) or event.type in (pygame.KEYDOWN, pygame.MOUSEBUTTONUP)

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        found = self.app.library.player.endings
        count = sum(1 for ending, _ in self.cards if ending.id in found)
        self.draw_frame(surface, f"{count} of {len(self.cards)} found, across all your playthroughs")
        for ending, rect in self.cards:
            reached = ending.id in found
            widgets.panel(surface, rect, pal.panel, theme.px(14), pal.accent if reached else pal.panel_edge)
            pad = theme.px(20)
            x, y = rect.x + pad, rect.y + pad
            room = rect.width - 2 * pad
            if reached:
                title_font = theme.font("prose_italic", 30)
                widgets.text(surface, theme, title_font, widgets.fit(title_font, ending.title, room), pal.text, (x, y))
                y += theme.px(44)
                font = theme.font("prose", 20)
                lines = widgets.wrap(font, ending.description, room)
                max_lines = max(1, (rect.bottom - theme.px(34) - y) // font.get_linesize())
                for line in lines[:max_lines]:
                    widgets.text(surface, theme, font, line, pal.text_dim, (x, y))
                    y += font.get_linesize()
                widgets.text(surface, theme, theme.font("ui", 13), f"First reached {_nice(found[ending.id])}",
                             pal.accent_soft, (x, rect.bottom - theme.px(14)), "bottomleft")
            else:
                if ending.hint:
                    font = theme.font("prose_italic", 20)
                    hint_y = rect.y + theme.px(20)
                    for line in widgets.wrap(font, ending.hint, rect.width - theme.px(40))[:4]:
                        widgets.text(surface, theme, font, line, pal.text_dim, (rect.x + theme.px(20), hint_y))
                        hint_y += font.get_linesize()
                else:
                    widgets.text(surface, theme, theme.font("prose_italic", 40), "???", pal.disabled, rect.center,
                                 "center")
                widgets.text(surface, theme, theme.font("ui", 13), "Not found yet", pal.disabled,
                             (rect.centerx, rect.bottom - theme.px(14)), "midbottom")


def _nice(day: str) -> str:
    try:
        return date.fromisoformat(day).strftime("%d %B %Y")
    except ValueError:
        return day
