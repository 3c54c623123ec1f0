"""The condition/effect language: tokenizer, Pratt parser, type checker and evaluator.

Never uses Python's eval: the AST below is interpreted directly.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from .functions import FUNCTIONS, Context, Value

__all__ = ["FUNCTIONS", "Context", "Value"]  # re-exported: the language's names in one import
MAX_LENGTH = 2000
MAX_DEPTH = 64


# every whole number of a story stays within +-INT_LIMIT (an int variable without min or max is clamped
# to it): a counter that grows every loop must not become too big to save (Python refuses to print an int
# over 4,300 digits) or too slow to compute with
INT_LIMIT = 1_000_000_000


class ExprError(Exception):
    """A problem in an expression; `code` is a diagnostic code, `offset` a 0-based column."""

    def __init__(self, code: str, message: str, offset: int = 0, hint: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.offset = offset
        self.hint = hint


# ---------------------------------------------------------------- tokens

@dataclass(slots=True)
class Token:
    kind: str  # num, str, name, op, end
    text: str
    pos: int


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>\d+)
  | (?P<str>"[^"\n]*"|'[^'\n]*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|\+=|-=|[-+*/%<>()=,;])
  | (?P<bad>.)
""", re.VERBOSE | re.S)


def tokenize(source: str) -> list[Token]:
    if len(source) > MAX_LENGTH:
        raise ExprError("E015", f"expression is longer than {MAX_LENGTH} characters", 0)
    tokens: list[Token] = []
    for match in _TOKEN.finditer(source):
        kind = match.lastgroup
        if kind == "ws":
            continue
        if kind == "bad":
            char, pos = match.group(), match.start()
            hint = "strings need matching quotes" if char in "\"'" else ""
            if char == "&" or char == "|":
                hint = "write 'and' / 'or'"
            elif char == "!":
                hint = "write 'not'"
            raise ExprError("E015", f"unexpected character {char!r}", pos, hint)
        tokens.append(Token(kind or "", match.group(), match.start()))
    tokens.append(Token("end", "", len(source)))
    return tokens


# ---------------------------------------------------------------- AST
# Slotted rather than frozen, as the story model's records are: quicker to build; never assigned to

@dataclass(slots=True, unsafe_hash=True)
class Lit:
    value: Value
    pos: int


@dataclass(slots=True, unsafe_hash=True)
class Var:
    name: str
    pos: int


@dataclass(slots=True, unsafe_hash=True)
class Unary:
    op: str  # "-" | "not"
    operand: Ast
    pos: int


@dataclass(slots=True, unsafe_hash=True)
class Binary:
    op: str
    left: Ast
    right: Ast
    pos: int


@dataclass(slots=True, unsafe_hash=True)
class Call:
    name: str  # a key of functions.FUNCTIONS
    args: tuple[Ast, ...]
    pos: int


@dataclass(slots=True, unsafe_hash=True)
class NodeRef:
    """The argument of visits()/seen(): a node id, not a variable."""
    node: str
    pos: int


Ast = Lit | Var | Unary | Binary | Call | NodeRef

KEYWORDS = {"and", "or", "not", "true", "false", "toggle"}

# binding power of infix operators
_INFIX = {
    "or": 10, "and": 20,
    "==": 30, "!=": 30, "<": 30, "<=": 30, ">": 30, ">=": 30,
    "+": 40, "-": 40, "*": 50, "/": 50, "%": 50,
}


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, text: str) -> Token:
        if self.tok.text != text:
            raise ExprError("E015", f"expected '{text}' but found {self._describe(self.tok)}", self.tok.pos)
        return self.take()

    @staticmethod
    def _describe(tok: Token) -> str:
        return "the end of the expression" if tok.kind == "end" else f"'{tok.text}'"

    def expression(self, min_bp: int = 0) -> Ast:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError("E015", "expression is nested too deeply", self.tok.pos)
        left = self.prefix()
        links = 0  # a chain like 1+1+1... deepens the tree without recursing here: count it too
        while True:
            tok = self.tok
            op = tok.text if tok.kind in ("op", "name") else ""
            bp = _INFIX.get(op)
            if bp is None or bp <= min_bp:
                break
            links += 1
            if self.depth + links > MAX_DEPTH:
                raise ExprError("E015", "expression is nested too deeply", tok.pos,
                                "split it into simpler conditions")
            self.take()
            right = self.expression(bp)
            if bp == 30 and self.tok.text in _INFIX and _INFIX[self.tok.text] == 30:
                raise ExprError("E015", "comparisons cannot be chained", self.tok.pos,
                                "join them with 'and', e.g. 'a < b and b < c'")
            left = Binary(op, left, right, tok.pos)
        self.depth -= 1
        return left

    def prefix(self) -> Ast:
        tok = self.take()
        if tok.kind == "num":
            if len(tok.text) > len(str(INT_LIMIT)) or int(tok.text) > INT_LIMIT:
                raise ExprError("E015", f"number {tok.text[:20]}{'...' if len(tok.text) > 20 else ''} is too large",
                                tok.pos, f"whole numbers in a story stay between -{INT_LIMIT:,} and {INT_LIMIT:,}")
            return Lit(int(tok.text), tok.pos)
        if tok.kind == "str":
            return Lit(tok.text[1:-1], tok.pos)
        if tok.text == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if tok.text == "-":
            return Unary("-", self.expression(60), tok.pos)
        if tok.text == "not":
            return Unary("not", self.expression(25), tok.pos)
        if tok.kind == "name":
            if tok.text == "true" or tok.text == "false":
                return Lit(tok.text == "true", tok.pos)
            if tok.text in KEYWORDS:
                raise ExprError("E015", f"'{tok.text}' cannot start a value", tok.pos)
            if self.tok.text == "(":
                return self.call(tok)
            return Var(tok.text, tok.pos)
        if tok.kind == "end":
            raise ExprError("E015", "expression ends too early", tok.pos, "something is missing after the last operator")
        raise ExprError("E015", f"unexpected '{tok.text}'", tok.pos)

    def call(self, name: Token) -> Ast:
        if name.text not in FUNCTIONS:
            from .diagnostics import did_you_mean
            raise ExprError("E015", f"unknown function '{name.text}'{did_you_mean(name.text, FUNCTIONS)}", name.pos,
                            "functions are: " + ", ".join(FUNCTIONS))
        self.expect("(")
        args: list[Ast] = []
        if self.tok.text != ")":
            while True:
                params = FUNCTIONS[name.text].params
                if len(args) < len(params) and params[len(args)] == "node":
                    arg = self.take()
                    if arg.kind != "name":
                        raise ExprError("E015", f"{name.text}() takes a node id", arg.pos,
                                        f"for example {name.text}(ch04_mail)")
                    args.append(NodeRef(arg.text, arg.pos))
                else:
                    args.append(self.expression())
                if self.tok.text != ",":
                    break
                self.take()
        self.expect(")")
        arity = len(FUNCTIONS[name.text].params)
        if len(args) != arity:
            raise ExprError("E015", f"{name.text}() takes {arity} argument(s), got {len(args)}", name.pos)
        return Call(name.text, tuple(args), name.pos)

    def finish(self, node: Ast) -> Ast:
        if self.tok.kind != "end":
            hint = "use '==' to compare" if self.tok.text == "=" else ""
            raise ExprError("E015", f"unexpected {self._describe(self.tok)} after a complete expression", self.tok.pos, hint)
        return node


@functools.lru_cache(maxsize=4096)
def parse(source: str) -> Ast:
    """Parse an expression. Cached: stories repeat conditions, and nothing changes an AST once built."""
    parser = _Parser(source)
    return parser.finish(parser.expression())


# ---------------------------------------------------------------- effects

@dataclass(slots=True, unsafe_hash=True)
class Statement:
    op: str  # "=", "+=", "-=", "toggle"
    var: str
    value: Ast | None
    pos: int
    value_offset: int  # where the value's source starts in the statement
    source: str


@functools.lru_cache(maxsize=4096)
def parse_statements(source: str) -> tuple[Statement, ...]:
    """'a = 1; toggle b' -> statements. Offsets are relative to `source`."""
    statements = []
    start = 0
    for part in source.split(";"):
        stripped = part.strip()
        offset = start + (len(part) - len(part.lstrip()))
        start += len(part) + 1
        if not stripped:
            continue
        statements.append(_parse_statement(stripped, offset))
    if not statements:
        raise ExprError("E015", "effect is empty", 0, "write e.g. 'trust += 1'")
    return tuple(statements)


def _parse_statement(text: str, offset: int) -> Statement:
    tokens = tokenize(text)
    first = tokens[0]
    if first.text == "toggle":
        name = tokens[1]
        if name.kind != "name" or name.text in KEYWORDS or tokens[2].kind != "end":
            raise ExprError("E015", "toggle takes one variable name", offset + name.pos, "write e.g. 'toggle lamp_on'")
        return Statement("toggle", name.text, None, offset, 0, text)
    if first.kind != "name" or first.text in KEYWORDS:
        raise ExprError("E015", f"an effect starts with a variable name, not {first.text or 'nothing'!r}", offset + first.pos,
                        "write 'name = value', 'name += 1', 'name -= 1' or 'toggle name'")
    op = tokens[1]
    if op.text not in ("=", "+=", "-="):
        hint = "write 'name = value' to set a variable" if op.text == "==" else \
            "write 'name = value', 'name += 1', 'name -= 1' or 'toggle name'"
        raise ExprError("E015", f"expected '=', '+=' or '-=' after '{first.text}'", offset + op.pos, hint)
    value_source = text[op.pos + len(op.text):]
    value_offset = op.pos + len(op.text)
    try:
        value = parse(value_source)
    except ExprError as err:
        raise ExprError(err.code, err.message, offset + value_offset + err.offset, err.hint) from None
    return Statement(op.text, first.text, value, offset, value_offset, text)


# ---------------------------------------------------------------- type checking

class Declared(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def values(self) -> tuple[str, ...] | None: ...


def check(node: Ast, variables: Mapping[str, Declared], node_ids: Callable[[str], str | None] | None = None) -> str:
    """Type of `node` ('bool' | 'int' | 'str'); raises ExprError on the first problem.

    `node_ids(name)` returns None when the node exists, else a message suffix.
    """
    from .diagnostics import did_you_mean
    if isinstance(node, Lit):
        return "bool" if isinstance(node.value, bool) else "int" if isinstance(node.value, int) else "str"
    if isinstance(node, Var):
        if node.name not in variables:
            raise ExprError("E014", f"variable '{node.name}' is not declared{did_you_mean(node.name, variables)}",
                            node.pos, "declare it under 'variables:' in story.yaml")
        return variables[node.name].type
    if isinstance(node, NodeRef):
        if node_ids is not None:
            problem = node_ids(node.node)
            if problem is not None:
                raise ExprError("E012", f"no node '{node.node}'{problem}", node.pos)
        return "node"
    if isinstance(node, Unary):
        inner = check(node.operand, variables, node_ids)
        want = "int" if node.op == "-" else "bool"
        if inner != want:
            raise ExprError("E016", f"'{node.op}' needs {_a(want)}, got {_a(inner)}", node.pos)
        return want
    if isinstance(node, Call):
        function = FUNCTIONS[node.name]
        for arg, param in zip(node.args, function.params):
            kind = check(arg, variables, node_ids)
            if kind != param:
                raise ExprError("E016", f"{node.name}() needs {_a(param)} here, got {_a(kind)}", _pos(arg))
        if node.name == "chance":
            arg = node.args[0]
            if isinstance(arg, Lit) and isinstance(arg.value, int) and not 0 <= arg.value <= 100:
                raise ExprError("E016", f"chance() takes a percentage from 0 to 100, got {arg.value}", arg.pos)
        return function.result
    assert isinstance(node, Binary)
    left = check(node.left, variables, node_ids)
    right = check(node.right, variables, node_ids)
    if node.op in ("and", "or"):
        for side, kind in ((node.left, left), (node.right, right)):
            if kind != "bool":
                raise ExprError("E016", f"'{node.op}' needs true/false on both sides, got {_a(kind)}", _pos(side),
                                "compare it first, e.g. 'trust > 0'" if kind == "int" else "")
        return "bool"
    if node.op in ("+", "-", "*", "/", "%"):
        if left != "int" or right != "int":
            raise ExprError("E016", f"'{node.op}' needs numbers, got {_a(left)} and {_a(right)}", node.pos)
        return "int"
    if left != right:
        raise ExprError("E016", f"cannot compare {_a(left)} with {_a(right)}", node.pos)
    if node.op not in ("==", "!=") and left != "int":
        raise ExprError("E016", f"'{node.op}' compares numbers, not {left} values", node.pos, "use '==' or '!='")
    if left == "str":
        _check_str_value(node.left, node.right, variables)
        _check_str_value(node.right, node.left, variables)
    return "bool"


def _check_str_value(var: Ast, lit: Ast, variables: Mapping[str, Declared]) -> None:
    from .diagnostics import did_you_mean
    if isinstance(var, Var) and isinstance(lit, Lit) and variables[var.name].values:
        allowed = variables[var.name].values or ()
        if lit.value not in allowed:
            raise ExprError("E022", f"'{lit.value}' is not a value of '{var.name}'{did_you_mean(str(lit.value), allowed)}",
                            lit.pos, "allowed: " + ", ".join(allowed))


def check_statement(st: Statement, variables: Mapping[str, Declared],
                    node_ids: Callable[[str], str | None] | None = None) -> None:
    from .diagnostics import did_you_mean
    if st.var not in variables:
        raise ExprError("E014", f"variable '{st.var}' is not declared{did_you_mean(st.var, variables)}", st.pos,
                        "declare it under 'variables:' in story.yaml")
    declared = variables[st.var].type
    if st.op == "toggle":
        if declared != "bool":
            raise ExprError("E016", f"toggle needs a bool variable; '{st.var}' is {declared}", st.pos)
        return
    assert st.value is not None
    try:
        kind = check(st.value, variables, node_ids)
        if st.op == "=":
            _check_str_value(Var(st.var, 0), st.value, variables)
    except ExprError as err:
        raise ExprError(err.code, err.message, st.pos + st.value_offset + err.offset, err.hint) from None
    if st.op in ("+=", "-=") and (declared != "int" or kind != "int"):
        raise ExprError("E016", f"'{st.op}' needs an int variable and an int value; '{st.var}' is {declared}, "
                                f"the value is {kind}", st.pos)
    if kind != declared:
        raise ExprError("E016", f"'{st.var}' is {declared} but the value is {kind}", st.pos)


def _a(kind: str) -> str:
    return {"int": "a number", "bool": "true/false", "str": "a string", "node": "a node id"}.get(kind, kind)


def _pos(node: Ast) -> int:
    return node.pos


# ---------------------------------------------------------------- evaluation

def evaluate(node: Ast, ctx: Context) -> Value:
    if isinstance(node, Lit):
        return node.value
    if isinstance(node, Var):
        return ctx.var(node.name)
    if isinstance(node, Unary):
        value = evaluate(node.operand, ctx)
        return -value if node.op == "-" else not value  # type: ignore[operator]
    if isinstance(node, Call):
        args = [a.node if isinstance(a, NodeRef) else evaluate(a, ctx) for a in node.args]
        return FUNCTIONS[node.name].evaluate(ctx, args)
    assert isinstance(node, Binary)
    if node.op == "and":
        return bool(evaluate(node.left, ctx)) and bool(evaluate(node.right, ctx))
    if node.op == "or":
        return bool(evaluate(node.left, ctx)) or bool(evaluate(node.right, ctx))
    a = evaluate(node.left, ctx)
    b = evaluate(node.right, ctx)
    return _BINARY[node.op](a, b)


_BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "+": lambda a, b: a + b,  # type: ignore[operator]
    "-": lambda a, b: a - b,  # type: ignore[operator]
    "*": lambda a, b: a * b,  # type: ignore[operator]
    "/": lambda a, b: a // b if b else 0,  # type: ignore[operator]
    "%": lambda a, b: a % b if b else 0,  # type: ignore[operator]
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,  # type: ignore[operator]
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    ">": lambda a, b: a > b,  # type: ignore[operator]
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
}


def apply_statement(st: Statement, ctx: Context) -> Value:
    """The new value of st.var after the statement (clamping is the caller's job)."""
    if st.op == "toggle":
        return not ctx.var(st.var)
    assert st.value is not None
    value = evaluate(st.value, ctx)
    if st.op == "+=":
        return ctx.var(st.var) + value  # type: ignore[operator]
    if st.op == "-=":
        return ctx.var(st.var) - value  # type: ignore[operator]
    return value


def walk(node: Ast) -> Iterator[Ast]:
    yield node
    if isinstance(node, Unary):
        yield from walk(node.operand)
    elif isinstance(node, Binary):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from walk(arg)


def variables_read(node: Ast) -> set[str]:
    return {n.name for n in walk(node) if isinstance(n, Var)}


def nodes_read(node: Ast) -> set[str]:
    return {n.node for n in walk(node) if isinstance(n, NodeRef)}


def uses_chance(node: Ast) -> bool:
    return any(isinstance(n, Call) and n.name == "chance" for n in walk(node))
