"""`schema` and `new-branch`: tools for story authors."""
from __future__ import annotations

import argparse
import os
import sys

from ..paths import DOCS, SHIPPED_STORY
from ..story.diagnostics import did_you_mean
from ..story.model import ID_PATTERN, MAX_ID_LENGTH, Story
from ..story.validate import load_and_validate
from ..tools.schema import schema_text
from .common import print_diagnostics, story_arg


def cmd_schema(args: argparse.Namespace) -> int:
    text = schema_text()
    if args.out in (None, "-"):
        sys.stdout.write(text)
        return 0
    try:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as err:
        print(f"error: cannot write {args.out}: {err.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}")
    return 0


# ---------------------------------------------------------------- new-branch

SCAFFOLD = """\
# yaml-language-server: $schema={schema}
# An add-on branch for "{title}". Play it with:
#   python main.py text --story {story} --story {folder} --start {name}_start
# Check it with:
#   python main.py validate --story {story} --story {folder}
chapter:
  id: {name}
  title: {pretty}
nodes:
  - id: {name}_start
    title: {pretty}
    # scene and cues are optional; omitted scene keys keep the previous node's values
    scene: {{mood: tender}}
    text:
      - Write the first passage of your branch here. Keep it short; the player reads it in one breath.
    choices:
      - text: A first choice the player can make.
        goto: {name}_end
      - text: Go back to where the story was.
        goto: {back}

  - id: {name}_end
    text:
      - Write what happens next, then return to the story.
    next: {back}

# The link point: this adds a choice to '{hook}' in the story without editing its file.
extend:
  - node: {hook}
    choices:
      - text: "{link_text}"
        goto: {name}_start
"""


def cmd_new_branch(args: argparse.Namespace) -> int:
    name = args.name
    longest = MAX_ID_LENGTH - len("_start")  # the branch's node ids are the name plus a suffix
    if not ID_PATTERN.fullmatch(name) or len(name) > longest:
        shown = name if len(name) <= 40 else name[:37] + "..."
        print(f"error: {shown!r} is not a valid branch name: use at most {longest} lower-case letters, digits and "
              "underscores, starting with a letter", file=sys.stderr)
        return 2
    story_path = (args.story or [SHIPPED_STORY])[0]
    result = load_and_validate(args.story or [SHIPPED_STORY])
    if not result.ok or result.story is None:
        print_diagnostics(result.errors)
        print("error: the story has errors; fix them before adding a branch", file=sys.stderr)
        return 1
    story: Story = result.story
    hook = args.from_node or next((n.id for n in story.nodes.values() if n.choices), None)
    if hook is None or hook not in story.nodes:
        print(f"error: no node '{hook}'{did_you_mean(str(hook), story.nodes)}", file=sys.stderr)
        return 2
    if not story.nodes[hook].choices:
        print(f"error: '{hook}' has no choices to add a link to; pick a node that offers choices", file=sys.stderr)
        return 2
    if name in story.nodes or f"{name}_start" in story.nodes or name in story.chapters:
        print(f"error: the story already uses the name '{name}'", file=sys.stderr)
        return 2
    folder = args.out or os.path.join("branches", name)
    path = os.path.join(folder, f"{name}.yaml")
    if os.path.exists(path):
        print(f"error: {path} already exists; choose another name or --out folder", file=sys.stderr)
        return 2
    back = story.nodes[hook].choices[0].target
    schema = os.path.relpath(os.path.join(DOCS, "story.schema.json"), folder)
    try:
        os.makedirs(folder, exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(SCAFFOLD.format(schema=schema, title=story.title, story=os.path.relpath(story_path),
                                         folder=folder, name=name, pretty=name.replace("_", " ").capitalize(), back=back,
                                         hook=hook, link_text=f"(new) {name.replace('_', ' ').capitalize()}"))
    except OSError as err:
        print(f"error: cannot write {path}: {err.strerror}; choose another --out folder", file=sys.stderr)
        return 2
    print(f"wrote {path}: a start node, an end node, and a link from '{hook}'")
    print(f"  play it:     python main.py text --story {os.path.relpath(story_path)} --story {folder} --start {name}_start")
    print(f"  validate it: python main.py validate --story {os.path.relpath(story_path)} --story {folder}")
    return 0


def _args_schema(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", metavar="FILE", help="write the schema here (default: print it)")


def _args_new_branch(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="branch name: lower_snake_case, used as chapter id and node prefix")
    p.add_argument("--from", dest="from_node", metavar="NODE", help="the story node that gets a choice leading "
                                                                    "into the branch (default: the first with choices)")
    p.add_argument("--out", metavar="DIR", help="folder for the branch (default: branches/NAME)")
    story_arg(p)


SUBCOMMANDS = {
    "schema": ("write the JSON Schema of story files", _args_schema, cmd_schema),
    "new-branch": ("scaffold an add-on branch hooked into the story", _args_new_branch, cmd_new_branch),
}
