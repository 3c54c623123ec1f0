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
