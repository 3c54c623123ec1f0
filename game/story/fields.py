"""The fields of every kind of mapping in story files: read by the loader, turned into JSON Schema.

One table per mapping: field -> Spec(kinds, required, doc). Kinds are YAML shapes:
"str", "int", "bool", "number", "map", "list".
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Spec:
    kinds: tuple[str, ...]
    required: bool = False
    doc: str = ""


def spec(kinds: str, doc: str, required: bool = False) -> Spec:
    return Spec(tuple(kinds.split("|")), required, doc)


MANIFEST = {
    "format": spec("int", "Story format version: 1, or 2 for woven text (see docs/format.md).", True),
    "id": spec("str", "Lower-case id of the story, stored in saves.", True),
    "title": spec("str", "Shown on the title screen and in saves.", True),
    "start": spec("str", "Id of the node a new game begins at.", True),
    "chapters": spec("list|str", "Chapter files or glob patterns, relative to story.yaml.", True),
    "cues": spec("str", "Path of the cue catalogue, relative to story.yaml."),
    "title_music": spec("str", "A music cue of the catalogue, played on the title screen."),
    "variables": spec("map", "Declared variables: name -> {type, default, ...}."),
    "speakers": spec("map", "Who can speak: id -> {name, colour}."),
    "endings": spec("map", "Declared endings: id -> {title, description}."),
    "scenes": spec("map", "The story's own scene values: location/time/mood/weather -> list (no W004 for them)."),
}
VARIABLE = {
    "type": spec("str", "bool, int or str.", True),
    "default": spec("bool|int|str", "Value at the start of a new game.", True),
    "description": spec("str", "What the variable means, for authors."),
    "min": spec("int", "int only: lowest value; effects are clamped."),
    "max": spec("int", "int only: highest value; effects are clamped."),
    "values": spec("list", "str only: the allowed values."),
    "words": spec("map", "str only, format 2: value -> how {name} shows it in woven text."),
}
SPEAKER = {
    "name": spec("str", "Name shown above the speaker's lines.", True),
    "colour": spec("str", "Colour of the name, #rrggbb."),
}
ENDING = {
    "title": spec("str", "Title shown on the ending screen and in the gallery.", True),
    "description": spec("str", "One line shown in the endings gallery."),
    "hint": spec("str", "Shown in the gallery while the ending is locked: what kind of path leads there."),
}
CUE_CATALOGUE = {
    "format": spec("int", "Cue catalogue format version."),
    "cues": spec("map", "Cue name -> {channel, caption, recipe ...}.", True),
}
CUE = {
    "channel": spec("str", "music, ambience, sfx or voice.", True),
    "caption": spec("str", "Shown when captions are on, and in text mode, e.g. \"[a soft chime]\".", True),
    "loop": spec("bool", "Repeat until replaced or stopped."),
    "recipe": spec("map", "How to synthesize the sound (see docs/audio.md)."),
    "description": spec("str", "Notes for authors."),
}
CHAPTER_FILE = {
    "chapter": spec("map", "The chapter's id and title.", True),
    "nodes": spec("list", "The chapter's nodes.", True),
    "extend": spec("list", "Add-on files only: choices to append to existing nodes."),
    "variables": spec("map", "Add-on files only: the add-on's own variables (a name the story uses is an error)."),
}
CHAPTER = {
    "id": spec("str", "Chapter id, unique in the story.", True),
    "title": spec("str", "Chapter title, shown when the chapter begins and in saves.", True),
}
NODE = {
    "id": spec("str", "Node id, unique across all files.", True),
    "title": spec("str", "Short name for saves, history and the flowchart."),
    "scene": spec("map", "What the window draws: location, time, mood, weather."),
    "cues": spec("list", "Cue names started on entering the node."),
    "stop": spec("list", "Channels silenced on entering: music, ambience, sfx, voice."),
    "effects": spec("list|str", "Effects applied on entering, e.g. 'trust += 1'."),
    "text": spec("list|str", "Passages: narration strings or '- speaker: line' with optional 'if'.", True),
    "next": spec("str", "The node that follows (a linear node); with 'call', where the called scene comes back to."),
    "call": spec("str", "Format 2: a reusable scene (a node) played before 'next'; its 'return' comes back."),
    "return": spec("bool", "Format 2: 'return: true' ends a called scene: the story goes back to where it was called."),
    "choices": spec("list", "The player's choices."),
    "ending": spec("str", "Id of a declared ending: reaching this node ends the game."),
}
CHOICE = {
    "text": spec("str", "What the player clicks. Only a fallback may go without."),
    "goto": spec("str", "Target node id; with 'call', where the called scene comes back to.", True),
    "call": spec("str", "Format 2: a reusable scene (a node) played before 'goto'; its 'return' comes back."),
    "if": spec("str", "Condition: the choice is available only while it holds."),
    "effects": spec("list|str", "Effects applied when the choice is taken."),
    "once": spec("bool", "Offered only until taken once."),
    "unavailable": spec("str", "hide (default) or show: listed but disabled while 'if' is false."),
    "reason": spec("str", "Why a shown-disabled choice is unavailable."),
    "fallback": spec("bool", "Offered only when nothing else is; without text it is followed automatically."),
    "id": spec("str", "Stable id for once-only bookkeeping."),
    "echo": spec("str|map", "Format 2: the line shown once the choice is taken: text or {speaker: text}."),
}
TEXT_EFFECTS = {
    "effects": spec("list|str", "Format 2: effects applied here, between the passages around them.", True),
}
EXTENSION = {
    "node": spec("str", "Existing node whose choices are extended.", True),
    "choices": spec("list", "Choices appended to that node.", True),
}
SCENE = {
    "location": spec("str", "Where the scene happens."),
    "time": spec("str", "Time of day."),
    "mood": spec("str", "The scene's mood (colours, music)."),
    "weather": spec("str", "Weather drawn over the scene."),
}
