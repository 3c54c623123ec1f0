"""Small drawing helpers and widgets shared by the screens: panels, wrapped text, buttons, sliders."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pygame

from .cache import SurfaceCache
from .theme import Theme

_panels = SurfaceCache(12 * 2**20)  # a few full-window shades and many small cards


def panel(surface: pygame.Surface, rect: pygame.Rect, colour: tuple, radius: int = 14,
          edge: tuple | None = None, edge_width: int = 1) -> None:
    """A rounded, translucent panel; the finished surface is cached by size and colour."""
    def make() -> pygame.Surface:
        surf = pygame.Surface(rect.size, pygame.SRCALPHA)
        pygame.draw.rect(surf, colour, surf.get_rect(), border_radius=radius)
        if edge:
            pygame.draw.rect(surf, edge, surf.get_rect(), edge_width, border_radius=radius)
        return surf

    key = (rect.size, tuple(colour), radius, tuple(edge) if edge else None, edge_width)
    surface.blit(_panels.get(key, make), rect.topleft)


def shade(surface: pygame.Surface, colour: tuple) -> None:
    panel(surface, surface.get_rect(), colour, 0)


def dialog(surface: pygame.Surface, theme: Theme, rect: pygame.Rect, radius: int,
           colour: tuple | None = None, edge: tuple | None = None) -> None:
    """The opaque panel of a menu, question or overlay (the app has dimmed the screen below it)."""
    pal = theme.palette
    panel(surface, rect, colour or pal.panel_solid, radius, edge or pal.panel_edge)


def wrap(font: pygame.font.Font, text: str, width: int) -> list[str]:
    """Greedy word wrap by rendered width; explicit newlines are kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split(" ")
        current = ""
        for word in words:
            candidate = word if not current else current + " " + word
            if font.size(candidate)[0] <= width or not current:
                current = candidate
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return lines


def text(surface: pygame.Surface, theme: Theme, font: pygame.font.Font, words: str, colour: tuple,
         pos: tuple[int, int], anchor: str = "topleft") -> pygame.Rect:
    surf = theme.render(font, words, colour)
    rect = surf.get_rect(**{anchor: pos})
    surface.blit(surf, rect)
    return rect


def fit(font: pygame.font.Font, words: str, width: int) -> str:
    """The words, cut with an ellipsis to fit a width."""
    if font.size(words)[0] <= width:
        return words
    while words and font.size(words + "…")[0] > width:
        words = words[:-1]
    return words.rstrip() + "…"


@dataclass
class Button:
    """A clickable label. The screen that owns it lays it out and decides what a click does."""
    label: str
    action: Callable[[], None]
    enabled: bool = True
    rect: pygame.Rect = field(default_factory=lambda: pygame.Rect(0, 0, 0, 0))
    hint: str = ""  # shown beside a disabled button (a disabled choice's reason)
    key_hint: str = ""  # e.g. "1" for the first choice

    def hit(self, pos: tuple[int, int]) -> bool:
        return self.enabled and self.rect.collidepoint(pos)


def draw_button(surface: pygame.Surface, theme: Theme, button: Button, focused: bool,
                font: pygame.font.Font | None = None, align: str = "center", quiet: bool = False) -> None:
    """A solid button (choices, dialogs) or a quiet one (menus: just words until hovered)."""
    pal = theme.palette
    font = font or theme.ui
    if focused and button.enabled:
        panel(surface, button.rect, pal.button_hover, theme.px(10))
        colour = pal.hover_text
    else:
        if theme.settings.high_contrast:
            panel(surface, button.rect, pal.button, theme.px(10), pal.panel_edge)
        elif not quiet:
            panel(surface, button.rect, pal.panel, theme.px(10), pal.panel_edge)
        colour = pal.button_text if button.enabled else pal.disabled
    pad = theme.px(18)
    x = button.rect.x + pad if align == "left" else button.rect.centerx
    label = button.label
    if button.key_hint:
        hint_font = theme.ui_small
        hint_colour = colour if focused else pal.accent_soft
        if not button.enabled:
            hint_colour = pal.disabled
        text(surface, theme, hint_font, button.key_hint, hint_colour, (button.rect.x + pad, button.rect.centery),
             "midleft")
        x += theme.px(26) if align == "left" else 0
    anchor = "midleft" if align == "left" else "center"
    room = button.rect.width - (x - button.rect.x) - pad if align == "left" else button.rect.width - 2 * pad
    text(surface, theme, font, fit(font, label, room), colour, (x, button.rect.centery), anchor)


@dataclass
class Slider:
    """A 0..1 slider with a label; the owner maps the fraction to a setting."""
    label: str
    get: Callable[[], float]
    set: Callable[[float], None]
    describe: Callable[[float], str]
    steps: int = 20
    rect: pygame.Rect = field(default_factory=lambda: pygame.Rect(0, 0, 0, 0))

    def track(self, theme: Theme) -> pygame.Rect:
        left = self.rect.x + self.rect.width * 0.42
        return pygame.Rect(int(left), self.rect.centery - theme.px(3), int(self.rect.right - left - theme.px(120)),
                           theme.px(6))

    def nudge(self, direction: int) -> None:
        self.set(min(1.0, max(0.0, round(self.get() * self.steps + direction) / self.steps)))

    def drag_to(self, theme: Theme, x: int) -> None:
        track = self.track(theme)
        self.set(min(1.0, max(0.0, (x - track.x) / max(1, track.width))))


@dataclass
class Toggle:
    label: str
    get: Callable[[], bool]
    set: Callable[[bool], None]
    rect: pygame.Rect = field(default_factory=lambda: pygame.Rect(0, 0, 0, 0))


def draw_slider(surface: pygame.Surface, theme: Theme, slider: Slider, focused: bool) -> None:
    pal = theme.palette
    if focused:
        panel(surface, slider.rect, pal.button, theme.px(8), pal.panel_edge)
    text(surface, theme, theme.ui, slider.label, pal.text if focused else pal.text_dim,
         (slider.rect.x + theme.px(14), slider.rect.centery), "midleft")
    track = slider.track(theme)
    pygame.draw.rect(surface, pal.disabled, track, border_radius=track.height // 2)
    value = slider.get()
    filled = track.copy()
    filled.width = max(track.height, int(track.width * value))
    pygame.draw.rect(surface, pal.accent, filled, border_radius=track.height // 2)
    knob = (track.x + int(track.width * value), track.centery)
    pygame.draw.circle(surface, pal.text, knob, theme.px(9 if focused else 7))
    text(surface, theme, theme.ui_small, slider.describe(value), pal.text_dim,
         (slider.rect.right - theme.px(8), slider.rect.centery), "midright")


def draw_toggle(surface: pygame.Surface, theme: Theme, toggle: Toggle, focused: bool) -> None:
    pal = theme.palette
    if focused:
        panel(surface, toggle.rect, pal.button, theme.px(8), pal.panel_edge)
    text(surface, theme, theme.ui, toggle.label, pal.text if focused else pal.text_dim,
         (toggle.rect.x + theme.px(14), toggle.rect.centery), "midleft")
    on = toggle.get()
    w, h = theme.px(44), theme.px(24)
    pill = pygame.Rect(0, 0, w, h)
    pill.midright = (toggle.rect.right - theme.px(10), toggle.rect.centery)
    pygame.draw.rect(surface, pal.accent if on else pal.disabled, pill, border_radius=h // 2)
    knob_x = pill.right - h // 2 if on else pill.x + h // 2
    pygame.draw.circle(surface, pal.text, (knob_x, pill.centery), h // 2 - theme.px(3))
    text(surface, theme, theme.ui_small, "On" if on else "Off", pal.text_dim,
         (pill.x - theme.px(10), pill.centery), "midright")
