"""The expression functions are declared once (game/story/functions.py); everything else reads that table.
These tests fail when a function is added there but is missing from the docs or the explorer."""
from __future__ import annotations

import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.explore import CompiledStory
from game.story import expr
from game.story.functions import FUNCTIONS
from game.story.validate import load_and_validate
from tests.paths import ROOT

with open(os.path.join(ROOT, "docs", "format.md"), encoding="utf-8") as handle:
    FORMAT_DOC = handle.read()


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_is_documented_in_the_format_reference(name):
    assert FUNCTIONS[name].doc_row() in FORMAT_DOC, f"docs/format.md lacks the row: {FUNCTIONS[name].doc_row()}"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_parses_and_type_checks_as_declared(name, tables):
    function = FUNCTIONS[name]
    args = ", ".join("n1" if p == "node" else "a" for p in function.params)
    ast = expr.parse(f"{name}({args})")
    assert expr.check(ast, tables.story.variables, lambda node: None) == function.result
    with pytest.raises(expr.ExprError, match="argument"):
        expr.parse(f"{name}({args}, a)")  # one too many


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    folder = tmp_path_factory.mktemp("functions")
    (folder / "story.yaml").write_text(
        "format: 1\nid: f\ntitle: F\nstart: n1\nchapters: [c.yaml]\nvariables:\n"
        "  a: {type: int, default: 0}\n  b: {type: int, default: 0}\nendings:\n  e: {title: E}\n")
    (folder / "c.yaml").write_text(
        "chapter: {id: c, title: C}\nnodes:\n  - id: n1\n    text: [x]\n    choices:\n"
        "      - {text: go, goto: n2, if: 'visits(n1) > a + b'}\n"
        "      - {fallback: true, goto: n2}\n  - id: n2\n    text: [y]\n    ending: e\n")
    result = load_and_validate(str(folder))
    assert result.ok, [d.format() for d in result.errors]
    return CompiledStory(result.story)


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(FUNCTIONS)), a=st.integers(-5, 120), b=st.integers(-5, 120),
       visits=st.integers(0, 4), rolls=st.integers(0, 2 ** 32))
def test_the_explorer_compiles_every_function_as_the_engine_evaluates_it(tables, name, a, b, visits, rolls):
    function = FUNCTIONS[name]
    names = iter(["a", "b"])
    ast = expr.parse(f"{name}({', '.join('n1' if p == 'node' else next(names) for p in function.params)})")
    values = {"a": a, "b": b}

    class Context:
        def __init__(self):
            self.rng = random.Random(rolls)  # chance() sees the same rolls in both worlds

        def var(self, var_name):
            return values[var_name]

        def visits(self, node):
            return visits if node == "n1" else 0

        def chance(self, percent):
            return self.rng.randrange(100) < percent

    vals = [visits if slot.kind == "visits" else values[slot.name] for slot in tables.slots]
    assert tables._compile(ast)(vals, Context().chance) == expr.evaluate(ast, Context())
