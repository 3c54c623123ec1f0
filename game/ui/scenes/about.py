"""About: the game, the people whose work it rests on, and the licences of what it bundles."""
from __future__ import annotations

import os

import pygame

from .. import widgets
from ..theme import ASSETS
from .base import Screen
from .registry import screen

FONTS = (  # name, what it sets, its folder under assets/fonts (the licence file there is quoted as it is)
    ("EB Garamond", "the story's words", "ebgaramond"),
    ("Inter", "the interface", "inter"),
)
MADE_WITH = ("pygame (LGPL 2.1) and SDL (zlib licence) for the window and sound; PyYAML (MIT) reads the story; "
             "pydub (MIT) shapes the synthesized sounds; platformdirs (MIT) finds your data folder.")


def licence_lines(folder: str) -> list[str]:
    """The copyright line and the licence's name, from the licence file shipped beside the font."""
    path = os.path.join(ASSETS, "fonts", folder, "OFL.txt")
    try:
        with open(path, encoding="utf-8") as handle:
            lines = [line.strip() for line in handle if line.strip()]
    except OSError:
        return [f"(its licence file is missing: {path})"]
    named = next((line for line in lines if "licensed under" in line), "")
    return [lines[0]] + ([named] if named else []) + [f"Full text: assets/fonts/{folder}/OFL.txt"]


@screen("about")
class AboutScene(Screen):
    title = "About"

    def handle_event(self, event: pygame.event.Event) -> bool:
        return self.handle_common(event) or event.type in (pygame.KEYDOWN, pygame.MOUSEBUTTONUP)

    def paragraphs(self) -> list[tuple[str, str]]:
        """(kind, words): kind says the font: heading, body or small."""
        story = self.app.story
        parts = [("heading", story.title),
                 ("body", "An interactive fiction: the story is read from YAML files, checked like a program and "
                          "played in this window or in a terminal. Every line of its prose is the project's own."),
                 ("heading", "Fonts")]
        for name, use, folder in FONTS:
            parts.append(("body", f"{name}, for {use}"))
            parts += [("small", line) for line in licence_lines(folder)]
        parts += [("heading", "Made with"), ("body", MADE_WITH)]
        return parts

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        self.draw_frame(surface, "the game, its fonts and their licences")
        panel = pygame.Rect(theme.px(60), theme.px(110), theme.w - theme.px(120), theme.h - theme.px(140))
        widgets.panel(surface, panel, pal.panel_solid, theme.px(16), pal.panel_edge)
        fonts = {"heading": (theme.font("prose_italic", 28), pal.accent_soft),
                 "body": (theme.font("prose", 22, True), pal.text),
                 "small": (theme.font("ui", 14), pal.text_dim)}
        x, y = panel.x + theme.px(30), panel.y + theme.px(20)
        room = panel.width - theme.px(60)
        for kind, words in self.paragraphs():
            font, colour = fonts[kind]
            if kind == "heading" and y > panel.y + theme.px(20):
                y += theme.px(10)
            for line in widgets.wrap(font, words, room):
                if y + font.get_linesize() > panel.bottom - theme.px(12):
                    return
                widgets.text(surface, theme, font, line, colour, (x, y))
                y += font.get_linesize()
            y += theme.px(6) if kind != "small" else 0
