"""The compiled story: immutable data. Nodes refer to each other by id, never by object."""
from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .expr import INT_LIMIT, Ast, Statement
from .weave import Woven

FORMAT_VERSION = 2  # the newest format this game reads; format 1 stories keep loading unchanged
FORMATS = (1, 2)
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")  # use fullmatch: '$' also matches before a final newline
MAX_ID_LENGTH = 64  # ids name files (saves, player data); this keeps every such name short
NARRATION = "narration"
CHANNELS = ("music", "ambience", "sfx", "voice")

SCENE_VOCABULARY: dict[str, tuple[str, ...]] = {
    "location": ("apartment", "bedroom", "office", "elevator", "street", "plaza", "subway", "train",
                 "stairs", "beach", "park", "fair", "restaurant", "amy_apartment", "cabin", "rooftop",
                 "hallway"),
    "time": ("dawn", "morning", "noon", "afternoon", "dusk", "evening", "night", "late_night"),
    "mood": ("warm", "lonely", "tender", "tense", "wonder", "joyful", "melancholy", "panic", "calm"),
    "weather": ("clear", "haze", "rain", "snow", "wind", "fog", "overcast"),
}


class Where(NamedTuple):
    """A position in a story file. A tuple: a story has hundreds of thousands of them."""
    file: str
    line: int  # 1-based
    col: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


Value = bool | int | str


# The records a story has thousands of (expressions, effects, passages, choices, nodes) are slotted, not
# frozen: a frozen dataclass takes several times longer to build, and loading builds them all. Nothing
# assigns to them after loading (dataclasses.replace makes a new one); they hash by value like frozen ones.
@dataclass(slots=True, unsafe_hash=True)
class Expr:
    """A parsed expression with its source text, for messages."""
    source: str
    ast: Ast
    where: Where


@dataclass(slots=True, unsafe_hash=True)
class Effect:
    statement: Statement
    where: Where  # where the statement's text starts


@dataclass(slots=True, unsafe_hash=True)
class Passage:
    speaker: str
    text: str  # the source text (format 2: with its woven constructs), stripped
    condition: Expr | None
    where: Where
    woven: Woven | None = None  # format 2: the parsed text, rendered against the state
    effects: tuple[Effect, ...] = ()  # format 2: an item of effects between passages (then text is "")
    value_at: Where | None = None  # where the text itself starts (where: the item or its speaker key)


@dataclass(slots=True, unsafe_hash=True)
class Choice:
    id: str
    text: str
    target: str
    condition: Expr | None
    effects: tuple[Effect, ...]
    once: bool
    show_unavailable: bool
    reason: str
    fallback: bool
    where: Where
    target_where: Where
    woven: Woven | None = None  # format 2: the menu text, rendered against the state
    echo: Passage | None = None  # format 2: shown as the next node's first line once taken
    text_at: Where | None = None
    call: str | None = None  # format 2: a scene played first; its `return` comes back to `target`
    call_where: Where | None = None

    @property
    def destination(self) -> str:
        """The node taking the choice enters: the called scene, else the target."""
        return self.call or self.target


@dataclass(frozen=True)
class Scene:
    location: str | None = None
    time: str | None = None
    mood: str | None = None
    weather: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {k: getattr(self, k) for k in SCENE_VOCABULARY}


@dataclass(slots=True, unsafe_hash=True)
class Node:
    id: str
    chapter: str
    title: str
    scene: Scene | None
    cues: tuple[str, ...]
    stop: tuple[str, ...]
    effects: tuple[Effect, ...]
    passages: tuple[Passage, ...]
    next: str | None
    choices: tuple[Choice, ...]
    ending: str | None
    where: Where
    next_where: Where | None = None
    ending_where: Where | None = None
    call: str | None = None  # format 2: a scene played after this node; its `return` comes back to `next`
    call_where: Where | None = None
    returns: bool = False  # format 2: `return: true`, the end of a called scene: back to where it was called


def successors(node: Node) -> Iterator[str]:
    """Every node a link names: a call's scene and the node it comes back to both count (where a
    `return` goes depends on the call, so a returning node names none)."""
    if node.call:
        yield node.call
    if node.next:
        yield node.next
    for choice in node.choices:
        if choice.call:
            yield choice.call
        yield choice.target


@dataclass(frozen=True)
class Chapter:
    id: str
    title: str
    file: str
    where: Where


@dataclass(frozen=True)
class Variable:
    name: str
    type: str  # "bool" | "int" | "str"
    default: Value
    description: str
    min: int | None
    max: int | None
    values: tuple[str, ...] | None
    where: Where
    words: tuple[tuple[str, str], ...] = ()  # str only, format 2: value -> how {name} shows it

    def clamp(self, value: Value) -> Value:
        if self.type == "int" and isinstance(value, int):
            low = -INT_LIMIT if self.min is None else self.min
            high = INT_LIMIT if self.max is None else self.max
            if value < low:
                return low
            if value > high:
                return high
        return value


@dataclass(frozen=True)
class Ending:
    id: str
    title: str
    description: str
    where: Where
    hint: str = ""  # shown in the endings gallery while the ending is still locked


@dataclass(frozen=True)
class Speaker:
    id: str
    name: str
    colour: str
    where: Where


@dataclass(frozen=True)
class Cue:
    name: str
    channel: str
    caption: str
    loop: bool
    recipe: Any  # a mapping that keeps its positions; read by game.story.recipe, rendered by game.audio
    where: Where


@dataclass(frozen=True)
class Story:
    id: str
    title: str
    start: str
    root: str  # folder of the manifest
    manifest: str  # path of the manifest as shown in messages
    files: tuple[str, ...]
    chapters: dict[str, Chapter]
    nodes: Mapping[str, Node]  # a dict, or the cache's LazyNodes (built on first use)
    variables: dict[str, Variable]
    endings: dict[str, Ending]
    speakers: dict[str, Speaker]
    cues: dict[str, Cue]
    cue_file: str | None
    fingerprint: str
    where: dict[str, Where] = field(default_factory=dict)  # manifest field -> location
    format: int = 1
    title_music: str = ""  # a music cue the title screen plays
    unread: tuple[str, ...] = ()  # chapter files that could not be read: their nodes are missing

    def chapter_of(self, node_id: str) -> Chapter | None:
        node = self.nodes.get(node_id)
        return self.chapters.get(node.chapter) if node else None

    def lead_in(self, node_id: str) -> tuple[str, ...]:
        """The shortest way from the start to a node (conditions ignored), the node excluded: what a player
        who warps there would most likely have passed through, so its scene and music can be in effect."""
        if self.start not in self.nodes:
            return ()
        came_from: dict[str, str | None] = {self.start: None}
        queue = deque([self.start])
        while queue and node_id not in came_from:
            current = queue.popleft()
            for target in successors(self.nodes[current]):
                if target in self.nodes and target not in came_from:
                    came_from[target] = current
                    queue.append(target)
        if node_id not in came_from:
            return ()
        way: list[str] = []
        step = came_from[node_id]
        while step is not None:
            way.append(step)
            step = came_from[step]
        return tuple(reversed(way))

    def speaker_name(self, speaker_id: str) -> str:
        if speaker_id == NARRATION:
            return ""
        speaker = self.speakers.get(speaker_id)
        return speaker.name if speaker else speaker_id
