"""Graph export: DOT and a self-contained HTML page, with chapters, endings and the explorer's marks."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from game.cli import main
from tests.paths import FIXTURES, SAMPLE

DEAD = os.path.join(FIXTURES, "explore", "dead_choice")


def test_dot_has_chapters_as_clusters_endings_and_the_explorers_marks(tmp_path, capsys):
    out = tmp_path / "story.dot"
    assert main(["graph", "--story", DEAD, "--out", str(out)]) == 0
    assert "1 unreached nodes, 1 dead choices marked" in capsys.readouterr().out
    dot = out.read_text(encoding="utf-8")
    assert 'subgraph "cluster_ask" {' in dot and 'label="The Ask"' in dot
    done = re.search(r'^\s*"done" \[(.*)\];$', dot, re.M).group(1)
    assert "shape=doubleoctagon" in done and "END: Done" in done
    forever = re.search(r'^\s*"forever" \[(.*)\];$', dot, re.M).group(1)
    assert "dashed" in forever and "#cc3333" in forever
    dead_edge = re.search(r'^\s*"ask" -> "forever" \[(.*)\];$', dot, re.M).group(1)
    assert "never true" in dead_edge and "style=dashed" in dead_edge and "if trust > 3" in dead_edge
    assert re.search(r'^\s*"ask" -> "done" \[label="Say goodbye\."\];$', dot, re.M)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_accepts_the_dot(tmp_path):
    out = tmp_path / "sample.dot"
    assert main(["graph", "--story", SAMPLE, "--out", str(out)]) == 0
    done = subprocess.run(["dot", "-Tsvg", str(out)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_html_is_self_contained_and_carries_every_node_with_its_text(tmp_path, capsys):
    out = tmp_path / "story.html"
    assert main(["graph", "--story", DEAD, "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<link" not in page and not re.search(r'\bsrc\s*=', page)
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", page)  # only the SVG namespace name
    data = json.loads(re.search(r'<script id="data" type="application/json">(.*?)</script>', page, re.S).group(1))
    nodes = {n["id"]: n for n in data["nodes"]}
    assert set(nodes) == {"ask", "forever", "done"}
    assert nodes["forever"]["unreached"] and nodes["done"]["ending"] == "done"
    assert nodes["forever"]["text"] == [["", "She stays.", ""]]
    assert [c["dead"] for c in nodes["ask"]["choices"]] == ["", "never true", ""]
    assert data["chapters"] == [{"id": "ask", "title": "The Ask"}]


def test_html_escapes_text_that_could_close_the_script(tmp_path):
    folder = tmp_path / "story"
    shutil.copytree(SAMPLE, folder)
    chapter = folder / "chapters" / os.listdir(folder / "chapters")[0]
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(
        "All right. Let's see what you are.", "All right. </script><b>boo</b>"), encoding="utf-8")
    out = tmp_path / "g.html"
    assert main(["graph", "--story", str(folder), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "</script><b>" not in page and page.count("</script>") == 2


def test_graph_needs_a_dot_or_html_file(tmp_path, capsys):
    assert main(["graph", "--story", SAMPLE, "--out", str(tmp_path / "x.svg")]) == 2
    assert "should end in .dot or .html" in capsys.readouterr().err
    assert main(["graph", "--story", SAMPLE, "--out", str(tmp_path / "no" / "such" / "x.dot"), "--no-explore"]) == 0
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert main(["graph", "--story", SAMPLE, "--out", str(blocked / "x.dot")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_an_incomplete_exploration_marks_nothing_unreachable(tmp_path, capsys):
    out = tmp_path / "story.dot"
    assert main(["graph", "--story", DEAD, "--out", str(out), "--max-states", "1"]) == 0
    assert "INCOMPLETE" in capsys.readouterr().out
    dot = out.read_text(encoding="utf-8")
    assert "#cc3333" not in dot and "never true" not in dot


def _many_states(folder, forks: int) -> None:
    """Forks whose detours are all remembered at the end: 2**forks states, far past any budget."""
    lines = ["chapter: {id: c, title: C}", "nodes:"]
    for k in range(forks):
        after = f"a{k + 1}" if k + 1 < forks else "m0"
        lines += [f"  - {{id: a{k}, text: [Fork {k}.], choices: [{{text: Detour., goto: x{k}}}, "
                  f"{{text: On., goto: {after}}}]}}", f"  - {{id: x{k}, text: [Detour {k}.], next: {after}}}"]
    for k in range(forks):
        after = f"m{k + 1}" if k + 1 < forks else "end"
        lines.append(f"  - {{id: m{k}, text: [Memory {k}.], choices: [{{text: Recall., goto: {after}, "
                     f"if: 'seen(x{k})'}}, {{text: On., goto: {after}, fallback: true}}]}}")
    lines.append("  - {id: end, text: [Home.], ending: done}")
    (folder / "story.yaml").write_text("format: 1\nid: many\ntitle: Many\nstart: a0\nchapters: [c.yaml]\n"
                                       "endings:\n  done: {title: Done}\n")
    (folder / "c.yaml").write_text("\n".join(lines) + "\n")


def test_a_story_too_big_to_explore_is_drawn_with_what_the_budget_proved(tmp_path, capsys):
    story = tmp_path / "story"
    story.mkdir()
    _many_states(story, 80)
    out = tmp_path / "g.html"
    assert main(["graph", "--story", str(story), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"Wrote {out}: 241 nodes in 1 chapter (links); exploring up to 200,000 states")
    assert "INCOMPLETE" in said and "none is marked" in said and "--explore explores every state" in said
    data = json.loads(re.search(r'<script id="data" type="application/json">(.*?)</script>', out.read_text(
        encoding="utf-8"), re.S).group(1))
    assert len(data["nodes"]) == 241 and not any(n["unreached"] for n in data["nodes"])
    assert data["summary"]["complete"] is False and data["summary"]["endings"] == {"done": None}
    assert not (tmp_path / "g.html.tmp").exists()


def test_explore_and_no_explore_are_explicit(tmp_path, capsys):
    out = tmp_path / "g.dot"
    assert main(["graph", "--story", DEAD, "--out", str(out), "--no-explore"]) == 0
    assert "(links only: not explored)" in capsys.readouterr().out
    assert "#cc3333" not in out.read_text(encoding="utf-8")
    assert main(["graph", "--story", DEAD, "--out", str(out), "--explore"]) == 0
    assert "1 unreached nodes, 1 dead choices marked" in capsys.readouterr().out
    assert main(["graph", "--story", DEAD, "--out", str(out), "--no-explore", "--max-states", "5"]) == 2
    assert "no exploration to limit" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["graph", "--story", DEAD, "--out", str(out), "--no-explore", "--explore"])
    assert exit_.value.code == 2
