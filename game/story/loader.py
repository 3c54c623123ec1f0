"""Story files -> Story. The only module that touches YAML.

Every value keeps its file:line:col so later checks can point at it. Bad input of any kind
becomes a Diagnostic; nothing here raises on account of what a file contains.
"""
from __future__ import annotations

import functools
import gc
import glob
import hashlib
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from . import expr, fields
from .diagnostics import Diagnostic, did_you_mean, excerpt
from .expr import INT_LIMIT
from .files import MAX_FILE_BYTES, FileTooLarge, read_regular_file
from .model import (
    CHANNELS,
    FORMAT_VERSION,
    FORMATS,
    ID_PATTERN,
    MAX_ID_LENGTH,
    NARRATION,
    SCENE_VOCABULARY,
    Chapter,
    Choice,
    Cue,
    Effect,
    Ending,
    Expr,
    Node,
    Passage,
    Scene,
    Speaker,
    Story,
    Variable,
    Where,
)
from .textpos import locate
from .weave import WeaveError
from .weave import parse as parse_woven

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_COLLECTION_TAGS = {yaml.MappingNode: "tag:yaml.org,2002:map", yaml.SequenceNode: "tag:yaml.org,2002:seq"}


class SafeLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, with a shortcut for the common case of a plain word or sentence."""

    _first_chars = frozenset(_BaseLoader.yaml_implicit_resolvers)

    _plain_tags: dict[str, str] = {}  # short plain scalars (keys, ids, numbers) repeat a lot

    def resolve(self, kind, value, implicit):  # type: ignore[no-untyped-def]
        if kind is yaml.ScalarNode:
            if not implicit[0]:  # quoted: always text (the safe loader has no path resolvers)
                return "tag:yaml.org,2002:str"
            if value and value[0] not in self._first_chars:
                return "tag:yaml.org,2002:str"
            tag = self._plain_tags.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(value) <= 40 and len(self._plain_tags) < 10_000:
                    self._plain_tags[value] = tag
            return tag
        return _COLLECTION_TAGS[kind]  # an untagged mapping or list (the safe loader has no path resolvers)

    def descend_resolver(self, current_node, current_index):  # type: ignore[no-untyped-def]
        pass  # the safe loader has no path resolvers: nothing to track per node

    def ascend_resolver(self):  # type: ignore[no-untyped-def]
        pass

MAX_EXPANDED_NODES = 500_000
MAX_DEPTH = 40
MANIFEST = "story.yaml"


# ---------------------------------------------------------------- located YAML values

# Where(file, line, col) without the Python-level __new__ of a NamedTuple: a story makes millions of them
_where = functools.partial(tuple.__new__, Where)


class Positions(dict):
    """key -> Where, built lazily from PyYAML's marks: most positions are never asked for."""
    __slots__ = ("file",)  # no __dict__ and no Python-level __init__: a story makes tens of thousands
    file: str

    def __getitem__(self, key: str) -> Where:
        mark = dict.__getitem__(self, key)
        return _where((self.file, mark.line + 1, mark.column + 1))

    def get(self, key: str, default: Any = None) -> Any:
        mark = dict.get(self, key)
        return default if mark is None else _where((self.file, mark.line + 1, mark.column + 1))


class YMap(dict):
    """A mapping that remembers where it, each key and each value are."""
    __slots__ = ("where", "key_at", "value_at")
    where: Where
    key_at: Positions
    value_at: Positions


class YList(list):
    __slots__ = ("where", "item_at")
    where: Where
    item_at: list[Where]


def display_path(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


@dataclass
class Source:
    """Parses one file into located values, collecting diagnostics."""
    path: str
    diagnostics: list[Diagnostic]
    shown: str = ""
    expanded: int = 0
    data: bytes = b""
    text: str = ""  # the decoded file, to place messages at characters inside strings
    format: int = 1  # the story's format: 2 reads woven text
    scenes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # scene values the story declares
    # (line, col) of values already reported as unreadable, so a field check does not report them again
    unreadable: set[tuple[int, int]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.shown = self.shown or display_path(self.path)

    @functools.cached_property
    def lines(self) -> list[str]:
        """The file's lines, split once (messages inside strings are placed by walking them)."""
        return self.text.split("\n")

    def report(self, code: str, where: Where | None, message: str, hint: str = "") -> None:
        where = where or Where(self.shown, 0, 0)
        self.diagnostics.append(Diagnostic(code, where.file, where.line, where.col, message, hint))

    def at(self, mark: Any) -> Where:
        return _where((self.shown, mark.line + 1, mark.column + 1))

    def bad_value(self, code: str, mark: Any, message: str, hint: str) -> None:
        self.report(code, self.at(mark), message, hint)
        self.unreadable.add((mark.line + 1, mark.column + 1))

    def read(self) -> Any:
        """The file's top-level value, or None after reporting why it cannot be read."""
        try:
            self.data = read_regular_file(self.path, MAX_FILE_BYTES)
        except FileTooLarge as err:
            self.report("E011", None, f"file is {err.size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
                        "split it into several chapter files")
            return None
        except OSError as err:
            self.report("E023", None, f"cannot read file: {err.strerror or err}")
            return None
        return self.parse(self.data)

    def parse(self, data: bytes) -> Any:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            line = data[: err.start].count(b"\n") + 1
            col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
            self.report("E006", Where(self.shown, line, col), f"byte 0x{data[err.start]:02x} is not valid UTF-8",
                        "save the file as UTF-8")
            return None
        text = text.lstrip("\ufeff")
        self.text = text
        if not _CONTENT_LINE.search(text):
            self.report("E007", Where(self.shown, 1, 1), "file is empty", "a chapter file needs 'chapter:' and 'nodes:'")
            return None
        for number, row in enumerate(text.splitlines() if "\t" in text else (), 1):
            indent = row[: len(row) - len(row.lstrip(" \t"))]
            if "\t" in indent:
                self.report("E005", Where(self.shown, number, indent.index("\t") + 1),
                            "tab used for indentation", "YAML indents with spaces only: replace the tab with spaces")
                return None
        try:
            root = yaml.compose(text, Loader=SafeLoader)
        except yaml.YAMLError as err:
            self._report_yaml_error(text, err)
            return None
        except RecursionError:
            self.report("E004", Where(self.shown, 1, 1), "nesting too deep", f"the limit is {MAX_DEPTH} levels")
            return None
        if root is None:
            self.report("E007", Where(self.shown, 1, 1), "file is empty")
            return None
        try:
            return self.convert(root, 0)
        except _TooBig:
            return None

    def _report_yaml_error(self, text: str, err: yaml.YAMLError) -> None:
        # YAML refuses control characters too, but names neither the character nor its line
        bad = _FORBIDDEN_CHARACTER.search(text)
        if bad:
            line = text.count("\n", 0, bad.start()) + 1
            col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
            self.report("E001", Where(self.shown, line, col), f"{character_name(bad.group())} is not allowed in a story file",
                        "delete it; to show a special character, write it as an escape inside double quotes")
            return
        if isinstance(err, yaml.MarkedYAMLError):
            # for an unclosed quote or a key missing its colon, the construct's start is the line to fix
            starts_there = err.context and ("simple key" in err.context or "quoted scalar" in err.context)
            mark = (err.context_mark if starts_there else None) or err.problem_mark or err.context_mark
            where = self.at(mark) if mark else Where(self.shown, 1, 1)
            problem = err.problem or str(err)
            quote_line = _unclosed_quote(text, where.line)
            colon_line = _missing_colon_above(text, where.line) if "mapping values" in problem else None
            if colon_line:
                self.report("E001", Where(self.shown, colon_line[0], colon_line[1]),
                            f"'{colon_line[2]}' is missing its colon",
                            f"write '{colon_line[2]}: ...': a 'key: value' pair needs a colon followed by a space")
            elif quote_line:
                self.report("E001", Where(self.shown, quote_line[0], quote_line[1]),
                            "a quote opened on this line is never closed on it",
                            "close the quote at the end of the text, or use a folded block (>-) for long text")
            elif quoted_start := _quoted_then_more(text, where.line):
                self.report("E001", Where(self.shown, where.line, quoted_start),
                            "this value starts with a quoted phrase and goes on after the closing quote",
                            "YAML ends the value at the closing quote: wrap the whole line in the other kind of "
                            "quotes ('\"Commander.\" He nods.') or write it as a folded block (- >-)")
            elif "nesting depth" in problem:
                self.report("E004", where, "nesting too deep", f"the limit is {MAX_DEPTH} levels")
            else:
                self.report("E001", where, _yaml_message(err), _yaml_hint(err))
            return
        self.report("E001", Where(self.shown, 1, 1), "cannot parse YAML: " + " ".join(str(err).split()))

    def convert(self, node: yaml.Node, depth: int) -> Any:
        self.expanded += 1
        if self.expanded > MAX_EXPANDED_NODES:
            self.report("E003", self.at(node.start_mark),
                        f"the file expands to more than {MAX_EXPANDED_NODES:,} values through aliases",
                        "do not nest anchors and aliases (&name / *name) to repeat content")
            raise _TooBig
        if depth > MAX_DEPTH:
            self.report("E004", self.at(node.start_mark), "nesting too deep", f"the limit is {MAX_DEPTH} levels")
            raise _TooBig
        if node.tag not in _PLAIN_TAGS:
            self.report("E001", self.at(node.start_mark), f"tag '{node.tag}' is not allowed",
                        "story files use plain YAML: no tags like !!python or !!binary")
            return None
        if type(node) is _MAPPING:
            result = YMap()
            shown = self.shown
            mark = node.start_mark
            result.where = _where((shown, mark.line + 1, mark.column + 1))
            result.key_at, result.value_at = key_at, value_at = Positions(), Positions()
            key_at.file = value_at.file = shown
            plain = 0  # plain text keys and values read since self.expanded was last brought up to date
            for key_node, value_node in node.value:
                if key_node.tag == _STR and type(key_node) is _SCALAR:  # the usual case, kept fast
                    key = key_node.value
                    plain += 1
                else:
                    self.expanded += plain
                    plain = 0
                    key = self.convert(key_node, depth + 1)
                    if not isinstance(key, (str, int, bool)) or isinstance(key, (YMap, YList)):
                        self.report("E008", self.at(key_node.start_mark), "a key must be a plain word")
                        continue
                    key = str(key)
                if key in result:
                    first = result.key_at[key]
                    self.report("E002", self.at(key_node.start_mark), f"key '{key}' appears twice in this mapping "
                                f"(first at line {first.line})", "YAML would silently keep only the last one: remove or rename one")
                    continue
                key_at[key] = key_node.start_mark  # marks: a Where is made only for the positions asked for
                value_at[key] = value_node.start_mark
                if value_node.tag == _STR and type(value_node) is _SCALAR:
                    plain += 1
                    result[key] = value_node.value
                else:
                    self.expanded += plain
                    plain = 0
                    result[key] = self.convert(value_node, depth + 1)
            self.expanded += plain
            return result
        if type(node) is _SEQUENCE:
            items = YList()
            shown = self.shown
            mark = node.start_mark
            items.where = _where((shown, mark.line + 1, mark.column + 1))
            items.item_at = item_at = []
            plain = 0
            for item in node.value:
                mark = item.start_mark
                item_at.append(_where((shown, mark.line + 1, mark.column + 1)))
                if item.tag == _STR and type(item) is _SCALAR:
                    plain += 1
                    items.append(item.value)
                else:
                    self.expanded += plain
                    plain = 0
                    items.append(self.convert(item, depth + 1))
            self.expanded += plain
            return items
        # plain scalars are most of a story: build them directly, leave odd spellings to PyYAML
        tag, value = node.tag, node.value
        if tag == _STR or tag == _TIMESTAMP:
            return value  # a date-like title is text: stories have no use for dates (and 2024-13-45 would raise)
        if len(value) > MAX_NUMBER_CHARS and tag in (_INT, _FLOAT):
            self.bad_value("E022", node.start_mark, f"number with {len(value):,} characters is too long",
                           f"whole numbers in a story stay between -{INT_LIMIT:,} and {INT_LIMIT:,}")
            return None
        if tag == _INT and value.isdigit():
            return int(value)
        if tag == _BOOL and value in _BOOLS:
            return _BOOLS[value]
        try:
            result = _SCALARS.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as err:
            self.report("E001", self.at(node.start_mark), f"cannot read this value: {err.problem}",
                        "story files use plain YAML: no tags like !!python")
            return None
        except (ValueError, KeyError, TypeError, OverflowError):  # '!!int zz', '!!bool maybe'
            kind = tag.rsplit(":", 1)[-1]
            self.bad_value("E022", node.start_mark, f"'{value[:40]}' is not a valid {kind}",
                           "remove the tag (!!...) or write a value of that kind")
            return None
        if isinstance(result, float) and not math.isfinite(result):
            self.bad_value("E022", node.start_mark, f"'{value[:40]}' is not a finite number",
                           "write an ordinary number such as 0.5")
            return None
        return result


class _TooBig(Exception):
    pass


_SCALARS = yaml.constructor.SafeConstructor()
_SCALAR, _MAPPING, _SEQUENCE = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode
_STR, _INT, _BOOL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool"
_FLOAT, _TIMESTAMP = "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"
MAX_NUMBER_CHARS = 40  # far beyond any sane value, far below Python's int/str limit
_CONTENT_LINE = re.compile(r"^[ \t]*[^\s#]", re.M)  # a line that is neither blank nor a comment
# what YAML itself refuses (C0 and C1 controls but tab, line breaks and NEL; DEL; surrogates; non-characters),
# found here to report its real line and column
_FORBIDDEN_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_CHARACTER_NAMES = {"\x00": "NUL", "\x1b": "ESC", "\x7f": "DEL"}


def character_name(char: str) -> str:
    """'U+001B (ESC)': how a message names an invisible character."""
    import unicodedata
    name = _CHARACTER_NAMES.get(char) or unicodedata.name(char, "control character")
    return f"U+{ord(char):04X} ({name})"
_BOOLS = {"true": True, "false": False, "True": True, "False": False}
_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "bool", "null", "float", "timestamp", "map", "seq")}


_QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?(?:[\w-]+:\s+)?(["'])""")


def _unclosed_quote(text: str, error_line: int) -> tuple[int, int] | None:
    """(line, col) of the last quoted value before a syntax error that opens a quote and never closes it
    on its line: the usual cause of errors reported far below the real mistake."""
    lines = text.splitlines()[:error_line]
    for number in range(len(lines), 0, -1):
        line = lines[number - 1]
        match = _QUOTED_VALUE.match(line)
        if not match:
            continue
        quote = match.group(1)
        rest = line[match.end():]
        closed = rest.replace(quote * 2, "").count(quote) >= 1 if quote == "'" else \
            re.search(r'(?<!\\)"', rest) is not None
        if not closed:
            return number, match.end()
    return None


_FIELD_NAMES = frozenset(name for table in (fields.MANIFEST, fields.VARIABLE, fields.SPEAKER, fields.ENDING, fields.CUE,
                                             fields.CHAPTER_FILE, fields.CHAPTER, fields.NODE, fields.CHOICE,
                                             fields.EXTENSION, fields.SCENE) for name in table)
_KEY_WITHOUT_COLON = re.compile(r"^\s*(?:-\s+)?([a-z]+)\s+[^\s:#]")


_QUOTED_THEN_MORE = re.compile(r"""^(\s*(?:-\s+)?(?:[\w-]+:\s+)?)(["']).*?\2[ \t]*[^\s#,\]}]""")


def _quoted_then_more(text: str, error_line: int) -> int | None:
    """Column of a value on the error's line that is a quoted phrase followed by more words, else None."""
    lines = text.splitlines()
    if not 1 <= error_line <= len(lines):
        return None
    match = _QUOTED_THEN_MORE.match(lines[error_line - 1])
    return len(match.group(1)) + 1 if match else None


def _missing_colon_above(text: str, error_line: int) -> tuple[int, int, str] | None:
    """(line, col, field) when the line above a 'mapping values are not allowed' error starts with a field
    name but no colon: '- id setup_voice' makes YAML complain only on the next line."""
    lines = text.splitlines()[: error_line - 1]
    for number in range(len(lines), 0, -1):
        line = lines[number - 1]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY_WITHOUT_COLON.match(line)
        if match and match.group(1) in _FIELD_NAMES and ":" not in line:
            return number, match.start(1) + 1, match.group(1)
        return None
    return None


def _yaml_message(err: yaml.MarkedYAMLError) -> str:
    problem = (err.problem or "").strip()
    context = (err.context or "").strip()
    if "found character '\\t'" in problem:
        return "tab character where YAML does not allow one"
    if context:
        return f"{context}, {problem}" if problem else context
    return problem or "invalid YAML"


def _yaml_hint(err: yaml.MarkedYAMLError) -> str:
    text = f"{err.context} {err.problem}"
    if "could not find expected ':'" in text:
        return "a 'key: value' pair needs a colon followed by a space"
    if "mapping values are not allowed" in text:
        return ("check the indentation: this line may be indented deeper than the line above; "
                "and text containing ': ' needs quotes")
    if "while scanning a quoted scalar" in text or "found unexpected end of stream" in text:
        return "a quote is opened but never closed"
    if "did not find expected key" in text or "expected <block end>" in text:
        return "check the indentation: items of one list or mapping must line up"
    if "did not find expected '-' indicator" in text:
        return "check the indentation of this list item"
    if "found undefined alias" in text:
        return "an alias (*name) needs an anchor (&name) earlier in the same file"
    return ""


# ---------------------------------------------------------------- typed field access

_TYPE_NAMES = {str: "text", int: "a whole number", bool: "true or false", YMap: "a mapping (key: value lines)",
               YList: "a list ('- item' lines)"}


_KINDS: dict[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "bool": (bool,), "number": (int, float),
                                       "map": (YMap,), "list": (YList,)}


@dataclass(frozen=True)
class _Table:
    """What Fields needs of a table of the fields module, worked out once per table."""
    known: dict[str, tuple[type, ...]]  # field -> accepted Python types
    exact: dict[str, frozenset[type]]  # the same as exact types: one set lookup decides the usual case
    required: tuple[str, ...]


_TABLES: dict[int, tuple[dict, _Table]] = {}


def _table(table: dict[str, fields.Spec]) -> _Table:
    cached = _TABLES.get(id(table))
    if cached is not None and cached[0] is table:
        return cached[1]
    known = {key: tuple(t for k in spec.kinds for t in _KINDS[k]) for key, spec in table.items()}
    found = _Table(known, {key: frozenset(types) for key, types in known.items()},
                   tuple(key for key, spec in table.items() if spec.required))
    _TABLES[id(table)] = (table, found)  # holding the table keeps its id from being reused
    return found


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    for kind, name in ((bool, "true/false"), (int, "a number"), (float, "a decimal number"), (str, "text"),
                       (YMap, "a mapping"), (YList, "a list")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


_ABSENT = object()


class Fields:
    """Reads the fields of one mapping, reporting unknown, missing and mistyped ones."""

    def __init__(self, src: Source, mapping: YMap, what: str, table: dict[str, fields.Spec], addon: bool = False):
        self.src, self.map, self.what = src, mapping, what
        described = _table(table)
        self.known = described.known
        self.values: dict[str, Any] = {}  # the fields of the expected type; get() reports the others
        for key, value in mapping.items():
            kinds = described.exact.get(key)
            if kinds is None:
                src.report("E009", mapping.key_at[key], f"unknown field '{key}' in {what}{did_you_mean(key, table)}",
                           "known fields: " + ", ".join(table))
            elif type(value) in kinds:
                self.values[key] = value
        for key in () if addon else described.required:
            if key in mapping:
                continue
            if not [k for k in mapping if k not in table and did_you_mean(k, [key])]:  # else reported just above
                src.report("E010", mapping.where, f"{what} is missing '{key}'")

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key, _ABSENT)
        if value is not _ABSENT:
            return value
        if key not in self.map:
            return default
        value = self.map[key]
        kinds = self.known[key]
        ok = any(isinstance(value, k) and not (k is int and isinstance(value, bool)) for k in kinds)
        if not ok:
            where = self.at(key)
            if value is None and (where.line, where.col) in self.src.unreadable:
                return default
            wanted = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
            hint = ""
            if YMap in kinds and isinstance(value, YList):
                hint = "remove the '- ' in front of the fields"
            elif YList in kinds and isinstance(value, YMap):
                hint = "start each item with '- '"
            elif str in kinds and value is None:
                hint = "write some text after the colon"
            self.src.report("E008", self.at(key), f"'{key}' in {self.what} should be {wanted}, not {_type_name(value)}",
                            hint)
            return default
        return value

    def at(self, key: str) -> Where:
        return self.map.value_at.get(key, self.map.where)

    def key_at(self, key: str) -> Where:
        return self.map.key_at.get(key, self.map.where)


def _as_map(src: Source, value: Any, where: Where, what: str) -> YMap | None:
    if isinstance(value, YMap):
        return value
    hint = "remove the '- ' in front" if isinstance(value, YList) else ""
    src.report("E008", where, f"{what} should be a mapping (key: value lines), not {_type_name(value)}", hint)
    return None


def _check_id(src: Source, value: str, where: Where, what: str) -> bool:
    if ID_PATTERN.fullmatch(value) and len(value) <= MAX_ID_LENGTH:
        return True
    shown = value if len(value) <= 60 else value[:57] + "..."
    src.report("E022", where, f"{what} {shown!r} is not a valid id",
               f"use at most {MAX_ID_LENGTH} lower-case letters, digits and underscores, starting with a letter")
    return False


# ---------------------------------------------------------------- the story

@dataclass
class _Build:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    variables: dict[str, Variable] = field(default_factory=dict)
    speakers: dict[str, Speaker] = field(default_factory=dict)
    endings: dict[str, Ending] = field(default_factory=dict)
    cues: dict[str, Cue] = field(default_factory=dict)
    chapters: dict[str, Chapter] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    digest: Any = field(default_factory=hashlib.sha256)
    # add-on 'extend' blocks, applied once every file is read so they may name nodes of any add-on file
    extensions: list[tuple[Source, YList]] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    format: int = 1
    scenes: dict[str, tuple[str, ...]] = field(default_factory=dict)


def forget_memos() -> None:
    """Forget what earlier loads in this process remembered (parsed expressions, the tags of short plain
    scalars), so that a benchmark's load pays what the first load of a process pays."""
    expr.parse.cache_clear()
    expr.parse_statements.cache_clear()
    SafeLoader._plain_tags.clear()


def find_manifest(path: str) -> str:
    return os.path.join(path, MANIFEST) if os.path.isdir(path) else path


def load_story(paths: str | list[str]) -> tuple[Story | None, list[Diagnostic]]:
    """Load a story folder (or manifest) plus optional add-on folders.

    Returns (story, diagnostics). story is None only when the manifest itself is unusable.
    """
    # Loading allocates hundreds of thousands of objects and frees none: pausing the cyclic
    # collector meanwhile avoids re-scanning them over and over (3x faster on big stories).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_story(paths)
    finally:
        if was_enabled:
            gc.enable()


def _load_story(paths: str | list[str]) -> tuple[Story | None, list[Diagnostic]]:
    paths = [paths] if isinstance(paths, str) else list(paths)
    build = _Build()
    manifest_path = find_manifest(paths[0])
    src = Source(manifest_path, build.diagnostics)
    if not os.path.exists(manifest_path):
        src.report("E023", None, f"no story manifest at {src.shown}",
                   f"a story folder holds a {MANIFEST}; pass --story FOLDER")
        return None, build.diagnostics
    manifest = _read_top(src, build, "the manifest")
    if manifest is None:
        return None, build.diagnostics
    f = Fields(src, manifest, "the manifest", fields.MANIFEST)
    version = f.get("format")
    if version is not None and version not in FORMATS:
        src.report("E022", f.at("format"), f"this game reads story format {FORMAT_VERSION}, not {version}",
                   "a newer format needs a newer version of the game" if version > FORMAT_VERSION else "")
        return None, build.diagnostics
    build.format = src.format = version if version in FORMATS else 1
    story_id = f.get("id", "")
    if story_id:
        _check_id(src, story_id, f.at("id"), "story id")
    root_dir = os.path.dirname(os.path.abspath(manifest_path))
    _read_variables(src, f.get("variables") or YMap(), build)
    _read_speakers(src, f.get("speakers") or YMap(), build)
    _read_endings(src, f.get("endings") or YMap(), build)
    build.scenes = _read_scene_vocabulary(src, f.get("scenes"))
    cue_file = None
    if f.get("cues") and _leaves_folder(f.get("cues")):
        _report_outside(src, f.at("cues"), "cue catalogue", f.get("cues"))
    elif f.get("cues"):
        cue_path = os.path.join(root_dir, f.get("cues"))
        cue_src = Source(cue_path, build.diagnostics)
        if not os.path.isfile(cue_path):
            src.report("E023", f.at("cues"), f"cue catalogue '{f.get('cues')}' not found",
                       "the path is relative to the folder of story.yaml")
        elif _read_cues(cue_src, build):
            cue_file = cue_src.shown
    patterns = f.get("chapters")
    if patterns is None:  # already reported as missing or mistyped
        patterns = YList()
        patterns.item_at = []
    elif isinstance(patterns, str):
        patterns = YList([patterns])
        patterns.item_at = [f.at("chapters")]
    chapter_files: list[str] = []
    for pattern, where in zip(patterns, patterns.item_at):
        if not isinstance(pattern, str):
            src.report("E008", where, "each chapter entry should be a file path or glob pattern")
            continue
        if _leaves_folder(pattern):
            _report_outside(src, where, "chapter path", pattern)
            continue
        matches = sorted(m for m in glob.glob(os.path.join(root_dir, pattern)) if os.path.isfile(m))
        if not matches:
            src.report("E023", where, f"no chapter file matches '{pattern}'",
                       "paths are relative to the folder of story.yaml")
        chapter_files.extend(m for m in matches if m not in chapter_files and os.path.abspath(m) != os.path.abspath(manifest_path))
    for path in chapter_files:
        _read_chapter_file(path, build, addon=False)
    for addon in paths[1:]:
        files = _addon_files(addon) if os.path.isdir(addon) else [addon]
        if not files:
            build.diagnostics.append(Diagnostic("E023", display_path(addon), 0, 0, "add-on folder holds no .yaml files"))
        for path in files:
            _read_chapter_file(path, build, addon=True)
    for ext_src, items in build.extensions:
        _read_extensions(ext_src, items, build)
    story = Story(
        id=story_id or "story", title=f.get("title", "") or "", start=f.get("start", "") or "",
        root=root_dir, manifest=src.shown, files=tuple(build.files), chapters=build.chapters, nodes=build.nodes,
        variables=build.variables, endings=build.endings, speakers=build.speakers, cues=build.cues,
        cue_file=cue_file, fingerprint=build.digest.hexdigest()[:16],
        where={key: manifest.value_at[key] for key in manifest.value_at}, unread=tuple(build.unread),
        format=build.format, title_music=f.get("title_music", "") or "",
    )
    return story, build.diagnostics


def _leaves_folder(path: str) -> bool:
    return os.path.isabs(path) or ".." in re.split(r"[\\/]", path)


def _report_outside(src: Source, where: Where, what: str, path: str) -> None:
    src.report("E022", where, f"{what} '{path}' leaves the story folder",
               "story files live inside the folder of story.yaml: write a path relative to it, without '..'")


def _addon_files(folder: str) -> list[str]:
    """The .yaml files under an add-on folder, following links to folders but never round a cycle."""
    found, visited = [], set()
    for here, folders, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(here)
        if real in visited:
            folders[:] = []
            continue
        visited.add(real)
        folders[:] = [name for name in folders if not name.startswith(".")]
        found += [os.path.join(here, name) for name in names if name.endswith(".yaml") and not name.startswith(".")]
    return sorted(found)


def _declarations(src: Source, mapping: YMap, kind: str, table: dict[str, fields.Spec]) -> Iterator[tuple[str, Where, Fields]]:
    """The well-formed entries of a 'name: {fields}' declaration block, with problems reported."""
    for name, spec in mapping.items():
        where = mapping.key_at[name]
        if not _check_id(src, name, where, f"{kind} name"):
            continue
        spec = _as_map(src, spec, mapping.value_at[name], f"{kind} '{name}'")
        if spec is not None:
            yield name, where, Fields(src, spec, f"{kind} '{name}'", table)


def _read_variables(src: Source, mapping: YMap, build: _Build, addon: bool = False) -> None:
    for name, where, f in _declarations(src, mapping, "variable", fields.VARIABLE):
        if addon and name in build.variables:
            src.report("E025", where, f"the add-on declares '{name}', which the story (or another add-on) "
                       f"already declares at {build.variables[name].where}",
                       "give the add-on's variables a prefix of their own, e.g. the branch name")
            continue
        if name in expr.KEYWORDS or name in expr.FUNCTIONS:
            src.report("E022", where, f"'{name}' is a word of the expression language and cannot name a variable")
            continue
        kind = f.get("type")
        if kind not in ("bool", "int", "str"):
            if kind is not None:
                src.report("E022", f.at("type"), f"type '{kind}' is not one of bool, int, str{did_you_mean(kind, ['bool', 'int', 'str'])}")
            continue
        default = f.get("default")
        python_type = {"bool": bool, "int": int, "str": str}[kind]
        if default is not None and (type(default) is not python_type):
            src.report("E008", f.at("default"), f"default of '{name}' should be {kind}, not {_type_name(default)}")
            default = None
        if default is None:
            default = python_type()
        low, high = f.get("min"), f.get("max")
        if (low is not None or high is not None) and kind != "int":
            src.report("E022", f.key_at("min" if low is not None else "max"), "min and max apply to int variables only")
            low = high = None
        for key, number in (("default", default if kind == "int" else None), ("min", low), ("max", high)):
            if number is not None and not -INT_LIMIT <= number <= INT_LIMIT:
                src.report("E022", f.at(key), f"{key} {number} of '{name}' is out of range",
                           f"whole numbers in a story stay between -{INT_LIMIT:,} and {INT_LIMIT:,}")
        if low is not None and high is not None and low > high:
            src.report("E022", f.at("min"), f"min {low} is greater than max {high}")
        if kind == "int" and ((low is not None and default < low) or (high is not None and default > high)):
            src.report("E022", f.at("default"), f"default {default} is outside [{low}, {high}]")
        values = f.get("values")
        if values is not None:
            if kind != "str" or not all(isinstance(v, str) for v in values):
                src.report("E022", f.at("values"), "values lists the allowed texts of a str variable",
                           "quote words like \"yes\", \"no\", \"on\", \"off\": YAML reads them as true/false"
                           if any(isinstance(v, bool) for v in values) else "")
                values = None
            elif default not in values:
                src.report("E022", f.at("default"), f"default '{default}' is not one of its values",
                           "allowed: " + ", ".join(values))
        words = _read_words(src, f, name, kind, values)
        build.variables[name] = Variable(name, kind, default, f.get("description", "") or "", low, high,
                                         tuple(values) if values else None, where, words)


def _read_words(src: Source, f: Fields, name: str, kind: str, values: list | None) -> tuple[tuple[str, str], ...]:
    """`words:` of a str variable: how {name} shows each value in woven text (format 2)."""
    words = f.get("words")
    if words is None:
        return ()
    if src.format < 2:
        src.report("E009", f.key_at("words"), "'words' needs story format 2", "set 'format: 2' in story.yaml")
        return ()
    if kind != "str":
        src.report("E022", f.key_at("words"), "words apply to str variables only")
        return ()
    found = []
    for value, shown in words.items():
        if values is not None and value not in values:
            src.report("E022", words.key_at[value], f"'{value}' is not a value of '{name}'{did_you_mean(value, values)}",
                       "allowed: " + ", ".join(values))
        elif not isinstance(shown, str) or not shown.strip():
            src.report("E008", words.value_at[value], f"the words for '{value}' should be text")
        else:
            found.append((value, shown.strip()))
    return tuple(found)


def _read_speakers(src: Source, mapping: YMap, build: _Build) -> None:
    for sid, where, f in _declarations(src, mapping, "speaker", fields.SPEAKER):
        colour = f.get("colour", "#dddddd")
        if not (len(colour) == 7 and colour.startswith("#") and all(c in "0123456789abcdefABCDEF" for c in colour[1:])):
            src.report("E022", f.at("colour"), f"colour '{colour}' should look like '#e8a87c'")
            colour = "#dddddd"
        build.speakers[sid] = Speaker(sid, f.get("name", sid) or sid, colour.lower(), where)


def _read_endings(src: Source, mapping: YMap, build: _Build) -> None:
    for eid, where, f in _declarations(src, mapping, "ending", fields.ENDING):
        build.endings[eid] = Ending(eid, f.get("title", eid) or eid, f.get("description", "") or "", where,
                                    (f.get("hint", "") or "").strip())


def _read_top(src: Source, build: _Build, what: str) -> YMap | None:
    """Read a story file, count it in the story's files and fingerprint, and return its top mapping."""
    root = src.read()
    if root is None:
        return None
    build.files.append(src.shown)
    build.digest.update(src.data)
    return _as_map(src, root, Where(src.shown, 1, 1), what)


def _read_cues(src: Source, build: _Build) -> bool:
    """False when the catalogue cannot be read at all (already reported)."""
    top = _read_top(src, build, "the cue catalogue")
    if top is None:
        return False
    f = Fields(src, top, "the cue catalogue", fields.CUE_CATALOGUE)
    cues = f.get("cues") or YMap()
    for name, where, cf in _declarations(src, cues, "cue", fields.CUE):
        channel = cf.get("channel", "sfx")
        if channel not in CHANNELS:
            src.report("E022", cf.at("channel"), f"channel '{channel}' is not one of {', '.join(CHANNELS)}"
                       f"{did_you_mean(channel, CHANNELS)}")
            channel = "sfx"
        build.cues[name] = Cue(name, channel, cf.get("caption", "") or "", bool(cf.get("loop", False)),
                               cf.get("recipe"), where)
    return True


def _read_chapter_file(path: str, build: _Build, addon: bool) -> None:
    src = Source(path, build.diagnostics, format=build.format, scenes=build.scenes)
    top = _read_top(src, build, "a chapter file")
    if top is None or ("nodes" in top and not isinstance(top["nodes"], YList)):
        build.unread.append(src.shown)
    if top is None:
        return
    if addon and "start" in top and "nodes" not in top:
        src.report("E025", top.where, "an add-on folder holds chapter files, not a story manifest",
                   "give the story's own folder as the first --story, or move this story.yaml out of the add-on")
        return
    f = Fields(src, top, "a chapter file", fields.CHAPTER_FILE, addon=addon)
    chapter_id = os.path.splitext(os.path.basename(path))[0]
    title = chapter_id
    spec = f.get("chapter")
    if spec is not None:
        cf = Fields(src, spec, "'chapter'", fields.CHAPTER)
        if cf.get("id") and _check_id(src, cf.get("id"), cf.at("id"), "chapter id"):
            chapter_id = cf.get("id")
        title = cf.get("title", title) or title
    if chapter_id in build.chapters and build.chapters[chapter_id].file != src.shown:
        other = build.chapters[chapter_id]
        src.report("E013", spec.where if spec is not None else top.where,
                   f"chapter id '{chapter_id}' is already used by {other.file}:{other.where.line}")
    elif spec is not None or f.get("nodes"):
        build.chapters.setdefault(chapter_id, Chapter(chapter_id, title, src.shown, spec.where if spec is not None else top.where))
    own = _addon_only(src, f, "variables", addon, "'variables' of a chapter file belong in story.yaml",
                      "only an add-on declares variables in its own files")
    if own is not None:
        _read_variables(src, own, build, addon=True)
    nodes = f.get("nodes") or YList()
    for item, where in zip(nodes, getattr(nodes, "item_at", [])):
        mapping = _as_map(src, item, where, "a node")
        if mapping is not None:
            _read_node(src, mapping, chapter_id, build)
    extensions = _addon_only(src, f, "extend", addon, "'extend' belongs in add-on files",
                             "add choices to your own story's nodes directly")
    if extensions is not None:
        build.extensions.append((src, extensions))


def _addon_only(src: Source, f: Fields, key: str, addon: bool, message: str, hint: str) -> Any:
    """A chapter file's field that only add-ons may use: its value, or None (reported in the story's own files)."""
    value = f.get(key)
    if value is not None and not addon:
        src.report("E025", f.key_at(key), message, hint)
        return None
    return value


def _read_node(src: Source, m: YMap, chapter_id: str, build: _Build) -> None:
    raw_id = m.get("id")
    f = Fields(src, m, f"node '{raw_id}'" if isinstance(raw_id, str) else "a node", fields.NODE)
    node_id = f.get("id")
    if node_id is None or not _check_id(src, node_id, f.at("id"), "node id"):
        return
    what = f"node '{node_id}'"
    if node_id in build.nodes:
        first = build.nodes[node_id].where
        src.report("E013", f.at("id"), f"node id '{node_id}' is already used at {first}",
                   "node ids must be unique across all files: rename one")
        return
    scene = _read_scene(src, f.get("scene"), what)
    cues = tuple(_read_names(src, f.get("cues"), "cue"))
    stop = tuple(_read_names(src, f.get("stop"), "channel"))
    for name, where in zip(stop, f.get("stop").item_at if f.get("stop") else []):
        if name not in CHANNELS:
            src.report("E022", where, f"'{name}' is not a channel{did_you_mean(name, CHANNELS)}",
                       "channels: " + ", ".join(CHANNELS))
    passages = _read_passages(src, f, what)
    # the effects between passages run after the node's own, in text order (the engine renders each
    # passage with the values of its moment); the explorer needs only this one ordered list
    effects = _read_effects(src, f, "effects") + tuple(e for p in passages for e in p.effects)
    choices = tuple(_read_choices(src, f, node_id, what))
    call = _read_call(src, f, what)
    returns = f.get("return") is True
    if "return" in m and src.format < 2:
        src.report("E009", f.key_at("return"), f"'return' in {what} needs story format 2", "set 'format: 2' in story.yaml")
        returns = False
    elif "return" in m and not returns:
        src.report("E022", f.at("return"), f"'return' of {what} should be true",
                   "write 'return: true' on the node that ends a called scene, or remove it")
    given = [k for k in ("next", "choices", "ending") if k in m] + (["return"] if returns else [])
    if len(given) > 1:
        src.report("E024", f.key_at(given[1]), f"{what} has both '{given[0]}' and '{given[1]}'",
                   "a node either continues (next), branches (choices), ends (ending) or returns from a "
                   "called scene (return)")
    elif not given and call is None:  # a call without 'next' gets E029, which says what to add
        src.report("E020", f.at("id"), f"{what} has no way forward",
                   "add 'next: <node>', 'choices:' or 'ending: <ending id>'")
    if call is not None and "next" not in m:
        src.report("E029", f.key_at("call"), f"{what} calls scene '{call}' but has no 'next' to come back to",
                   "add 'next: <node>': the story goes there when the scene returns")
    if "choices" in m and not choices and isinstance(m["choices"], YList):
        src.report("E020", f.key_at("choices"), f"{what} has an empty list of choices")
    build.nodes[node_id] = Node(
        id=node_id, chapter=chapter_id, title=f.get("title", "") or "", scene=scene, cues=cues, stop=stop,
        effects=effects, passages=passages, next=f.get("next"), choices=choices, ending=f.get("ending"),
        where=f.at("id"), next_where=f.at("next") if "next" in m else None,
        ending_where=f.at("ending") if "ending" in m else None, call=call,
        call_where=f.at("call") if call is not None else None, returns=returns)


def _read_call(src: Source, f: Fields, what: str) -> str | None:
    """`call:` of a node or choice: a format 2 reusable scene."""
    call = f.get("call")
    if call is not None and src.format < 2:
        src.report("E009", f.key_at("call"), f"'call' in {what} needs story format 2", "set 'format: 2' in story.yaml")
        return None
    return call


def _read_scene(src: Source, m: YMap | None, what: str) -> Scene | None:
    if m is None:
        return None
    f = Fields(src, m, f"the scene of {what}", fields.SCENE)
    values = {}
    for key, drawn in SCENE_VOCABULARY.items():
        value = f.get(key)
        if value is None:
            continue
        known = drawn + src.scenes.get(key, ())
        if value not in known:
            src.report("W004", f.at(key), f"{key} '{value}' is neither one the window knows how to draw nor one "
                       f"the story declares{did_you_mean(value, known)}",
                       f"known: {', '.join(known)}; or declare it under 'scenes: {{{key}: [...]}}' in story.yaml")
        values[key] = value
    return Scene(**values)


def _read_scene_vocabulary(src: Source, m: YMap | None) -> dict[str, tuple[str, ...]]:
    """`scenes:` in the manifest: places, times, moods and weathers of the story's own (the window draws
    one it has no painting for as a plain horizon in the scene's light)."""
    if m is None:
        return {}
    f = Fields(src, m, "'scenes'", {key: fields.spec("list", fields.SCENE[key].doc) for key in SCENE_VOCABULARY})
    found = {}
    for key in SCENE_VOCABULARY:
        items = f.get(key)
        if items is None:
            continue
        found[key] = tuple(name for name, where in zip(items, items.item_at)
                           if isinstance(name, str) and _check_id(src, name, where, f"{key} value"))
    return found


def _read_names(src: Source, items: YList | None, what: str) -> list[str]:
    names = []
    for item, where in zip(items or [], getattr(items, "item_at", [])):
        if isinstance(item, str) and item:
            names.append(item)
        else:
            src.report("E008", where, f"each {what} should be a name, not {_type_name(item)}")
    return names


def _read_expr(src: Source, source: Any, where: Where) -> Expr | None:
    if isinstance(source, bool) or isinstance(source, int):
        src.report("E016", where, f"condition '{str(source).lower()}' is a constant",
                   "write a comparison such as 'trust > 2'; to always show, remove 'if'")
        return None
    if not isinstance(source, str):
        src.report("E008", where, f"a condition should be text like 'trust > 2', not {_type_name(source)}")
        return None
    try:
        ast = expr.parse(source)
    except expr.ExprError as err:
        src.report(err.code, _shift(where, err.offset), f"{err.message} in '{excerpt(source)}'", err.hint)
        return None
    return Expr(source, ast, where)


def _shift(where: Where, offset: int) -> Where:
    """Column of a character inside a value that starts at `where` (exact for one-line plain scalars)."""
    return Where(where.file, where.line, where.col + offset)


def _read_effects(src: Source, f: Fields, key: str) -> tuple[Effect, ...]:
    value = f.get(key)
    if value is None:
        return ()
    items: list[tuple[Any, Where]]
    if isinstance(value, str):
        items = [(value, f.at(key))]
    else:
        items = list(zip(value, value.item_at))
    effects: list[Effect] = []
    for item, where in items:
        if not isinstance(item, str):
            src.report("E008", where, f"an effect should be text like 'trust += 1', not {_type_name(item)}",
                       "quote effects that contain ': ' or start with special characters")
            continue
        try:
            statements = expr.parse_statements(item)
        except expr.ExprError as err:
            src.report(err.code, _shift(where, err.offset), f"{err.message} in effect '{excerpt(item)}'", err.hint)
            continue
        effects.extend(Effect(st, _shift(where, st.pos)) for st in statements)
    return tuple(effects)


def _read_passages(src: Source, f: Fields, what: str) -> tuple[Passage, ...]:
    value = f.get("text")
    if value is None:
        return ()
    if isinstance(value, str):
        value = YList([value])
        value.item_at = [f.at("text")]
    passages = []
    for item, where in zip(value, value.item_at):
        if isinstance(item, str):
            if not item.strip():
                src.report("E021", where, f"empty passage in {what}")
            passages.append(_passage(src, NARRATION, item, None, where, where))
            continue
        if not isinstance(item, YMap):
            src.report("E008", where, f"a passage should be text or 'speaker: text', not {_type_name(item)}")
            continue
        if src.format >= 2 and "effects" in item:
            passages.extend(_effects_item(src, item, what))
            continue
        speakers = [k for k in item if k != "if"]
        if len(speakers) != 1:
            src.report("E022", where, "a passage has exactly one speaker key and optionally 'if'"
                       + (f"; found {', '.join(speakers)}" if speakers else ""),
                       "write '- samantha: Hello.' with 'if: ...' on the next line, indented to line up")
            continue
        speaker = speakers[0]
        line = item[speaker]
        if not isinstance(line, str):
            src.report("E008" if line is not None else "E021", item.value_at[speaker],
                       f"what {speaker} says should be text, not {_type_name(line)}")
            continue
        if not line.strip():
            src.report("E021", item.value_at[speaker], f"empty line for {speaker} in {what}")
        condition = None
        if "if" in item:
            condition = _read_expr(src, item["if"], item.value_at["if"]) if item["if"] is not None else None
            if item["if"] is None:
                src.report("E015", item.key_at["if"], "'if' has no condition")
        passages.append(_passage(src, speaker, line, condition, item.key_at[speaker], item.value_at[speaker]))
    return tuple(passages)


def _passage(src: Source, speaker: str, text: str, condition: Expr | None, where: Where, value_at: Where) -> Passage:
    """A passage; in format 2 its text is woven (parsed now, rendered in play)."""
    if src.format < 2:
        return Passage(speaker, text.strip(), condition, where)
    text = text.strip()
    return Passage(speaker, text, condition, where, _woven(src, text, value_at), value_at=value_at)


def _woven(src: Source, text: str, value_at: Where) -> Any:
    try:
        return parse_woven(text)
    except WeaveError as err:
        src.report(err.code, locate(value_at, text, err.offset, src.lines), err.message, err.hint)
        return None


def _effects_item(src: Source, item: YMap, what: str) -> list[Passage]:
    """`- effects: [...]` between passages (format 2): applied in order as the node's text is read."""
    f = Fields(src, item, f"effects in the text of {what}", fields.TEXT_EFFECTS)
    effects = _read_effects(src, f, "effects")
    for effect in effects:
        if effect.statement.value is not None and expr.uses_chance(effect.statement.value):
            src.report("E016", effect.where, "chance() cannot be used in effects between passages",
                       "roll it in the node's own 'effects', before the text")
            return []
    return [Passage(NARRATION, "", None, item.where, effects=effects)] if effects else []


def _read_choices(src: Source, f: Fields, node_id: str, what: str) -> list[Choice]:
    items = f.get("choices")
    if items is None:
        return []
    choices = []
    for index, (item, where) in enumerate(zip(items, items.item_at), 1):
        m = _as_map(src, item, where, f"choice {index} of {what}")
        if m is None:
            continue
        choice = _read_choice(src, m, f"{node_id}#{index}", f"choice {index} of {what}")
        if choice:
            choices.append(choice)
    return choices


def _read_choice(src: Source, m: YMap, default_id: str, what: str) -> Choice | None:
    f = Fields(src, m, what, fields.CHOICE)
    target = f.get("goto")
    if target is None:
        return None
    text = f.get("text", "")
    fallback = bool(f.get("fallback", False))
    if text is None or (not str(text).strip() and not fallback):
        src.report("E021" if "text" in m else "E010", f.at("text") if "text" in m else m.where,
                   f"{what} has no text", "only a fallback choice may go without text")
    condition_source = f.get("if")
    condition = _read_expr(src, condition_source, f.at("if")) if condition_source is not None else None
    unavailable = f.get("unavailable", "hide")
    if unavailable not in ("hide", "show"):
        src.report("E022", f.at("unavailable"), f"unavailable should be 'hide' or 'show', not '{unavailable}'")
        unavailable = "hide"
    reason = f.get("reason", "") or ""
    if unavailable == "show" and not reason.strip():
        src.report("E010", f.key_at("unavailable"), f"{what} is shown while unavailable but has no 'reason'",
                   "add 'reason:' telling the player why it is disabled")
    if unavailable == "show" and condition is None and "if" not in m:
        src.report("E022", f.key_at("unavailable"), f"{what} sets 'unavailable' but has no 'if'")
    text = (text or "").strip() if isinstance(text, str) else ""
    woven, echo = None, None
    if src.format >= 2 and text:
        woven, echo = _woven_choice(src, f, text)
    call = _read_call(src, f, what)
    return Choice(id=f.get("id", default_id) or default_id, text=text, target=target, call=call,
                  call_where=f.at("call") if call is not None else None,
                  condition=condition, effects=_read_effects(src, f, "effects"), once=bool(f.get("once", False)),
                  show_unavailable=unavailable == "show", reason=reason.strip(), fallback=fallback,
                  where=m.where, target_where=f.at("goto"), woven=woven, echo=echo, text_at=f.at("text"))


def _woven_choice(src: Source, f: Fields, text: str) -> tuple[Any, Passage | None]:
    """Format 2 choice text: woven, with ink's echo brackets: 'Tell her[.] everything' shows 'Tell her.' in
    the menu and puts 'Tell her everything' into the text once taken. Or an explicit `echo:` passage."""
    at = f.at("text")
    open_at = next(iter(_top_level_outside_braces(text, "[")), None)
    echo = None
    if open_at is not None and text.find("]", open_at) < 0:
        src.report("E027", locate(at, text, open_at, src.lines), "'[' in a choice is never closed with ']'",
                   "write 'Say it[] now' style brackets: before [menu only] after")
        return None, None
    if open_at is not None:
        menu = _woven_part(src, at, text, echo=False)
        echo_text = bracket_piece(text, echo=True).strip()
        if echo_text and "echo" in f.map:
            src.report("E022", f.key_at("echo"), "this choice echoes twice: by the words around its [brackets] "
                       "and by 'echo'", "keep one of them, or put the whole text in brackets: '[Ask her]'")
        elif echo_text:
            echo = Passage(NARRATION, echo_text, None, at, _woven_part(src, at, text, echo=True))
        elif f.get("echo") is not None:
            echo = _read_echo(src, f)
        return menu, echo
    menu = _woven(src, text, at)
    if f.get("echo") is not None:
        echo = _read_echo(src, f)
    return menu, echo


def _brackets(text: str) -> tuple[int, int] | None:
    """Where a choice text's first top-level '[' and the ']' after it are, or None."""
    open_at = next(iter(_top_level_outside_braces(text, "[")), None)
    close_at = text.find("]", open_at) if open_at is not None else -1
    return None if open_at is None or close_at < 0 else (open_at, close_at)


def bracket_piece(text: str, echo: bool) -> str:
    """The menu ('Tell her.') or the echo ('Tell her everything') of a choice text with [brackets]
    ('Tell her[.] everything'); the text itself without them."""
    found = _brackets(text)
    if found is None:
        return text
    open_at, close_at = found
    return text[:open_at] + (text[close_at + 1:] if echo else text[open_at + 1:close_at])


def bracket_offset(text: str, echo: bool, offset: int) -> int:
    """Where character `offset` of a choice's stripped menu or echo (bracket_piece) is in the choice's text."""
    found = _brackets(text)
    if found is None:
        return offset
    open_at, close_at = found
    piece = bracket_piece(text, echo)
    offset += len(piece) - len(piece.lstrip())
    return offset if offset < open_at else offset + (close_at - open_at + 1 if echo else 1)


def _woven_part(src: Source, at: Where, text: str, echo: bool) -> Any:
    """Parse the menu or the echo of a choice text with [brackets]."""
    try:
        return parse_woven(bracket_piece(text, echo).strip())
    except WeaveError as err:
        src.report(err.code, locate(at, text, bracket_offset(text, echo, err.offset), src.lines), err.message,
                   err.hint)
        return None


def _read_echo(src: Source, f: Fields) -> Passage | None:
    value, at = f.get("echo"), f.at("echo")
    if isinstance(value, str):
        return _passage(src, NARRATION, value, None, at, at)
    if isinstance(value, YMap) and len(value) == 1:
        speaker = next(iter(value))
        line = value[speaker]
        if isinstance(line, str) and line.strip():
            return _passage(src, speaker, line, None, value.key_at[speaker], value.value_at[speaker])
    src.report("E022", at, "'echo' is the text shown once the choice is taken: a string or '{speaker: text}'")
    return None


def _top_level_outside_braces(text: str, token: str) -> Iterator[int]:
    if token not in text:
        return
    depth = 0
    for i, c in enumerate(text):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and c == token and (i == 0 or text[i - 1] != "\\"):
            yield i


def _read_extensions(src: Source, items: YList, build: _Build) -> None:
    for item, where in zip(items, items.item_at):
        m = _as_map(src, item, where, "an extension")
        if m is None:
            continue
        f = Fields(src, m, "an extension", fields.EXTENSION)
        node_id = f.get("node")
        node = build.nodes.get(node_id) if node_id else None
        if node_id and node is None:
            src.report("E025", f.at("node"), f"cannot extend '{node_id}': no such node{did_you_mean(node_id, build.nodes)}")
            continue
        if node is None:
            continue
        if not node.choices:
            src.report("E025", f.at("node"), f"cannot add choices to '{node_id}': it has no choices to add to",
                       "extend a node that already offers choices")
            continue
        added: list[Choice] = []
        start = len(node.choices)
        added_items: YList = f.get("choices") or YList()
        added_wheres = added_items.item_at if added_items else []
        for index, (choice_item, choice_where) in enumerate(zip(added_items, added_wheres), start + 1):
            cm = _as_map(src, choice_item, choice_where, "an added choice")
            if cm is None:
                continue
            choice = _read_choice(src, cm, f"{node_id}+{os.path.basename(src.path)}#{index}", f"added choice for '{node_id}'")
            if choice and any(c.id == choice.id for c in node.choices + tuple(added)):
                src.report("E025", choice.where, f"choice id '{choice.id}' is already used by a choice of '{node_id}'",
                           "give the added choice another id, or leave 'id' out")
            elif choice:
                added.append(choice)
        build.nodes[node_id] = _replace_choices(node, node.choices + tuple(added))


def _replace_choices(node: Node, choices: tuple[Choice, ...]) -> Node:
    from dataclasses import replace
    return replace(node, choices=choices)

