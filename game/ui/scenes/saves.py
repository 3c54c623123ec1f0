"""Save and load screens: pages of twelve numbered slots, plus the autosave and quicksave when loading."""
from __future__ import annotations

import functools
from datetime import datetime

import pygame

from ...runtime.saves import AUTO, NUMBERED_SLOTS, QUICK, SaveError, SaveInfo, format_play_time
from .. import widgets
from ..painter import decode_thumbnail
from .base import Screen
from .registry import screen

COLUMNS, ROWS = 4, 3
PER_PAGE = COLUMNS * ROWS
PAGES = -(-NUMBERED_SLOTS // PER_PAGE)
AUTO_PAGE = 0  # the load screen's page of the autosave and quicksave


def slot_label(slot: str) -> str:
    return {AUTO: "Autosave", QUICK: "Quicksave"}.get(slot, f"Slot {slot}")


def nice_dates(stamp: str) -> list[str]:
    """When a game was saved, from the fullest to the shortest way of saying it (narrow cards use a short one)."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return [stamp]
    return [moment.strftime(f) for f in ("%d %b %Y, %H:%M", "%d %b %Y", "%d %b")]


@screen("saves")
class SavesScene(Screen):
    def __init__(self, app, mode: str):
        super().__init__(app)
        self.mode = mode  # "save" | "load"
        self.title = "Save" if mode == "save" else "Load"
        self.page = 1  # 1..PAGES: twelve numbered slots each; AUTO_PAGE (loading only): autosave and quicksave
        self.infos: dict[str, SaveInfo | None] = {}
        self.thumbs: dict[str, pygame.Surface | None] = {}
        self.refresh()

    def slots(self) -> list[str]:
        if self.page == AUTO_PAGE:
            return [AUTO, QUICK]
        first = (self.page - 1) * PER_PAGE + 1
        return [str(n) for n in range(first, min(NUMBERED_SLOTS, first + PER_PAGE - 1) + 1)]

    def pages(self) -> list[int]:
        return ([AUTO_PAGE] if self.mode == "load" else []) + list(range(1, PAGES + 1))

    def turn_page(self, page: int) -> None:
        self.page = page
        self.focus = -1
        self.refresh()

    def refresh(self) -> None:
        """Read the slots of the page shown (a page at a time: each save is a file to open)."""
        saves = self.app.library.saves
        self.infos = {slot: saves.info(slot) for slot in self.slots()}
        self.thumbs = {slot: decode_thumbnail(info.thumbnail) if info else None for slot, info in self.infos.items()}
        self.layout()
        self.app.dirty = True

    def layout(self) -> None:
        theme = self.theme
        self.tabs = []
        x = theme.px(60)
        for page in self.pages():
            label = "Auto & quick" if page == AUTO_PAGE else str(page)
            w_tab = max(theme.px(40), theme.ui.size(label)[0] + theme.px(24))
            self.tabs.append((pygame.Rect(x, theme.px(96), w_tab, theme.px(36)), label, page))
            x += w_tab + theme.px(6)
        top = theme.px(148)
        gap = theme.px(16)
        footer = theme.ui.get_linesize() + theme.px(52)  # the toasts' place: they never cover a slot
        area = pygame.Rect(theme.px(60), top, theme.w - theme.px(120), theme.h - top - footer)
        w = (area.width - gap * (COLUMNS - 1)) // COLUMNS
        h = (area.height - gap * (ROWS - 1)) // ROWS
        self.buttons = []
        for i, slot in enumerate(self.slots()):
            col, row = i % COLUMNS, i // COLUMNS
            rect = pygame.Rect(area.x + col * (w + gap), area.y + row * (h + gap), w, h)
            info = self.infos.get(slot)
            enabled = self.mode == "save" or (info is not None and not info.problem)
            self.buttons.append(widgets.Button(slot, functools.partial(self.use, slot), enabled, rect))
        self.focus = min(self.focus, len(self.buttons) - 1)

    def use(self, slot: str) -> None:
        app = self.app
        info = self.infos.get(slot)
        if self.mode == "load":
            if info is not None and not info.problem:
                app.load_game(slot)
            return
        if info is not None:
            app.open("confirm", question=f"Replace the game saved in slot {slot}?", yes_label="Replace",
                     on_yes=lambda: self.save(slot))
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
                    self.turn_page(page)
                    return True
        if event.type == pygame.KEYDOWN:
            if event.key in (pygame.K_LEFT, pygame.K_RIGHT, pygame.K_UP, pygame.K_DOWN):
                step = {pygame.K_LEFT: -1, pygame.K_RIGHT: 1, pygame.K_UP: -COLUMNS, pygame.K_DOWN: COLUMNS}[event.key]
                self.focus = max(0, min(len(self.buttons) - 1, self.focus + step)) if self.focus >= 0 else 0
                return True
            if event.key in (pygame.K_DELETE, pygame.K_x) and 0 <= self.focus < len(self.buttons):
                slot = self.buttons[self.focus].label
                if self.infos.get(slot) is not None:
                    self.app.open("confirm", question=f"Delete {slot_label(slot).lower()}?", yes_label="Delete",
                                  on_yes=lambda: self.delete(slot))
                return True
            if event.key in (pygame.K_PAGEDOWN, pygame.K_PAGEUP, pygame.K_TAB):
                pages = self.pages()
                step = -1 if event.key == pygame.K_PAGEUP or event.mod & pygame.KMOD_SHIFT else 1
                self.turn_page(pages[(pages.index(self.page) + step) % len(pages)])
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
        hint = ("Click a slot to save" if self.mode == "save" else "Click a saved game to load it") + \
            " · Page Up/Down: pages · Del deletes"
        self.draw_frame(surface, hint)
        for rect, label, page in self.tabs:
            active = page == self.page
            widgets.panel(surface, rect, pal.button_hover if active else pal.button, theme.px(10))
            widgets.text(surface, theme, theme.ui, label, pal.text if active else pal.text_dim, rect.center, "center")
        for i, button in enumerate(self.buttons):
            self.draw_card(surface, button, i == self.focus)

    def card_lines(self, slot: str, room: int) -> list[tuple[pygame.font.Font, str, tuple]]:
        """The words on a slot's card, most important first; the card drops lines from the end when short of room."""
        theme = self.theme
        pal = theme.palette
        info = self.infos.get(slot)
        small = theme.font("ui", 14, True)
        if info is None:
            return [(theme.font("prose_italic", 20, True), "Empty", pal.text_dim)]
        if info.problem:
            return [(small, line, pal.bad) for line in widgets.wrap(small, info.problem, room)[:3]]
        title = theme.font("prose", 21, True)
        played = format_play_time(info.play_time)
        options = [f"{date}  ·  {played}" for date in nice_dates(info.saved_at)]
        when = next((words for words in options if small.size(words)[0] <= room), widgets.fit(small, options[-1], room))
        lines = [(title, widgets.fit(title, info.chapter or info.node_title, room), pal.text),
                 (small, when, pal.text_dim)]
        if info.chapter and info.node_title:
            lines.insert(1, (small, widgets.fit(small, info.node_title, room), pal.text_dim))
        return lines

    def card_parts(self, button: widgets.Button) -> tuple[pygame.Rect | None, list[tuple[pygame.font.Font, str, tuple,
                                                                                  pygame.Rect]]]:
        """Where a card's thumbnail and words go. Everything stays inside the card: the thumbnail gives up height
        first, then the least useful lines go."""
        theme = self.theme
        pal = theme.palette
        slot = button.label
        pad = theme.px(10)
        inner = button.rect.inflate(-2 * pad, -2 * pad)
        lines = self.card_lines(slot, inner.width - theme.px(2))
        gap = theme.px(6)
        min_thumb = theme.px(36)
        while len(lines) > 1 and inner.height - gap - sum(f.get_linesize() for f, _, _ in lines) < min_thumb:
            lines.pop()
        thumb_h = min(inner.height - gap - sum(f.get_linesize() for f, _, _ in lines), inner.width * 9 // 16)
        thumb = None
        y = inner.y
        if thumb_h >= min_thumb:
            thumb = pygame.Rect(inner.x, inner.y, inner.width, thumb_h)
            y = thumb.bottom + gap
        else:  # no room for a picture: the slot's name leads the words
            lines.insert(0, (theme.font("ui_medium", 13), slot_label(slot), pal.accent_soft))
            while len(lines) > 1 and sum(f.get_linesize() for f, _, _ in lines) > inner.height:
                lines.pop()
        placed = []
        for font, words, colour in lines:
            width, height = font.size(words)
            place = pygame.Rect(inner.x + theme.px(2), y, width, min(height, inner.bottom - y))
            placed.append((font, words, colour, place))
            y += font.get_linesize()
        return thumb, placed

    def draw_card(self, surface: pygame.Surface, button: widgets.Button, focused: bool) -> None:
        theme = self.theme
        pal = theme.palette
        slot = button.label
        rect = button.rect
        edge = pal.accent if focused else pal.panel_edge
        widgets.panel(surface, rect, pal.panel, theme.px(14), edge, max(1, theme.px(2)) if focused else 1)
        thumb_rect, lines = self.card_parts(button)
        if thumb_rect is not None:
            thumb = self.thumbs.get(slot)
            if thumb is not None:
                surface.blit(_cover(thumb, thumb_rect.size), thumb_rect)
            else:
                pygame.draw.rect(surface, (60, 42, 48) if not theme.settings.high_contrast else (30, 30, 30),
                                 thumb_rect, border_radius=theme.px(8))
            label = theme.render(theme.font("ui_medium", 13), slot_label(slot), pal.text)
            badge = label.get_rect().inflate(theme.px(14), theme.px(6))
            badge.topleft = (thumb_rect.x + theme.px(6), thumb_rect.y + theme.px(6))
            widgets.panel(surface, badge, (24, 14, 18, 200) if not theme.settings.high_contrast else (0, 0, 0, 255),
                          theme.px(6))
            surface.blit(label, label.get_rect(center=badge.center))
        for font, words, colour, place in lines:
            widgets.text(surface, theme, font, words, colour, place.topleft)
        if self.infos.get(slot) is None and button.enabled and focused and self.mode == "save":
            last = lines[-1][3]
            widgets.text(surface, theme, theme.font("ui", 14, True), "Save here", pal.text,
                         (rect.right - theme.px(12), last.centery), "midright")


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
