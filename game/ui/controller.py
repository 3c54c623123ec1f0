"""Gamepads through SDL's game controller API: each button stands for the key a keyboard player presses, so
every screen that works from the keyboard works from a controller, and the F1 help lists both from one table."""
from __future__ import annotations

from types import ModuleType

import pygame

sdl_controller: ModuleType | None
try:
    from pygame._sdl2 import controller as sdl_controller
except ImportError:  # a pygame built without SDL2's controller module: keyboard and mouse only
    sdl_controller = None

# button, its name on the help screen, the key it stands for, what it does
BUTTONS: tuple[tuple[int, str, int, str], ...] = (
    (pygame.CONTROLLER_BUTTON_A, "A", pygame.K_RETURN, "read on; take the focused choice or button"),
    (pygame.CONTROLLER_BUTTON_B, "B", pygame.K_ESCAPE, "back; in the story, the game menu"),
    (pygame.CONTROLLER_BUTTON_DPAD_UP, "D-pad up", pygame.K_UP, "move up through choices and buttons"),
    (pygame.CONTROLLER_BUTTON_DPAD_DOWN, "D-pad down", pygame.K_DOWN, "move down"),
    (pygame.CONTROLLER_BUTTON_DPAD_LEFT, "D-pad left", pygame.K_LEFT, "move left (slots, tabs, sliders)"),
    (pygame.CONTROLLER_BUTTON_DPAD_RIGHT, "D-pad right", pygame.K_RIGHT, "move right"),
    (pygame.CONTROLLER_BUTTON_LEFTSHOULDER, "LB", pygame.K_PAGEUP, "roll back; previous page"),
    (pygame.CONTROLLER_BUTTON_RIGHTSHOULDER, "RB", pygame.K_PAGEDOWN, "go on; next page"),
    (pygame.CONTROLLER_BUTTON_X, "X", pygame.K_h, "hide the text box"),
    (pygame.CONTROLLER_BUTTON_Y, "Y", pygame.K_b, "history"),
    (pygame.CONTROLLER_BUTTON_START, "Start", pygame.K_ESCAPE, "game menu"),
    (pygame.CONTROLLER_BUTTON_BACK, "Back / View", pygame.K_F1, "this help"),
)
KEY_FOR = {button: key for button, _, key, _ in BUTTONS}
STICK_KEYS = {(pygame.CONTROLLER_AXIS_LEFTY, -1): pygame.K_UP, (pygame.CONTROLLER_AXIS_LEFTY, 1): pygame.K_DOWN}
STICK_ON, STICK_OFF = 20000, 12000  # of 32767: a push counts once, until the stick comes back near the middle


class Controllers:
    """The connected controllers, and their buttons and stick turned into key events."""

    def __init__(self) -> None:
        self.open: dict[int, object] = {}
        self.stick: dict[int, int] = {}  # axis -> -1, 0 or 1: where the stick was pushed last
        if sdl_controller is not None:
            try:
                sdl_controller.init()
            except pygame.error:
                pass

    def connected(self) -> bool:
        return bool(self.open)

    def keys_for(self, event: pygame.event.Event) -> list[pygame.event.Event]:
        """The key events a controller event stands for (none for other events)."""
        if event.type == pygame.CONTROLLERDEVICEADDED and sdl_controller is not None:
            try:
                pad = sdl_controller.Controller(event.device_index)
                self.open[pad.id] = pad
            except (pygame.error, AttributeError):
                pass
            return []
        if event.type == pygame.CONTROLLERDEVICEREMOVED:
            self.open.pop(getattr(event, "instance_id", -1), None)
            return []
        if event.type in (pygame.CONTROLLERBUTTONDOWN, pygame.CONTROLLERBUTTONUP) and event.button in KEY_FOR:
            kind = pygame.KEYDOWN if event.type == pygame.CONTROLLERBUTTONDOWN else pygame.KEYUP
            return [pygame.event.Event(kind, key=KEY_FOR[event.button], mod=0, unicode="", scancode=0)]
        if event.type == pygame.CONTROLLERAXISMOTION and event.axis == pygame.CONTROLLER_AXIS_LEFTY:
            was = self.stick.get(event.axis, 0)
            now = -1 if event.value <= -STICK_ON else 1 if event.value >= STICK_ON else \
                (0 if abs(event.value) < STICK_OFF else was)
            self.stick[event.axis] = now
            if now and now != was:
                return [pygame.event.Event(pygame.KEYDOWN, key=STICK_KEYS[(event.axis, now)], mod=0, unicode="",
                                           scancode=0)]
        return []
