"""Colours, fonts and sizes. Everything is laid out for 1280x720 and scaled to the window."""
from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass

import pygame

from .settings import Settings

ASSETS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "assets")
FONT_FILES = {
    "prose": "fonts/ebgaramond/EBGaramond12-Regular.otf",
    "prose_italic": "fonts/ebgaramond/EBGaramond12-Italic.otf",
    "prose_bold": "fonts/ebgaramond/EBGaramond12-Bold.otf",
    "prose_bold_italic": "fonts/ebgaramond/EBGaramond12-Bold.otf",  # EB Garamond has no bold italic: slanted
    "ui": "fonts/inter/Inter-Regular.otf",
    "ui_medium": "fonts/inter/Inter-Medium.otf",
    "ui_light": "fonts/inter/Inter-Light.otf",
}
BASE_W, BASE_H = 1280, 720
MIN_TEXT_PX = 12  # no words smaller, whatever the window's size
RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]


@dataclass(frozen=True)
class Palette:
    panel: RGBA  # the text box and cards
    panel_solid: RGBA  # menus, questions and help: opaque, so nothing behind competes with their words
    panel_edge: RGBA
    text: RGB
    text_dim: RGB
    accent: RGB  # the film's coral red
    accent_soft: RGB
    button: RGBA
    button_hover: RGBA
    button_text: RGB
    hover_text: RGB  # words on a focused or hovered button
    disabled: RGB
    shade: RGBA  # dims the game behind menus
    screen: RGB  # full-screen menus' ground
    good: RGB
    bad: RGB


WARM = Palette(
    panel=(38, 24, 30, 232), panel_solid=(40, 25, 31, 255), panel_edge=(255, 214, 190, 40), text=(250, 238, 226),
    text_dim=(214, 190, 178), accent=(240, 120, 98), accent_soft=(244, 168, 140), button=(255, 236, 222, 22),
    button_hover=(172, 62, 50, 255), button_text=(252, 240, 228), hover_text=(252, 240, 228), disabled=(172, 156, 150),
    shade=(30, 16, 20, 170), screen=(46, 28, 34),
    good=(170, 220, 170), bad=(255, 150, 130),
)
HIGH_CONTRAST = Palette(
    panel=(0, 0, 0, 255), panel_solid=(0, 0, 0, 255), panel_edge=(255, 255, 255, 255), text=(255, 255, 255), text_dim=(235, 235, 235),
    accent=(255, 214, 0), accent_soft=(255, 230, 90), button=(0, 0, 0, 255), button_hover=(255, 214, 0, 255),
    button_text=(255, 255, 255), hover_text=(20, 10, 12), disabled=(170, 170, 170), shade=(0, 0, 0, 230), screen=(0, 0, 0),
    good=(120, 255, 120), bad=(255, 120, 120),
)

# (words, ground) pairs the screens draw: each must reach WCAG AA (4.5:1) whatever the scene behind shows
CONTRAST_PAIRS = (
    ("text", "panel"), ("text_dim", "panel"), ("accent", "panel"), ("accent_soft", "panel"), ("disabled", "panel"),
    ("button_text", "panel"), ("hover_text", "button_hover"), ("text", "panel_solid"), ("text_dim", "panel_solid"),
    ("accent_soft", "panel_solid"), ("disabled", "panel_solid"),
)


def hex_colour(text: str, default: RGB = (230, 220, 210)) -> RGB:
    try:
        value = text.lstrip("#")
        return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))
    except (ValueError, IndexError, AttributeError):
        return default


class Theme:
    """Fonts and sizes for one window size and one set of settings; rebuilt when either changes."""

    _fonts: OrderedDict[tuple[str, int], pygame.font.Font] = OrderedDict()  # shared by every size, bounded
    MAX_FONTS = 80

    def __init__(self, size: tuple[int, int], settings: Settings):
        self.size = size
        self.w, self.h = size
        self.scale = max(0.5, min(self.w / BASE_W, self.h / BASE_H))
        self.settings = settings
        self.palette = HIGH_CONTRAST if settings.high_contrast else WARM
        self._renders: OrderedDict[tuple, pygame.Surface] = OrderedDict()
        self._used: dict[tuple[str, int], pygame.font.Font] = {}  # kept alive: renders are keyed by id(font)

    def px(self, value: float) -> int:
        return max(1, round(value * self.scale))

    def centred(self, w: int, h: int) -> pygame.Rect:
        """A w x h rect in the middle of the window."""
        rect = pygame.Rect(0, 0, w, h)
        rect.center = (self.w // 2, self.h // 2)
        return rect

    def font(self, kind: str, size: float, user_scaled: bool = False) -> pygame.font.Font:
        """user_scaled: the story's words, at the full Text size setting. The interface's words follow the setting
        more gently (its square root: 140 % gives 118 %), so buttons and rows laid out for them still hold them.
        Nothing is ever smaller than MIN_TEXT_PX."""
        scale = self.settings.font_scale if user_scaled else self.settings.font_scale ** 0.5
        px = max(MIN_TEXT_PX, self.px(size * scale))
        key = (kind, px)
        font = self._used.get(key)
        if font is not None:
            return font
        font = Theme._fonts.get(key)
        if font is None:
            font = pygame.font.Font(os.path.join(ASSETS, FONT_FILES[kind]), px)
            font.set_italic(kind == "prose_bold_italic")
            Theme._fonts[key] = font
            if len(Theme._fonts) > Theme.MAX_FONTS:
                Theme._fonts.popitem(last=False)
        else:
            Theme._fonts.move_to_end(key)
        self._used[key] = font
        return font

    # the fonts every screen uses
    @property
    def prose(self) -> pygame.font.Font:
        return self.font("prose", 30, True)

    def prose_in(self, style: str) -> pygame.font.Font:
        """The story's words in a format 2 style: "" (roman), "i", "b" or "bi"."""
        kind = {"": "prose", "i": "prose_italic", "b": "prose_bold", "bi": "prose_bold_italic"}[style]
        return self.font(kind, 30, True)

    @property
    def prose_italic(self) -> pygame.font.Font:
        return self.font("prose_italic", 30, True)

    @property
    def name(self) -> pygame.font.Font:
        return self.font("ui_medium", 21, True)

    @property
    def ui(self) -> pygame.font.Font:
        return self.font("ui", 19)

    @property
    def ui_small(self) -> pygame.font.Font:
        return self.font("ui", 15)

    @property
    def heading(self) -> pygame.font.Font:
        return self.font("ui_light", 40)

    def render(self, font: pygame.font.Font, text: str, colour: tuple) -> pygame.Surface:
        """Rendered text, cached: drawing the same words every frame costs a blit, not a render."""
        key = (id(font), text, tuple(colour))
        surf = self._renders.get(key)
        if surf is None:
            surf = font.render(text, True, colour)
            self._renders[key] = surf
            if len(self._renders) > 600:
                self._renders.popitem(last=False)
        else:
            self._renders.move_to_end(key)
        return surf
