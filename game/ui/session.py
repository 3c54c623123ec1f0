"""One playthrough in the window: the engine plus saving, read-tracking and endings.

Pure Python (no pygame) so the rules of the window's bookkeeping can be tested on their own; every
story rule stays in game.runtime.engine.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..runtime.engine import Engine
from ..runtime.persist import PlayerData
from ..runtime.saves import AUTO, QUICK, PlayClock, SaveError, SaveStore, reconcile
from ..story.model import Story

PLAY, REPLAY, SCENE = "play", "replay", "scene"  # SCENE: a scene replayed from the flowchart, never saved


@dataclass
class Library:
    """What every playthrough shares: the story, the save slots and the player's lasting data."""
    story: Story
    saves: SaveStore
    player: PlayerData
    folder: str  # the user data folder (screenshots go there)
    story_paths: list[str] = field(default_factory=list)
    thumbnailer: Callable[[dict], str | None] | None = None  # scene -> the save slot's picture of the moment

    def thumbnail(self, scene: dict) -> str | None:
        return self.thumbnailer(scene) if self.thumbnailer else None

    def save_player(self) -> str:
        """'' or a message saying why progress could not be written."""
        try:
            self.player.save()
        except OSError as err:
            return f"Could not record progress: {err.strerror or err}"
        return ""

    def set_story(self, story: Story) -> None:
        self.story = story
        self.saves.story = story


class Session:
    def __init__(self, library: Library, engine: Engine, mode: str = PLAY, play_time: float = 0.0):
        self.library = library
        self.engine = engine
        self.mode = mode
        self.clock = PlayClock(play_time)
        self.seen_before = self._read_before()
        self.line = 0  # which of the node's lines is on screen (the window keeps it up to date): saved, resumed

    # ------------------------------------------------------------ starting

    @classmethod
    def new(cls, library: Library, seed: int | None = None, start: str | None = None, mode: str = PLAY) -> Session:
        return cls(library, Engine(library.story, seed=seed, start=start), mode)

    @classmethod
    def load(cls, library: Library, slot: str) -> tuple[Session, list[str]]:
        """Raises SaveError (or EngineError for a state the story cannot hold)."""
        loaded = library.saves.load(slot)
        engine = Engine(library.story, loaded.state)
        notes = list(loaded.notes)
        if loaded.journal is not None:
            try:
                engine.restore_journal(loaded.journal)
            except ValueError as err:
                notes.append(f"The history and rollback could not be brought back: {err}.")
        session = cls(library, engine, PLAY, loaded.info.play_time)
        session.line = loaded.line
        return session, notes

    # ------------------------------------------------------------ reading

    @property
    def story(self) -> Story:
        return self.library.story

    @property
    def can_save(self) -> bool:
        return self.mode != SCENE and not self.engine.is_over

    def _read_before(self) -> bool:
        return self.engine.state.node in self.library.player.seen

    def mark_read(self) -> None:
        """The player has read the whole current node: skip may pass it from now on."""
        if self.mode == PLAY:  # a replay or a replayed scene leaves the player's progress as it was
            self.library.player.seen.add(self.engine.state.node)

    # ------------------------------------------------------------ acting

    def proceed(self) -> None:
        self.mark_read()
        self.engine.proceed()
        self.seen_before = self._read_before()

    def choose(self, number: int) -> str:
        """Take a choice and autosave. Returns '' or a message about a failed autosave."""
        self.mark_read()
        self.engine.choose(number)
        self.seen_before = self._read_before()
        return self.autosave() if self.mode == PLAY else ""

    def rollback(self) -> bool:
        if not self.engine.rollback():
            return False
        self.seen_before = True
        return True

    def roll_forward(self) -> bool:
        if not self.engine.roll_forward():
            return False
        self.seen_before = True
        return True

    def finish(self) -> bool:
        """Record the ending reached; True when the player had never reached it before."""
        ending = self.engine.ending
        if ending is None:
            return False
        self.mark_read()
        if self.mode != PLAY:
            return ending.id not in self.library.player.endings
        new = self.library.player.record_ending(ending.id)
        self.library.save_player()
        return new

    def save(self, slot: str) -> str:
        """Save to a slot; raises SaveError or OSError with a message for the player."""
        if self.mode == SCENE:
            raise SaveError("a scene replayed from the flowchart cannot be saved")
        thumbnail = self.library.thumbnail(dict(self.engine.state.scene))
        path = self.library.saves.save(slot, self.engine, self.clock.total(), thumbnail, self.line)
        self.library.save_player()
        return path

    def autosave(self) -> str:
        if self.mode == SCENE or self.engine.is_over:
            return ""
        try:
            self.save(AUTO)
        except (OSError, SaveError) as err:
            return f"Autosave failed: {err}"
        return ""

    def quicksave(self) -> None:
        self.save(QUICK)

    def reload(self, story: Story) -> list[str]:
        """Carry this playthrough over to a re-read story. Returns notes for the player."""
        state = self.engine.state.copy()
        notes = reconcile(story, state)
        self.library.set_story(story)
        self.engine = Engine(story, state)
        return notes

