"""The story graph as Graphviz DOT or as one self-contained interactive HTML page (no network).

Chapters are clusters, endings are highlighted, and with an exploration the nodes no reachable state
gets to and the choices that are never available are marked.
"""
from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from ..explore import Exploration
from ..story.model import Choice, Story

ENDING_FILL = "#ffd479"
UNREACHED = "#cc3333"
DEAD = "#cc3333"


def graph_data(story: Story, exploration: Exploration | None) -> dict[str, Any]:
    """Everything both formats draw, as plain data."""
    unreached: set[str] = set()
    dead: dict[tuple[str, int], str] = {}
    if exploration is not None and exploration.complete:  # an incomplete one proves nothing unreachable
        unreached = {u.node for u in exploration.unreached_nodes}
        dead = {(d.node, d.position): d.reason for d in exploration.dead_choices}
    chapter_order = list(story.chapters)
    nodes = []
    edges = []
    for node in story.nodes.values():
        nodes.append({
            "id": node.id, "title": node.title, "chapter": node.chapter, "ending": node.ending,
            "start": node.id == story.start, "unreached": node.id in unreached, "where": str(node.where),
            "returns": node.returns,
            "effects": [e.statement.source for e in node.effects],
            "text": [[story.speaker_name(p.speaker), p.text, p.condition.source if p.condition else ""]
                     for p in node.passages],
            "choices": [_choice_data(c, dead.get((node.id, i))) for i, c in enumerate(node.choices)],
        })
        if node.call:  # the scene it plays first; its return comes back along the 'next' edge
            edges.append({"from": node.id, "to": node.call, "kind": "call", "label": "calls", "dead": ""})
        if node.next:
            edges.append({"from": node.id, "to": node.next, "kind": "next", "label": "", "dead": ""})
        for i, choice in enumerate(node.choices):
            kind = "silent" if choice.fallback and not choice.text else "fallback" if choice.fallback else "choice"
            condition = choice.condition.source if choice.condition else ""
            if choice.call:
                edges.append({"from": node.id, "to": choice.call, "kind": "call", "label": f"calls, then: {choice.text}",
                              "condition": condition, "dead": dead.get((node.id, i), "")})
            edges.append({"from": node.id, "to": choice.target, "kind": kind, "label": choice.text,
                          "condition": condition, "dead": dead.get((node.id, i), "")})
    summary = None
    if exploration is not None:
        summary = {"states": exploration.states, "complete": exploration.complete,
                   "endings": {k: v.reachable for k, v in exploration.endings.items()},
                   "softlocks": [s.node for s in exploration.softlocks],
                   "traps": [t.nodes for t in exploration.traps]}
    return {
        "story": {"id": story.id, "title": story.title, "start": story.start},
        "chapters": [{"id": c, "title": story.chapters[c].title} for c in chapter_order],
        "endings": {e.id: e.title for e in story.endings.values()},
        "nodes": nodes, "edges": edges, "summary": summary,
    }


def _choice_data(choice: Choice, dead: str | None) -> dict[str, Any]:
    return {"text": choice.text, "target": choice.target, "condition": choice.condition.source if choice.condition else "",
            "effects": [e.statement.source for e in choice.effects], "once": choice.once,
            "fallback": choice.fallback, "shown_disabled": choice.show_unavailable, "reason": choice.reason,
            "dead": dead or ""}


# ---------------------------------------------------------------- DOT

def _q(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def to_dot(story: Story, exploration: Exploration | None) -> str:
    data = graph_data(story, exploration)
    lines = [
        f"// {story.title}: story graph. Endings are gold; nodes no reachable state gets to and choices",
        "// that are never available are red and dashed (from 'python main.py explore').",
        "digraph story {",
        f"  graph [label={_q(story.title)}, labelloc=t, fontname=\"Helvetica\", compound=true, rankdir=TB];",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
    ]
    by_chapter: dict[str, list[dict]] = {}
    for node in data["nodes"]:
        by_chapter.setdefault(node["chapter"], []).append(node)
    for chapter in data["chapters"]:
        lines.append(f"  subgraph {_q('cluster_' + chapter['id'])} {{")
        lines.append(f"    label={_q(chapter['title'] or chapter['id'])}; style=\"rounded,filled\"; "
                     "color=\"#bbbbbb\"; fillcolor=\"#f6f6f6\";")
        for node in by_chapter.get(chapter["id"], []):
            lines.append("    " + _dot_node(node, story))
        lines.append("  }")
    for edge in data["edges"]:
        attrs = []
        if edge["kind"] != "next":
            label = _short(edge["label"]) if edge["label"] else "(silent fallback)"
            if edge.get("condition"):
                label += f"\nif {_short(edge['condition'])}"
            if edge["dead"]:
                label = "✗ " + label + f"\n[{edge['dead']}]"
            attrs.append(f"label={_q(label)}")
        if edge["kind"] in ("fallback", "silent"):
            attrs.append("style=dotted")
        if edge["kind"] == "call":
            attrs.append("style=dashed")
        if edge["dead"]:
            attrs += [f"color={_q(DEAD)}", f"fontcolor={_q(DEAD)}", "style=dashed"]
        lines.append(f"  {_q(edge['from'])} -> {_q(edge['to'])}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_node(node: dict, story: Story) -> str:
    label = node["id"] + (f"\n{node['title']}" if node["title"] else "") + ("\n(returns)" if node.get("returns") else "")
    attrs = {"label": label, "tooltip": node["where"]}
    if node["ending"]:
        ending = story.endings.get(node["ending"])
        attrs["label"] += "\nEND: " + (ending.title if ending else node["ending"])
        attrs |= {"shape": "doubleoctagon", "fillcolor": ENDING_FILL, "penwidth": "2"}
    if node["start"]:
        attrs |= {"penwidth": "2", "color": "#2a7ab0"}
    if node["unreached"]:  # an unreachable ending keeps its shape, greyed out
        attrs |= {"style": "rounded,filled,dashed", "color": UNREACHED, "fillcolor": "#eeeeee",
                  "fontcolor": "#888888"}
    bare = ("shape", "penwidth")  # DOT keywords and numbers, written unquoted
    return f"{_q(node['id'])} [{', '.join(f'{k}={v if k in bare else _q(v)}' for k, v in attrs.items())}];"


# ---------------------------------------------------------------- HTML

def to_html(story: Story, exploration: Exploration | None) -> str:
    data = json.dumps(graph_data(story, exploration), ensure_ascii=False)
    data = data.replace("</", "<\\/")  # keep the JSON from closing the script element
    return (_PAGE.replace("__TITLE__", html.escape(story.title))
            .replace("__DATA__", data))


_PAGE = (Path(__file__).parent / "graph.html").read_text(encoding="utf-8")  # the viewer, filled by to_html
