"""The story compiled for fast simulation: slots, compiled expressions, the rules of a menu."""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

from ..story import expr, weave
from ..story.model import Choice, Node, Story, Value
from .chance import EngineRolls


@dataclass(frozen=True)
class Slot:
    """One fact of a state: a variable, the visit count of a node, or a once-only choice's flag."""
    kind: str  # int | str | bool | visits | once
    name: str
    default: Value
    low: int | None = None
    high: int | None = None


@dataclass
class CChoice:
    node: int
    position: int  # index in Node.choices
    gidx: int  # index over every choice of the story
    choice: Choice
    target: int
    cond: Callable | None
    effects: tuple[Callable, ...]
    once: int | None  # slot of the once flag
    fallback: bool
    silent: bool  # a fallback without text: followed like `next`
    show: bool
    chance_in_effects: bool


@dataclass
class CNode:
    idx: int
    node: Node
    next: int | None
    choices: tuple[CChoice, ...]
    effects: tuple[Callable, ...]
    ending: str | None
    visit: int | None
    menu_chance: bool
    effects_chance: bool
    menu_slots: tuple[int, ...] = ()


def _is_chance_free(ast: expr.Ast | None) -> bool:
    return ast is None or not expr.uses_chance(ast)


def constant(ast: expr.Ast) -> Value | None:
    """The value of an expression without variables, visits or chance; None otherwise."""
    for n in expr.walk(ast):
        if isinstance(n, (expr.Var, expr.NodeRef)) or (isinstance(n, expr.Call) and n.name == "chance"):
            return None
    return expr.evaluate(ast, _NoContext())


class _NoContext:
    def var(self, name: str) -> Value:
        raise AssertionError(name)

    def visits(self, node: str) -> int:
        raise AssertionError(node)

    def chance(self, percent: int) -> bool:
        raise AssertionError(percent)


FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}


def cuts_for(op: str, k: int) -> tuple[int, ...]:
    """Cut points (values below a cut vs the rest) that decide `x op k`."""
    if op in (">=", "<"):
        return (k,)
    if op in (">", "<="):
        return (k + 1,)
    return (k, k + 1)  # == and !=


def _value_bounds(story: Story) -> dict[str, tuple[int | None, int | None]]:
    """Bounds every value of each int variable stays within: its clamps, or, for a side without a
    clamp, the extreme default or assigned constant when no effect can move it further that way
    (a counter that only grows never goes below its start)."""
    up: dict[str, bool] = {}
    down: dict[str, bool] = {}
    constants: dict[str, list[int]] = {name: [int(var.default)] for name, var in story.variables.items()
                                       if var.type == "int"}
    for node in story.nodes.values():
        for e in list(node.effects) + [e for c in node.choices for e in c.effects]:
            st = e.statement
            if st.var not in constants or st.value is None:
                continue
            k = constant(st.value)
            if st.op == "=":
                if isinstance(k, int):
                    constants[st.var].append(k)
                else:
                    up[st.var] = down[st.var] = True
            elif not isinstance(k, int):
                up[st.var] = down[st.var] = True
            else:
                step = k if st.op == "+=" else -k
                up[st.var] = up.get(st.var, False) or step > 0
                down[st.var] = down.get(st.var, False) or step < 0
    found = {}
    for name, values in constants.items():
        var = story.variables[name]
        low = min(var.min, min(values)) if var.min is not None else None if down.get(name) else min(values)
        high = max(var.max, max(values)) if var.max is not None else None if up.get(name) else max(values)
        found[name] = (low, high)
    return found


def text_reads(node: Node) -> list[expr.Ast]:
    """What deciding which words of the node's text show reads: passage conditions, woven conditions
    and, for variations, how often the node has been entered (as `visits(node) >= k`)."""
    reads = [p.condition.ast for p in node.passages if p.condition]
    for woven in node_woven(node):
        reads += [branch.condition for seg in weave.walk(woven.segments) if isinstance(seg, weave.Cond)
                  for branch in seg.branches if branch.condition is not None]
        for seg in weave.walk(woven.segments):
            if isinstance(seg, weave.Vary) and seg.kind != "shuffle":
                reads += [expr.parse(f"visits({node.id}) >= {k}") for k in range(2, len(seg.options) + 1)]
    return reads


def shown_values(node: Node) -> list[expr.Ast]:
    """`x == x` for every expression the node's text interpolates: a comparison of a fact with no
    constant makes the backward pass keep every value of it."""
    return [expr.parse(f"({seg.source}) == ({seg.source})") for woven in node_woven(node)
            for seg in weave.walk(woven.segments) if isinstance(seg, weave.Interp)]


def node_woven(node: Node) -> Iterator[weave.Woven]:
    for passage in node.passages:
        if passage.woven is not None:
            yield passage.woven


MAX_CALL_DEPTH = 64  # scenes called inside called scenes; validate forbids a scene calling itself


Context = tuple[str, ...]  # where each called scene comes back to, innermost last: the engine's call stack


@dataclass(frozen=True)
class Instance:
    """A node as the search sees it: the node inside the calls that lead to it. A scene called from two
    places is two instances, so where its `return` goes is a plain link (ink's tunnels, expanded)."""
    node: Node
    context: Context


def instances(story: Story) -> tuple[list[Instance], list[tuple[int | None, list[int]]]]:
    """Every node outside any call (in story order, so a node's index is its position in story.nodes)
    and every node inside the calls reachable from them; with each one's links: (where continuing
    goes or None, where each choice goes), -1 for a node that does not exist."""
    found = [Instance(node, ()) for node in story.nodes.values()]
    index: dict[tuple[str, Context], int] = {(inst.node.id, ()): i for i, inst in enumerate(found)}

    def at(node_id: str | None, context: Context) -> int:
        if node_id is None or node_id not in story.nodes or len(context) > MAX_CALL_DEPTH:
            return -1
        key = (node_id, context)
        if key not in index:
            index[key] = len(found)
            found.append(Instance(story.nodes[node_id], context))
        return index[key]

    links: list[tuple[int | None, list[int]]] = []
    k = 0
    while k < len(found):  # appending while walking: the clones' own links make further clones
        node, context = found[k].node, found[k].context
        if node.returns:
            follow = at(context[-1], context[:-1]) if context else None
        elif node.call:
            follow = at(node.call, context + (node.next or "",))
        else:
            follow = at(node.next, context) if node.next else None
        links.append((follow, [at(c.call, context + (c.target,)) if c.call else at(c.target, context)
                               for c in node.choices]))
        k += 1
    return found, links


def components(succ: list[list[int]]) -> list[list[int]]:
    """Strongly connected groups of a graph, in topological order (iterative Tarjan)."""
    index = [-1] * len(succ)
    low = [0] * len(succ)
    on = [False] * len(succ)
    stack: list[int] = []
    comps: list[list[int]] = []
    counter = 0
    for root in range(len(succ)):
        if index[root] >= 0:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on[v] = True
            recurse = False
            while i < len(succ[v]):
                w = succ[v][i]
                i += 1
                if index[w] < 0:
                    work.append((v, i))
                    work.append((w, 0))
                    recurse = True
                    break
                if on[w]:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on[w] = False
                    comp.append(w)
                    if w == v:
                        break
                comps.append(sorted(comp))
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
    comps.reverse()
    return comps


class CompiledStory:
    """The story compiled for fast simulation: a state is a tuple of slot values."""

    def __init__(self, story: Story, observe_text: bool | Collection[str] = False, shown_exactly: str | None = None):
        self.story = story
        self.instances, links = instances(story)
        # with observe_text, what each node's text reads is kept apart in its states too (for dead
        # text and variants); passage conditions never change where the player goes. At the node
        # `shown_exactly`, the values its text shows ({name}) are kept exactly too.
        reads_of = {node.id: text_reads(node) + (shown_values(node) if node.id == shown_exactly else [])
                    for node in story.nodes.values()
                    if observe_text is True or (observe_text and node.id in observe_text)}
        self.text_reads: list[list[expr.Ast]] = [reads_of.get(inst.node.id, []) for inst in self.instances]
        self.node_index = {node_id: i for i, node_id in enumerate(story.nodes)}  # outside any call
        self.instance_index = {(inst.node.id, inst.context): i for i, inst in enumerate(self.instances)}
        self.order = components([[t for t in ([follow] if follow is not None else []) + targets if t >= 0]
                                 for follow, targets in links])
        position = {n: i for i, comp in enumerate(self.order) for n in comp}
        latest: dict[str, int] = {}  # per node, the topological position of its last instance
        for k, inst in enumerate(self.instances):
            latest[inst.node.id] = max(latest.get(inst.node.id, -1), position[k])
        # candidate slots with the topological position of the last node that can change them
        candidates: dict[tuple[str, str], tuple[Slot, int]] = {}
        bounds = _value_bounds(story)
        for name, var in story.variables.items():
            candidates[("var", name)] = (Slot(var.type, name, var.default, *bounds.get(name, (None, None))), -1)
        for ast in self._flow_asts():
            for node_id in sorted(expr.nodes_read(ast)):
                if node_id in story.nodes:
                    candidates[("visits", node_id)] = (Slot("visits", node_id, 0, 0, None), latest[node_id])
        for k, inst in enumerate(self.instances):
            node, here = inst.node, position[k]
            for e in list(node.effects) + [e for c in node.choices for e in c.effects]:
                slot, last = candidates[("var", e.statement.var)]
                candidates[("var", e.statement.var)] = (slot, max(last, here))
            for choice in node.choices:
                if choice.once:
                    last = candidates.get(("once", choice.id), (None, -1))[1]
                    candidates[("once", choice.id)] = (Slot("once", choice.id, False), max(last, here))
        # Decision diagrams stay smallest when facts that settle early sit on top (measured on the
        # shipped story: 3x fewer diagram nodes than declaration order).
        ranked = sorted(enumerate(candidates.items()), key=lambda item: (item[1][1][1], item[0]))
        self.slots: list[Slot] = []
        self.var_slot: dict[str, int] = {}
        self.visit_slot: dict[str, int] = {}
        self.once_slot: dict[str, int] = {}
        for _, ((kind, name), (slot, _)) in ranked:
            {"var": self.var_slot, "visits": self.visit_slot, "once": self.once_slot}[kind][name] = len(self.slots)
            self.slots.append(slot)
        self.defaults: tuple[Value, ...] = tuple(s.default for s in self.slots)
        self.position = [0] * len(self.instances)  # topological position of each node's group of linked nodes
        for n, here in position.items():
            self.position[n] = here
        self.first_change = self._first_changes(links)
        self.nodes: list[CNode] = []
        self.choices: list[CChoice] = []  # a choice once, however many instances its node has
        for i, inst in enumerate(self.instances):
            node = inst.node
            follow, targets = links[i]
            cchoices = []
            for index, choice in enumerate(node.choices):
                cchoice = CChoice(
                    node=i, position=index,
                    gidx=len(self.choices) if not inst.context else self.nodes[self.node_index[node.id]].choices[index].gidx,
                    choice=choice, target=targets[index],
                    cond=self._compile(choice.condition.ast) if choice.condition else None,
                    effects=tuple(self._compile_statement(e.statement) for e in choice.effects),
                    once=self.once_slot.get(choice.id) if choice.once else None, fallback=choice.fallback,
                    silent=choice.fallback and not choice.text, show=choice.show_unavailable,
                    chance_in_effects=not all(_is_chance_free(e.statement.value) for e in choice.effects))
                cchoices.append(cchoice)
                if not inst.context:
                    self.choices.append(cchoice)
            self.nodes.append(CNode(
                idx=i, node=node, next=follow,
                choices=tuple(cchoices), effects=tuple(self._compile_statement(e.statement) for e in node.effects),
                ending=node.ending, visit=self.visit_slot.get(node.id),
                menu_chance=not all(_is_chance_free(c.condition.ast if c.condition else None) for c in node.choices),
                effects_chance=not all(_is_chance_free(e.statement.value) for e in node.effects)))
        for cnode in self.nodes:
            read: set[int] = set()
            for c in cnode.choices:
                if c.choice.condition:
                    read |= self._facts(c.choice.condition.ast)
                if c.once is not None:
                    read.add(c.once)
            cnode.menu_slots = tuple(sorted(read))
        self.start = self.node_index.get(story.start, -1)

    def _first_changes(self, links: list[tuple[int | None, list[int]]]) -> list[int]:
        """Per slot, the earliest topological position where it may differ from its default.

        Before it, every state holds the default: nothing there needs tracking (a once-only flag is
        read from the start of the story to its choice, and is false all that way)."""
        never = len(self.order)
        first = [never] * len(self.slots)
        for k, inst in enumerate(self.instances):
            node, node_id = inst.node, inst.node.id
            here = self.position[k]
            writes = [self.var_slot[e.statement.var] for e in node.effects]
            if node_id in self.visit_slot:
                writes.append(self.visit_slot[node_id])
            for slot in writes:
                first[slot] = min(first[slot], here)
            for choice, target in zip(node.choices, links[k][1]):
                if target < 0:
                    continue
                writes = [self.var_slot[e.statement.var] for e in choice.effects]
                if choice.once:
                    writes.append(self.once_slot[choice.id])
                for slot in writes:
                    first[slot] = min(first[slot], self.position[target])
        return first

    def _flow_asts(self) -> Iterator[expr.Ast]:
        """Every expression that can change where the player goes (passage conditions cannot), and
        what the text reads when it is observed too."""
        for reads in self.text_reads:
            yield from reads
        for node in self.story.nodes.values():
            for e in node.effects:
                if e.statement.value is not None:
                    yield e.statement.value
            for c in node.choices:
                if c.condition:
                    yield c.condition.ast
                for e in c.effects:
                    if e.statement.value is not None:
                        yield e.statement.value

    def _facts(self, ast: expr.Ast) -> set[int]:
        found = {self.var_slot[v] for v in expr.variables_read(ast) if v in self.var_slot}
        found |= {self.visit_slot[n] for n in expr.nodes_read(ast) if n in self.visit_slot}
        return found

    # ------------------------------------------------------------ compiling expressions to closures

    def _compile(self, node: expr.Ast) -> Callable[[list, Callable[[int], bool]], Value]:
        """A closure computing exactly what expr.evaluate computes, reading slot values."""
        if isinstance(node, expr.Lit):
            value = node.value
            return lambda vals, ch: value
        if isinstance(node, expr.Var):
            slot = self.var_slot[node.name]
            return lambda vals, ch: vals[slot]
        if isinstance(node, expr.Unary):
            inner = self._compile(node.operand)
            if node.op == "-":
                return lambda vals, ch: -int(inner(vals, ch))
            return lambda vals, ch: not inner(vals, ch)
        if isinstance(node, expr.Call):
            args = [a.node if isinstance(a, expr.NodeRef) else self._compile(a) for a in node.args]
            return expr.FUNCTIONS[node.name].compile(args, self.visit_slot.__getitem__)
        assert isinstance(node, expr.Binary)
        left, right = self._compile(node.left), self._compile(node.right)
        if node.op == "and":
            return lambda vals, ch: bool(left(vals, ch)) and bool(right(vals, ch))
        if node.op == "or":
            return lambda vals, ch: bool(left(vals, ch)) or bool(right(vals, ch))
        op = expr._BINARY[node.op]  # the evaluator's own operator table: same arithmetic
        return lambda vals, ch: op(left(vals, ch), right(vals, ch))

    def _compile_statement(self, st: expr.Statement) -> Callable[[list, Callable[[int], bool]], None]:
        slot = self.var_slot[st.var]
        clamp = self.story.variables[st.var].clamp
        if st.op == "toggle":
            def toggle(vals: list, ch: Callable) -> None:
                vals[slot] = not vals[slot]
            return toggle
        assert st.value is not None
        value = self._compile(st.value)
        if st.op == "=":
            def assign(vals: list, ch: Callable) -> None:
                vals[slot] = clamp(value(vals, ch))
            return assign
        sign = 1 if st.op == "+=" else -1

        def add(vals: list, ch: Callable) -> None:
            vals[slot] = clamp(vals[slot] + sign * value(vals, ch))
        return add

    # ------------------------------------------------------------ the rules of play

    def menu(self, cnode: CNode, vals: list | tuple | dict, ch: Callable[[int], bool], restart: Callable[[], None]
             ) -> tuple[list[tuple[CChoice, bool]], CChoice | int | None, list[tuple[CChoice, bool]]]:
        """(views, follow, evaluated) as Engine.choices() and Engine.proceed() see them.

        views: (choice, enabled) numbered from 1; follow: the node index of `next`, the silent
        fallback proceed() takes, or None; evaluated: (choice, condition held) for every choice
        whose condition was looked at.
        """
        if cnode.next is not None:
            return [], cnode.next, []
        regular: list[tuple[CChoice, bool]] = []
        fallbacks: list[CChoice] = []
        evaluated: list[tuple[CChoice, bool]] = []
        for c in cnode.choices:
            if c.once is not None and vals[c.once]:
                continue
            ok = c.cond is None or bool(c.cond(vals, ch))
            evaluated.append((c, ok))
            if c.fallback:
                if ok:
                    fallbacks.append(c)
                continue
            if ok or c.show:
                regular.append((c, ok))
        follow: CChoice | None = None
        if not any(ok for _, ok in regular):
            regular = [(c, ok) for c, ok in regular if not ok] + [(c, True) for c in fallbacks if not c.silent]
            if cnode.choices and not any(ok for _, ok in regular):
                restart()  # the engine's second look uses a fresh context: same rolls again
                for c in cnode.choices:
                    if c.silent and not (c.once is not None and vals[c.once]) and (c.cond is None or c.cond(vals, ch)):
                        follow = c
                        break
        return regular, follow, evaluated

    def vals_of(self, variables: dict[str, Value], visits: dict[str, int], once_taken: set[str]) -> list:
        """Slot values of a concrete game state."""
        vals: list[Value] = []
        for s in self.slots:
            if s.kind == "visits":
                vals.append(visits.get(s.name, 0))
            elif s.kind == "once":
                vals.append(s.name in once_taken)
            else:
                vals.append(variables[s.name])
        return vals

    def concrete_menu(self, node_id: str, variables: dict[str, Value], visits: dict[str, int],
                      once_taken: set[str], seed: int, steps: int, stack: Sequence[str] = ()
                      ) -> tuple[list[tuple[Choice, bool]], Choice | str | None]:
        """What the engine must offer in a concrete state: ([(choice, enabled)], what proceed() follows)."""
        cnode = self.nodes[self.instance_index.get((node_id, tuple(stack)), self.node_index[node_id])]
        rolls = EngineRolls(seed, steps, "c")
        views, follow, _ = self.menu(cnode, self.vals_of(variables, visits, once_taken), rolls, rolls.restart)
        if isinstance(follow, CChoice):
            follow_out: Choice | str | None = follow.choice
        elif isinstance(follow, int):
            follow_out = self.nodes[follow].node.id
        else:
            follow_out = None
        return [(c.choice, ok) for c, ok in views], follow_out
