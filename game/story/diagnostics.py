"""Diagnostics: one value type and one catalogue of codes (documented in docs/diagnostics.md)."""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

# characters that would act on a terminal or reorder the text around them rather than show: control characters
# (but tab and newline) and the bidirectional embeddings, overrides and isolates
UNSAFE_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Text as it may go to a terminal: unsafe characters shown as escapes (\\u001b), never obeyed."""
    return UNSAFE_CHARACTER.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def excerpt(text: str, limit: int = 80) -> str:
    """A quotation short enough for a one-line message: a 2,000-character expression is not repeated whole."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


ERROR = "error"
WARNING = "warning"

# code -> (severity, one-line summary). Each is documented once in docs/diagnostics.md.
CODES: dict[str, tuple[str, str]] = {
    "E001": (ERROR, "YAML syntax error"),
    "E002": (ERROR, "duplicate key in a mapping"),
    "E003": (ERROR, "too many aliases: the file expands to an absurd size"),
    "E004": (ERROR, "nesting too deep"),
    "E005": (ERROR, "tab character used for indentation"),
    "E006": (ERROR, "file is not valid UTF-8"),
    "E007": (ERROR, "file is empty"),
    "E008": (ERROR, "value has the wrong type"),
    "E009": (ERROR, "unknown field"),
    "E010": (ERROR, "required field missing"),
    "E011": (ERROR, "file too large"),
    "E012": (ERROR, "target node does not exist"),
    "E013": (ERROR, "node id used twice"),
    "E014": (ERROR, "variable is not declared"),
    "E015": (ERROR, "expression syntax error"),
    "E016": (ERROR, "expression type error"),
    "E017": (ERROR, "ending is not declared"),
    "E018": (ERROR, "speaker is not declared"),
    "E019": (ERROR, "cue is not in the cue catalogue"),
    "E020": (ERROR, "node has no way forward"),
    "E021": (ERROR, "passage or choice text is empty"),
    "E022": (ERROR, "invalid value"),
    "E023": (ERROR, "file not found"),
    "E024": (ERROR, "node has more than one of next / choices / ending"),
    "E025": (ERROR, "add-on conflicts with the story"),
    "E026": (ERROR, "cue recipe cannot be synthesized"),
    "E027": (ERROR, "woven text cannot be read"),
    "E028": (ERROR, "'next' links loop forever"),
    "E029": (ERROR, "called scene has nowhere to return to"),
    "E030": (ERROR, "scene calls itself"),
    "W001": (WARNING, "node is unreachable from the start"),
    "W002": (WARNING, "every choice is conditional and there is no fallback"),
    "W003": (WARNING, "declared ending has no node"),
    "W004": (WARNING, "unknown scene value"),
    "W005": (WARNING, "variable is never read"),
    "W006": (WARNING, "cue is never used"),
    "W007": (WARNING, "cue has an empty caption"),
    "W008": (WARNING, "text holds a control or text-direction character"),
    "W009": (WARNING, "two choices share an id"),
    "W010": (WARNING, "called scene never returns"),
}


@dataclass(frozen=True)
class Diagnostic:
    code: str
    file: str
    line: int  # 1-based; 0 when the whole file is meant
    col: int  # 1-based
    message: str
    hint: str = ""

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def format(self) -> str:
        text = f"{self.file}:{self.line}:{self.col}: {self.severity}[{self.code}]: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return visible(text)  # messages quote the story, which may hold an ESC

    def to_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity
        return data



def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' suffix, or '' when nothing is close: a typo (a few edits for the word's
    length) or the start of a longer name, never just a name that shares some letters."""
    similar = difflib.get_close_matches(word, list(candidates), n=5, cutoff=0.6)
    close = [c for c in similar if c.startswith(word) or word.startswith(c)
             or _edits(word.lower(), c.lower()) <= max(2, len(word) // 3)]
    return f" (did you mean '{close[0]}'?)" if close else ""


def _edits(a: str, b: str) -> int:
    """Levenshtein distance (names are short: the plain dynamic programme is fast enough)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def sort_key(d: Diagnostic) -> tuple:
    return (d.file, d.line, d.col, d.code)
