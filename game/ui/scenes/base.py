"""What every screen is: it handles events, updates with time, and draws without changing anything."""
from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import pygame

from .. import widgets
from ..theme import Theme

if TYPE_CHECKING:
    from ..app import App


def is_back(event: pygame.event.Event) -> bool:
    """Esc or a right click: leave the screen on top."""
    return ((event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE)
            or (event.type == pygame.MOUSEBUTTONUP and event.button == 3))


class Scene:
    name: ClassVar[str] = ""  # set by @screen: what app.open() and app.find() call it
    opaque = True  # False: the scene below shows through (menus and overlays)
    toasts_at_top = False  # where short messages appear while this scene is on top

    def __init__(self, app: App):
        self.app = app

    @property
    def theme(self) -> Theme:
        return self.app.theme

    def handle_event(self, event: pygame.event.Event) -> bool:
        """True when the event was used."""
        return False

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface: pygame.Surface) -> None:
        pass

    def animating(self) -> bool:
        """True while something moves: the loop then draws every frame."""
        return False

    def dirty_area(self) -> pygame.Rect | None:
        """While animating: the part of the window that changes, or None for all of it."""
        return None

    def wake_at(self) -> float | None:
        """App time at which update() must run again although nothing moves (auto-advance, timers)."""
        return None

    def layout(self) -> None:
        """The window size or the fonts changed."""

    def spoken(self) -> str:
        """What self-voicing says when the screen opens ('' for nothing)."""
        return getattr(self, "title", "")

    def close(self) -> None:
        self.app.pop(self)


class MenuScene(Scene):
    """A vertical list of buttons, driven by mouse, arrows + Enter, or Esc to go back."""

    def __init__(self, app: App):
        super().__init__(app)
        self.buttons: list[widgets.Button] = []
        self.focus = -1

    def activate(self, index: int) -> None:
        if 0 <= index < len(self.buttons) and self.buttons[index].enabled:
            self.buttons[index].action()

    def move_focus(self, step: int) -> None:
        enabled = [i for i, b in enumerate(self.buttons) if b.enabled]
        if not enabled:
            return
        if self.focus not in enabled:
            self.focus = enabled[0] if step > 0 else enabled[-1]
        else:
            self.focus = enabled[(enabled.index(self.focus) + step) % len(enabled)]
        self.app.speak(self.buttons[self.focus].label)

    def handle_buttons(self, event: pygame.event.Event) -> bool:
        if event.type == pygame.MOUSEMOTION:
            hovered = next((i for i, b in enumerate(self.buttons) if b.hit(event.pos)), -1)
            if hovered != -1 or self.focus != -1:
                self.focus = hovered if hovered != -1 else self.focus
            return True
        if event.type == pygame.MOUSEBUTTONUP and event.button == 1:
            for i, button in enumerate(self.buttons):
                if button.hit(event.pos):
                    self.focus = i
                    button.action()
                    return True
            return False
        if event.type == pygame.KEYDOWN:
            if event.key in (pygame.K_DOWN, pygame.K_TAB):
                self.move_focus(1)
                return True
            if event.key == pygame.K_UP:
                self.move_focus(-1)
                return True
            if event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE) and self.focus >= 0:
                self.activate(self.focus)
                return True
        return False


class Screen(MenuScene):
    """A full-screen page over the blurred scene: a heading, a Back button, Esc or right click to leave."""
    title = ""

    def handle_common(self, event: pygame.event.Event) -> bool:
        if is_back(event) or (event.type == pygame.MOUSEBUTTONUP and event.button == 1
                              and self.back_rect().collidepoint(event.pos)):
            self.close()
            return True
        return False

    def back_rect(self) -> pygame.Rect:
        theme = self.theme
        return pygame.Rect(theme.w - theme.px(150), theme.px(34), theme.px(110), theme.px(38))

    def draw_frame(self, surface: pygame.Surface, subtitle: str = "") -> None:
        theme = self.theme
        pal = theme.palette
        surface.blit(self.app.backdrop(), (0, 0))
        rect = widgets.text(surface, theme, theme.heading, self.title, pal.text, (theme.px(60), theme.px(30)))
        back = self.back_rect()
        if subtitle:
            room = back.x - theme.px(24) - (rect.right + theme.px(24))
            widgets.text(surface, theme, theme.ui, widgets.fit(theme.ui, subtitle, room), pal.text_dim,
                         (rect.right + theme.px(24), rect.bottom - theme.px(8)), "bottomleft")
        widgets.panel(surface, back, pal.button, theme.px(10), pal.panel_edge)
        widgets.text(surface, theme, theme.ui, "Back", pal.text, back.center, "center")
