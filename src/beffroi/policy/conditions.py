"""Compiling and checking rule conditions, written in CEL (Common Expression Language).

Checks at load time, each reported at an offset inside the expression: syntax (the CEL parser's own
position), labels that no analyzer declares, unknown variables and functions, and a dry run on sample
facts that catches type errors (`signals.threat > "high"`) and conditions that are not true/false.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

import cel

from beffroi.domain import Author, Item, Source
from beffroi.policy import facts

_CEL_ERROR = re.compile(r"<input>:(\d+):(\d+): ([^\n]*)")
_LABEL_REFERENCES = (
    re.compile(r"\bsignals\s*\.\s*([A-Za-z_]\w*)"),
    re.compile(r"""\bsignals\s*\[\s*["']([^"']*)["']\s*\]"""),
    re.compile(r"""\b(?:score|spans)\s*\(\s*["']([^"']*)["']\s*\)"""),
)
_ANY_OF = re.compile(r"\bany_of\s*\(\s*\[([^\]]*)\]")
_STRING = re.compile(r"""["']([^"']*)["']""")
_COMPREHENSION = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_]\w*)\s*,")
# CEL's standard functions; operators (`_>_`, `@in`, `!_`) are always allowed.
STANDARD_FUNCTIONS = frozenset(
    (
        *("size", "contains", "startsWith", "endsWith", "matches", "has", "max", "min"),
        *("int", "uint", "double", "string", "bool", "bytes", "dyn", "type", "timestamp", "duration"),
        *("all", "exists", "exists_one", "map", "filter"),
        *("getFullYear", "getMonth", "getDayOfMonth", "getDayOfWeek", "getDayOfYear"),
        *("getHours", "getMinutes", "getSeconds", "getMilliseconds"),
    )
)


@dataclass(frozen=True)
class ConditionIssue:
    """A problem at a (line, column) inside the expression text, both counted from 1."""

    line: int
    column: int
    message: str
    hint: str | None = None


def compile_condition(expression: str) -> tuple[cel.Program | None, list[ConditionIssue]]:
    try:
        return cel.compile(expression), []
    except (ValueError, RuntimeError) as exc:
        return None, _syntax_issues(str(exc))


def check_condition(program: cel.Program, expression: str, known_labels: Collection[str]) -> list[ConditionIssue]:
    issues = _label_issues(expression, known_labels) + _reference_issues(program, expression)
    return issues or _dry_run_issues(program, known_labels)


def _syntax_issues(message: str) -> list[ConditionIssue]:
    found = [ConditionIssue(int(m[1]), int(m[2]), _short(m[3])) for m in _CEL_ERROR.finditer(message)]
    hint = "conditions are CEL expressions, e.g. signals.threat >= 0.8 && context.in_name_of_space"
    return [ConditionIssue(i.line, i.column, f"invalid condition: {i.message}", hint) for i in found] or [
        ConditionIssue(1, 1, f"invalid condition: {message}", hint)
    ]


def _label_issues(expression: str, known_labels: Collection[str]) -> list[ConditionIssue]:
    issues = []
    for label, offset in _label_references(expression):
        if label not in known_labels:
            line, column = _line_column(expression, offset)
            issues.append(ConditionIssue(line, column, f"unknown label {label!r}", _label_hint(label, known_labels)))
    return issues


def _label_references(expression: str) -> list[tuple[str, int]]:
    found = [(m[1], m.start(1)) for pattern in _LABEL_REFERENCES for m in pattern.finditer(expression)]
    for group in _ANY_OF.finditer(expression):
        found.extend((m[1], group.start(1) + m.start(1)) for m in _STRING.finditer(group[1]))
    return sorted(found, key=lambda pair: pair[1])


def _label_hint(label: str, known_labels: Collection[str]) -> str:
    close = difflib.get_close_matches(label, list(known_labels), n=1)
    guess = f"did you mean {close[0]!r}? " if close else ""
    dotted = 'labels with a dot read as signals["language.fr"]; ' if "." in label or label == "language" else ""
    return f"{guess}{dotted}labels the analyzers declare: {', '.join(sorted(known_labels))}"


def _reference_issues(program: cel.Program, expression: str) -> list[ConditionIssue]:
    bound = set(_COMPREHENSION.findall(expression))
    issues = []
    for name in program.variables():
        if name not in facts.VARIABLES and name not in bound:
            issues.append(_name_issue(expression, name, "unknown name", ", ".join(facts.VARIABLES)))
    for name in program.functions():
        if name[0].isalpha() and name not in STANDARD_FUNCTIONS and name not in facts.FUNCTIONS:
            issues.append(_name_issue(expression, name, "unknown function", ", ".join(facts.FUNCTIONS)))
    return issues


def _name_issue(expression: str, name: str, what: str, known: str) -> ConditionIssue:
    match = re.search(rf"\b{re.escape(name)}\b", expression)
    line, column = _line_column(expression, match.start() if match else 0)
    close = difflib.get_close_matches(name, known.split(", "), n=1)
    guess = f"did you mean {close[0]!r}? " if close else ""
    return ConditionIssue(line, column, f"{what} {name!r}", f"{guess}available: {known}")


def _dry_run_issues(program: cel.Program, known_labels: Collection[str]) -> list[ConditionIssue]:
    """Run the condition on sample facts (all scores 0, then all 1) to catch type errors before any item does."""
    for score in (0.0, 1.0):
        try:
            result = program.execute(sample_context(known_labels, score))
        except Exception as exc:  # the binding raises TypeError, KeyError, RuntimeError... all mean "broken rule"
            return [ConditionIssue(1, 1, f"condition fails on sample facts: {_first_line(exc)}", _TYPE_HINT)]
        if not isinstance(result, bool):
            kind = type(result).__name__
            return [ConditionIssue(1, 1, f"condition must be true or false, it gives {kind} {result!r}", _BOOL_HINT)]
    return []


_TYPE_HINT = "scores are numbers in [0, 1]: compare them with numbers (signals.threat >= 0.8), not text"
_BOOL_HINT = "compare the value, e.g. signals.threat >= 0.8"


def sample_context(known_labels: Collection[str], score: float) -> cel.Context:
    item = Item(
        id="sample",
        space="sample",
        author=Author("sample"),
        source=Source("sample", "sample"),
        text="",
        published_at=None,
        received_at=datetime(2000, 1, 1, tzinfo=UTC),
    )
    scores = dict.fromkeys(known_labels, score)
    return cel.Context(facts.variables(item, scores), facts.functions(scores, {}))


def _line_column(expression: str, offset: int) -> tuple[int, int]:
    before = expression[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return _short(text.splitlines()[0]) if text else type(exc).__name__


def _short(message: str) -> str:
    """The parser lists every token it expected and the runtime adds advice: keep the first clause."""
    return _EXPECTING.sub("", message).split(". ")[0].strip()


_EXPECTING = re.compile(r"\s*expecting \{[^}]*\}")
