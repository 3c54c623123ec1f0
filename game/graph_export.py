"""The story graph as Graphviz DOT or as one self-contained interactive HTML page (no network).

Chapters are clusters, endings are highlighted, and with an exploration the nodes no reachable state
gets to and the choices that are never available are marked.
"""
from __future__ import annotations

import html
import json
from typing import Any

from .story.analysis import Exploration
from .story.model import Choice, Story

ENDING_FILL = "#ffd479"
UNREACHED = "#cc3333"
DEAD = "#cc3333"


def graph_data(story: Story, exploration: Exploration | None) -> dict[str, Any]:
    """Everything both formats draw, as plain data."""
    proven = exploration is not None and exploration.complete  # an incomplete one proves nothing unreachable
    unreached = {u.node for u in exploration.unreached_nodes} if proven else set()
    dead = {(d.node, d.position): d.reason for d in exploration.dead_choices} if proven else {}
    chapter_order = list(story.chapters)
    nodes = []
    edges = []
    for node in story.nodes.values():
        nodes.append({
            "id": node.id, "title": node.title, "chapter": node.chapter, "ending": node.ending,
            "start": node.id == story.start, "unreached": node.id in unreached, "where": str(node.where),
            "effects": [e.statement.source for e in node.effects],
            "text": [[story.speaker_name(p.speaker), p.text, p.condition.source if p.condition else ""]
                     for p in node.passages],
            "choices": [_choice_data(c, dead.get((node.id, i))) for i, c in enumerate(node.choices)],
        })
        if node.next:
            edges.append({"from": node.id, "to": node.next, "kind": "next", "label": "", "dead": ""})
        for i, choice in enumerate(node.choices):
            kind = "silent" if choice.fallback and not choice.text else "fallback" if choice.fallback else "choice"
            edges.append({"from": node.id, "to": choice.target, "kind": kind, "label": choice.text,
                          "condition": choice.condition.source if choice.condition else "",
                          "dead": dead.get((node.id, i), "")})
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
        if edge["dead"]:
            attrs += [f"color={_q(DEAD)}", f"fontcolor={_q(DEAD)}", "style=dashed"]
        lines.append(f"  {_q(edge['from'])} -> {_q(edge['to'])}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_node(node: dict, story: Story) -> str:
    label = node["id"] + (f"\n{node['title']}" if node["title"] else "")
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


_PAGE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__ · story graph</title>
<style>
  html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Helvetica, sans-serif;
    background: #fbfaf7; color: #222; overflow: hidden; }
  #bar { position: absolute; top: 0; left: 0; right: 0; height: 42px; display: flex; gap: 12px; align-items: center;
    padding: 0 12px; background: #fff; border-bottom: 1px solid #ddd; z-index: 2; }
  #bar h1 { font-size: 16px; margin: 0 8px 0 0; }
  #bar input { padding: 4px 8px; border: 1px solid #bbb; border-radius: 4px; width: 200px; }
  #bar button { padding: 4px 10px; border: 1px solid #bbb; border-radius: 4px; background: #f4f4f4; cursor: pointer; }
  #summary { color: #555; font-size: 13px; }
  .key { display: inline-block; width: 12px; height: 12px; border-radius: 3px; vertical-align: -1px; margin: 0 3px 0 8px; }
  #view { position: absolute; top: 43px; left: 0; right: 380px; bottom: 0; cursor: grab; }
  #view.dragging { cursor: grabbing; }
  #panel { position: absolute; top: 43px; right: 0; width: 380px; bottom: 0; overflow: auto; background: #fff;
    border-left: 1px solid #ddd; padding: 12px 16px; box-sizing: border-box; }
  #panel h2 { font-size: 17px; margin: 4px 0; }
  #panel .where { color: #888; font-size: 12px; }
  #panel .line { margin: 6px 0; }
  #panel .speaker { font-weight: 600; }
  #panel .cond { color: #2a7ab0; font-family: ui-monospace, Menlo, monospace; font-size: 12px; }
  #panel .dead { color: #cc3333; font-weight: 600; }
  #panel ul { padding-left: 18px; }
  #panel a { color: #2a7ab0; cursor: pointer; text-decoration: underline; }
  svg { width: 100%; height: 100%; display: block; }
  .chapter rect { fill: #f0eee8; stroke: #d5d0c4; }
  .chapter text { font-size: 15px; font-weight: 600; fill: #6b6457; }
  .node rect { fill: #fff; stroke: #777; stroke-width: 1; rx: 6; }
  .node text { font-size: 11px; pointer-events: none; }
  .node { cursor: pointer; }
  .node.ending rect { fill: #ffd479; stroke: #b8860b; stroke-width: 2.5; }
  .node.start rect { stroke: #2a7ab0; stroke-width: 2.5; }
  .node.unreached rect { fill: #eee; stroke: #cc3333; stroke-dasharray: 4 3; }
  .node.unreached text { fill: #888; }
  .node.selected rect { stroke: #000; stroke-width: 3; }
  .node.match rect { fill: #cfe8ff; }
  .edge { fill: none; stroke: #9a9a9a; stroke-width: 1.2; marker-end: url(#arrow); }
  .edge.fallback, .edge.silent { stroke-dasharray: 2 3; }
  .edge.dead { stroke: #cc3333; stroke-dasharray: 6 4; marker-end: url(#arrow-dead); }
  .edge.hot { stroke: #2a7ab0; stroke-width: 2.5; }
</style>
</head>
<body>
<div id="bar">
  <h1 id="title"></h1>
  <input id="search" placeholder="find a node…" autocomplete="off">
  <button id="fit">Fit</button>
  <span id="summary"></span>
</div>
<div id="view"><svg id="svg"><defs>
  <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
    <path d="M0,0 L10,5 L0,10 z" fill="#9a9a9a"/></marker>
  <marker id="arrow-dead" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
    <path d="M0,0 L10,5 L0,10 z" fill="#cc3333"/></marker>
</defs><g id="world"></g></svg></div>
<div id="panel"><p>Click a node to read it. Drag to pan, scroll to zoom.</p>
  <p><span class="key" style="background:#ffd479;border:1px solid #b8860b"></span>ending
  <span class="key" style="background:#eee;border:1px dashed #cc3333"></span>no reachable state gets there
  <span class="key" style="border-top:2px dashed #cc3333;height:0"></span>choice never available</p></div>
<script id="data" type="application/json">__DATA__</script>
<script>
"use strict";
const DATA = JSON.parse(document.getElementById("data").textContent);
const NS = "http://www.w3.org/2000/svg";
const W = 150, H = 34, GAPX = 30, GAPY = 58, PAD = 36, CHAPTER_GAP = 60;
const byId = new Map(DATA.nodes.map(n => [n.id, n]));
const el = (tag, attrs, parent) => { const e = document.createElementNS(NS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]); if (parent) parent.appendChild(e); return e; };
const esc = s => String(s).replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));

document.getElementById("title").textContent = DATA.story.title;
if (DATA.summary) {
  const s = DATA.summary, reach = Object.values(s.endings).filter(v => v === true).length;
  document.getElementById("summary").textContent =
    `${reach}/${Object.keys(s.endings).length} endings reachable · ${s.softlocks.length} soft-locks · ` +
    `${s.traps.length} traps · ${s.states.toLocaleString()} states${s.complete ? "" : " (incomplete)"}`;
}

// Layout: each chapter is a block of layers: longest path from the nodes entered from outside it,
// ignoring the links that go back (loops). Within a layer, nodes follow their parents' positions.
// Blocks are placed in chapter order, in rows about as wide as the whole is tall.
const children = new Map(), parents = new Map();
for (const n of DATA.nodes) { children.set(n.id, []); parents.set(n.id, []); }
for (const e of DATA.edges) if (byId.has(e.to)) { children.get(e.from).push(e.to); parents.get(e.to).push(e.from); }
const local = new Map(), blocks = [];
for (const ch of DATA.chapters) {
  const members = DATA.nodes.filter(n => n.chapter === ch.id);
  if (!members.length) continue;
  const inside = new Set(members.map(n => n.id));
  let roots = members.filter(n => n.start || !parents.get(n.id).length || parents.get(n.id).some(p => !inside.has(p))).map(n => n.id);
  if (!roots.length) roots = [members[0].id];
  const back = new Set(), state = new Map();  // depth-first: an edge to a node still open goes back
  const visit = root => {
    const stack = [[root, 0]]; state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1], kids = children.get(top[0]).filter(c => inside.has(c));
      if (top[1] < kids.length) {
        const c = kids[top[1]++];
        if (state.get(c) === 1) back.add(top[0] + "\u0000" + c);
        else if (!state.has(c)) { state.set(c, 1); stack.push([c, 0]); }
      } else { state.set(top[0], 2); stack.pop(); }
    }
  };
  for (const r of roots) if (!state.has(r)) visit(r);
  for (const n of members) if (!state.has(n.id)) visit(n.id);
  const depth = new Map(members.map(n => [n.id, 0]));
  for (let changed = true, guard = 0; changed && guard < members.length + 1; guard++) {
    changed = false;
    for (const n of members) for (const c of children.get(n.id))
      if (inside.has(c) && !back.has(n.id + "\u0000" + c) && depth.get(c) < depth.get(n.id) + 1) { depth.set(c, depth.get(n.id) + 1); changed = true; }
  }
  const layers = [];
  for (const n of members) (layers[depth.get(n.id)] ||= []).push(n.id);
  const order = new Map();
  let width = 1;
  layers.forEach(layer => {
    if (!layer) return;
    const key = id => { const ps = parents.get(id).filter(p => order.has(p));
      return ps.length ? ps.reduce((a, p) => a + order.get(p), 0) / ps.length : 0; };
    layer.sort((a, b) => key(a) - key(b));
    layer.forEach((id, i) => order.set(id, i));
    width = Math.max(width, layer.length);
  });
  layers.forEach((layer, d) => { if (!layer) return;
    const offset = (width - layer.length) * (W + GAPX) / 2;
    layer.forEach((id, i) => local.set(id, {x: PAD + offset + i * (W + GAPX), y: 40 + PAD + d * (H + GAPY)})); });
  blocks.push({ch, members, w: width * (W + GAPX) - GAPX + 2 * PAD, h: layers.length * (H + GAPY) - GAPY + 2 * PAD + 40});
}
const area = blocks.reduce((a, b) => a + b.w * b.h, 0);
const rowWidth = Math.max(...blocks.map(b => b.w), Math.sqrt(area * 1.6));
const pos = new Map();
let x0 = 0, y0 = 0, rowH = 0, totalW = 0;
for (const b of blocks) {
  if (x0 > 0 && x0 + b.w > rowWidth) { x0 = 0; y0 += rowH + CHAPTER_GAP; rowH = 0; }
  b.x = x0; b.y = y0;
  for (const n of b.members) { const p = local.get(n.id); pos.set(n.id, {x: p.x + x0, y: p.y + y0}); }
  x0 += b.w + CHAPTER_GAP; rowH = Math.max(rowH, b.h); totalW = Math.max(totalW, x0 - CHAPTER_GAP);
}
const totalH = y0 + rowH;

const world = document.getElementById("world");
for (const b of blocks) {
  const g = el("g", {class: "chapter"}, world);
  el("rect", {x: b.x, y: b.y, width: b.w, height: b.h, rx: 14}, g);
  el("text", {x: b.x + 14, y: b.y + 26}, g).textContent = b.ch.title || b.ch.id;
}
const edgeEls = [];
for (const e of DATA.edges) {
  const a = pos.get(e.from), b = pos.get(e.to);
  if (!a || !b) continue;
  let d;
  if (e.from === e.to) {  // a loop back to itself: a small ring on the right
    const x = a.x + W, y = a.y + H / 2;
    d = `M${x},${y - 8} C${x + 34},${y - 30} ${x + 34},${y + 30} ${x},${y + 8}`;
  } else {
    const sx = a.x + W / 2, sy = a.y + H, tx = b.x + W / 2, ty = b.y;
    if (ty > sy && ty - sy < H + GAPY) d = `M${sx},${sy} C${sx},${sy + (ty - sy) / 2} ${tx},${ty - (ty - sy) / 2} ${tx},${ty}`;
    else if (ty > sy) {  // past other layers: bow out to the side so it does not run through their nodes
      const side = tx > sx ? 1 : -1, bow = side * (W + 40);
      d = `M${sx},${sy} C${sx + bow},${sy + 40} ${tx + bow},${ty - 40} ${tx},${ty}`;
    }
    else {  // sideways or upwards: leave from the side, come in from above
      const side = tx >= sx ? 1 : -1, ox = a.x + (side > 0 ? W : 0), oy = a.y + H / 2;
      d = `M${ox},${oy} C${ox + side * 70},${oy} ${tx + side * 40},${ty - 50} ${tx},${ty}`;
    }
  }
  const p = el("path", {d, class: `edge ${e.kind}${e.dead ? " dead" : ""}`}, world);
  const t = el("title", {}, p); t.textContent = (e.label || (e.kind === "next" ? "continue" : "silent fallback")) +
    (e.condition ? `  [if ${e.condition}]` : "") + (e.dead ? `  — ${e.dead}` : "");
  edgeEls.push({e, p});
}
const nodeEls = new Map();
for (const n of DATA.nodes) {
  const p = pos.get(n.id);
  const cls = ["node", n.ending ? "ending" : "", n.start ? "start" : "", n.unreached ? "unreached" : ""].join(" ");
  const g = el("g", {class: cls, transform: `translate(${p.x},${p.y})`}, world);
  el("rect", {width: W, height: H}, g);
  const label = n.id.length > 22 ? n.id.slice(0, 21) + "…" : n.id;
  el("text", {x: 8, y: 14}, g).textContent = label;
  el("text", {x: 8, y: 27, "fill": "#666"}, g).textContent =
    (n.ending ? "END · " + (DATA.endings[n.ending] || n.ending) : n.title || "").slice(0, 24);
  g.addEventListener("click", ev => { ev.stopPropagation(); select(n.id); });
  nodeEls.set(n.id, g);
}

// pan and zoom
const svg = document.getElementById("svg"), view = document.getElementById("view");
let tx = 0, ty = 0, scale = 1;
const apply = () => world.setAttribute("transform", `translate(${tx},${ty}) scale(${scale})`);
function fit() {
  const r = view.getBoundingClientRect(), bw = Math.max(1, totalW), bh = Math.max(1, totalH);
  scale = Math.min(1.2, Math.min(r.width / bw, r.height / bh) * 0.95);
  tx = (r.width - bw * scale) / 2; ty = 10; apply();
}
let drag = null;
view.addEventListener("mousedown", ev => { drag = {x: ev.clientX - tx, y: ev.clientY - ty}; view.classList.add("dragging"); });
window.addEventListener("mousemove", ev => { if (drag) { tx = ev.clientX - drag.x; ty = ev.clientY - drag.y; apply(); } });
window.addEventListener("mouseup", () => { drag = null; view.classList.remove("dragging"); });
view.addEventListener("wheel", ev => {
  ev.preventDefault();
  const r = view.getBoundingClientRect(), mx = ev.clientX - r.left, my = ev.clientY - r.top;
  const k = Math.exp(-ev.deltaY * 0.0015), ns = Math.min(4, Math.max(0.05, scale * k));
  tx = mx - (mx - tx) * ns / scale; ty = my - (my - ty) * ns / scale; scale = ns; apply();
}, {passive: false});
document.getElementById("fit").addEventListener("click", fit);

function centre(id) {
  const p = pos.get(id), r = view.getBoundingClientRect();
  scale = Math.max(scale, 0.8); tx = r.width / 2 - (p.x + W / 2) * scale; ty = r.height / 2 - (p.y + H / 2) * scale; apply();
}
function select(id) {
  const n = byId.get(id); if (!n) return;
  for (const [k, g] of nodeEls) g.classList.toggle("selected", k === id);
  for (const {e, p} of edgeEls) p.classList.toggle("hot", e.from === id || e.to === id);
  const ending = n.ending ? `<p><b>Ending:</b> ${esc(DATA.endings[n.ending] || n.ending)}</p>` : "";
  const lines = n.text.map(([who, text, cond]) => `<div class="line">${who ? `<span class="speaker">${esc(who)}:</span> ` : ""}` +
    `${esc(text)}${cond ? ` <span class="cond">[if ${esc(cond)}]</span>` : ""}</div>`).join("");
  const choices = n.choices.map(c => `<li>${esc(c.text || "(silent fallback)")} → <a data-go="${esc(c.target)}">${esc(c.target)}</a>` +
    (c.condition ? ` <span class="cond">if ${esc(c.condition)}</span>` : "") +
    (c.effects.length ? ` <span class="cond">{${esc(c.effects.join("; "))}}</span>` : "") +
    (c.once ? " <i>once</i>" : "") + (c.fallback ? " <i>fallback</i>" : "") +
    (c.dead ? ` <span class="dead">${esc(c.dead)}</span>` : "") + "</li>").join("");
  const from = parents.get(id).map(p => `<a data-go="${esc(p)}">${esc(p)}</a>`).join(", ");
  document.getElementById("panel").innerHTML = `<h2>${esc(n.title || n.id)}</h2><div class="where">${esc(n.id)} · ${esc(n.where)}</div>` +
    (n.unreached ? `<p class="dead">No reachable state gets here.</p>` : "") + ending +
    (n.effects.length ? `<p class="cond">on entry: ${esc(n.effects.join("; "))}</p>` : "") + lines +
    (choices ? `<h3>Choices</h3><ul>${choices}</ul>` : "") + (from ? `<p>From: ${from}</p>` : "");
  for (const a of document.querySelectorAll("#panel a[data-go]")) a.addEventListener("click", () => { select(a.dataset.go); centre(a.dataset.go); });
}
document.getElementById("search").addEventListener("input", ev => {
  const q = ev.target.value.trim().toLowerCase(); let first = null;
  for (const [id, g] of nodeEls) { const hit = q && (id.includes(q) || (byId.get(id).title || "").toLowerCase().includes(q));
    g.classList.toggle("match", !!hit); if (hit && !first) first = id; }
  if (first) centre(first);
});
fit();
window.addEventListener("resize", fit);
</script>
</body>
</html>
"""
