"""The in-game menu (Esc): over the paused game."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pygame

from .. import widgets
from .base import MenuScene, is_back
from .registry import screen


@screen("menu")
class GameMenu(MenuScene):
    opaque = False
    toasts_at_top = True  # a toast at the bottom would sit on the last rows of a tall window's menu

    def layout(self) -> None:
        app = self.app
        play = app.find("play")
        can_save = app.session is not None and app.session.can_save

        def then(name: str, **options: Any) -> Callable[[], None]:
            def run() -> None:
                app.pop(self)
                app.open(name, **options)
            return run

        self.buttons = [
            widgets.Button("Resume", self.close),
            widgets.Button("Save", then("saves", mode="save"), can_save),
            widgets.Button("Load", then("saves", mode="load")),
            widgets.Button("History", then("history", play=play), play is not None),
            widgets.Button("Flowchart", then("flowchart")),
            widgets.Button("Endings", then("endings")),
            widgets.Button("Settings", then("settings")),
            widgets.Button("Keys", then("help")),
            widgets.Button("About", then("about")),
            widgets.Button("Title screen", app.to_title),
            widgets.Button("Quit", app.quit),
        ]
        theme = self.theme
        h, gap = theme.px(38), theme.px(4)  # eleven rows: the panel leaves room above and below for toasts
        total = len(self.buttons) * (h + gap) - gap
        self.rect = theme.centred(theme.px(360), total + theme.px(100))
        y = self.rect.y + theme.px(72)
        for button in self.buttons:
            button.rect = pygame.Rect(self.rect.x + theme.px(30), y, self.rect.width - theme.px(60), h)
            y += h + gap

    def spoken(self) -> str:
        return "Paused. Game menu."

    def handle_event(self, event: pygame.event.Event) -> bool:
        if is_back(event):
            self.close()
        else:
            self.handle_buttons(event)
        return True

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        widgets.dialog(surface, theme, self.rect, theme.px(18))
        widgets.text(surface, theme, theme.font("ui_light", 30), "Paused", pal.text,
                     (self.rect.centerx, self.rect.y + theme.px(40)), "center")
        for i, button in enumerate(self.buttons):
            widgets.draw_button(surface, theme, button, i == self.focus, quiet=True)
