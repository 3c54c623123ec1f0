"""The title screen: New game, Continue, Load, Endings, Flowchart, Settings, Quit."""
from __future__ import annotations

import pygame

from ...runtime.saves import AUTO, QUICK, SaveInfo
from .. import widgets
from .base import MenuScene
from .registry import screen

TITLE_GUARD = 1.0  # after a game, keys act only after this many real seconds without one: hands still busy


@screen("title")
class TitleScene(MenuScene):
    def __init__(self, app, from_game: bool = False):
        super().__init__(app)
        self.latest: SaveInfo | None = None
        self.chosen_default = False
        self.quiet_since = app.clock() if from_game else -10.0  # the last key pressed in the guard, or the opening
        self.held = set(app.keys_down)  # ignored until let go: Space still down from the game loads nothing

    def ignores(self, event: pygame.event.Event) -> bool:
        """A key held over from the game, or pressed while the reader was still mashing on through it."""
        if event.type == pygame.KEYUP:
            self.held.discard(event.key)
            return False
        if event.type != pygame.KEYDOWN:
            return False
        if event.key in self.held:
            return True
        if event.key not in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
            return False  # moving the focus is harmless
        now = self.app.clock()
        if now - self.quiet_since < TITLE_GUARD:
            self.quiet_since = now  # a key still coming from the game's rhythm: wait for a pause again
            return True
        return False

    def layout(self) -> None:
        app = self.app
        self.latest = app.library.saves.latest()
        has_saves = bool([i for i in app.library.saves.slots() if not i.problem])
        self.buttons = [
            widgets.Button("New game", app.new_game),
            widgets.Button("Continue", self.continue_game, self.latest is not None,
                           hint=self.describe_latest()),
            widgets.Button("Load", lambda: app.open("saves", mode="load"), has_saves),
            widgets.Button("Endings", lambda: app.open("endings")),
            widgets.Button("Flowchart", lambda: app.open("flowchart")),
            widgets.Button("Settings", lambda: app.open("settings")),
            widgets.Button("About", lambda: app.open("about")),
            widgets.Button("Quit", app.quit),
        ]
        theme = self.theme
        x = theme.px(96)
        h, gap = theme.px(40), theme.px(4)  # eight entries fit under the subtitle at 720 px
        y = theme.h - theme.px(56) - len(self.buttons) * (h + gap)
        for button in self.buttons:
            button.rect = pygame.Rect(x - theme.px(18), y, theme.px(376), h)  # the menu panel, less its margin
            y += h + gap
        if not self.chosen_default:  # Enter at once does the likely thing: Continue when there is a save
            self.chosen_default = True
            self.focus = 1 if self.buttons[1].enabled else 0

    def describe_latest(self) -> str:
        info = self.latest
        if info is None:
            return ""
        where = info.chapter or info.node_title
        label = "autosave" if info.slot == AUTO else "quicksave" if info.slot == QUICK else f"slot {info.slot}"
        return f"{where} · {label}" if where else label

    def title_glow(self, font: pygame.font.Font, title: str) -> pygame.Surface:
        """A soft bloom behind the title, like light through haze (cached: blurring is not free)."""
        key = (id(font), title)
        if getattr(self, "_glow", (None,))[0] != key:
            pad = self.theme.px(20)
            text = font.render(title, True, (120, 70, 50), (0, 0, 0))
            ground = pygame.Surface((text.get_width() + 2 * pad, text.get_height() + 2 * pad))
            ground.blit(text, (pad, pad))
            small = pygame.transform.smoothscale(ground, (max(1, ground.get_width() // 10), max(1, ground.get_height() // 10)))
            self._glow = (key, pygame.transform.smoothscale(small, ground.get_size()))
        return self._glow[1]

    def continue_game(self) -> None:
        if self.latest is not None:
            self.app.load_game(self.latest.slot)

    def handle_event(self, event: pygame.event.Event) -> bool:
        if (event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE) or self.ignores(event):
            return True
        return self.handle_buttons(event)

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        surface.blit(self.app.painter.background(self.app.scene_info(), surface.get_size()), (0, 0))
        title = self.app.story.title
        size = 120
        font = theme.font("ui_light", size)
        while font.size(title)[0] > theme.w * 0.62 and size > 40:
            size -= 8
            font = theme.font("ui_light", size)
        x = theme.px(90)
        y = theme.px(70)
        surface.blit(self.title_glow(font, title), (x - theme.px(20), y - theme.px(20)), special_flags=pygame.BLEND_RGB_ADD)
        rect = widgets.text(surface, theme, font, title, (255, 246, 238), (x, y))
        widgets.text(surface, theme, theme.font("prose_italic", 28), "a story in a near, soft-focus Los Angeles",
                     (255, 236, 224), (x + theme.px(6), rect.bottom + theme.px(4)))
        menu = pygame.Rect(0, 0, theme.px(340), 0)
        if self.buttons:
            top = self.buttons[0].rect.top - theme.px(18)
            menu = pygame.Rect(self.buttons[0].rect.x - theme.px(12), top, theme.px(400),
                               self.buttons[-1].rect.bottom - top + theme.px(18))
            widgets.panel(surface, menu, pal.panel, theme.px(16))
        for i, button in enumerate(self.buttons):
            focused = i == self.focus
            if focused and button.enabled:
                widgets.panel(surface, button.rect, pal.button_hover, theme.px(10))
            colour = pal.text if button.enabled else pal.disabled
            label = widgets.text(surface, theme, theme.font("ui", 22), button.label, colour,
                                 (button.rect.x + theme.px(18), button.rect.centery), "midleft")
            if button.hint and button.enabled:
                hint_font = theme.font("ui", 13)
                room = button.rect.right - theme.px(14) - label.right - theme.px(16)
                widgets.text(surface, theme, hint_font, widgets.fit(hint_font, button.hint, room),
                             pal.text if focused else pal.text_dim,
                             (button.rect.right - theme.px(14), button.rect.centery + theme.px(1)), "midright")
        widgets.text(surface, theme, theme.ui_small, "F1  keys", (255, 240, 230),
                     (theme.w - theme.px(28), theme.h - theme.px(24)), "bottomright")
