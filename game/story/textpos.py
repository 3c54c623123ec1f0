"""Where a character inside a string value is in its file, for messages that point inside text.

Folding, block indentation and quote escapes move a string's characters away from where.col + offset.
Only messages need the exact place, so it is worked out when one is written, by walking the file's
raw lines next to the parsed value; loading a story never pays for it.
"""
from __future__ import annotations

import functools
import os

from .files import MAX_FILE_BYTES, read_regular_file
from .model import Where

Anchors = tuple[tuple[int, int, int], ...]  # (offset in a string, line, col) where each source line of it begins


def locate(where: Where, text: str, offset: int, lines: list[str] | None = None) -> Where:
    """The file position of character `offset` of `text`, the (stripped) value of a string that starts at
    `where`; `lines`: the file's lines when the caller has them, else the file is read."""
    if lines is None:
        lines = file_lines(where.file)
    line, col, base = where.line, where.col, 0
    for at, at_line, at_col in anchors(lines, where, text):
        if at > offset:
            break
        base, line, col = at, at_line, at_col
    return Where(where.file, line, col + offset - base)


def file_lines(path: str) -> list[str]:
    """A story file's lines as the loader read them; none if it cannot be read (the message then points
    at the start of the string's line)."""
    try:
        info = os.stat(path)
    except OSError:
        return []
    return _read_lines(path, info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=8)  # messages come in runs from the same few files
def _read_lines(path: str, _mtime_ns: int, _size: int) -> list[str]:
    try:
        return read_regular_file(path, MAX_FILE_BYTES).decode("utf-8").lstrip("\ufeff").split("\n")
    except (OSError, UnicodeDecodeError):
        return []


def anchors(lines: list[str], where: Where, value: str) -> Anchors:
    """Where each source line of a string value begins in the file, found by walking the raw text next to
    the parsed value (folding, block indentation and quote escapes only change whitespace and escapes)."""
    row, col = where.line - 1, where.col - 1
    if not 0 <= row < len(lines):
        return ()
    if lines[row][col:col + 1] in (">", "|"):
        return _block_anchors(lines, row + 1, folded=lines[row][col] == ">")
    if lines[row][col:col + 1] in ("'", '"'):
        col += 1
    if len(value) <= len(lines[row]) - col and lines[row].startswith(value, col):
        return ((0, row + 1, col + 1),)  # the common one-line value, written as it reads
    found: list[tuple[int, int, int]] = []
    line_seen = -1
    for offset, char in enumerate(value):
        if char.isspace():
            continue
        while row < len(lines):
            raw = lines[row]
            while col < len(raw) and raw[col] != char and (raw[col].isspace() or raw[col] in "\\'\""):
                col += 1
            if col < len(raw) and raw[col] == char:
                break
            if col < len(raw):  # something the value does not have: stop mapping rather than guess
                return tuple(found)
            row, col = row + 1, 0
        else:
            return tuple(found)
        if row != line_seen:
            found.append((offset, row + 1, col + 1))
            line_seen = row
        col += 1
    return tuple(found)


def _block_anchors(lines: list[str], row: int, folded: bool) -> Anchors:
    """Anchors of a block scalar (>- or |) from its lines: each line's text follows the previous one's
    and one separator (a space or a line break); a blank line is a line break of its own in a literal
    block and replaces the separator in a folded one."""
    indent = None
    found: list[tuple[int, int, int]] = []
    offset = 0
    for number in range(row, len(lines)):
        raw = lines[number]
        if not raw.strip():
            offset += 0 if folded or not found else 1
            continue
        here = len(raw) - len(raw.lstrip(" "))
        if indent is None:
            indent = here
        elif here < indent:
            break
        found.append((offset, number + 1, indent + 1))
        offset += len(raw) - indent + 1
    return tuple(found)
