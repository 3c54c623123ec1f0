"""--replay in the window: the recorded choices play themselves, at reading pace or (--fast) at once."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ....runtime.engine import EngineError
from ...session import PLAY

if TYPE_CHECKING:
    from .scene import PlayScene


def drive_replay(play: PlayScene, now: float) -> None:
    """--replay: the recorded choices play themselves, at reading pace or (--fast) at once."""
    if play.ending_card or play.replay is None:
        return
    if play.revealing:
        if play.fast:
            play.complete()
        return
    ready = play.fast or (play.revealed_at is not None and now >= play.revealed_at + play.reading_time())
    if not play.choosing:
        if ready:
            play.advance()
        return
    if not play.replay:
        play.replay = None
        play.session.mode = PLAY
        play.app.notify("The replay ends here, before an ending: play on from here.", 6.0)
        return
    number = play.replay[0]
    if play.fast or (play.replay_pick == number and now >= (play.revealed_at or now) + play.reading_time() + 0.9):
        play.replay.pop(0)
        play.replay_pick = -1
        try:
            views = play.engine.choices()
            if not 1 <= number <= len(views) or not views[number - 1].enabled:
                raise EngineError(f"choice {number} is not available at '{play.engine.state.node}'")
            play.choose(number)
        except EngineError as err:
            play.replay = None
            play.session.mode = PLAY
            play.app.notify(f"The replay does not fit this story: {err}", 8.0)
    elif ready and play.replay_pick != number:
        play.replay_pick = number
        play.focus = number - 1
        play.revealed_at = now - play.reading_time()
