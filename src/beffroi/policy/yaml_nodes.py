"""Reading YAML as nodes, so every value keeps the line and column it came from."""

from __future__ import annotations

from typing import Any

import yaml

from beffroi.policy.problems import Position


def compose(text: str) -> yaml.Node | None:
    """The document's node tree; raises yaml.MarkedYAMLError with the position of a syntax error."""
    return yaml.compose(text, Loader=yaml.SafeLoader)


def position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def value(node: yaml.Node) -> Any:
    """The plain Python value of a node (str, int, float, bool, None, list, dict), as yaml.safe_load gives."""
    return yaml.SafeLoader("").construct_object(node, deep=True)


def mapping_items(node: yaml.MappingNode) -> list[tuple[str, yaml.Node, yaml.Node]]:
    """(key, key node, value node) for each entry; keys read as text."""
    return [(str(value(key)), key, item) for key, item in node.value]


def expression_position(node: yaml.ScalarNode, text: str, line: int, column: int) -> Position:
    """Map a (line, column) inside a scalar's value (both from 1) back to the file.

    Exact for one-line scalars and for literal blocks (`|`); other multi-line styles fold lines
    together, so for them the error points at the line where the value starts.
    """
    start = node.start_mark
    if node.style == "|":
        return Position(start.line + 1 + line, _block_indent(text, start.line + 1) + column)
    if start.line == node.end_mark.line and line == 1:
        quote = 1 if node.style in ('"', "'") else 0
        return Position(start.line + 1, start.column + 1 + quote + column - 1)
    return position(node)


def _block_indent(text: str, first_content_line: int) -> int:
    for raw in text.splitlines()[first_content_line:]:
        if raw.strip():
            return len(raw) - len(raw.lstrip(" "))
    return 0


def yaml_mark(exc: yaml.YAMLError) -> yaml.Mark | None:
    return getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)


def yaml_problem(exc: yaml.YAMLError) -> str:
    """What is wrong. A reader error (a control character such as NUL) has no problem text, only a message."""
    return str(getattr(exc, "problem", None) or getattr(exc, "context", None) or exc).splitlines()[0]
