"""The flowchart: the story as far as the player has read it, unread nodes under fog of war.

Chapters run left to right. Inside a chapter, nodes are layered like a family tree: a node sits one
column right of the furthest node that leads to it (links back, in loops, are drawn under the cards),
and each column is ordered to keep links from crossing. A node the player has read can be replayed.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pygame

from ...story.model import Story, successors
from .. import painter, widgets
from ..cache import SurfaceCache
from .base import Screen
from .registry import screen

COL_W, ROW_H, CARD_W, CARD_H = 190, 72, 160, 48  # at zoom 1, before the window's scale
ZOOMS = (0.25, 0.4, 0.6, 0.8, 1.0)
LABELS_FROM = 0.8  # below this zoom, cards are too small to read: titles show on hover
TITLE_STRIP = 44  # room at the top of the chart for chapter titles
MARGIN = 28  # room kept around the known part of the chart when it fits
TILE = 512  # the chart is drawn once in tiles of this many pixels and dragged by blitting them
LABEL_PX = 12  # the smallest label a card shows (zoomed out, a short title; the whole one on hover)


@dataclass
class FlowLayout:
    pos: dict[str, tuple[int, float]]  # node id -> (column, row); rows are centred on 0
    edges: list[tuple[str, str]]
    chapters: list[tuple[str, str, int, int]]  # chapter id, title, first column, last column
    bends: dict[tuple[str, str], list[tuple[int, float]]]  # a long link -> the free cells it runs through


def _layers(ids: list[str], entries: list[str], links: dict[str, list[str]]) -> dict[str, int]:
    """Longest-path layering of one chapter: links that close a loop (found by depth-first search) are
    set aside, then every node goes one column right of the furthest node that leads to it."""
    order: list[str] = []  # reverse finishing order = a topological order of the loop-free links
    state: dict[str, int] = {}  # 1 = on the search path, 2 = done
    forward: dict[str, list[str]] = defaultdict(list)
    for root in entries + ids:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(links[root]))]
        while stack:
            node, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                state[node] = 2
                order.append(node)
                stack.pop()
            elif state.get(target) is None:
                forward[node].append(target)
                state[target] = 1
                stack.append((target, iter(links[target])))
            elif state[target] == 2:
                forward[node].append(target)
    depth = {node: 0 for node in ids}
    for node in reversed(order):
        for target in forward[node]:
            depth[target] = max(depth[target], depth[node] + 1)
    return depth


def _order_columns(columns: list[list[str]], preds: dict[str, list[str]], succs: dict[str, list[str]]) -> None:
    """Sort each column by the mean place of its neighbours, sweeping right then left: fewer crossings."""
    place = {node: i for column in columns for i, node in enumerate(column)}

    def sweep(cols: list[list[str]], neighbours: dict[str, list[str]]) -> None:
        for column in cols:
            def key(node: str) -> float:
                known = [place[n] for n in neighbours[node] if n in place]
                return sum(known) / len(known) if known else place[node]
            column.sort(key=key)
            for i, node in enumerate(column):
                place[node] = i

    for _ in range(3):
        sweep(columns[1:], preds)
        sweep(list(reversed(columns[:-1])), succs)


def flow_layout(story: Story) -> FlowLayout:
    by_chapter: dict[str, list[str]] = {cid: [] for cid in story.chapters}
    for node in story.nodes.values():
        by_chapter.setdefault(node.chapter, []).append(node.id)
    chapter_index = {cid: i for i, cid in enumerate(by_chapter)}
    incoming: dict[str, set[str]] = {n: set() for n in story.nodes}
    edges = []
    for node in story.nodes.values():
        for target in dict.fromkeys(successors(node)):
            if target in story.nodes:
                incoming[target].add(node.id)
                edges.append((node.id, target))
    pos: dict[str, tuple[int, float]] = {}
    bends: dict[tuple[str, str], list[tuple[int, float]]] = {}
    chapters = []
    column = 0
    for chapter_id, ids in by_chapter.items():
        if not ids:
            continue
        members = set(ids)
        links = {n: [t for t in dict.fromkeys(successors(story.nodes[n])) if t in members] for n in ids}
        entries = [n for n in ids if n == story.start or any(src not in members for src in incoming[n])] or [ids[0]]
        depth = _layers(ids, entries, links)
        deepest = max(depth.values())
        # a link that skips columns runs through free cells of its own, so it never crosses a card; a link
        # out to a later chapter runs through this chapter's remaining columns first
        chains: dict[tuple[str, str], list[str]] = {}
        for n in ids:
            for t in dict.fromkeys(successors(story.nodes[n])):
                if t in members:
                    last = depth[t] if depth[t] > depth[n] else None
                elif t in story.nodes and chapter_index[story.nodes[t].chapter] > chapter_index[chapter_id]:
                    last = deepest + 1
                else:
                    last = None
                if last is not None and last > depth[n] + 1:
                    chains[(n, t)] = [f"\0{n}>{t}#{d}" for d in range(depth[n] + 1, last)]
        item_depth = dict(depth)
        preds: dict[str, list[str]] = {n: [] for n in ids}
        succs: dict[str, list[str]] = {n: [] for n in ids}
        for n in ids:
            for t in links[n]:
                if depth[t] == depth[n] + 1:
                    preds[t].append(n)
                    succs[n].append(t)
        for (n, t), chain in chains.items():
            path = [n] + chain + ([t] if t in members else [])
            for d, item in zip(range(depth[n] + 1, depth[n] + 1 + len(chain)), chain):
                item_depth[item] = d
                preds[item], succs[item] = [], []
            for a, b in zip(path, path[1:]):
                succs[a].append(b)
                preds[b].append(a)
        columns: list[list[str]] = [[] for _ in range(deepest + 1)]
        for item, d in item_depth.items():
            columns[d].append(item)
        _order_columns(columns, preds, succs)
        place: dict[str, tuple[int, float]] = {}
        for d, items in enumerate(columns):
            for i, item in enumerate(items):
                place[item] = (column + d, i - (len(items) - 1) / 2)
        pos.update((n, place[n]) for n in ids)
        bends.update((edge, [place[item] for item in chain]) for edge, chain in chains.items())
        title = story.chapters[chapter_id].title if chapter_id in story.chapters else chapter_id
        chapters.append((chapter_id, title, column, column + deepest))
        column += deepest + 2
    return FlowLayout(pos, edges, chapters, bends)


BEZIER_STEPS = 16
_BERNSTEIN = [((1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3)
              for t in (i / BEZIER_STEPS for i in range(BEZIER_STEPS + 1))]


def _bezier(start: tuple[float, float], c1: tuple[float, float], c2: tuple[float, float],
            end: tuple[float, float]) -> list[tuple[float, float]]:
    return [(a * start[0] + b * c1[0] + c * c2[0] + d * end[0], a * start[1] + b * c1[1] + c * c2[1] + d * end[1])
            for a, b, c, d in _BERNSTEIN]


@screen("flowchart")
class FlowchartScene(Screen):
    title = "Flowchart"

    def __init__(self, app):
        super().__init__(app)
        self.flow = flow_layout(app.story)
        self.selected: str | None = None
        self.hover: str | None = None
        self.drag_from: tuple[int, int] | None = None
        self.dragged = False
        self.zoom = 1.0
        self.offset: list[float] | None = None  # chart origin inside the area, in pixels; set by the first layout
        self.button_hover = False
        self.tiles = SurfaceCache(32 * 2**20)
        self.generation = 0
        self._visible: tuple[tuple, tuple[set[str], set[str]]] | None = None
        self._bounds: tuple[tuple, pygame.Rect | None] | None = None
        self._frame: tuple[tuple, pygame.Surface] | None = None  # the still part of the screen around the chart
        self._paths: tuple[tuple, list] | None = None

    # ------------------------------------------------------------ what the player knows

    @property
    def seen(self) -> set[str]:
        seen = set(self.app.library.player.seen)
        if self.app.session is not None:
            seen |= {n for n in self.app.session.engine.state.path}
        return seen

    @property
    def current(self) -> str:
        return self.app.session.engine.state.node if self.app.session else self.app.story.start

    def visible(self) -> tuple[set[str], set[str]]:
        """Read nodes, and the unread ones right next to them (the edge of the fog). Worked out again only when
        the player has read more or the story changed: the view asks for it on every frame of a drag."""
        key = self.read_key()
        if self._visible is None or self._visible[0] != key:
            self._visible = (key, self._work_out_visible())
        return self._visible[1]

    def read_key(self) -> tuple:
        """Changes whenever what visible() says may have changed."""
        state = self.app.session.engine.state if self.app.session else None
        return (self.generation, len(self.app.library.player.seen), state.node if state else None,
                state.steps if state else 0, len(state.path) if state else 0)

    def _work_out_visible(self) -> tuple[set[str], set[str]]:
        seen = self.seen & set(self.flow.pos)
        frontier = {t for s, t in self.flow.edges if s in seen and t not in seen}
        if not seen and self.app.story.start in self.flow.pos:  # nothing read yet: the way in, still in fog
            frontier = {self.app.story.start}
        return seen, frontier

    def neighbours(self, node_id: str) -> set[str]:
        return {t for s, t in self.flow.edges if s == node_id} | {s for s, t in self.flow.edges if t == node_id}

    # ------------------------------------------------------------ geometry

    def cell(self) -> tuple[float, float, int, int]:
        """Column width, row height, card width and height at the current zoom."""
        theme = self.theme
        z = self.zoom
        col_w, row_h = theme.px(COL_W) * z, theme.px(ROW_H) * z
        card_w = max(8, int(theme.px(CARD_W) * z))
        card_h = max(6, int(theme.px(CARD_H) * z), min(int(row_h) - 2, LABEL_PX + 5))  # room for a short title
        return col_w, row_h, card_w, card_h

    def chart_rect(self) -> pygame.Rect:
        """Where nodes go: the area below the strip of chapter titles."""
        return pygame.Rect(self.area.x, self.area.y + self.theme.px(TITLE_STRIP), self.area.width,
                           self.area.height - self.theme.px(TITLE_STRIP))

    def chart_point(self, node_id: str) -> tuple[float, float]:
        """A node's top-left corner in chart coordinates (before the view's offset)."""
        col_w, row_h, _, card_h = self.cell()
        col, row = self.flow.pos[node_id]
        return col * col_w, row * row_h - card_h / 2

    def node_rect(self, node_id: str) -> pygame.Rect:
        return self.node_rects([node_id])[node_id]

    def base(self) -> tuple[int, int]:
        """Where the chart's origin (column 0, row 0's top edge) is in the window."""
        _, _, _, card_h = self.cell()
        chart = self.chart_rect()
        offset = self.offset or [0.0, 0.0]
        return round(chart.x + offset[0]), round(chart.centery + offset[1] - card_h / 2)

    def node_rects(self, ids, base: tuple[int, int] | None = None) -> dict[str, pygame.Rect]:
        """Where cards are in the window, or on a surface whose origin is at base (one pass, for a few hundred)."""
        col_w, row_h, card_w, card_h = self.cell()
        x0, y0 = base if base is not None else self.base()
        pos = self.flow.pos
        return {n: pygame.Rect(x0 + round(pos[n][0] * col_w), y0 + round(pos[n][1] * row_h), card_w, card_h)
                for n in ids}

    def known_bounds(self) -> pygame.Rect | None:
        """The part of the chart the player knows (read nodes and the fog's edge), in chart coordinates."""
        visible = self.visible()
        key = (self.read_key(), self.cell())
        if self._bounds is None or self._bounds[0] != key:
            self._bounds = (key, self._work_out_bounds(*visible))
        return self._bounds[1]

    def _work_out_bounds(self, seen: set[str], frontier: set[str]) -> pygame.Rect | None:
        known = seen | frontier
        if not known:
            return None
        _, _, card_w, card_h = self.cell()
        points = [self.chart_point(n) for n in known]
        x0, y0 = min(p[0] for p in points), min(p[1] for p in points)
        x1, y1 = max(p[0] for p in points) + card_w, max(p[1] for p in points) + card_h
        return pygame.Rect(int(x0), int(y0), int(x1 - x0) + 1, int(y1 - y0) + 1)

    def clamp(self) -> None:
        """Keep the known part of the chart in view. Along an axis where it all fits, it is centred; where it
        does not, the view may move until the first or last known scene is in the middle, and no further."""
        bounds = self.known_bounds()
        if bounds is None or self.offset is None:
            return
        chart = self.chart_rect()
        margin = self.theme.px(MARGIN)
        _, _, card_w, card_h = self.cell()
        # the offset puts the chart's x = 0 at the area's left edge and its y = 0 at the area's middle
        fits_x = bounds.width + 2 * margin <= chart.width
        fits_y = bounds.height + 2 * margin <= chart.height
        if fits_x:
            self.offset[0] = chart.width / 2 - bounds.centerx
        else:
            lo, hi = chart.width / 2 - bounds.right + card_w / 2, chart.width / 2 - bounds.left - card_w / 2
            self.offset[0] = min(hi, max(lo, self.offset[0]))
        if fits_y:
            self.offset[1] = -bounds.centery
        else:
            lo, hi = -(bounds.bottom - card_h / 2), -(bounds.top + card_h / 2)
            self.offset[1] = min(hi, max(lo, self.offset[1]))

    def center_on(self, node_id: str) -> None:
        """Put a node in the middle of the view, then keep its neighbours and the chart's edges in sight."""
        if node_id not in self.flow.pos:
            return
        _, _, card_w, card_h = self.cell()
        chart = self.chart_rect()
        x, y = self.chart_point(node_id)
        self.offset = [chart.width / 2 - x - card_w / 2, -y - card_h / 2]
        seen, frontier = self.visible()
        inside = chart.inflate(-2 * self.theme.px(8), -2 * self.theme.px(8))
        here = self.node_rect(node_id)
        for near in sorted(self.neighbours(node_id) & (seen | frontier)):
            rect = self.node_rect(near)  # move just enough to show a neighbour, never losing the node itself
            for axis, (lo, hi, a0, a1) in enumerate(((inside.left, inside.right, rect.left, rect.right),
                                                     (inside.top, inside.bottom, rect.top, rect.bottom))):
                h0, h1 = (here.left, here.right) if axis == 0 else (here.top, here.bottom)
                if a0 < lo:
                    self.offset[axis] += min(lo - a0, hi - h1)
                elif a1 > hi:
                    self.offset[axis] -= min(a1 - hi, h0 - lo)
            here = self.node_rect(node_id)
        self.clamp()

    def set_zoom(self, zoom: float, anchor: tuple[int, int] | None = None) -> None:
        """Zoom about a point of the window (the mouse, or the middle of the chart)."""
        chart = self.chart_rect()
        ax, ay = anchor or chart.center
        old = self.zoom
        zoom = min(ZOOMS[-1], max(ZOOMS[0], zoom))
        if self.offset is None or zoom == old:
            self.zoom = zoom
            return
        k = zoom / old
        gx, gy = ax - chart.x - self.offset[0], ay - chart.centery - self.offset[1]
        self.offset = [ax - chart.x - gx * k, ay - chart.centery - gy * k]
        self.zoom = zoom
        self.clamp()

    def step_zoom(self, direction: int, anchor: tuple[int, int] | None = None) -> None:
        index = min(range(len(ZOOMS)), key=lambda i: abs(ZOOMS[i] - self.zoom))
        self.set_zoom(ZOOMS[max(0, min(len(ZOOMS) - 1, index + direction))], anchor)

    def pan(self, dx: float, dy: float) -> None:
        if self.offset is not None:
            self.offset[0] += dx
            self.offset[1] += dy
            self.clamp()

    def jump_chapter(self, direction: int) -> None:
        """Page Down / Page Up: the next or previous chapter the player has been in, at its first read node."""
        seen, _ = self.visible()
        story = self.app.story
        here = story.nodes[self.selected or self.current].chapter
        order = [cid for cid, *_ in self.flow.chapters if any(story.nodes[n].chapter == cid for n in seen)]
        if here not in order:
            return
        index = order.index(here) + direction
        if 0 <= index < len(order):
            first = min((n for n in seen if story.nodes[n].chapter == order[index]), key=lambda n: self.flow.pos[n])
            self.selected = first
            self.center_on(first)

    def layout(self) -> None:
        self.flow = flow_layout(self.app.story)
        self.generation += 1  # the story may have been reloaded: everything worked out from it goes
        theme = self.theme
        info_h = theme.px(66)
        self.area = pygame.Rect(theme.px(40), theme.px(100), theme.w - theme.px(80),
                                theme.h - theme.px(100) - theme.px(20) - info_h - theme.px(10))
        self.info_rect = pygame.Rect(self.area.x, self.area.bottom + theme.px(10), self.area.width, info_h)
        self.replay_button = widgets.Button("Replay this scene", self.confirm_replay, True,
                                            pygame.Rect(0, 0, theme.px(220), theme.px(42)))
        self.replay_button.rect.midright = (self.info_rect.right - theme.px(12), self.info_rect.centery)
        if self.offset is None:
            self.center_on(self.current)
            if self.offset is None:  # the current node is not on the chart: start at its origin
                self.offset = [0.0, 0.0]
            bounds = self.known_bounds()
            if self.app.session is None and bounds is not None:  # from the title screen: the story from its start
                self.offset[0] = self.theme.px(MARGIN) - bounds.left
                self.clamp()
        else:
            self.clamp()

    def node_at(self, pos: tuple[int, int]) -> str | None:
        if not self.area.collidepoint(pos):
            return None
        seen, _ = self.visible()
        return next((n for n, rect in self.node_rects(seen).items() if rect.collidepoint(pos)), None)

    # ------------------------------------------------------------ input

    def confirm_replay(self) -> None:
        node_id = self.selected
        if node_id is None:
            return
        node = self.app.story.nodes[node_id]
        self.app.open("confirm", question=f"Replay “{node.title or node.id}”? Your game is autosaved first.",
                      yes_label="Replay", on_yes=lambda: self.app.replay_scene(node_id))

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
                    self.pan(dx, dy)
                    self.drag_from = event.pos
                    self.dragged = True
            self.hover = self.node_at(event.pos)
            self.button_hover = self.selected is not None and self.replay_button.rect.collidepoint(event.pos)
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
            if self.area.collidepoint(event.pos):
                self.selected = self.node_at(event.pos)
            return True
        if event.type == pygame.MOUSEWHEEL:
            if pygame.key.get_mods() & pygame.KMOD_CTRL:
                self.step_zoom(1 if event.y > 0 else -1, pygame.mouse.get_pos())
            elif pygame.key.get_mods() & pygame.KMOD_SHIFT:
                self.pan(0, event.y * theme.px(60))
            else:  # the story runs left to right: the wheel moves along it
                self.pan((event.y - event.x) * theme.px(90), 0)
            return True
        if event.type == pygame.KEYDOWN:
            col_w, row_h, _, _ = self.cell()
            moves = {pygame.K_LEFT: (1, 0), pygame.K_RIGHT: (-1, 0), pygame.K_UP: (0, 1), pygame.K_DOWN: (0, -1),
                     pygame.K_a: (1, 0), pygame.K_d: (-1, 0), pygame.K_w: (0, 1), pygame.K_s: (0, -1)}
            if event.key in moves:
                dx, dy = moves[event.key]
                self.pan(dx * col_w, dy * row_h)
            elif event.key in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS):
                self.step_zoom(1)
            elif event.key in (pygame.K_MINUS, pygame.K_KP_MINUS):
                self.step_zoom(-1)
            elif event.key in (pygame.K_PAGEDOWN, pygame.K_PAGEUP):
                self.jump_chapter(1 if event.key == pygame.K_PAGEDOWN else -1)
            elif event.key in (pygame.K_RETURN, pygame.K_KP_ENTER) and self.selected:
                self.confirm_replay()
            elif event.key in (pygame.K_f, pygame.K_HOME):
                self.selected = None
                self.center_on(self.current)
            return True
        return False

    # ------------------------------------------------------------ drawing

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.theme
        pal = theme.palette
        seen, frontier = self.visible()
        area = self.area
        surface.blit(self.still_frame(len(seen)), (0, 0))
        previous = surface.get_clip()
        corner = theme.px(16)
        base = self.base()
        inside = area.inflate(-2, -2)
        for clip in (inside.inflate(-2 * corner, 0), inside.inflate(0, -2 * corner)):  # the panel's round corners
            surface.set_clip(clip)
            for i, j in self.tiles_over(inside):
                surface.blit(self.tile(i, j), (base[0] + i * TILE, base[1] + j * TILE))
        surface.set_clip(inside)
        rects = self.node_rects({n for n in (self.selected, self.hover) if n in seen})
        for node_id, rect in rects.items():  # picked and hovered cards: lit over the tiles
            self.draw_card(surface, node_id, rect, True)
        self.draw_chapter_titles(surface, seen)
        current = self.current if self.app.session else None
        if current in seen:
            rect = self.node_rect(current)
            widgets.text(surface, theme, theme.font("ui_medium", 12), "you are here", pal.accent_soft,
                         (rect.centerx, rect.top - theme.px(3)), "midbottom")
        if self.hover in seen and self.zoom < LABELS_FROM:
            self.draw_hover_label(surface, self.hover, self.node_rect(self.hover))
        surface.set_clip(previous)
        self.draw_info(surface)

    def still_frame(self, read: int) -> pygame.Surface:
        """The blurred scene, heading and the chart's empty panel: drawn once, copied under every frame of a drag."""
        theme = self.theme
        key = (theme.size, theme.settings.high_contrast, read, self.area, tuple(sorted(self.app.scene_info().items())))
        if self._frame is None or self._frame[0] != key:
            surf = pygame.Surface(theme.size).convert() if pygame.display.get_surface() else pygame.Surface(theme.size)
            self.draw_frame(surf, f"{read} of {len(self.flow.pos)} scenes read")
            widgets.panel(surf, self.area, self.ground(), theme.px(16), theme.palette.panel_edge)
            self._frame = (key, surf)
        return self._frame[1]

    def ground(self) -> tuple[int, int, int, int]:
        """The chart's panel: opaque, so its tiles can be drawn once and slid under the view."""
        return (24, 13, 17, 255) if not self.theme.settings.high_contrast else (0, 0, 0, 255)

    def tiles_over(self, rect: pygame.Rect) -> list[tuple[int, int]]:
        """The tiles under a part of the window."""
        base = self.base()
        view = rect.move(-base[0], -base[1])
        return [(i, j) for i in range(view.left // TILE, (view.right - 1) // TILE + 1)
                for j in range(view.top // TILE, (view.bottom - 1) // TILE + 1)]

    def tile_key(self, i: int, j: int) -> tuple:
        return (self.read_key(), self.zoom, self.theme.size, self.theme.settings.high_contrast,
                self.current if self.app.session else None, i, j)

    def tile(self, i: int, j: int) -> pygame.Surface:
        return self.tiles.get(self.tile_key(i, j), lambda: self.paint_tile(i, j, *self.visible()))

    def update(self, dt: float) -> None:
        """Between frames, paint one tile just outside the view, so dragging meets tiles already drawn."""
        if self is not self.app.top or self.offset is None:
            return
        for i, j in self.tiles_over(self.area.inflate(2 * TILE, TILE)):
            if not self.tiles.has(self.tile_key(i, j)):
                self.tile(i, j)
                return

    def paint_tile(self, i: int, j: int, seen: set[str], frontier: set[str]) -> pygame.Surface:
        """One TILE x TILE piece of the chart (tile 0, 0 starts at the chart's origin): lines, links and cards."""
        tile = pygame.Surface((TILE, TILE))
        tile.fill(self.ground()[:3])
        origin = (-i * TILE, -j * TILE)
        rects = self.node_rects(seen | frontier, origin)
        bounds = tile.get_rect()
        self.draw_chapter_lines(tile, origin, bounds)
        self.draw_edges(tile, seen, frontier, origin, bounds)
        self.draw_nodes(tile, seen, frontier, rects, bounds)
        return tile.convert() if pygame.display.get_surface() else tile

    def draw_chapter_lines(self, surface: pygame.Surface, origin: tuple[int, int], bounds: pygame.Rect) -> None:
        """A faint line where each chapter begins."""
        theme = self.theme
        col_w, _, card_w, _ = self.cell()
        colour = theme.palette.panel_edge if theme.settings.high_contrast else (96, 74, 80)
        for _, _, first, _ in self.flow.chapters:
            x = int(origin[0] + (first - 1) * col_w + card_w / 2)
            if first > 0 and bounds.left <= x < bounds.right:
                pygame.draw.line(surface, colour, (x, bounds.top), (x, bounds.bottom))

    def draw_hover_label(self, surface: pygame.Surface, node_id: str, rect: pygame.Rect) -> None:
        """Zoomed out, the hovered card's whole title in a label beside it."""
        theme = self.theme
        pal = theme.palette
        node = self.app.story.nodes[node_id]
        font = theme.font("ui", 15)
        words = widgets.fit(font, ("◆ " if node.ending else "") + (node.title or node.id), theme.px(420))
        label = theme.render(font, words, pal.text)
        box = label.get_rect().inflate(theme.px(16), theme.px(10))
        box.midbottom = (rect.centerx, rect.top - theme.px(4))
        if box.top < self.area.top + theme.px(4):
            box.midtop = (rect.centerx, rect.bottom + theme.px(4))
        box.clamp_ip(self.area.inflate(-theme.px(8), -theme.px(8)))
        widgets.panel(surface, box, pal.panel_solid, theme.px(8), pal.accent_soft)
        surface.blit(label, label.get_rect(center=box.center))

    def draw_chapter_titles(self, surface: pygame.Surface, seen: set[str]) -> None:
        """Each chapter's title pinned to the top of the chart while any of the chapter shows."""
        theme = self.theme
        pal = theme.palette
        col_w, _, card_w, _ = self.cell()
        area = self.area
        origin = self.base()[0]
        font = theme.font("prose_italic", 21)
        known_chapters = {self.app.story.nodes[n].chapter for n in seen}
        for chapter_id, title, first, last in self.flow.chapters:  # chapters are one empty column apart
            x0, x1 = origin + (first - 1) * col_w + card_w / 2, origin + (last + 1) * col_w + card_w / 2
            if x1 < area.x or x0 > area.right:
                continue
            band = pygame.Rect(int(x0), area.y, int(x1 - x0), area.height)
            known = chapter_id in known_chapters
            visible = band.clip(area)
            room = visible.width - theme.px(24)
            if room < theme.px(40):
                continue
            words = widgets.fit(font, title if known else "???", room)
            x = max(band.x, area.x) + theme.px(14)
            x = min(x, band.right - theme.px(12) - font.size(words)[0])
            strip = pygame.Rect(x - theme.px(6), area.y + theme.px(8), font.size(words)[0] + theme.px(12),
                                font.get_linesize() + theme.px(4))
            surface.fill(self.ground()[:3], strip)  # over the chapter's line
            widgets.text(surface, theme, font, words, pal.accent_soft if known else pal.disabled,
                         (x, area.y + theme.px(12)))

    def edge_paths(self, seen: set[str], frontier: set[str]) -> list[tuple[list[tuple[float, float]], pygame.Rect, tuple]]:
        """Every link to draw as a curve on the chart (origin at 0, 0), with its bounds and colour; worked out once
        per zoom and per read set, for every tile."""
        key = (self.read_key(), self.cell(), self.theme.palette)
        if self._paths is not None and self._paths[0] == key:
            return self._paths[1]
        theme = self.theme
        pal = theme.palette
        col_w, row_h, card_w, card_h = self.cell()
        bend = theme.px(36) * self.zoom
        rects = self.node_rects(seen | frontier, (0, 0))
        paths = []
        for source, target in self.flow.edges:
            if source not in seen or (target not in seen and target not in frontier):
                continue
            a, b = rects[source], rects[target]
            if b.left > a.right:  # forward: out of the right side, through any free cells, into the left side
                stops: list[tuple[float, float]] = [(a.right, a.centery)]
                for col, row in self.flow.bends.get((source, target), []):
                    x, y = col * col_w, card_h / 2 + row * row_h
                    stops += [(x, y), (x + card_w, y)]
                stops.append((b.left, b.centery))
                points = []
                for i in range(0, len(stops) - 1, 2):
                    start, end = stops[i], stops[i + 1]
                    reach = (end[0] - start[0]) / 2
                    points += _bezier(start, (start[0] + reach, start[1]), (end[0] - reach, end[1]), end)
            elif source == target:  # a scene that can lead back to itself: a small loop under the card
                start, end = (a.centerx - card_w // 5, a.bottom), (a.centerx + card_w // 5, a.bottom)
                low = a.bottom + bend
                points = _bezier(start, (start[0] - bend / 2, low), (end[0] + bend / 2, low), end)
            else:  # back (a loop) or within one column: an arc under the cards
                start, end = (a.centerx, a.bottom), (b.centerx, b.bottom)
                low = max(a.bottom, b.bottom) + bend
                points = _bezier(start, (start[0], low), (end[0], low), end)
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            bounds = pygame.Rect(int(min(xs)) - 1, int(min(ys)) - 1, int(max(xs) - min(xs)) + 3, int(max(ys) - min(ys)) + 3)
            paths.append((points, bounds, pal.accent_soft if target in seen else pal.disabled))
        self._paths = (key, paths)
        return paths

    def draw_edges(self, surface: pygame.Surface, seen: set[str], frontier: set[str], origin: tuple[int, int],
                   area: pygame.Rect) -> None:
        ox, oy = origin
        for points, bounds, colour in self.edge_paths(seen, frontier):
            if bounds.move(ox, oy).colliderect(area):
                pygame.draw.aalines(surface, colour, False, [(x + ox, y + oy) for x, y in points])

    def draw_nodes(self, surface: pygame.Surface, seen: set[str], frontier: set[str],
                   rects: dict[str, pygame.Rect], area: pygame.Rect) -> None:
        theme = self.theme
        pal = theme.palette
        _, _, card_w, _ = self.cell()
        for node_id in frontier:  # the edge of the fog: a ghost of a card
            rect = rects[node_id]
            if rect.inflate(card_w, card_w).colliderect(area):
                painter.glow(surface, rect.center, card_w * 0.45, (120, 100, 120), 0.45)
                widgets.panel(surface, rect, (255, 240, 230, 8), theme.px(10), (*pal.disabled, 90))
                if self.zoom >= LABELS_FROM:
                    widgets.text(surface, theme, theme.font("prose_italic", 24 * self.zoom), "?", pal.disabled,
                                 rect.center, "center")
        for node_id in seen:
            rect = rects[node_id]
            if rect.colliderect(area):
                self.draw_card(surface, node_id, rect, False)

    def draw_card(self, surface: pygame.Surface, node_id: str, rect: pygame.Rect, lit: bool) -> None:
        """A read scene's card with its title: two lines when the chart is near, a short one zoomed out."""
        theme = self.theme
        pal = theme.palette
        node = self.app.story.nodes[node_id]
        is_current = self.app.session is not None and node_id == self.current
        edge = pal.accent if (is_current or node.ending) else pal.panel_edge
        widgets.panel(surface, rect, pal.button_hover if lit else pal.panel, theme.px(10), edge,
                      max(1, theme.px(3)) if is_current else 1)
        colour = pal.hover_text if lit else pal.text
        label = ("◆ " if node.ending else "") + (node.title or node.id)
        room = rect.width - theme.px(14)
        if self.zoom >= LABELS_FROM:
            font = theme.font("ui", 14 * self.zoom)
            lines = widgets.wrap(font, label, room)
            if len(lines) > 2:
                lines = [lines[0], widgets.fit(font, " ".join(lines[1:]), room)]
        else:
            font = theme.font("ui", LABEL_PX / theme.scale)  # the smallest readable size, whatever the window
            room = rect.width - 6
            if font.get_linesize() > rect.height or font.size(label[:3] + "…")[0] > room:
                return  # too small to hold even a word's start: the hover label says it
            lines = [widgets.fit(font, label, room)]
        line_h = font.get_linesize()
        y = rect.centery - line_h * len(lines) / 2
        for line in lines:
            widgets.text(surface, theme, font, widgets.fit(font, line, room), colour, (rect.centerx, int(y)), "midtop")
            y += line_h

    def draw_info(self, surface: pygame.Surface) -> None:
        """Below the chart: the picked scene with its replay button, or the hovered one, or how to use the chart."""
        theme = self.theme
        pal = theme.palette
        info = self.info_rect
        widgets.panel(surface, info, pal.panel, theme.px(14), pal.panel_edge)
        shown = self.selected or self.hover
        x = info.x + theme.px(22)
        if not self.visible()[0]:
            widgets.text(surface, theme, theme.ui_small, "Nothing read yet: the story appears here as you read it.",
                         pal.text_dim, (x, info.centery), "midleft")
            return
        if shown is None:
            hint = ("Click a scene you have read to replay it  ·  drag or wheel to move  ·  + − zoom  ·  "
                    "Page Up/Down: chapters  ·  Home: where you are")
            font = theme.ui_small
            widgets.text(surface, theme, font, widgets.fit(font, hint, info.width - theme.px(44)), pal.text_dim,
                         (x, info.centery), "midleft")
            return
        node = self.app.story.nodes[shown]
        chapter = self.app.story.chapter_of(shown)
        room = (self.replay_button.rect.x if self.selected else info.right) - x - theme.px(16)
        title_font = theme.font("prose_italic", 25)
        widgets.text(surface, theme, title_font, widgets.fit(title_font, node.title or node.id, room), pal.text,
                     (x, info.y + theme.px(8)))
        detail = (chapter.title if chapter else "") + ("  ·  an ending" if node.ending else "")
        widgets.text(surface, theme, theme.ui_small, widgets.fit(theme.ui_small, detail, room), pal.text_dim,
                     (x, info.bottom - theme.px(10)), "bottomleft")
        if self.selected:
            widgets.draw_button(surface, theme, self.replay_button, self.button_hover)
