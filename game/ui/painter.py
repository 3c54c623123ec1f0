"""Procedural scenes: each node's scene info (location, time, mood, weather) painted without image files.

A scene is painted once on a small canvas and smoothscaled up: the blur is the soft focus of the
film's hazy Los Angeles, and it keeps painting cheap. Finished backgrounds are cached; the few
things that move (Samantha's visualizer, the owl, the outage glitch) are drawn per frame on top.
"""
from __future__ import annotations

import base64
import io
import math
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import pygame

from .cache import SurfaceCache

CW, CH = 480, 270  # the canvas every scene is painted on
Colour = tuple[int, int, int]


def mix(a: tuple, b: tuple, t: float) -> Colour:
    t = min(1.0, max(0.0, t))
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def scale_colour(c: tuple, k: float) -> Colour:
    return (min(255, round(c[0] * k)), min(255, round(c[1] * k)), min(255, round(c[2] * k)))


@dataclass(frozen=True)
class Light:
    sky: tuple[tuple[float, Colour], ...]  # gradient stops from top (0) to horizon (1)
    sun: tuple[float, float, Colour] | None  # x, y as fractions of the canvas, colour
    haze: Colour
    dark: bool  # windows lit, lamps glow
    ambient: float  # how bright lit things are (0..1)


LIGHTS: dict[str, Light] = {
    "dawn": Light(((0, (92, 96, 146)), (0.45, (200, 150, 170)), (0.78, (246, 188, 162)), (1, (255, 216, 176))),
                  (0.72, 0.66, (255, 214, 170)), (246, 206, 196), False, 0.72),
    "morning": Light(((0, (150, 182, 204)), (0.55, (216, 214, 208)), (1, (250, 228, 198))),
                     (0.25, 0.22, (255, 244, 220)), (244, 230, 216), False, 0.95),
    "noon": Light(((0, (132, 176, 204)), (0.6, (208, 216, 214)), (1, (240, 234, 216))),
                  (0.5, 0.08, (255, 250, 235)), (240, 236, 226), False, 1.0),
    "afternoon": Light(((0, (150, 166, 192)), (0.5, (228, 198, 168)), (1, (252, 208, 152))),
                       (0.78, 0.42, (255, 226, 170)), (248, 222, 190), False, 0.92),
    "dusk": Light(((0, (60, 62, 112)), (0.42, (180, 102, 122)), (0.72, (238, 134, 104)), (1, (252, 188, 124))),
                  (0.62, 0.7, (255, 176, 110)), (232, 160, 140), False, 0.66),
    "evening": Light(((0, (32, 34, 72)), (0.5, (98, 64, 102)), (0.85, (188, 104, 106)), (1, (224, 144, 114))),
                     None, (170, 110, 120), True, 0.45),
    "night": Light(((0, (12, 16, 36)), (0.6, (30, 32, 64)), (1, (82, 58, 84))), None, (86, 64, 92), True, 0.3),
    "late_night": Light(((0, (7, 9, 22)), (0.6, (17, 19, 42)), (1, (48, 36, 60))), None, (52, 40, 66), True, 0.22),
}

# mood -> multiply tint, and a soft wash laid over everything
MOODS: dict[str, tuple[Colour, tuple[int, int, int, int]]] = {
    "warm": ((255, 232, 212), (255, 150, 90, 26)),
    "lonely": ((214, 222, 240), (120, 140, 190, 22)),
    "tender": ((255, 222, 226), (255, 150, 170, 28)),
    "tense": ((240, 208, 208), (120, 20, 30, 34)),
    "wonder": ((236, 226, 255), (200, 170, 255, 30)),
    "joyful": ((255, 246, 224), (255, 220, 140, 30)),
    "melancholy": ((208, 212, 226), (90, 100, 140, 30)),
    "panic": ((255, 186, 180), (200, 30, 40, 40)),
    "calm": ((222, 240, 238), (140, 200, 200, 22)),
}

_sprites = SurfaceCache(8 * 2**20)  # a radial per radius, a mask per visualizer size


def _sprite(key: tuple, make: Callable[[], pygame.Surface]) -> pygame.Surface:
    """A surface that never changes once drawn, made the first time its key is asked for."""
    return _sprites.get(key, make)


def _radial(radius: int) -> pygame.Surface:
    """A white disc whose alpha falls off smoothly: the brush for glows, lamps and bokeh."""
    def make() -> pygame.Surface:
        base = pygame.Surface((32, 32), pygame.SRCALPHA)
        for r in range(16, 0, -1):
            a = int(255 * (1 - r / 16) ** 1.8)
            pygame.draw.circle(base, (255, 255, 255, a), (16, 16), r)
        return pygame.transform.smoothscale(base, (radius * 2, radius * 2))
    return _sprite(("radial", radius), make)


def glow(surf: pygame.Surface, pos: tuple[float, float], radius: float, colour: tuple, strength: float = 1.0,
         add: bool = True) -> None:
    radius = max(1, int(radius))
    sprite = _radial(radius).copy()
    sprite.fill((*colour, int(255 * min(1.0, strength))), special_flags=pygame.BLEND_RGBA_MULT)
    flags = pygame.BLEND_RGB_ADD if add else 0
    if add:  # additive blending ignores alpha: premultiply it
        flat = pygame.Surface(sprite.get_size())
        flat.fill((0, 0, 0))
        flat.blit(sprite, (0, 0))
        sprite = flat
    surf.blit(sprite, (int(pos[0] - radius), int(pos[1] - radius)), special_flags=flags)


def vgradient(surf: pygame.Surface, rect: pygame.Rect, stops: tuple[tuple[float, Colour], ...]) -> None:
    for y in range(rect.height):
        t = y / max(1, rect.height - 1)
        for (t0, c0), (t1, c1) in zip(stops, stops[1:]):
            if t0 <= t <= t1:
                colour = mix(c0, c1, (t - t0) / max(1e-6, t1 - t0))
                break
        else:
            colour = stops[-1][1]
        pygame.draw.line(surf, colour, (rect.x, rect.y + y), (rect.right - 1, rect.y + y))


def alpha_layer() -> pygame.Surface:
    return pygame.Surface((CW, CH), pygame.SRCALPHA)


# ---------------------------------------------------------------- shared pieces

class Canvas:
    """The small surface a scene is painted on, with the scene's light and a seeded random source."""

    def __init__(self, surf: pygame.Surface, light: Light, location: str, weather: str):
        self.s = surf
        self.light = light
        self.rng = random.Random(zlib.crc32(location.encode()))
        self.weather = weather
        self.dark = light.dark

    def sky(self, rect: pygame.Rect | None = None) -> None:
        stops = self.light.sky
        if self.weather in ("overcast", "rain", "fog"):
            grey = (150, 150, 160) if not self.dark else (40, 42, 52)
            stops = tuple((t, mix(c, grey, 0.55)) for t, c in stops)
        vgradient(self.s, rect or self.s.get_rect(), stops)

    @property
    def horizon(self) -> Colour:
        return self.light.sky[-1][1]

    def sun(self, clip: pygame.Rect | None = None) -> None:
        if self.light.sun is None or self.weather in ("overcast", "rain", "fog", "snow"):
            return
        x, y, colour = self.light.sun
        prev = self.s.get_clip()
        self.s.set_clip(clip)
        glow(self.s, (x * CW, y * CH), 90, colour, 0.55)
        glow(self.s, (x * CW, y * CH), 22, (255, 250, 235), 0.9)
        self.s.set_clip(prev)

    def shade(self, depth: float) -> Colour:
        """Colour of a silhouette at a depth: 0 = lost in the haze, 1 = near and dark."""
        near = (26, 20, 30) if self.dark else scale_colour(mix(self.horizon, (60, 50, 70), 0.75), 0.9)
        return mix(mix(self.horizon, self.light.haze, 0.5), near, depth)

    def skyline(self, base: int, top: int, x0: int = 0, x1: int = CW, layers: int = 3, lit: float = 1.0) -> None:
        rng = self.rng
        for layer in range(layers):
            depth = (layer + 1) / (layers + 0.6)
            colour = self.shade(depth * 0.9)
            x = x0 - rng.randrange(20)
            span = base - top
            while x < x1:
                w = rng.randrange(10, 34 - layer * 4)
                h = int(span * (0.25 + 0.75 * rng.random() ** (1.4 - layer * 0.25)) * (1 - layer * 0.18))
                rect = pygame.Rect(x, base - h, w, h + 2)
                pygame.draw.rect(self.s, colour, rect)
                if rng.random() < 0.25:  # a stepped crown
                    pygame.draw.rect(self.s, colour, (x + w // 4, base - h - 6, w // 2, 7))
                if rng.random() < 0.15:
                    pygame.draw.line(self.s, colour, (x + w // 2, base - h - 6), (x + w // 2, base - h - 18))
                self._windows(rect, depth, lit)
                x += w + rng.randrange(0, 6)

    def _windows(self, rect: pygame.Rect, depth: float, lit: float) -> None:
        rng = self.rng
        if self.dark:
            warm = [(255, 206, 140), (255, 180, 120), (250, 226, 190), (190, 220, 240)]
            for wy in range(rect.y + 3, rect.bottom - 2, 4):
                for wx in range(rect.x + 2, rect.right - 2, 3):
                    if rng.random() < 0.22 * lit:
                        c = mix(rng.choice(warm), self.light.haze, 0.5 - depth * 0.4)
                        self.s.set_at((wx, wy), c)
        elif depth > 0.4:
            lighter = mix(self.shade(depth * 0.9), self.light.haze, 0.35)
            for wy in range(rect.y + 3, rect.bottom - 2, 5):
                if rng.random() < 0.6:
                    pygame.draw.line(self.s, lighter, (rect.x + 2, wy), (rect.right - 3, wy))

    def bokeh(self, count: int, area: pygame.Rect, big: float = 1.0) -> None:
        if not self.dark:
            return
        rng = self.rng
        colours = [(255, 190, 120), (255, 150, 130), (250, 220, 170), (150, 200, 230), (255, 120, 110)]
        for _ in range(count):
            x = rng.uniform(area.left, area.right)
            y = rng.uniform(area.top, area.bottom)
            glow(self.s, (x, y), rng.uniform(4, 11) * big, rng.choice(colours), rng.uniform(0.25, 0.6))

    def people(self, y: int, count: int, x0: int = 0, x1: int = CW, size: float = 1.0, depth: float = 0.85) -> None:
        """Silhouettes standing on the line y: head, shoulders, coat, legs; some in pairs."""
        rng = self.rng
        colour = self.shade(depth)
        for _ in range(count):
            x = rng.uniform(x0, x1)
            s = size * rng.uniform(0.85, 1.15)
            coat = rng.random() < 0.5
            leg_h, body_h = 8 * s, 10 * s
            top = y - leg_h - body_h
            pygame.draw.line(self.s, colour, (x - 1.4 * s, y - leg_h), (x - 1.8 * s, y), max(1, int(2 * s)))
            pygame.draw.line(self.s, colour, (x + 1.4 * s, y - leg_h), (x + 1.6 * s, y), max(1, int(2 * s)))
            hem = 4.2 * s if coat else 3.2 * s
            pygame.draw.polygon(self.s, colour, [(x - 4.2 * s, top + 1.5 * s), (x + 4.2 * s, top + 1.5 * s),
                                                 (x + hem, y - leg_h + (3 * s if coat else 0)),
                                                 (x - hem, y - leg_h + (3 * s if coat else 0))])
            pygame.draw.ellipse(self.s, colour, (x - 4.4 * s, top, 8.8 * s, 4 * s))
            pygame.draw.rect(self.s, colour, (x - 1 * s, top - 2 * s, 2 * s, 3 * s))
            pygame.draw.ellipse(self.s, colour, (x - 2.6 * s, top - 7 * s, 5.2 * s, 6 * s))

    def window_view(self, rect: pygame.Rect, horizon: float = 0.78, tall: float = 0.15) -> None:
        """The city through a window: sky, sun, towers and lights, clipped to the glass."""
        prev = self.s.get_clip()
        self.s.set_clip(rect)
        self.sky()
        self.sun(rect)
        base = rect.y + int(rect.height * horizon)
        self.skyline(base + 6, rect.y + int(rect.height * tall))
        pygame.draw.rect(self.s, self.shade(0.95), (rect.x, base + 4, rect.width, rect.bottom - base))
        self.bokeh(10, pygame.Rect(rect.x, base - 30, rect.width, 40))
        self.s.set_clip(prev)

    def lamp(self, pos: tuple[float, float], radius: float = 60, colour: Colour = (255, 190, 120),
             strength: float = 1.0) -> None:
        k = strength * (1.0 if self.dark else 0.35)
        glow(self.s, pos, radius, colour, 0.55 * k)
        glow(self.s, pos, radius * 0.25, (255, 236, 200), 0.9 * k)

    def room_colour(self, day: Colour, night: Colour) -> Colour:
        return mix(night, day, self.light.ambient)


# ---------------------------------------------------------------- locations

def _apartment(c: Canvas) -> None:
    s = c.s
    win = pygame.Rect(44, 18, 392, 196)
    c.window_view(win, 0.8, 0.12)
    wall = c.room_colour((196, 168, 150), (72, 46, 48))
    for r in ((0, 0, CW, win.y), (0, 0, win.x, CH), (win.right, 0, CW - win.right, CH)):
        pygame.draw.rect(s, wall, r)
    frame = scale_colour(wall, 0.7)
    for x in (win.x, win.x + win.width // 3, win.x + 2 * win.width // 3, win.right):
        pygame.draw.line(s, frame, (x, win.y), (x, win.bottom), 3)
    pygame.draw.line(s, frame, (win.x, win.y + 2), (win.right, win.y + 2), 3)
    floor = c.room_colour((150, 118, 104), (30, 22, 28))
    pygame.draw.rect(s, floor, (0, win.bottom, CW, CH - win.bottom))
    refl = alpha_layer()
    pygame.draw.rect(refl, (*c.horizon, 40), (win.x, win.bottom, win.width, 30))
    s.blit(refl, (0, 0))
    sofa = c.room_colour((150, 96, 84), (56, 34, 38))
    pygame.draw.rect(s, sofa, (70, 196, 190, 46), border_radius=10)
    pygame.draw.rect(s, scale_colour(sofa, 0.85), (62, 176, 206, 34), border_radius=12)
    pygame.draw.rect(s, scale_colour(sofa, 1.15), (96, 188, 60, 16), border_radius=6)
    pygame.draw.rect(s, scale_colour(sofa, 0.7), (60, 206, 22, 36), border_radius=8)
    pygame.draw.rect(s, scale_colour(sofa, 0.7), (248, 206, 22, 36), border_radius=8)
    pole = c.room_colour((90, 70, 64), (20, 14, 16))
    pygame.draw.line(s, pole, (396, 112), (396, 246), 2)
    pygame.draw.polygon(s, c.room_colour((240, 206, 170), (210, 150, 100)), [(382, 112), (410, 112), (404, 96), (388, 96)])
    c.lamp((396, 110), 80)
    pygame.draw.ellipse(s, scale_colour(pole, 0.9), (384, 244, 24, 6))


def _bedroom(c: Canvas) -> None:
    s = c.s
    win = pygame.Rect(236, 26, 220, 170)
    wall = c.room_colour((200, 170, 160), (38, 26, 34))
    s.fill(wall)
    c.window_view(win, 0.82, 0.2)
    frame = scale_colour(wall, 0.6)
    pygame.draw.rect(s, frame, win, 3)
    pygame.draw.line(s, frame, (win.centerx, win.y), (win.centerx, win.bottom), 3)
    curtain = c.room_colour((226, 180, 170), (74, 44, 52))
    pygame.draw.rect(s, curtain, (win.x - 22, win.y - 8, 26, win.height + 30), border_radius=6)
    pygame.draw.rect(s, curtain, (win.right - 4, win.y - 8, 26, win.height + 30), border_radius=6)
    floor = c.room_colour((160, 126, 112), (26, 18, 24))
    pygame.draw.rect(s, floor, (0, 214, CW, CH - 214))
    sheet = c.room_colour((238, 222, 212), (96, 78, 92))
    pygame.draw.rect(s, scale_colour(sheet, 0.55), (10, 150, 230, 30), border_radius=8)  # headboard
    pygame.draw.rect(s, sheet, (0, 176, 250, 70), border_radius=16)
    pygame.draw.rect(s, scale_colour(sheet, 0.85), (-10, 196, 262, 56), border_radius=18)
    pygame.draw.ellipse(s, mix(sheet, (255, 255, 255), 0.2), (24, 164, 80, 26))
    pygame.draw.ellipse(s, mix(sheet, (255, 255, 255), 0.15), (112, 166, 74, 24))
    table = c.room_colour((120, 90, 80), (30, 20, 24))
    pygame.draw.rect(s, table, (196, 170, 34, 50))
    c.lamp((212, 150), 70, (255, 176, 110))
    pygame.draw.polygon(s, c.room_colour((240, 210, 180), (230, 160, 110)), [(202, 154), (222, 154), (218, 140), (206, 140)])


def _amy_apartment(c: Canvas) -> None:
    s = c.s
    wall = c.room_colour((206, 196, 160), (46, 40, 34))
    s.fill(wall)
    win = pygame.Rect(150, 30, 180, 130)
    c.window_view(win, 0.8, 0.25)
    frame = scale_colour(wall, 0.65)
    pygame.draw.rect(s, frame, win, 4)
    pygame.draw.line(s, frame, (win.x, win.centery), (win.right, win.centery), 3)
    shelf = c.room_colour((140, 104, 78), (40, 28, 24))
    rng = c.rng
    for y in (56, 96, 136):
        pygame.draw.rect(s, shelf, (372, y, 90, 5))
        x = 376
        while x < 456:
            w = rng.randrange(4, 9)
            h = rng.randrange(16, 30)
            colour = c.room_colour(rng.choice([(196, 90, 70), (90, 130, 120), (220, 170, 90), (120, 100, 150)]),
                                   (60, 40, 40))
            pygame.draw.rect(s, colour, (x, y - h, w, h))
            x += w + 1
    floor = c.room_colour((170, 140, 110), (34, 26, 24))
    pygame.draw.rect(s, floor, (0, 208, CW, CH - 208))
    couch = c.room_colour((220, 168, 80), (88, 62, 30))
    pygame.draw.rect(s, scale_colour(couch, 0.85), (28, 168, 220, 40), border_radius=12)
    pygame.draw.rect(s, couch, (20, 190, 236, 46), border_radius=12)
    pygame.draw.rect(s, mix(couch, (200, 100, 90), 0.5), (54, 178, 40, 24), border_radius=6)
    leaf = c.room_colour((100, 150, 104), (30, 50, 36))
    pot = c.room_colour((190, 110, 80), (60, 34, 28))
    for px, py, size in ((300, 208, 1.0), (140, 160, 0.6), (336, 160, 0.55)):
        pygame.draw.rect(s, pot, (px - 10 * size, py - 20 * size, 20 * size, 20 * size), border_radius=3)
        for i in range(9):
            a = math.pi * (0.1 + 0.8 * i / 8)
            pygame.draw.ellipse(s, leaf, (px + math.cos(a) * 20 * size - 8 * size, py - 20 * size - math.sin(a) * 30 * size - 5 * size,
                                          16 * size, 10 * size))
    c.lamp((420, 186), 70, (255, 196, 120))


def _office(c: Canvas) -> None:
    s = c.s
    win = pygame.Rect(0, 0, CW, 180)
    c.window_view(win, 0.85, 0.08)
    haze = alpha_layer()
    haze.fill((*c.light.haze, 90))
    s.blit(haze, (0, 0))
    floor = c.room_colour((222, 200, 186), (60, 46, 52))
    pygame.draw.rect(s, floor, (0, 172, CW, CH - 172))
    panels = [(240, 150, 150), (246, 196, 120), (160, 206, 190), (236, 120, 110), (200, 176, 226), (250, 220, 150)]
    layer = alpha_layer()
    x = -10
    for i in range(9):
        w = 52 + (i * 17) % 30
        colour = panels[i % len(panels)]
        pygame.draw.rect(layer, (*colour, 120), (x, 40 + (i % 3) * 8, w, 136 - (i % 3) * 8), border_radius=4)
        pygame.draw.rect(layer, (*mix(colour, (255, 255, 255), 0.4), 160), (x, 40 + (i % 3) * 8, w, 4))
        x += w + 4
    s.blit(layer, (0, 0))
    desk = c.room_colour((236, 226, 216), (80, 66, 70))
    for dx in (40, 190, 340):  # desks and screens above the line where the text box begins
        pygame.draw.rect(s, desk, (dx, 170, 110, 8), border_radius=2)
        pygame.draw.rect(s, scale_colour(desk, 0.8), (dx + 8, 178, 6, 40))
        pygame.draw.rect(s, scale_colour(desk, 0.8), (dx + 96, 178, 6, 40))
        pygame.draw.rect(s, (50, 44, 52), (dx + 40, 140, 40, 28), border_radius=3)
        pygame.draw.rect(s, c.room_colour((250, 238, 226), (200, 200, 230)), (dx + 42, 142, 36, 24), border_radius=2)
        glow(s, (dx + 60, 154), 30, (250, 220, 200), 0.25)
    c.people(172, 2, 100, 400, 1.3, 0.7)


def _elevator(c: Canvas) -> None:
    s = c.s
    wood = c.room_colour((170, 110, 78), (84, 50, 38))
    s.fill(scale_colour(wood, 0.8))
    for x in range(0, CW, 24):
        pygame.draw.rect(s, mix(wood, (255, 220, 180), 0.08 * ((x // 24) % 3)), (x, 0, 22, CH))
    metal = c.room_colour((206, 196, 190), (120, 110, 112))
    door = pygame.Rect(150, 46, 180, 200)
    pygame.draw.rect(s, scale_colour(metal, 0.7), door.inflate(12, 12))
    gap = 14
    c.sky(pygame.Rect(door.centerx - gap // 2, door.y, gap, door.height))
    pygame.draw.rect(s, metal, (door.x, door.y, door.width // 2 - gap // 2, door.height))
    pygame.draw.rect(s, metal, (door.centerx + gap // 2, door.y, door.width // 2 - gap // 2, door.height))
    for x in range(door.x, door.right, 6):
        pygame.draw.line(s, mix(metal, (255, 255, 255), 0.12), (x, door.y), (x, door.bottom))
    display = pygame.Rect(208, 16, 64, 18)
    pygame.draw.rect(s, (26, 16, 16), display, border_radius=4)
    for i in range(5):
        pygame.draw.circle(s, (255, 170, 100) if i == 3 else (90, 60, 50), (display.x + 10 + i * 11, display.centery), 3)
    glow(s, (display.x + 43, display.centery), 24, (255, 160, 90), 0.6)
    floor = c.room_colour((120, 96, 88), (40, 28, 26))
    pygame.draw.rect(s, floor, (0, 246, CW, 24))
    glow(s, (CW / 2, -20), 200, (255, 230, 200), 0.35)


def _street(c: Canvas) -> None:
    s = c.s
    c.sky()
    c.sun()
    vx, vy = CW * 0.52, 150
    c.skyline(vy + 4, 30, 150, 350)
    ground = c.shade(0.8)
    pygame.draw.polygon(s, mix(ground, c.horizon, 0.25), [(0, CH), (CW, CH), (vx + 30, vy), (vx - 30, vy)])
    for side, x_edge in ((-1, 0), (1, CW)):
        colour = c.shade(0.92)
        pts = [(x_edge, 0), (vx + side * 70, vy - 110), (vx + side * 70, vy + 6), (x_edge, CH)]
        pygame.draw.polygon(s, colour, pts)
        shop = (255, 196, 140) if c.dark else mix(c.light.haze, (255, 255, 255), 0.3)
        for i in range(1, 7):  # window bands and shop fronts receding
            t0, t1 = (i - 1) / 7 + 0.02, i / 7 - 0.03
            x0 = x_edge + (vx + side * 70 - x_edge) * t0
            x1 = x_edge + (vx + side * 70 - x_edge) * t1
            top = 0 + (vy - 110) * t1
            bottom0, bottom1 = CH + (vy + 6 - CH) * t0, CH + (vy + 6 - CH) * t1
            pygame.draw.line(s, mix(colour, c.light.haze, 0.18), (x1, top + 10), (x1, bottom1 - 30), 2)
            h0, h1 = (bottom0 - 0) * 0.16, (bottom1 - 0) * 0.16
            quad = [(x0, bottom0 - h0 * 1.6), (x1, bottom1 - h1 * 1.6), (x1, bottom1 - h1 * 0.5), (x0, bottom0 - h0 * 0.5)]
            pygame.draw.polygon(s, mix(colour, shop, 0.55 if c.dark else 0.3), quad)
            if c.dark:
                glow(s, ((x0 + x1) / 2, (bottom0 + bottom1) / 2 - h1), 26 * (1 - t0) + 6, (255, 170, 110), 0.35)
    for i in range(4):  # street lamps
        t = 0.15 + i * 0.22
        for side in (-1, 1):
            x = vx + side * (30 + (1 - t) * 170)
            y = vy + (1 - t) * 120
            h = 70 * (1 - t) + 12
            pygame.draw.line(s, c.shade(0.95), (x, y), (x, y - h), max(1, int(3 * (1 - t))))
            if c.dark or c.weather in ("rain", "fog", "overcast"):
                c.lamp((x, y - h), 30 * (1 - t) + 8, (255, 196, 130))
    c.people(vy + 70, 5, 120, 380, 1.6, 0.88)
    c.bokeh(16, pygame.Rect(100, 80, 280, 100))


def _plaza(c: Canvas) -> None:
    s = c.s
    c.sky()
    c.sun()
    c.skyline(170, 20, lit=0.7)
    tower = c.shade(0.85)
    screen = plaza_screen_rect()
    pygame.draw.rect(s, tower, screen.inflate(60, 80).move(0, 20))
    vgradient(s, screen, ((0, (246, 196, 178)), (0.6, (214, 170, 200)), (1, (170, 150, 196))))
    prev = s.get_clip()
    s.set_clip(screen)
    for cx, cy, r, colour in ((0.3, 0.4, 30, (255, 230, 200)), (0.7, 0.65, 38, (255, 160, 150)), (0.55, 0.2, 20, (250, 240, 230))):
        glow(s, (screen.x + cx * screen.width, screen.y + cy * screen.height), r, colour, 0.45)
    s.set_clip(prev)
    glow(s, screen.center, 110, (255, 200, 190), 0.3 if c.dark else 0.12)
    ground = mix(c.shade(0.6), c.light.haze, 0.2)
    pygame.draw.rect(s, ground, (0, 172, CW, CH - 172))
    for i in range(-8, 9):
        pygame.draw.line(s, mix(ground, c.light.haze, 0.25), (CW / 2 + i * 14, 172), (CW / 2 + i * 80, CH), 1)
    for y in (186, 204, 230, 262):
        pygame.draw.line(s, mix(ground, c.light.haze, 0.2), (0, y), (CW, y), 1)
    c.people(196, 8, 20, 460, 0.9, 0.75)
    c.people(236, 5, 0, 480, 1.5, 0.9)
    c.bokeh(12, pygame.Rect(0, 120, CW, 60))


def plaza_screen_rect() -> pygame.Rect:
    """Where the plaza's giant screen is on the canvas (the owl flies across it)."""
    return pygame.Rect(170, 40, 140, 90)


def _subway(c: Canvas) -> None:
    """A platform in one-point perspective: tiled walls, lights along the ceiling, a train's lamp in the tunnel."""
    s = c.s
    tile = c.room_colour((222, 214, 196), (110, 100, 92))
    far = pygame.Rect(276, 96, 64, 52)
    pygame.draw.polygon(s, scale_colour(tile, 1.05), [(0, 0), (CW, 0), (far.right, far.y), (far.x, far.y)])
    pygame.draw.polygon(s, tile, [(0, 0), (far.x, far.y), (far.x, far.bottom), (0, 206)])
    pygame.draw.polygon(s, scale_colour(tile, 0.8), [(CW, 0), (far.right, far.y), (far.right, far.bottom), (CW, 236)])
    grout = mix(tile, (255, 255, 255), 0.18)
    for i in range(1, 14):
        t = i / 14
        pygame.draw.line(s, grout, (0, 206 * t), (far.x, far.y + far.height * t), 1)
    for x in range(0, far.x, 18):
        t = x / far.x
        pygame.draw.line(s, grout, (x, t * far.y), (x, 206 + (far.bottom - 206) * t), 1)
    band = mix((200, 86, 66), tile, 0.15)
    pygame.draw.polygon(s, band, [(0, 92), (far.x, far.y + 20), (far.x, far.y + 25), (0, 110)])
    pygame.draw.polygon(s, band, [(CW, 104), (far.right, far.y + 20), (far.right, far.y + 25), (CW, 124)])
    pygame.draw.rect(s, (18, 14, 18), far)
    pygame.draw.ellipse(s, (18, 14, 18), (far.x, far.y - 16, far.width, 34))
    platform = c.room_colour((168, 156, 146), (76, 70, 68))
    pygame.draw.polygon(s, platform, [(0, 206), (far.x, far.bottom), (far.x + 18, far.bottom), (190, CH), (0, CH)])
    pygame.draw.polygon(s, (34, 28, 32), [(190, CH), (far.x + 18, far.bottom), (far.right, far.bottom), (CW, 236), (CW, CH)])
    for offset in (0.35, 0.65):
        pygame.draw.line(s, (120, 110, 110), (190 + (CW - 190) * offset, CH), (far.x + 18 + (far.width - 18) * offset,
                                                                                  far.bottom), 1)
    pygame.draw.line(s, (236, 200, 70), (190, CH), (far.x + 18, far.bottom), 3)
    for i in range(8):
        t = i / 8
        lamp_x = CW * 0.42 + (far.centerx - CW * 0.42) * t
        lamp_y = 6 + (far.y - 10) * t
        pygame.draw.line(s, (255, 248, 232), (lamp_x - 16 * (1 - t) - 2, lamp_y), (lamp_x + 16 * (1 - t) + 2, lamp_y),
                         max(1, int(4 * (1 - t))))
        glow(s, (lamp_x, lamp_y + 8), 34 * (1 - t) + 6, (255, 236, 206), 0.3)
    glow(s, (far.centerx + 10, far.centery + 6), 46, (255, 228, 170), 0.8)
    glow(s, (far.centerx + 10, far.centery + 6), 10, (255, 255, 240), 1.0)
    c.people(238, 3, 30, 170, 1.9, 0.85)


def _train(c: Canvas) -> None:
    s = c.s
    wall = c.room_colour((200, 186, 172), (60, 54, 58))
    s.fill(wall)
    for i in range(3):
        win = pygame.Rect(24 + i * 152, 52, 130, 100)
        prev = s.get_clip()
        s.set_clip(win)
        c.sky(win)
        c.sun(win)
        rng = random.Random(i)
        hill = c.shade(0.5)
        pts = [(win.x, win.bottom)] + [(x, win.y + 60 + 14 * math.sin(x * 0.05 + i)) for x in range(win.x, win.right + 8, 8)]
        pygame.draw.polygon(s, hill, pts + [(win.right, win.bottom)])
        for _ in range(6):
            x = rng.uniform(win.x, win.right)
            pygame.draw.polygon(s, c.shade(0.8), [(x, win.y + 54), (x - 6, win.y + 84), (x + 6, win.y + 84)])
        streak = alpha_layer()
        for _ in range(8):
            y = rng.uniform(win.y, win.bottom)
            pygame.draw.line(streak, (*c.light.haze, 60), (win.x, y), (win.right, y + 2), 1)
        s.blit(streak, (0, 0))
        s.set_clip(prev)
        pygame.draw.rect(s, scale_colour(wall, 0.7), win, 4, border_radius=14)
    seat = c.room_colour((160, 90, 84), (70, 40, 44))
    for x in (20, 250):
        pygame.draw.rect(s, seat, (x, 170, 210, 30), border_radius=8)
        pygame.draw.rect(s, scale_colour(seat, 0.8), (x, 196, 210, 40), border_radius=6)
    pygame.draw.rect(s, c.room_colour((110, 100, 100), (30, 28, 32)), (0, 236, CW, 34))
    pygame.draw.line(s, (236, 230, 220), (0, 26), (CW, 26), 4)
    glow(s, (CW / 2, 26), 160, (255, 240, 220), 0.25)


def _stairs(c: Canvas) -> None:
    s = c.s
    wall = c.room_colour((190, 180, 168), (70, 64, 64))
    s.fill(wall)
    top = pygame.Rect(180, 8, 120, 64)
    c.sky(top)
    prev = s.get_clip()
    s.set_clip(top)
    c.skyline(top.bottom, top.y + 8, top.x, top.right, 2)
    s.set_clip(prev)
    glow(s, top.center, 150, c.light.haze, 0.35)
    for i in range(18):
        t = i / 18
        y0 = CH - (CH - top.bottom) * t
        y1 = CH - (CH - top.bottom) * (i + 1) / 18
        half0 = 240 - 180 * t
        step = mix(c.room_colour((150, 140, 132), (50, 46, 48)), c.light.haze, t * 0.5)
        pygame.draw.polygon(s, step, [(240 - half0, y0), (240 + half0, y0), (240 + half0 * 0.96, y1), (240 - half0 * 0.96, y1)])
        pygame.draw.line(s, mix(step, (255, 255, 255), 0.25), (240 - half0, y0), (240 + half0, y0), 1)
    rail = c.shade(0.9)
    pygame.draw.line(s, rail, (40, 120), (top.x - 4, top.bottom + 10), 3)
    pygame.draw.line(s, rail, (440, 120), (top.right + 4, top.bottom + 10), 3)
    c.people(top.bottom + 40, 2, 200, 290, 0.7, 0.6)


def _beach(c: Canvas) -> None:
    s = c.s
    horizon = 118  # high, so the sand and the people on it sit above the text box
    c.sky(pygame.Rect(0, 0, CW, horizon))
    c.sun(pygame.Rect(0, 0, CW, horizon + 4))
    sea_top = mix(c.horizon, (90, 140, 170), 0.45)
    vgradient(s, pygame.Rect(0, horizon, CW, 62), ((0, sea_top), (1, mix(sea_top, (60, 110, 140), 0.5))))
    if c.light.sun:
        x = c.light.sun[0] * CW
        shimmer = alpha_layer()
        for i in range(12):
            y = horizon + 3 + i * 4
            w = 40 + i * 6
            pygame.draw.line(shimmer, (*c.light.sun[2], 120 - i * 7), (x - w / 2 + (i * 13) % 20, y), (x + w / 2, y), 1)
        s.blit(shimmer, (0, 0))
    sand = mix((236, 208, 170), c.light.haze, 0.2) if not c.dark else (70, 60, 70)
    pts = [(0, CH), (0, 174)] + [(x, 168 + 6 * math.sin(x * 0.02)) for x in range(0, CW + 10, 10)] + [(CW, CH)]
    pygame.draw.polygon(s, sand, pts)
    foam = alpha_layer()
    for i in range(3):
        y = 166 - i * 7
        pts = [(x, y + 2 * math.sin(x * 0.05 + i)) for x in range(0, CW + 10, 10)]
        pygame.draw.lines(foam, (255, 255, 255, 110 - i * 30), False, pts, 1)
    s.blit(foam, (0, 0))
    pier = c.shade(0.55)
    pygame.draw.rect(s, pier, (0, horizon - 8, 120, 5))
    for x in range(4, 120, 12):
        pygame.draw.line(s, pier, (x, horizon - 4), (x, horizon + 6), 2)
    c.people(190, 4, 180, 460, 1.3, 0.85)
    umbrella = (236, 110, 90)
    pygame.draw.line(s, c.shade(0.8), (124, 190), (127, 154), 2)
    pygame.draw.ellipse(s, umbrella, (96, 144, 62, 22))
    pygame.draw.rect(s, sand, (96, 156, 62, 12))
    pygame.draw.line(s, c.shade(0.8), (127, 156), (127, 162), 2)


def _park(c: Canvas) -> None:
    s = c.s
    c.sky()
    c.sun()
    c.skyline(160, 70, lit=0.6)
    grass = mix((130, 160, 110), c.horizon, 0.35) if not c.dark else (30, 40, 40)
    pts = [(0, CH), (0, 170)] + [(x, 168 - 16 * math.sin(x / CW * math.pi)) for x in range(0, CW + 10, 10)] + [(CW, CH)]
    pygame.draw.polygon(s, grass, pts)
    pygame.draw.polygon(s, mix(grass, (230, 210, 180), 0.4), [(200, CH), (280, CH), (250, 160), (240, 160)])
    rng = c.rng
    for tx, ty, size in ((60, 180, 1.3), (130, 160, 0.8), (380, 170, 1.1), (440, 190, 1.5), (320, 150, 0.6)):
        trunk = c.shade(0.9)
        pygame.draw.line(s, trunk, (tx, ty), (tx, ty + 40 * size), max(2, int(4 * size)))
        leaf = mix(mix((96, 130, 90), c.horizon, 0.3), (20, 26, 30), 0.7 if c.dark else 0.1)
        for _ in range(7):
            pygame.draw.circle(s, scale_colour(leaf, rng.uniform(0.85, 1.15)),
                               (tx + rng.uniform(-22, 22) * size, ty + rng.uniform(-26, 4) * size), rng.uniform(12, 20) * size)
    c.people(226, 3, 150, 330, 1.4, 0.85)


def _fair(c: Canvas) -> None:
    s = c.s
    c.sky()
    c.sun()
    cx, cy, r = 330, 100, 78
    frame = c.shade(0.75)
    pygame.draw.circle(s, frame, (cx, cy), r, 2)
    pygame.draw.circle(s, frame, (cx, cy), r - 12, 1)
    for i in range(16):
        a = i / 16 * math.tau
        x, y = cx + math.cos(a) * r, cy + math.sin(a) * r
        pygame.draw.line(s, frame, (cx, cy), (x, y), 1)
        pygame.draw.rect(s, mix((236, 120, 100), (250, 200, 120), (i % 3) / 2), (x - 4, y, 8, 8), border_radius=2)
    pygame.draw.polygon(s, frame, [(cx, cy), (cx - 40, 200), (cx - 34, 200)])
    pygame.draw.polygon(s, frame, [(cx, cy), (cx + 40, 200), (cx + 34, 200)])
    ground = mix((200, 180, 150), c.horizon, 0.4) if not c.dark else (50, 40, 50)
    pygame.draw.rect(s, ground, (0, 196, CW, CH - 196))
    for i, x in enumerate(range(10, 250, 60)):
        colour = [(240, 140, 120), (246, 210, 140), (150, 200, 190), (236, 170, 190)][i % 4]
        pygame.draw.rect(s, mix(colour, c.shade(0.5), 0.3), (x, 160, 52, 40))
        pygame.draw.polygon(s, colour, [(x - 4, 162), (x + 26, 140), (x + 56, 162)])
        for sx in range(x, x + 52, 8):
            pygame.draw.rect(s, (250, 246, 236), (sx, 160, 4, 8))
    for j in range(3):  # strings of bulbs
        y0 = 60 + j * 18
        pts = [(x, y0 + 20 * math.sin(x / CW * math.pi)) for x in range(0, CW + 1, 8)]
        pygame.draw.lines(s, c.shade(0.6), False, pts, 1)
        for x, y in pts[::2]:
            glow(s, (x, y + 2), 5, (255, 214, 150), 0.9 if c.dark else 0.35)
    c.people(200, 7, 0, 480, 1.2, 0.85)


def _restaurant(c: Canvas) -> None:
    s = c.s
    wall = c.room_colour((200, 150, 120), (70, 40, 36))
    s.fill(wall)
    win = pygame.Rect(30, 40, 420, 130)
    c.window_view(win, 0.9, 0.15)
    for x in range(win.x, win.right + 1, 70):
        pygame.draw.line(s, scale_colour(wall, 0.6), (x, win.y), (x, win.bottom), 4)
    floor = c.room_colour((150, 100, 80), (40, 24, 24))
    pygame.draw.rect(s, floor, (0, 170, CW, CH - 170))
    cloth = c.room_colour((250, 240, 230), (200, 180, 170))
    for tx, ty, w in ((90, 172, 110), (300, 168, 120)):  # tables with their candles above the text box
        pygame.draw.ellipse(s, cloth, (tx - w / 2, ty, w, 22))
        pygame.draw.rect(s, scale_colour(cloth, 0.85), (tx - w / 2 + 4, ty + 11, w - 8, 28))
        pygame.draw.rect(s, (250, 250, 240), (tx - 3, ty - 8, 6, 10))
        glow(s, (tx, ty - 8), 14, (255, 200, 120), 0.8)
    for x in (100, 240, 380):
        pygame.draw.line(s, (30, 20, 20), (x, 0), (x, 30), 1)
        pygame.draw.polygon(s, c.room_colour((220, 150, 90), (200, 120, 70)), [(x - 12, 40), (x + 12, 40), (x + 5, 28), (x - 5, 28)])
        c.lamp((x, 42), 60, (255, 186, 110), 1.2)
    c.people(178, 2, 40, 440, 1.5, 0.9)


def _cabin(c: Canvas) -> None:
    s = c.s
    c.sky()
    c.sun()
    for i, (base, _colour_t) in enumerate(((150, 0.35), (176, 0.55))):
        colour = mix(c.horizon, (230, 236, 246), 0.5) if i == 0 else mix(c.shade(0.4), (240, 244, 250), 0.5)
        pts: list[tuple[float, float]] = [(0, CH)]
        for ridge_x in range(0, CW + 20, 20):
            pts.append((ridge_x, base - 50 * abs(math.sin(ridge_x * 0.013 + i * 2)) - 20 * math.sin(ridge_x * 0.05)))
        pts.append((CW, CH))
        pygame.draw.polygon(s, colour, pts)
    snow = (236, 238, 246) if not c.dark else (120, 126, 150)
    pygame.draw.rect(s, snow, (0, 200, CW, CH - 200))
    pine = mix((40, 70, 66), c.horizon, 0.2) if not c.dark else (20, 28, 36)
    rng = c.rng
    for _ in range(14):
        x = rng.uniform(0, CW)
        h = rng.uniform(40, 80)
        y = rng.uniform(196, 214)
        if 200 < x < 330:
            continue
        for k in range(3):
            w = h * (0.5 - k * 0.12)
            pygame.draw.polygon(s, pine, [(x, y - h + k * h * 0.22), (x - w / 2, y - h * 0.35 + k * h * 0.2),
                                          (x + w / 2, y - h * 0.35 + k * h * 0.2)])
            pygame.draw.line(s, snow, (x - w / 3, y - h * 0.42 + k * h * 0.2), (x, y - h * 0.55 + k * h * 0.2), 2)
    wood = (110, 70, 52) if not c.dark else (50, 32, 30)
    pygame.draw.rect(s, wood, (214, 160, 110, 52))
    pygame.draw.polygon(s, snow, [(204, 162), (269, 120), (334, 162)])
    for wx in (230, 286):
        pygame.draw.rect(s, (255, 196, 120), (wx, 174, 20, 16))
        glow(s, (wx + 10, 182), 40, (255, 170, 90), 0.7 if c.dark else 0.3)
    pygame.draw.rect(s, wood, (290, 128, 10, 22))


def _rooftop(c: Canvas) -> None:
    s = c.s
    c.sky()
    c.sun()
    c.skyline(210, 70, layers=3)
    c.bokeh(14, pygame.Rect(0, 150, CW, 60))
    ledge = c.shade(0.95)
    pygame.draw.polygon(s, ledge, [(0, 214), (CW, 224), (CW, CH), (0, CH)])
    pygame.draw.line(s, mix(ledge, c.light.haze, 0.4), (0, 214), (CW, 224), 2)
    c.people(222, 1, 130, 131, 2.4, 1.0)
    c.people(222, 1, 160, 161, 2.2, 1.0)


def _hallway(c: Canvas) -> None:
    s = c.s
    wall = c.room_colour((214, 196, 176), (60, 46, 48))
    s.fill(wall)
    vx, vy = 240, 120
    end = pygame.Rect(vx - 40, vy - 40, 80, 80)
    c.window_view(end, 0.8, 0.2)
    pygame.draw.polygon(s, scale_colour(wall, 1.1), [(0, 0), (CW, 0), (end.right, end.y), (end.x, end.y)])
    floor = c.room_colour((150, 110, 96), (40, 28, 30))
    pygame.draw.polygon(s, floor, [(0, CH), (CW, CH), (end.right, end.bottom), (end.x, end.bottom)])
    pygame.draw.polygon(s, scale_colour(wall, 0.85), [(0, 0), (end.x, end.y), (end.x, end.bottom), (0, CH)])
    pygame.draw.polygon(s, scale_colour(wall, 0.78), [(CW, 0), (end.right, end.y), (end.right, end.bottom), (CW, CH)])
    door = c.room_colour((160, 110, 90), (70, 44, 40))
    for t in (0.15, 0.45, 0.7):
        for side in (-1, 1):
            x0 = vx + side * (vx - (vx - 40) * t) * 1.0
            x1 = vx + side * (vx - (vx - 40) * (t + 0.12))
            h0, h1 = 190 * (1 - t) + 40 * t, 190 * (1 - t - 0.12) + 40 * (t + 0.12)
            pygame.draw.polygon(s, door, [(x0, vy + h0 * 0.62), (x1, vy + h1 * 0.62), (x1, vy - h1 * 0.38), (x0, vy - h0 * 0.38)])
    for t in (0.1, 0.35, 0.6, 0.8):
        y = end.y * t
        c.lamp((vx, y + 4), 50 * (1 - t) + 10, (255, 214, 160), 0.8)


def _elsewhere(c: Canvas) -> None:
    """A place the story declares and the window has no painting for: an open horizon in the scene's light,
    rather than a room that is not there."""
    s = c.s
    horizon = 150
    c.sky(pygame.Rect(0, 0, CW, horizon))
    c.sun(pygame.Rect(0, 0, CW, horizon + 4))
    ground = mix(c.horizon, (70, 74, 90), 0.55) if not c.dark else (34, 34, 46)
    vgradient(s, pygame.Rect(0, horizon, CW, CH - horizon), ((0, ground), (1, mix(ground, (20, 20, 28), 0.5))))
    pygame.draw.line(s, mix(c.horizon, (255, 255, 255), 0.3), (0, horizon), (CW, horizon), 1)


LOCATIONS: dict[str, Callable[[Canvas], None]] = {
    "apartment": _apartment, "bedroom": _bedroom, "amy_apartment": _amy_apartment, "office": _office,
    "elevator": _elevator, "street": _street, "plaza": _plaza, "subway": _subway, "train": _train,
    "stairs": _stairs, "beach": _beach, "park": _park, "fair": _fair, "restaurant": _restaurant,
    "cabin": _cabin, "rooftop": _rooftop, "hallway": _hallway,
}
INTERIORS = {"apartment", "bedroom", "amy_apartment", "office", "elevator", "subway", "train", "restaurant", "hallway"}


# ---------------------------------------------------------------- weather, mood, finish

def _weather(c: Canvas, location: str) -> None:
    s = c.s
    weather = c.weather
    indoor = location in INTERIORS
    rng = random.Random(7)
    if weather in ("haze", "fog"):
        layer = alpha_layer()
        strength = 150 if weather == "fog" else 80
        for row in range(CH):
            t = 1 - abs(row - CH * 0.6) / (CH * 0.6)
            a = int(strength * max(0.0, t) ** 1.5 * (0.5 if indoor else 1.0))
            pygame.draw.line(layer, (*c.light.haze, a), (0, row), (CW, row))
        s.blit(layer, (0, 0))
    elif weather == "rain":
        layer = alpha_layer()
        colour = mix(c.light.haze, (255, 255, 255), 0.4)
        for _ in range(260 if not indoor else 90):
            x, y = rng.uniform(-20, CW), rng.uniform(-10, CH)
            pygame.draw.line(layer, (*colour, rng.randrange(40, 110)), (x, y), (x + 3, y + 14), 1)
        if indoor:
            for _ in range(70):
                x, y = rng.uniform(0, CW), rng.uniform(0, CH * 0.8)
                pygame.draw.circle(layer, (*colour, 90), (x, y), rng.uniform(1, 2.4))
        s.blit(layer, (0, 0))
    elif weather == "snow":
        layer = alpha_layer()
        for _ in range(220 if not indoor else 80):
            x, y = rng.uniform(0, CW), rng.uniform(0, CH)
            pygame.draw.circle(layer, (255, 255, 255, rng.randrange(120, 230)), (x, y), rng.choice((1, 1, 1.5, 2)))
        s.blit(layer, (0, 0))
    elif weather == "wind" and not indoor:
        layer = alpha_layer()
        for _ in range(30):
            x, y = rng.uniform(0, CW), rng.uniform(0, CH)
            pygame.draw.arc(layer, (*c.light.haze, 90), (x, y, 60, 12), 0.3, 2.6, 1)
        s.blit(layer, (0, 0))


def _mood(c: Canvas, mood: str | None) -> None:
    if not mood or mood not in MOODS:
        return
    tint, wash = MOODS[mood]
    c.s.fill(tint, special_flags=pygame.BLEND_RGB_MULT)
    layer = alpha_layer()
    layer.fill(wash)
    c.s.blit(layer, (0, 0))


def _vignette() -> pygame.Surface:
    def make() -> pygame.Surface:
        small = pygame.Surface((96, 54), pygame.SRCALPHA)
        for y in range(54):
            for x in range(96):
                dx, dy = (x - 47.5) / 48, (y - 26.5) / 27
                d = math.sqrt(dx * dx * 0.9 + dy * dy)
                small.set_at((x, y), (12, 6, 10, int(min(200, max(0.0, d - 0.55) ** 1.6 * 260))))
        return pygame.transform.smoothscale(small, (CW, CH))
    return _sprite(("vignette",), make)


def _grain_tile() -> pygame.Surface:
    def make() -> pygame.Surface:
        tile = pygame.Surface((128, 128), pygame.SRCALPHA)
        rng = random.Random(3)
        for y in range(128):
            for x in range(128):
                v = rng.randrange(256)
                tile.set_at((x, y), (v, v, v, 10))
        return tile
    return _sprite(("grain",), make)


def add_grain(surf: pygame.Surface) -> None:
    """Film grain, tiled (one small tile, not a surface per window size)."""
    tile = _grain_tile()
    w, h = surf.get_size()
    surf.blits([(tile, (x, y)) for y in range(0, h, 128) for x in range(0, w, 128)], doreturn=False)


def paint_canvas(location: str | None, time: str | None, mood: str | None, weather: str | None) -> pygame.Surface:
    """The scene on the small canvas: sky, place, weather, mood, vignette."""
    light = LIGHTS.get(time or "", LIGHTS["evening"])
    location = location or "apartment"
    surf = pygame.Surface((CW, CH))
    canvas = Canvas(surf, light, location, weather or "clear")
    LOCATIONS.get(location, _elsewhere)(canvas)
    _weather(canvas, location)
    _mood(canvas, mood)
    surf.blit(_vignette(), (0, 0))
    return surf


MAX_CROP = 0.25  # of the art's width or height: cut more and the scene is lost, so bands fill the rest


def art_rect(size: tuple[int, int]) -> pygame.Rect:
    """Where the whole canvas lands in a window of this size, at its own aspect ratio: it covers the window
    (the overflow cropped) unless that would cut more than MAX_CROP of it; then it is scaled down to cut just
    that much, and the bands left are filled with a blurred, darkened copy."""
    w, h = size
    cover = max(w / CW, h / CH)
    scale = cover
    if CW * cover * (1 - MAX_CROP) > w:  # a tall window: too much of the sides would go
        scale = w / (CW * (1 - MAX_CROP))
    elif CH * cover * (1 - MAX_CROP) > h:  # a very wide one: too much of the top and bottom
        scale = h / (CH * (1 - MAX_CROP))
    rect = pygame.Rect(0, 0, round(CW * scale), round(CH * scale))
    rect.center = (w // 2, h // 2)
    return rect


def fit_art(canvas: pygame.Surface, size: tuple[int, int]) -> pygame.Surface:
    """The canvas in a window of this size, never stretched (see art_rect)."""
    rect = art_rect(size)
    surf = pygame.Surface(size)
    if not rect.contains(surf.get_rect()):  # bands to fill
        small = pygame.transform.smoothscale(canvas, (max(1, size[0] // 12), max(1, size[1] // 12)))
        surf.blit(pygame.transform.smoothscale(small, size), (0, 0))
        surf.fill((110, 104, 112), special_flags=pygame.BLEND_RGB_MULT)
    surf.blit(pygame.transform.smoothscale(canvas, rect.size), rect.topleft)
    return surf


class Painter:
    """Paints and caches backgrounds by scene and size."""

    def __init__(self, max_bytes: int = 24 * 2**20):
        self._cache = SurfaceCache(max_bytes)  # a few window-sized pictures: the scenes crossfaded, the menus' ground

    def background(self, scene: dict, size: tuple[int, int], tint: tuple[int, int, int] | None = None) -> pygame.Surface:
        """The scene at this size; tint multiplies its colours (the outage's cold light), once, when it is painted."""
        key = (scene.get("location"), scene.get("time"), scene.get("mood"), scene.get("weather"), tuple(size), tint)

        def make() -> pygame.Surface:
            surf = fit_art(paint_canvas(*key[:4]), size)
            if size[0] >= 320:
                add_grain(surf)
            if tint:
                surf.fill(tint, special_flags=pygame.BLEND_RGB_MULT)
            return surf.convert() if pygame.display.get_surface() else surf

        return self._cache.get(key, make)



THUMB_WIDTH = 320


def encode_thumbnail(picture: pygame.Surface) -> str:
    """A small JPEG of a picture (the window at the moment of saving) as a data: URI, for save slots."""
    w, h = picture.get_size()
    surf = pygame.transform.smoothscale(picture, (THUMB_WIDTH, max(1, round(THUMB_WIDTH * h / w))))
    buffer = io.BytesIO()
    pygame.image.save(surf, buffer, "thumb.jpg")
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


MAX_THUMB_PIXELS = 1280 * 1280  # far above THUMB_WIDTH's; a save's image is untrusted (a 4 MB file can claim 65535^2)


def decode_thumbnail(data: str | None) -> pygame.Surface | None:
    if not data or not data.startswith("data:image/"):
        return None
    try:
        header, _, payload = data.partition(",")
        raw = base64.b64decode(payload, validate=True)
        size = image_size(raw)
        if size is None or size[0] * size[1] > MAX_THUMB_PIXELS:  # decoding would allocate it all first
            return None
        return pygame.image.load(io.BytesIO(raw), "thumb." + ("png" if "png" in header else "jpg"))
    except (ValueError, pygame.error):
        return None


_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # start-of-frame markers (not DHT, JPG, DAC)


def image_size(raw: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's or JPEG's header, without decoding it; None when it is neither."""
    if raw[:8] == b"\x89PNG\r\n\x1a\n" and raw[12:16] == b"IHDR" and len(raw) >= 24:
        return int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")
    if raw[:2] != b"\xff\xd8":
        return None
    at = 2
    while at + 9 <= len(raw):
        if raw[at] != 0xFF:
            return None
        marker = raw[at + 1]
        if marker in _JPEG_FRAMES:
            return int.from_bytes(raw[at + 7:at + 9], "big"), int.from_bytes(raw[at + 5:at + 7], "big")
        at += 2 + int.from_bytes(raw[at + 2:at + 4], "big")
    return None


# ---------------------------------------------------------------- things that move

def _edge_mask(size: tuple[int, int]) -> pygame.Surface:
    """White with alpha fading to nothing at the left and right ends: waves dissolve instead of stopping."""
    def make() -> pygame.Surface:
        strip = pygame.Surface((64, 1), pygame.SRCALPHA)
        for x in range(64):
            strip.set_at((x, 0), (255, 255, 255, int(255 * math.sin(math.pi * (x + 0.5) / 64) ** 1.2)))
        return pygame.transform.smoothscale(strip, size)
    return _sprite(("edge", size), make)


def draw_visualizer(surf: pygame.Surface, rect: pygame.Rect, t: float, energy: float, still: bool = False) -> None:
    """Samantha's presence: a luminous ribbon of waves that swells while she speaks (still when motion is reduced)."""
    if still:
        t = 0.7
    w, h = rect.size
    halo_size = (w, int(h * 1.8))
    halo = _sprite(("halo", halo_size), lambda: pygame.transform.smoothscale(_radial(32), halo_size)).copy()
    halo.fill((255, 160, 130, int(110 + 100 * energy)), special_flags=pygame.BLEND_RGBA_MULT)
    surf.blit(halo, halo.get_rect(center=rect.center))
    layer = pygame.Surface(rect.size, pygame.SRCALPHA)
    amp = h * 0.42 * (0.3 + 0.7 * energy)
    waves = ((1.0, 0.0, 1.5, (255, 242, 230)), (0.8, 1.9, 2.2, (255, 170, 146)), (0.6, 3.3, 3.0, (252, 210, 130)),
             (0.45, 4.4, 1.1, (240, 170, 214)))
    for k, (a, phase, freq, colour) in enumerate(waves):
        pts = []
        for i in range(0, 121):
            x = i / 120
            env = math.sin(math.pi * x) ** 1.3
            wobble = 0.75 + 0.25 * math.sin(t * (1.1 + k * 0.4) + k * 1.7)
            y = math.sin(x * freq * math.tau + t * (2.0 + k * 0.6) + phase) * wobble
            pts.append((x * (w - 1), h / 2 + y * amp * a * env))
        pygame.draw.lines(layer, (*colour, 40), False, pts, max(6, h // 9))
        pygame.draw.lines(layer, (*colour, 110), False, pts, max(2, h // 36))
        pygame.draw.aalines(layer, (*colour, 255), False, pts)
    layer.blit(_edge_mask(rect.size), (0, 0), special_flags=pygame.BLEND_RGBA_MULT)
    surf.blit(layer, rect.topleft)
    glow(surf, rect.center, h * 0.5, (255, 214, 190), 0.25 + 0.35 * energy)


def draw_owl(surf: pygame.Surface, centre: tuple[float, float], size: float, t: float, still: bool = False) -> None:
    """An owl in flight, wings beating slowly (spread and still when motion is reduced)."""
    x, y = centre
    beat = 0.0 if still else math.sin(t * 5.0)
    body = (236, 224, 206)
    shade_c = (196, 176, 156)
    lift = beat * size * 0.5
    for side in (-1, 1):
        tip = (x + side * size * 2.1, y - size * 0.3 - lift)
        pts = [(x + side * size * 0.25, y - size * 0.25), (x + side * size * 1.0, y - size * 0.75 - lift * 0.6), tip,
               (x + side * size * 1.6, y + size * 0.1 - lift * 0.4), (x + side * size * 1.1, y + size * 0.15 - lift * 0.2),
               (x + side * size * 0.3, y + size * 0.4)]
        pygame.draw.polygon(surf, body, pts)
        for f in range(4):  # feather edges
            fx = x + side * size * (0.9 + f * 0.3)
            pygame.draw.line(surf, shade_c, (fx, y - size * 0.2 - lift * (0.3 + f * 0.15)),
                             (fx + side * size * 0.15, y + size * 0.1 - lift * (0.2 + f * 0.1)), max(1, int(size / 12)))
    pygame.draw.ellipse(surf, body, (x - size * 0.45, y - size * 0.55, size * 0.9, size * 1.3))
    pygame.draw.circle(surf, body, (x, y - size * 0.62), size * 0.42)
    for side in (-1, 1):
        pygame.draw.circle(surf, (255, 250, 240), (x + side * size * 0.17, y - size * 0.64), size * 0.16)
        pygame.draw.circle(surf, (40, 30, 24), (x + side * size * 0.17, y - size * 0.64), size * 0.08)
        pygame.draw.polygon(surf, body, [(x + side * size * 0.18, y - size * 0.92), (x + side * size * 0.38, y - size * 1.1),
                                         (x + side * size * 0.36, y - size * 0.82)])
    pygame.draw.polygon(surf, (210, 150, 90), [(x - size * 0.05, y - size * 0.52), (x + size * 0.05, y - size * 0.52),
                                               (x, y - size * 0.4)])


GLITCH_FPS = 2  # the tearing changes this often a second (WCAG 2.3.1 allows 3 flashes; the frame is redrawn only then)
OUTAGE_TINT = (176, 188, 214)  # one cold, dim hue held for the whole outage: the light of a screen gone dead


def glitch(surf: pygame.Surface, t: float, still: bool = False, keep: tuple[pygame.Rect, ...] = ()) -> None:
    """The interface failing: now and then a few thin slices of the frame slide sideways. Slow, and over a scene
    held in one cold tint (Painter.background with OUTAGE_TINT): no colour that jumps, nothing red, so it is safe
    to watch for a whole chapter. The keep rects (the words being read, the choices) are spared."""
    rng = random.Random(int(t * GLITCH_FPS))
    if still or rng.random() < 0.35:
        return
    w, h = surf.get_size()
    bounds = surf.get_rect()
    spared = [rect for rect in (r.clip(bounds) for r in keep) if rect.width and rect.height]
    for _ in range(rng.randrange(1, 4)):  # thin bands, a small part of the frame: a tear, not a flash
        y = rng.randrange(0, h - 8)
        band = min(rng.randrange(3, max(4, h // 40)), h - y)
        dx = rng.randrange(-w // 24, w // 24)
        row = pygame.Rect(0, y, w, band)
        kept = []  # only the slices of spared rects this band crosses are copied and put back: cheap frames
        for rect in spared:
            crossed = rect.clip(row)
            if crossed.height:
                kept.append(crossed)
                if dx:  # and beside them, so the spared words do not reappear there, shifted out of their rect
                    kept.append(pygame.Rect(rect.x + dx if dx < 0 else rect.right, crossed.y, abs(dx),
                                            crossed.height).clip(bounds))
        saved = [(part, surf.subsurface(part).copy()) for part in kept if part.width and part.height]
        surf.blit(surf.subsurface(row).copy(), (dx, y))
        for part, pixels in saved:
            surf.blit(pixels, part)
