"""The endings gallery, across every playthrough: found endings with their date, replayed on a click; the
rest locked, with the story's hint for them where it gives one (else ???)."""
from __future__ import annotations

import functools
from datetime import date

import pygame

from ...story.model import Ending
from .. import widgets
from .base import Screen
from .registry import screen


@screen("endings")
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
        self.columns = columns
        self.cards = []
        self.buttons = []
        found = self.app.library.player.endings
        for i, ending in enumerate(endings):
            col, row = i % columns, i // columns
            rect = pygame.Rect(area.x + col * (w + gap), area.y + row * (h + gap), w, h)
            self.cards.append((ending, rect))
            self.buttons.append(widgets.Button(ending.title, functools.partial(self.revisit, ending),
                                               ending.id in found and self.epilogue(ending) is not None, rect))
        self.focus = min(self.focus, len(self.buttons) - 1)

    def epilogue(self, ending: Ending) -> str | None:
        """The scene that ends the story this way (one the player has read, where there are several)."""
        nodes = [n.id for n in self.app.story.nodes.values() if n.ending == ending.id]
        seen = self.app.library.player.seen
        return next((n for n in nodes if n in seen), nodes[0] if nodes else None)

    def revisit(self, ending: Ending) -> None:
        node_id = self.epilogue(ending)
        if node_id is None:
            return
        self.app.open("confirm", question=f"Replay the way to “{ending.title}”? Your game is autosaved first.",
                      yes_label="Replay", on_yes=lambda: self.app.replay_scene(node_id))

    def handle_event(self, event: pygame.event.Event) -> bool:
        if self.handle_common(event):
            return True
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_LEFT, pygame.K_RIGHT):
            self.move_focus(1 if event.key == pygame.K_RIGHT else -1)
            return True
        self.handle_buttons(event)
        return event.type in (pygame.KEYDOWN, pygame.MOUSEBUTTONUP)

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        found = self.app.library.player.endings
        count = sum(1 for ending, _ in self.cards if ending.id in found)
        self.draw_frame(surface, f"{count} of {len(self.cards)} found · click one to replay it")
        for i, (ending, rect) in enumerate(self.cards):
            reached = ending.id in found
            focused = i == self.focus and self.buttons[i].enabled
            widgets.panel(surface, rect, pal.panel, theme.px(14), pal.accent if reached else pal.panel_edge,
                          max(1, theme.px(3)) if focused else 1)
            pad = theme.px(20)
            x, y = rect.x + pad, rect.y + pad
            room = rect.width - 2 * pad
            title_font = theme.font("prose_italic", 30)
            font = theme.font("prose", 20)
            if reached:
                widgets.text(surface, theme, title_font, widgets.fit(title_font, ending.title, room), pal.text, (x, y))
                y += theme.px(44)
                lines = widgets.wrap(font, ending.description, room)
                max_lines = max(1, (rect.bottom - theme.px(34) - y) // font.get_linesize())
                for line in lines[:max_lines]:
                    widgets.text(surface, theme, font, line, pal.text_dim, (x, y))
                    y += font.get_linesize()
                note = f"First reached {_nice(found[ending.id])}" + ("  ·  Enter replays it" if focused else "")
                widgets.text(surface, theme, theme.font("ui", 13), note, pal.accent_soft,
                             (x, rect.bottom - theme.px(14)), "bottomleft")
                continue
            if ending.hint:  # the story's hint for finding it; the title stays a surprise
                font = theme.font("prose_italic", 20)
                for line in widgets.wrap(font, ending.hint, room)[:4]:
                    widgets.text(surface, theme, font, line, pal.text_dim, (x, y))
                    y += font.get_linesize()
            else:
                widgets.text(surface, theme, theme.font("prose_italic", 40), "???", pal.disabled, rect.center, "center")
            widgets.text(surface, theme, theme.font("ui", 13), "Not found yet", pal.disabled,
                         (rect.centerx, rect.bottom - theme.px(14)), "midbottom")


def _nice(day: str) -> str:
    try:
        return date.fromisoformat(day).strftime("%d %B %Y")
    except ValueError:
        return day
