"""Settings: sound, reading and access. Every change is applied at once and saved with the player's data."""
from __future__ import annotations

import pygame

from .. import widgets
from ..settings import TEXT_SPEEDS, Settings
from .base import Screen
from .registry import screen

CHANNEL_LABELS = (("master", "Master volume"), ("music", "Music"), ("ambience", "Ambience"), ("sfx", "Effects"),
                  ("voice", "Voice"))


@screen("settings")
class SettingsScene(Screen):
    title = "Settings"

    def __init__(self, app):
        super().__init__(app)
        self.dragging: widgets.Slider | None = None
        s = app.settings
        self.sound: list = [self.volume_slider(channel, label) for channel, label in CHANNEL_LABELS]
        self.sound.append(widgets.Toggle("Captions for sounds", lambda: s.captions, self.setter("captions")))
        self.sound.append(widgets.Toggle("Silent in the background", lambda: s.pause_in_background,
                                         self.setter("pause_in_background")))
        self.reading: list = [
            widgets.Slider("Text speed", lambda: TEXT_SPEEDS.index(self.nearest_speed()) / (len(TEXT_SPEEDS) - 1),
                           self.set_speed, self.describe_speed, len(TEXT_SPEEDS) - 1),
            widgets.Slider("Auto-advance pause", lambda: (s.auto_delay - 0.5) / 4.5,
                           lambda f: self.change("auto_delay", round(0.5 + f * 4.5, 1)), lambda f: f"{0.5 + f * 4.5:.1f} s",
                           18),
            widgets.Slider("Text size", lambda: (s.font_scale - 0.8) / 0.6,
                           lambda f: self.change("font_scale", round(0.8 + f * 0.6, 2), relayout=True),
                           lambda f: f"{round((0.8 + f * 0.6) * 100)} %", 6),
            widgets.Toggle("Auto-advance", lambda: s.auto_forward, self.setter("auto_forward")),
            widgets.Toggle("Skip also skips unread text", lambda: s.skip_unseen, self.setter("skip_unseen")),
            widgets.Toggle("High contrast", lambda: s.high_contrast, self.setter("high_contrast", relayout=True)),
            widgets.Toggle("Reduced motion", lambda: s.reduced_motion, self.setter("reduced_motion")),
            widgets.Toggle("Fullscreen", lambda: s.fullscreen, lambda value: self.app.toggle_fullscreen()
                           if value != s.fullscreen else None),
        ]
        self.controls = self.sound + self.reading

    # ------------------------------------------------------------ changing settings

    def volume_slider(self, channel: str, label: str) -> widgets.Slider:
        s = self.app.settings

        def set_volume(fraction: float) -> None:
            s.volume[channel] = round(fraction, 2)
            self.app.audio.set_volume(channel, s.volume[channel])
            self.app.save_settings()

        return widgets.Slider(label, lambda: s.volume[channel], set_volume, lambda f: f"{round(f * 100)} %")

    def setter(self, name: str, relayout: bool = False):
        return lambda value: self.change(name, value, relayout)

    def change(self, name: str, value, relayout: bool = False) -> None:
        data = self.app.settings.to_dict()
        data[name] = value
        checked = Settings.from_dict(data)  # one place clamps and type-checks settings
        setattr(self.app.settings, name, getattr(checked, name))
        self.app.save_settings()
        if relayout:
            self.app.settings_changed()
        self.app.dirty = True

    def nearest_speed(self) -> int:
        speed = self.app.settings.text_speed
        if speed == 0:
            return 0
        return min((s for s in TEXT_SPEEDS if s), key=lambda s: abs(s - speed))

    def set_speed(self, fraction: float) -> None:
        index = round(fraction * (len(TEXT_SPEEDS) - 1))
        self.change("text_speed", TEXT_SPEEDS[index])

    @staticmethod
    def describe_speed(fraction: float) -> str:
        speed = TEXT_SPEEDS[round(fraction * (len(TEXT_SPEEDS) - 1))]
        return "Instant" if speed == 0 else f"{speed} letters/s"

    # ------------------------------------------------------------ layout and input

    def layout(self) -> None:
        theme = self.theme
        top = theme.px(170)
        col_w = (theme.w - theme.px(180)) // 2
        h = theme.px(46)
        for column, controls in enumerate((self.sound, self.reading)):
            x = theme.px(60) + column * (col_w + theme.px(60))
            y = top
            for control in controls:
                control.rect = pygame.Rect(x, y, col_w, h)
                y += h + theme.px(6)
        self.focus = min(self.focus, len(self.controls) - 1)

    def adjust(self, control, direction: int) -> None:
        if isinstance(control, widgets.Slider):
            control.nudge(direction)
        else:
            control.set(not control.get())

    def handle_event(self, event: pygame.event.Event) -> bool:
        if self.handle_common(event):
            return True
        if event.type == pygame.KEYDOWN:
            if event.key in (pygame.K_DOWN, pygame.K_UP):
                self.focus = (self.focus + (1 if event.key == pygame.K_DOWN else -1)) % len(self.controls) \
                    if self.focus >= 0 else 0
            elif event.key in (pygame.K_LEFT, pygame.K_RIGHT) and self.focus >= 0:
                self.adjust(self.controls[self.focus], 1 if event.key == pygame.K_RIGHT else -1)
            elif event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE) and self.focus >= 0:
                control = self.controls[self.focus]
                if isinstance(control, widgets.Toggle):
                    control.set(not control.get())
            return True
        if event.type == pygame.MOUSEMOTION:
            if self.dragging is not None:
                self.dragging.drag_to(self.theme, event.pos[0])
            else:
                self.focus = next((i for i, c in enumerate(self.controls) if c.rect.collidepoint(event.pos)), -1)
            return True
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            for i, control in enumerate(self.controls):
                if control.rect.collidepoint(event.pos):
                    self.focus = i
                    if isinstance(control, widgets.Slider):
                        self.dragging = control
                        control.drag_to(self.theme, event.pos[0])
                    return True
        if event.type == pygame.MOUSEBUTTONUP and event.button == 1:
            if self.dragging is not None:
                self.dragging = None
                return True
            for control in self.controls:
                if isinstance(control, widgets.Toggle) and control.rect.collidepoint(event.pos):
                    control.set(not control.get())
                    return True
        if event.type == pygame.MOUSEWHEEL and self.focus >= 0:
            control = self.controls[self.focus]
            if isinstance(control, widgets.Slider):
                control.nudge(1 if event.y > 0 else -1)
            return True
        return False

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        self.draw_frame(surface, "Changes apply at once and are kept")
        col_w = (theme.w - theme.px(180)) // 2
        for column, heading in enumerate(("Sound", "Reading & display")):
            x = theme.px(60) + column * (col_w + theme.px(60))
            widgets.text(surface, theme, theme.font("ui_medium", 15), heading.upper(), pal.accent_soft,
                         (x + theme.px(14), theme.px(128)))
        for i, control in enumerate(self.controls):
            if isinstance(control, widgets.Slider):
                widgets.draw_slider(surface, theme, control, i == self.focus)
            else:
                widgets.draw_toggle(surface, theme, control, i == self.focus)
        sample = "Text looks like this: “You leaned in. I could tell.”"
        font = theme.prose
        widgets.text(surface, theme, font, widgets.fit(font, sample, theme.w - theme.px(140)), pal.text,
                     (theme.w // 2, theme.h - theme.px(98)), "center")  # clear of a toast at the bottom
