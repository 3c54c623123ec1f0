"""Terminal front-end: the same engine as the window, in plain text."""
from __future__ import annotations

import os
import shutil
import textwrap
import time
from collections.abc import Callable
from typing import TextIO

from ..runtime.engine import Engine, EngineError
from ..runtime.persist import PlayerData
from ..runtime.saves import AUTO, PlayClock, SaveError, SaveStore, format_play_time, reconcile
from ..story.diagnostics import excerpt, visible
from ..story.model import Story

HELP = """Type the number of a choice, or a command:
  save [slot]    save the game (slot 1-99, 'quick'; default 1)
  load [slot]    load a saved game (default: the latest)
  saves          list saved games
  undo           take back the last step
  history        show what happened so far
  reload         re-read the story files, keeping your place
  help           this text
  quit           save to the autosave slot and leave"""

MAX_CHOICE_DIGITS = 4  # no menu has a thousand choices; longer input is not a number worth converting


def choice_number(answer: str) -> int | None:
    """The number typed, or None: '²' and '①' are digits to str.isdigit(), not to int()."""
    if answer.isascii() and answer.isdigit():
        return int(answer) if len(answer) <= MAX_CHOICE_DIGITS else 10 ** MAX_CHOICE_DIGITS
    return None


def _reason(err: OSError) -> str:
    """'Not a directory: /home/x/.local/share/her-game/saves': what failed, and where."""
    where = f": {err.filename}" if err.filename else ""
    return f"{err.strerror or err}{where}"


PLAYER_EVERY = 2.0  # seconds between writes of the player file while choices come in


class TextGame:
    def __init__(self, story: Story, engine: Engine, out: TextIO, saves: SaveStore, player: PlayerData,
                 reload_story: Callable[[], tuple[Story | None, list[str]]] | None = None, width: int | None = None,
                 keep_progress: bool = True):
        self.story = story
        # False for a replay or a warp (--start, --set): the autosave and the player's progress stay as they were
        self.keep_progress = keep_progress
        self.engine = engine
        self.out = out
        self.saves = saves
        self.player = player
        self.reload_story = reload_story
        self.width = width or min(100, max(40, shutil.get_terminal_size((80, 24)).columns - 2))
        self.clock = PlayClock()
        self._player_saved = -PLAYER_EVERY
        self.last_chapter = ""
        self.styled = _supports_ansi(out)

    # ------------------------------------------------------------ output

    def say(self, text: str = "", runs: tuple[tuple[str, str], ...] = ()) -> None:
        """Write a line, styled by `runs` (text, style) when given. Story text and saves may hold control or
        text-direction characters (validate warns, W008): they are shown escaped, never obeyed; the styles are
        switched on only after that."""
        text = visible(text)
        if runs:
            text = _styled(text, tuple((visible(part), style) for part, style in runs))
        self.out.write(text + "\n")

    def wrap(self, text: str, indent: str = "") -> str:
        if len(indent) + len(text) <= self.width and text.isprintable() and text.strip() == text and text:
            return indent + text  # what fill() would make of it: one line, nothing to fold or drop
        return "\n".join(textwrap.fill(p, self.width, initial_indent=indent, subsequent_indent=indent)
                         for p in text.split("\n"))

    def show_node(self) -> None:
        engine = self.engine
        chapter = engine.chapter_title
        if chapter and chapter != self.last_chapter:
            self.say()
            self.say(f"== {chapter} ==")
            self.last_chapter = chapter
        self.say()
        for cue in engine.entered_cues:
            cue_def = self.story.cues.get(cue)
            if cue_def and cue_def.caption:
                self.say(cue_def.caption)
        for line in engine.lines:
            prefix = f"{line.name}: " if line.name else ""
            self.say(self.wrap(prefix + line.text), ((prefix, ""),) + line.runs if self.styled and line.runs else ())
        self.player.seen.add(engine.state.node)

    def show_choices(self) -> None:
        self.say()
        for view in self.engine.choices():
            if view.enabled:
                self.say(self.wrap(f"{view.number}. {view.text}", "  "))
            else:
                reason = f" ({view.reason})" if view.reason else ""
                self.say(f"  {view.number}. [unavailable] {view.text}{reason}")

    def show_ending(self) -> None:
        ending = self.engine.ending
        assert ending is not None
        new = self.player.record_ending(ending.id)
        self._save_player()
        self.say()
        self.say(f"THE END: {ending.title}" + ("  (a new ending)" if new else ""))
        self.say(f"[ending: {ending.id}]")

    def _save_player(self) -> None:
        if not self.keep_progress:
            return
        try:
            self.player.save()
        except OSError as err:
            self.say(f"(could not record progress: {_reason(err)})")

    # ------------------------------------------------------------ commands

    def autosave(self, after_choice: bool = False) -> bool:
        """Save to the autosave slot; False (after saying why, if it failed) when nothing was saved.

        After a choice, the player file (nodes ever read) is written at most every PLAYER_EVERY seconds:
        rewriting it on every choice cost more than the autosave's journal line itself."""
        if self.engine.is_over or not self.keep_progress:
            return False
        now = time.monotonic()
        if not after_choice or now - self._player_saved >= PLAYER_EVERY:
            self._player_saved = now
            self._save_player()
        try:
            self.saves.save(AUTO, self.engine, self.clock.total())
        except (OSError, SaveError) as err:
            reason = _reason(err) if isinstance(err, OSError) else str(err)
            self.say(f"(autosave failed: {reason}; the previous autosave is unchanged)")
            return False
        return True

    def farewell(self) -> str:
        """Autosave, and say what became of the game."""
        return "Saved to the autosave slot." if self.autosave() else self._unsaved()

    def _unsaved(self) -> str:
        if self.engine.is_over:
            return "The story has ended."
        if not self.keep_progress:
            return "Not saved: a replay or a game begun with --start or --set leaves your autosave as it was."
        return "Not saved: see the message above."

    def command(self, word: str, arg: str) -> bool:
        """Run a command. Returns True when the game should stop."""
        if word in ("help", "?"):
            self.say(HELP)
        elif word == "save":
            try:
                path = self.saves.save(arg or "1", self.engine, self.clock.total())
                self.say(f"Saved to slot {arg or '1'} ({path}).")
            except (OSError, SaveError) as err:
                self.say(f"Could not save: {err}")
        elif word == "load":
            self.load(arg)
        elif word == "saves":
            slots = self.saves.slots()
            if not slots:
                self.say("No saved games yet.")
            for info in slots:
                detail = info.problem or f"{info.chapter} · {info.node_title} · {info.saved_at} · {format_play_time(info.play_time)}"
                self.say(f"  {info.slot:>5}: {detail}")
        elif word in ("undo", "back"):
            if self.engine.rollback():
                self.say("(one step back)")
                self.show_node()
            else:
                self.say("Nothing to undo.")
        elif word == "history":
            if not self.engine.history:
                self.say("Nothing has happened yet.")
            for entry in self.engine.history[-30:]:
                for line in entry.lines:
                    self.say(self.wrap(f"{line.name}: {line.text}" if line.name else line.text, "  | "))
                if entry.choice:
                    self.say(f"  > {entry.choice}")
        elif word == "reload":
            self.reload()
        elif word in ("quit", "exit", "q"):
            self.say(f"{self.farewell()} Goodbye.")
            return True
        else:
            self.say(f"Unknown command '{excerpt(word, 40)}'. Type a choice number or 'help'.")
        return False

    def load(self, slot: str) -> None:
        if not slot:
            latest = self.saves.latest()
            if latest is None:
                self.say("No saved games yet.")
                return
            slot = latest.slot
        try:
            loaded = self.saves.load(slot)
            self.engine = Engine(self.story, loaded.state)
        except (SaveError, EngineError) as err:
            self.say(f"Could not load: {err}")
            return
        self.clock = PlayClock(loaded.info.play_time)
        self.keep_progress = True  # the player's own game again, even after a replay or a warp
        self.say(f"Loaded slot {slot}.")
        for note in loaded.notes:
            self.say(f"Note: {note}")
        self.last_chapter = ""
        self.show_node()

    def reload(self) -> None:
        if self.reload_story is None:
            self.say("This game cannot reload its story.")
            return
        story, problems = self.reload_story()
        if story is None:
            self.say("The story has errors; still playing the last good version:")
            for problem in problems:
                self.say("  " + problem)
            return
        state = self.engine.state.copy()
        notes = reconcile(story, state)
        self.story = story
        self.saves.story = story
        self.engine = Engine(story, state)
        self.say("Story reloaded.")
        for note in notes:
            self.say(f"Note: {note}")
        self.show_node()

    # ------------------------------------------------------------ loops

    def play(self, read_line: Callable[[str], str | None], interactive: bool) -> int:
        """Play until an ending, quit or end of input. read_line returns None at end of input."""
        self.show_node()
        while True:
            engine = self.engine
            if engine.is_over:
                self.show_ending()
                return 0
            if engine.can_continue:
                if interactive:
                    answer = read_line("  (Enter) ")
                    if answer is None:
                        return self._end_of_input()
                    word, _, arg = answer.strip().partition(" ")
                    if word and choice_number(word) is None:
                        if self.command(word.lower(), arg.strip()):
                            return 0
                        continue
                engine.proceed()
                self.show_node()
                continue
            views = engine.choices()
            if not views:
                self.say(f"[stuck: node '{engine.state.node}' has no way forward; this is a bug in the story]")
                return 1
            self.show_choices()
            while True:
                answer = read_line("> ")
                if answer is None:
                    return self._end_of_input()
                answer = answer.strip()
                if not answer:
                    continue
                number = choice_number(answer)
                if number is not None:
                    if not 1 <= number <= len(views):
                        self.say(f"There is no choice {number}: pick 1 to {len(views)}.")
                        continue
                    if not views[number - 1].enabled:
                        self.say(f"Choice {number} is not available" +
                                 (f": {views[number - 1].reason}" if views[number - 1].reason else "."))
                        continue
                    engine.choose(number)
                    self.autosave(after_choice=True)
                    self.show_node()
                    break
                word, _, arg = answer.partition(" ")
                if word.lower() not in ("help", "?", "save", "load", "saves", "undo", "back", "history", "reload",
                                        "quit", "exit", "q"):
                    self.say(f"'{excerpt(answer, 40)}' is not a choice: type a number from 1 to {len(views)}, or 'help'.")
                    continue
                if self.command(word.lower(), arg.strip()):
                    return 0
                if self.engine is not engine or word.lower() in ("undo", "back", "load", "reload"):
                    break
                self.show_choices()

    def _end_of_input(self) -> int:
        saved = self.autosave()
        self.say()
        self.say("(end of input: game saved to the autosave slot)" if saved else f"(end of input. {self._unsaved()})")
        return 0

    def replay(self, choices: list[int]) -> int:
        """Play a replay's choices without reading input. 0 on an ending, 1 when the replay does not fit."""
        self.show_node()
        pending = list(choices)
        while True:
            engine = self.engine
            if engine.is_over:
                if pending:
                    self.say(f"[replay: {len(pending)} choice(s) left over after the ending]")
                self.show_ending()
                return 0
            if engine.can_continue:
                engine.proceed()
                self.show_node()
                continue
            if not pending:
                self.say(f"[replay finished at node '{engine.state.node}' before an ending]")
                self.autosave()  # only when the player asked to keep it: a replay leaves the autosave alone
                return 0
            number = pending.pop(0)
            self.show_choices()
            self.say(f"> {number}")
            try:
                engine.choose(number)
            except EngineError as err:
                self.say(f"[replay does not fit this story: {err}]")
                return 1
            self.show_node()


_ANSI = {"i": "\x1b[3m", "b": "\x1b[1m", "bi": "\x1b[1;3m"}
_RESET = "\x1b[0m"


def _supports_ansi(out: TextIO) -> bool:
    """Italic and bold only for a terminal that shows them, and never against NO_COLOR or TERM=dumb."""
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty()) and "NO_COLOR" not in os.environ and os.environ.get("TERM", "") != "dumb"


def _styled(wrapped: str, runs: tuple[tuple[str, str], ...]) -> str:
    """The wrapped plain text with each run's style switched on and off around it (wrapping only turned
    some spaces into line breaks, so the two texts walk side by side)."""
    styles = [style for text, style in runs for _ in text]
    chars = "".join(text for text, _ in runs)
    out, current, k = [], "", 0
    for c in wrapped:
        while k < len(chars) and chars[k] != c and not (c == "\n" and chars[k] == " "):
            k += 1  # a space textwrap dropped at a line end
        style = styles[k] if k < len(chars) else ""
        if c != "\n" and style != current:
            out.append(_RESET if not style else (_RESET if current else "") + _ANSI[style])
            current = style
        if c == "\n" and current:
            out.append(_RESET)
            current = ""
        out.append(c)
        k += 1
    if current:
        out.append(_RESET)
    return "".join(out)

