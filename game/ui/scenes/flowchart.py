"""The flowchart: the story as far as the player has read it, unread nodes under fog of war.

Chapters run left to right; inside a chapter, nodes are placed by their distance from the
chapter's entrances. A node the player has read can be picked and replayed.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import pygame

from ...story.model import Story
from ...story.validate import successors
from .. import painter, widgets
from .base import Screen
from .overlays import Confirm

COL_W, ROW_H, CARD_W, CARD_H = 190, 74, 160, 46


@dataclass
class FlowLayout:
    pos: dict[str, tuple[int, int]]  # node id -> (column, row)
    edges: list[tuple[str, str]]
    chapters: list[tuple[str, str, int, int]]  # chapter id, title, first column, last column


def flow_layout(story: Story) -> FlowLayout:
    by_chapter: dict[str, list[str]] = {cid: [] for cid in story.chapters}
    for node in story.nodes.values():
        by_chapter.setdefault(node.chapter, []).append(node.id)
    incoming: dict[str, set[str]] = {n: set() for n in story.nodes}
    edges = []
    for node in story.nodes.values():
        for target in dict.fromkeys(successors(node)):
            if target in story.nodes:
                incoming[target].add(node.id)
                edges.append((node.id, target))
    pos: dict[str, tuple[int, int]] = {}
    chapters = []
    column = 0
    for chapter_id, ids in by_chapter.items():
        if not ids:
            continue
        members = set(ids)
        entries = [n for n in ids if n == story.start or any(src not in members for src in incoming[n])] or [ids[0]]
        depth: dict[str, int] = {}
        queue = deque((n, 0) for n in entries)
        while queue:
            node_id, d = queue.popleft()
            if node_id in depth:
                continue
            depth[node_id] = d
            for target in successors(story.nodes[node_id]):
                if target in members and target not in depth:
                    queue.append((target, d + 1))
        deepest = max(depth.values(), default=0)
        for node_id in ids:  # nodes no path inside the chapter reaches go at the end
            if node_id not in depth:
                deepest += 1
                depth[node_id] = deepest
        rows: dict[int, int] = {}
        for node_id in sorted(ids, key=lambda n: depth[n]):
            d = depth[node_id]
            pos[node_id] = (column + d, rows.get(d, 0))
            rows[d] = rows.get(d, 0) + 1
        title = story.chapters[chapter_id].title if chapter_id in story.chapters else chapter_id
        chapters.append((chapter_id, title, column, column + deepest))
        column += deepest + 2
    return FlowLayout(pos, edges, chapters)


class FlowchartScene(Screen):
    title = "Flowchart"

    def __init__(self, app):
        super().__init__(app)
        self.flow = flow_layout(app.story)
        self.selected: str | None = None
        self.hover: str | None = None
        self.drag_from: tuple[int, int] | None = None
        self.dragged = False
        current = app.session.engine.state.node if app.session else app.story.start
        self.offset = [0.0, 0.0]
        self.center_on(current)

    # ------------------------------------------------------------ what the player knows

    @property
    def seen(self) -> set[str]:
        seen = set(self.app.library.player.seen)
        if self.app.session is not None:
            seen |= {n for n in self.app.session.engine.state.path}
        return seen

    def visible(self) -> tuple[set[str], set[str]]:
        """Read nodes, and the unread ones right next to them (the edge of the fog)."""
        seen = self.seen & set(self.flow.pos)
        frontier = {t for s, t in self.flow.edges if s in seen and t not in seen}
        return seen, frontier

    # ------------------------------------------------------------ geometry

    def node_rect(self, node_id: str) -> pygame.Rect:
        theme = self.theme
        col, row = self.flow.pos[node_id]
        x = self.offset[0] + col * theme.px(COL_W)
        y = self.offset[1] + row * theme.px(ROW_H)
        return pygame.Rect(int(x), int(y), theme.px(CARD_W), theme.px(CARD_H))

    def center_on(self, node_id: str) -> None:
        if node_id not in self.flow.pos:
            return
        theme = self.theme
        col, row = self.flow.pos[node_id]
        self.offset = [theme.w / 2 - col * theme.px(COL_W) - theme.px(CARD_W) / 2,
                       theme.h / 2 - row * theme.px(ROW_H) - theme.px(CARD_H) / 2]

    def layout(self) -> None:
        self.flow = flow_layout(self.app.story)
        theme = self.theme
        self.replay_button = widgets.Button("Replay this scene", self.confirm_replay, True,
                                            pygame.Rect(0, 0, theme.px(240), theme.px(44)))
        self.info_rect = pygame.Rect(theme.px(60), theme.h - theme.px(96), theme.w - theme.px(120), theme.px(76))
        self.replay_button.rect.midright = (self.info_rect.right - theme.px(16), self.info_rect.centery)
        self.button_hover = False

    def node_at(self, pos: tuple[int, int]) -> str | None:
        seen, frontier = self.visible()
        for node_id in seen:
            if self.node_rect(node_id).collidepoint(pos):
                return node_id
        return None

    # ------------------------------------------------------------ input

    def confirm_replay(self) -> None:
        node_id = self.selected
        if node_id is None:
            return
        node = self.app.story.nodes[node_id]
        self.app.push(Confirm(self.app, f"Replay “{node.title or node.id}”? Your game is autosaved first.",
                              "Replay", lambda: self.app.replay_scene(node_id)))

    def handle_event(self, event: pygame.event.Event) -> bool:
        if self.handle_common(event):
            return True
        theme = self.theme
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            self.drag_from = event.pos
            self.dragged = False
            return True
        if event.type == pygame.MOUSEMOTION:
            if self.drag_from is not None and event.buttons[0]:
                dx, dy = event.pos[0] - self.drag_from[0], event.pos[1] - self.drag_from[1]
                if abs(dx) + abs(dy) > 3 or self.dragged:
                    self.offset[0] += dx
                    self.offset[1] += dy
                    self.drag_from = event.pos
                    self.dragged = True
            self.hover = self.node_at(event.pos)
            self.button_hover = self.replay_button.rect.collidepoint(event.pos)
            return True
        if event.type == pygame.MOUSEBUTTONUP and event.button == 1:
            was_drag = self.dragged
            self.drag_from = None
            self.dragged = False
            if was_drag:
                return True
            if self.selected and self.replay_button.rect.collidepoint(event.pos):
                self.confirm_replay()
                return True
            self.selected = self.node_at(event.pos)
            return True
        if event.type == pygame.MOUSEWHEEL:
            self.offset[0] += event.x * theme.px(60)
            self.offset[1] += event.y * theme.px(60)
            return True
        if event.type == pygame.KEYDOWN:
            moves = {pygame.K_LEFT: (1, 0), pygame.K_RIGHT: (-1, 0), pygame.K_UP: (0, 1), pygame.K_DOWN: (0, -1),
                     pygame.K_a: (1, 0), pygame.K_d: (-1, 0), pygame.K_w: (0, 1), pygame.K_s: (0, -1)}
            if event.key in moves:
                dx, dy = moves[event.key]
                self.offset[0] += dx * theme.px(COL_W)
                self.offset[1] += dy * theme.px(ROW_H)
            elif event.key in (pygame.K_RETURN, pygame.K_KP_ENTER) and self.selected:
                self.confirm_replay()
            elif event.key in (pygame.K_f, pygame.K_HOME):
                self.center_on(self.app.session.engine.state.node if self.app.session else self.app.story.start)
            return True
        return False

    # ------------------------------------------------------------ drawing

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        seen, frontier = self.visible()
        total = len(self.flow.pos)
        self.draw_frame(surface, f"{len(seen)} of {total} scenes read · drag or arrows to look around")
        area = pygame.Rect(0, theme.px(100), theme.w, theme.h - theme.px(100))
        previous = surface.get_clip()
        surface.set_clip(area)
        current = self.app.session.engine.state.node if self.app.session else None
        # chapter bands
        for chapter_id, title, first, last in self.flow.chapters:
            x0 = self.offset[0] + first * theme.px(COL_W) - theme.px(14)
            x1 = self.offset[0] + (last + 1) * theme.px(COL_W) - theme.px(COL_W - CARD_W) + theme.px(14)
            if x1 < 0 or x0 > theme.w:
                continue
            known = any(self.app.story.nodes[n].chapter == chapter_id for n in seen)
            band = pygame.Rect(int(x0), area.y + theme.px(10), int(x1 - x0), area.height - theme.px(20))
            widgets.panel(surface, band, (255, 240, 230, 12) if not theme.settings.high_contrast else (20, 20, 20, 255),
                          theme.px(14))
            label = title if known else "???"
            font = theme.font("prose_italic", 22)
            widgets.text(surface, theme, font, widgets.fit(font, label, band.width - theme.px(24)),
                         pal.accent_soft if known else pal.disabled, (band.x + theme.px(14), band.y + theme.px(8)))
        # edges
        for source, target in self.flow.edges:
            if source not in seen or (target not in seen and target not in frontier):
                continue
            a, b = self.node_rect(source), self.node_rect(target)
            start = (a.right, a.centery)
            end = (b.left, b.centery)
            if b.left <= a.right:  # a link back or down the same column
                start, end = (a.centerx, a.bottom), (b.centerx, b.top if b.top > a.bottom else b.bottom)
            colour = pal.accent_soft if target in seen else pal.disabled
            pygame.draw.aaline(surface, colour, start, end)
        # fog at the edge of what is known
        for node_id in frontier:
            rect = self.node_rect(node_id)
            if rect.colliderect(area):
                painter.glow(surface, rect.center, theme.px(60), (120, 100, 120), 0.5)
                widgets.text(surface, theme, theme.font("prose_italic", 24), "?", pal.disabled, rect.center, "center")
        # read nodes
        for node_id in seen:
            rect = self.node_rect(node_id)
            if not rect.colliderect(area):
                continue
            node = self.app.story.nodes[node_id]
            is_current = node_id == current
            chosen = node_id == self.selected or node_id == self.hover
            fill = pal.button_hover if chosen else pal.panel
            edge = pal.accent if (is_current or node.ending) else pal.panel_edge
            widgets.panel(surface, rect, fill, theme.px(10), edge, max(1, theme.px(2)) if is_current else 1)
            font = theme.font("ui", 14)
            label = node.title or node.id
            if node.ending:
                label = "◆ " + label
            widgets.text(surface, theme, font, widgets.fit(font, label, rect.width - theme.px(16)),
                         pal.text, rect.center, "center")
        surface.set_clip(previous)
        if self.selected:
            node = self.app.story.nodes[self.selected]
            info = self.info_rect
            widgets.panel(surface, info, pal.panel, theme.px(14), pal.panel_edge)
            chapter = self.app.story.chapter_of(self.selected)
            widgets.text(surface, theme, theme.font("prose_italic", 26), node.title or node.id, pal.text,
                         (info.x + theme.px(24), info.y + theme.px(12)))
            widgets.text(surface, theme, theme.ui_small, chapter.title if chapter else "", pal.text_dim,
                         (info.x + theme.px(24), info.y + theme.px(48)))
            widgets.draw_button(surface, theme, self.replay_button, self.button_hover)
