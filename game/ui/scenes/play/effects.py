"""The story's own presentation, in one place: which speaker brings the voice visualizer, which cues bring the
owl, and what makes the outage (a cue, or a chapter file named for it) with its content note and its glitch.
Keyed by the story's names; the play scene asks here and draws what is answered."""
from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING

import pygame

from ....runtime.engine import Line
from ....story.model import Node, Story
from ... import painter, widgets

if TYPE_CHECKING:
    from .scene import PlayScene

VISUALIZER_SPEAKERS = {"samantha"}
OWL_CUES = {"owl"}
OUTAGE_CUES = {"outage_error"}
OUTAGE_FILE_WORD = "outage"
OUTAGE_NOTE = ("In the next scenes the screen glitches: a cold tint and thin slices that slide sideways, about twice "
               "a second, with no flashing. Reduced motion keeps the tint and holds the picture still.")
OUTAGE_SCREEN = 1.8  # seconds of "Operating System not found" before the scene shows through
OWL_FLIGHT = 6.0


def has_visualizer(line: Line) -> bool:
    return line.speaker in VISUALIZER_SPEAKERS


def owl_in(node: Node) -> bool:
    return bool(OWL_CUES & set(node.cues))


def outage_in(story: Story, node: Node) -> bool:
    if OUTAGE_CUES & set(node.cues):
        return True
    chapter = story.chapter_of(node.id)
    return chapter is not None and OUTAGE_FILE_WORD in os.path.basename(chapter.file).lower()


def tick_outage(play: PlayScene, now: float) -> None:
    """The outage moves, but only a few times a second (the cursor's blink, the glitch's tears): the
    window is redrawn when its picture changes, not at the full frame rate through a whole chapter."""
    if not play.outage_active() or play.settings.reduced_motion:
        return
    since = now - play.node_start
    frame = ("screen", int(since * 3)) if since < OUTAGE_SCREEN else ("tear", int(now * painter.GLITCH_FPS))
    if frame != play.outage_frame:
        play.outage_frame = frame
        play.app.dirty = True


def draw_owl(play: PlayScene, surface: pygame.Surface, now: float) -> None:
    theme = play.theme
    still = play.settings.reduced_motion
    t = 1.0 if still else min(1.0, (now - play.node_start) / OWL_FLIGHT)
    if play.engine.state.scene.get("location") == "plaza":
        canvas, art = painter.plaza_screen_rect(), painter.art_rect(theme.size)
        k = art.width / painter.CW  # the art is never stretched: one scale for both axes
        clip = pygame.Rect(art.x + canvas.x * k, art.y + canvas.y * k, canvas.width * k, canvas.height * k)
        size = clip.height * 0.16
    else:
        clip = pygame.Rect(0, 0, theme.w, int(theme.h * 0.6))
        size = theme.px(34)
    ease = 1 - (1 - t) ** 2
    x = clip.x - size * 2 + (clip.centerx - clip.x + size * 2) * ease
    y = clip.y + clip.height * (0.62 - 0.2 * math.sin(ease * math.pi))
    previous = surface.get_clip()
    surface.set_clip(clip)
    painter.draw_owl(surface, (x, y), size, now, still or t >= 1.0)
    surface.set_clip(previous)


def draw_outage(play: PlayScene, surface: pygame.Surface, now: float) -> None:
    theme = play.theme
    since = now - play.node_start
    still = play.settings.reduced_motion
    if since < OUTAGE_SCREEN:
        surface.fill((4, 4, 6))
        font = theme.font("ui", 24)
        message = "Operating System not found"
        widgets.text(surface, theme, font, message, (236, 236, 236), (theme.w // 2, theme.h // 2), "center")
        if not still and int(since * 3) % 2 == 0:
            pygame.draw.rect(surface, (236, 236, 236), (theme.w // 2 + font.size(message)[0] // 2 + theme.px(8),
                                                         theme.h // 2 - theme.px(12), theme.px(11), theme.px(24)))
        return
    keep: list[pygame.Rect] = []
    if not (play.hidden or play.ending_card):
        box = play.box
        keep.append(pygame.Rect(box.x + play.margin - theme.px(12), box.y + theme.px(12),
                                box.width - 2 * play.margin + theme.px(24), box.height - theme.px(52)))
        if play.choosing:
            keep += [button.rect for button in play.choice_buttons]
        if play.quick_buttons:
            keep.append(play.quick_buttons[0].rect.unionall([b.rect for b in play.quick_buttons]))
    painter.glitch(surface, now, still, tuple(keep))
    if play.hidden or play.ending_card:
        return
    font = theme.font("ui", 14)
    # on the text box's bottom row, left of the quick menu: the box's own status line
    widgets.text(surface, theme, font, "OS1 · Operating System not found", (255, 236, 236),
                 (play.box.x + theme.px(28), play.quick_buttons[0].rect.centery if play.quick_buttons
                  else play.box.bottom - theme.px(18)), "midleft")
