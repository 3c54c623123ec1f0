"""The condition/effect language: parsing, type checking, evaluation, and fuzzing."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.story import expr
from game.story.model import Variable, Where

W = Where("t.yaml", 1, 1)
VARS = {
    "trust": Variable("trust", "int", 0, "", 0, 10, None, W),
    "told": Variable("told", "bool", False, "", None, None, None, W),
    "mother": Variable("mother", "str", "unasked", "", None, None, ("unasked", "distant", "loving"), W),
}


class Ctx:
    def __init__(self, **values):
        self.values = {"trust": 0, "told": False, "mother": "unasked", **values}
        self.visited = {"ch04_mail": 2}

    def var(self, name):
        return self.values[name]

    def visits(self, node):
        return self.visited.get(node, 0)

    def chance(self, percent):
        return percent >= 50


@pytest.mark.parametrize("source, expected", [
    ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("7 / 2", 3), ("-7 / 2", -4), ("7 % 3", 1), ("5 / 0", 0),
    ("trust + 3 > 2", True), ("not told and trust == 0", True), ("told or trust >= 1", False),
    ("mother == 'unasked'", True), ("mother != \"distant\"", True), ("visits(ch04_mail) == 2", True),
    ("seen(ch04_mail) and not seen(ch05_date)", True), ("chance(70)", True), ("chance(30)", False),
    ("min(trust, 4) + max(2, 3)", 3), ("not not true", True), ("- -3", 3),
])
def test_evaluates_like_a_reader_expects(source, expected):
    assert expr.evaluate(expr.parse(source), Ctx()) == expected


@pytest.mark.parametrize("source, code, fragment", [
    ("trust >", "E015", "ends too early"),
    ("trust > 0 && told", "E015", "unexpected character '&'"),
    ("trust = 2", "E015", "'='"),
    ("1 < trust < 3", "E015", "chained"),
    ("seen('x')", "E015", "node id"),
    ("sen(x)", "E015", "did you mean 'seen'"),
    ("'open", "E015", "unexpected character"),
    ("+".join(["1"] * 995) + " > 0", "E015", "nested too deeply"),  # a flat chain, not only parentheses
])
def test_syntax_errors_are_diagnosed(source, code, fragment):
    with pytest.raises(expr.ExprError) as info:
        expr.check(expr.parse(source), VARS)
    assert info.value.code == code and fragment in info.value.message + info.value.hint


@pytest.mark.parametrize("source, code", [
    ("trst > 0", "E014"), ("trust and told", "E016"), ("told + 1 > 0", "E016"), ("mother > 'a'", "E016"),
    ("mother == 'distnat'", "E022"), ("chance(120)", "E016"), ("trust == told", "E016"),
])
def test_type_errors_are_diagnosed(source, code):
    with pytest.raises(expr.ExprError) as info:
        expr.check(expr.parse(source), VARS)
    assert info.value.code == code


def test_conditions_report_the_column_of_the_problem():
    with pytest.raises(expr.ExprError) as info:
        expr.check(expr.parse("told and trst > 2"), VARS)
    assert info.value.offset == 9


def test_effects_parse_and_apply():
    ctx = Ctx(trust=2)
    statements = expr.parse_statements("trust += 3; toggle told; mother = 'loving'")
    for st_ in statements:
        expr.check_statement(st_, VARS)
        ctx.values[st_.var] = expr.apply_statement(st_, ctx)
    assert ctx.values == {"trust": 5, "told": True, "mother": "loving"}


@pytest.mark.parametrize("source, code", [
    ("trust == 3", "E015"), ("toggle trust", "E016"), ("told += 1", "E016"), ("nobody = 1", "E014"),
    ("mother = 'nowhere'", "E022"), ("trust = true", "E016"), ("", "E015"),
])
def test_bad_effects_are_diagnosed(source, code):
    with pytest.raises(expr.ExprError) as info:
        for st_ in expr.parse_statements(source):
            expr.check_statement(st_, VARS)
    assert info.value.code == code


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gives_an_ast_or_a_diagnostic(source):
    try:
        node = expr.parse(source)
        expr.check(node, VARS)
    except expr.ExprError as err:
        assert err.code.startswith("E") and err.message
    try:
        for st_ in expr.parse_statements(source):
            expr.check_statement(st_, VARS)
    except expr.ExprError as err:
        assert err.code.startswith("E")


atoms = st.sampled_from(["trust", "1", "2", "(trust - 1)", "visits(ch04_mail)"])
comparisons = st.builds(lambda a, op, b: f"{a} {op} {b}", atoms, st.sampled_from(["<", "<=", "==", "!=", ">", ">="]), atoms)


@settings(max_examples=200, deadline=None)
@given(st.recursive(comparisons, lambda inner: st.one_of(
    st.builds(lambda a, b: f"({a}) and ({b})", inner, inner),
    st.builds(lambda a, b: f"({a}) or ({b})", inner, inner),
    st.builds(lambda a: f"not ({a})", inner)), max_leaves=8), st.integers(0, 10))
def test_well_typed_conditions_always_evaluate_to_bool(source, trust):
    node = expr.parse(source)
    assert expr.check(node, VARS) == "bool"
    assert isinstance(expr.evaluate(node, Ctx(trust=trust)), bool)
