"""State-space exploration: can every ending be reached, and where can a player get stuck?

Pure: no I/O, no runtime import. One module per seam: chance, compiled (the story as slots and
closures), observations, diagrams, search (and explore()), findings, coverage.

The explorer mirrors game.runtime.engine rule for rule (choice
numbering with shown-disabled choices, once-only choices, fallbacks, silent fallbacks followed like
`next`, effects applied in order and clamped, chance() seeded per step and call), so every witness
it gives replays in the engine; tests/core/test_explore.py replays them, and `soak` compares the two at
every step of its random walks.

A state is the node plus only what a later condition can still tell apart. A backward dataflow pass
(observations.Observations) computes, at every node, which variables, visit counts and once-only flags are read
later and which of their values a later comparison can distinguish: `x >= 6` after `x += 1`
distinguishes values below 5 from the rest ("a cut at 5"). Effects map cuts exactly (`+= c` shifts
them, clamping never moves them, `=` drops them), so values between the same cuts behave alike on
every future path and merge into one representative; a variable used in arithmetic with another is
kept exactly.

The search (search.Search) works on sets of such states, as decision diagrams, node by node in
topological order (a loop of nodes is iterated on what is new until nothing is). A backward pass
then labels every state with the endings (and dead ends) it can still reach: traps are the states
with no label, and witnesses are found by A* over single states, pruned by those labels.

chance() is explored both ways. The engine rolls randrange(100) from the seed, the step, a tag
("c" choice conditions, "e" choice effects, "n" node effects) and the call number; each call splits
the range of that roll, so a path records the roll ranges it needs, and a seed that takes it is
found by checking rolls without running the engine.
"""
from __future__ import annotations

from .chance import DEFAULT_SEED_TRIES, EngineRolls, Requirement, find_seed, outcomes
from .compiled import CChoice, CNode, CompiledStory, Slot
from .coverage import Coverage, coverage, tracked_summary
from .findings import DeadChoice, EndingReach, Exploration, SoftLock, Trap, UnreachedNode, VariableUse, Witness
from .search import DEFAULT_MAX_MEGABYTES, DEFAULT_MAX_SECONDS, DEFAULT_MAX_STATES, Budget, explore, variable_uses

__all__ = [
    "DEFAULT_MAX_MEGABYTES", "DEFAULT_MAX_SECONDS", "DEFAULT_MAX_STATES", "Budget",
    "DEFAULT_SEED_TRIES", "CChoice", "CNode", "CompiledStory", "Coverage", "DeadChoice",
    "EndingReach", "EngineRolls", "Exploration", "Requirement", "Slot", "SoftLock", "Trap", "UnreachedNode",
    "VariableUse", "Witness", "coverage", "explore", "find_seed", "outcomes", "tracked_summary", "variable_uses",
]
