"""Save and load screens: twelve numbered slots, plus the autosave and quicksave when loading."""
from __future__ import annotations

from datetime import datetime

import pygame

from ...runtime.saves import AUTO, NUMBERED_SLOTS, QUICK, SaveError, SaveInfo
from ...text import fmt_time
from .. import widgets
from ..painter import decode_thumbnail
from .base import Screen
from .overlays import Confirm

COLUMNS, ROWS = 4, 3


def slot_label(slot: str) -> str:
    return {AUTO: "Autosave", QUICK: "Quicksave"}.get(slot, f"Slot {slot}")


def nice_date(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).strftime("%d %b %Y, %H:%M")
    except ValueError:
        return stamp


class SavesScene(Screen):
    def __init__(self, app, mode: str):
        super().__init__(app)
        self.mode = mode  # "save" | "load"
        self.title = "Save" if mode == "save" else "Load"
        self.page = 0  # load screen: 0 = numbered slots, 1 = autosave and quicksave
        self.infos: dict[str, SaveInfo | None] = {}
        self.thumbs: dict[str, pygame.Surface | None] = {}
        self.refresh()

    def slots(self) -> list[str]:
        if self.page == 1:
            return [AUTO, QUICK]
        return [str(n) for n in range(1, NUMBERED_SLOTS + 1)]

    def refresh(self) -> None:
        saves = self.app.library.saves
        self.infos = {slot: saves.info(slot) for slot in [AUTO, QUICK] + [str(n) for n in range(1, NUMBERED_SLOTS + 1)]}
        self.thumbs = {slot: decode_thumbnail(info.thumbnail) if info else None for slot, info in self.infos.items()}
        self.layout()
        self.app.dirty = True

    def layout(self) -> None:
        theme = self.theme
        top = theme.px(150)
        gap = theme.px(18)
        area = pygame.Rect(theme.px(60), top, theme.w - theme.px(120), theme.h - top - theme.px(40))
        w = (area.width - gap * (COLUMNS - 1)) // COLUMNS
        h = (area.height - gap * (ROWS - 1)) // ROWS
        self.buttons = []
        for i, slot in enumerate(self.slots()):
            col, row = i % COLUMNS, i // COLUMNS
            rect = pygame.Rect(area.x + col * (w + gap), area.y + row * (h + gap), w, h)
            enabled = self.mode == "save" or (self.infos.get(slot) is not None and not self.infos[slot].problem)
            self.buttons.append(widgets.Button(slot, lambda s=slot: self.use(s), enabled, rect))
        self.tabs = []
        if self.mode == "load":
            x = theme.px(60)
            for i, label in enumerate(("Slots", "Autosave & quicksave")):
                w_tab = theme.ui.size(label)[0] + theme.px(36)
                self.tabs.append((pygame.Rect(x, theme.px(96), w_tab, theme.px(36)), label, i))
                x += w_tab + theme.px(8)
        self.focus = min(self.focus, len(self.buttons) - 1)

    def use(self, slot: str) -> None:
        app = self.app
        info = self.infos.get(slot)
        if self.mode == "load":
            if info is not None and not info.problem:
                app.load_game(slot)
            return
        if info is not None:
            app.push(Confirm(app, f"Replace the game saved in slot {slot}?", "Replace", lambda: self.save(slot)))
        else:
            self.save(slot)

    def save(self, slot: str) -> None:
        session = self.app.session
        if session is None:
            return
        try:
            session.save(slot)
        except (OSError, SaveError) as err:
            self.app.notify(f"Could not save: {err}", 6.0)
            return
        self.app.notify(f"Saved to slot {slot}.")
        self.refresh()

    def delete(self, slot: str) -> None:
        self.app.library.saves.delete(slot)
        self.app.notify(f"{slot_label(slot)} deleted.")
        self.refresh()

    def handle_event(self, event: pygame.event.Event) -> bool:
        if self.handle_common(event):
            return True
        if event.type == pygame.MOUSEBUTTONUP and event.button == 1:
            for rect, _, page in self.tabs:
                if rect.collidepoint(event.pos):
                    self.page = page
                    self.focus = -1
                    self.layout()
                    return True
        if event.type == pygame.KEYDOWN:
            if event.key in (pygame.K_LEFT, pygame.K_RIGHT, pygame.K_UP, pygame.K_DOWN):
                step = {pygame.K_LEFT: -1, pygame.K_RIGHT: 1, pygame.K_UP: -COLUMNS, pygame.K_DOWN: COLUMNS}[event.key]
                self.focus = max(0, min(len(self.buttons) - 1, (self.focus if self.focus >= 0 else 0) + step)) \
                    if self.focus >= 0 else 0
                return True
            if event.key in (pygame.K_DELETE, pygame.K_x) and 0 <= self.focus < len(self.buttons):
                slot = self.buttons[self.focus].label
                if self.infos.get(slot) is not None:
                    self.app.push(Confirm(self.app, f"Delete {slot_label(slot).lower()}?", "Delete",
                                          lambda: self.delete(slot)))
                return True
            if event.key in (pygame.K_PAGEDOWN, pygame.K_PAGEUP, pygame.K_TAB) and self.mode == "load":
                self.page = 1 - self.page
                self.focus = -1
                self.layout()
                return True
            if event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE) and self.focus >= 0:
                self.activate(self.focus)
                return True
        if event.type == pygame.MOUSEMOTION:
            self.focus = next((i for i, b in enumerate(self.buttons) if b.rect.collidepoint(event.pos)), self.focus)
            return True
        return self.handle_buttons(event)

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        hint = "Click a slot to save · Del deletes" if self.mode == "save" else "Click a saved game to load it · Del deletes"
        self.draw_frame(surface, hint)
        for rect, label, page in self.tabs:
            active = page == self.page
            widgets.panel(surface, rect, pal.button_hover if active else pal.button, theme.px(10))
            widgets.text(surface, theme, theme.ui, label, pal.text if active else pal.text_dim, rect.center, "center")
        for i, button in enumerate(self.buttons):
            self.draw_card(surface, button, i == self.focus)

    def draw_card(self, surface: pygame.Surface, button: widgets.Button, focused: bool) -> None:
        theme = self.theme
        pal = theme.palette
        slot = button.label
        info = self.infos.get(slot)
        rect = button.rect
        edge = pal.accent if focused else pal.panel_edge
        widgets.panel(surface, rect, pal.panel, theme.px(14), edge, max(1, theme.px(2)) if focused else 1)
        pad = theme.px(12)
        thumb_h = int(rect.height * 0.58)
        thumb_rect = pygame.Rect(rect.x + pad, rect.y + pad, rect.width - 2 * pad, thumb_h - pad)
        thumb = self.thumbs.get(slot)
        if thumb is not None:
            scaled = _cover(thumb, thumb_rect.size)
            surface.blit(scaled, thumb_rect)
        else:
            pygame.draw.rect(surface, (60, 42, 48) if not theme.settings.high_contrast else (30, 30, 30), thumb_rect,
                             border_radius=theme.px(8))
        y = thumb_rect.bottom + theme.px(8)
        x = rect.x + pad + theme.px(2)
        room = rect.width - 2 * pad
        widgets.text(surface, theme, theme.font("ui_medium", 15), slot_label(slot), pal.accent_soft, (x, y))
        y += theme.px(22)
        small = theme.font("ui", 14)
        if info is None:
            widgets.text(surface, theme, theme.font("prose_italic", 20), "Empty", pal.text_dim, (x, y))
            if button.enabled and focused:
                widgets.text(surface, theme, small, "Save here", pal.text, (rect.right - pad, y + theme.px(4)), "topright")
            return
        if info.problem:
            for line in widgets.wrap(small, info.problem, room)[:3]:
                widgets.text(surface, theme, small, line, pal.bad, (x, y))
                y += small.get_linesize()
            return
        title_font = theme.font("prose", 21)
        widgets.text(surface, theme, title_font, widgets.fit(title_font, info.chapter or info.node_title, room), pal.text,
                     (x, y - theme.px(2)))
        y += theme.px(26)
        detail = f"{info.node_title}" if info.chapter else ""
        if detail:
            widgets.text(surface, theme, small, widgets.fit(small, detail, room), pal.text_dim, (x, y))
            y += small.get_linesize()
        widgets.text(surface, theme, small, widgets.fit(small, f"{nice_date(info.saved_at)}  ·  {fmt_time(info.play_time)}",
                                                         room), pal.text_dim, (x, y))


_covers: dict[tuple, pygame.Surface] = {}


def _cover(image: pygame.Surface, size: tuple[int, int]) -> pygame.Surface:
    """The image scaled to fill a size, cropped in the middle."""
    key = (id(image), size)
    if key not in _covers:
        iw, ih = image.get_size()
        k = max(size[0] / iw, size[1] / ih)
        scaled = pygame.transform.smoothscale(image, (max(1, int(iw * k) + 1), max(1, int(ih * k) + 1)))
        crop = pygame.Rect(0, 0, *size)
        crop.center = scaled.get_rect().center
        if len(_covers) > 64:
            _covers.clear()
        _covers[key] = scaled.subsurface(crop.clip(scaled.get_rect())).copy()
    return _covers[key]
