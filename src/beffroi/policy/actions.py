"""The `then` part of a rule: each entry is an action kind, alone or with its parameters.

then:
  - hold                                   # allow, hold, hide, remove, escalate
  - label: threat                          # label: NAME
  - open_case: {queue: threats, priority: 80}   # group: item (default), author or media
  - notify: {to: admins}                   # or notify: admins
  - escalate: {to: pharos}                 # `to` is optional for escalate
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from beffroi.domain import Action, ActionKind, CaseGroup
from beffroi.policy.problems import Position
from beffroi.policy.yaml_nodes import mapping_items, position, value

DEFAULT_PRIORITY = 50
KINDS = ", ".join(kind.value for kind in ActionKind)
GROUPS = tuple(group.value for group in CaseGroup)


@dataclass(frozen=True)
class ParamSpec:
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    shorthand: str | None = None  # `label: threat` means `label: {label: threat}`


PARAMS = {
    ActionKind.ALLOW: ParamSpec(),
    ActionKind.HOLD: ParamSpec(),
    ActionKind.HIDE: ParamSpec(),
    ActionKind.REMOVE: ParamSpec(),
    ActionKind.LABEL: ParamSpec(("label",), shorthand="label"),
    ActionKind.OPEN_CASE: ParamSpec(("queue",), ("priority", "group"), shorthand="queue"),
    ActionKind.ESCALATE: ParamSpec((), ("to",), shorthand="to"),
    ActionKind.NOTIFY: ParamSpec(("to",), shorthand="to"),
}

Report = Callable[[Position, str, str | None], None]


def parse_action(node: yaml.Node, report: Report) -> Action | None:
    if isinstance(node, yaml.ScalarNode):
        return _kind_only(node, report)
    if isinstance(node, yaml.MappingNode) and len(node.value) == 1:
        ((name, key, params),) = mapping_items(node)
        kind = _kind(name, key, report)
        return None if kind is None else _with_params(kind, params, report)
    report(position(node), "an action is a kind (`hold`) or a kind with its parameters (`label: threat`)", None)
    return None


def _kind_only(node: yaml.ScalarNode, report: Report) -> Action | None:
    kind = _kind(str(value(node)), node, report)
    if kind is None:
        return None
    if PARAMS[kind].required:
        needs = ", ".join(PARAMS[kind].required)
        report(position(node), f"action {kind.value!r} needs {needs}", f"write it as `{kind.value}: NAME`")
        return None
    return Action(kind)


def _kind(name: str, node: yaml.Node, report: Report) -> ActionKind | None:
    try:
        return ActionKind(name)
    except ValueError:
        report(position(node), f"unknown action {name!r}", f"actions are: {KINDS}")
        return None


def _with_params(kind: ActionKind, node: yaml.Node, report: Report) -> Action | None:
    spec = PARAMS[kind]
    if isinstance(node, yaml.ScalarNode) and spec.shorthand:
        params: dict[str, Any] = {spec.shorthand: value(node)}
        nodes: dict[str, yaml.Node] = {spec.shorthand: node}
    elif isinstance(node, yaml.MappingNode):
        entries = mapping_items(node)
        params = {name: value(item) for name, _, item in entries}
        nodes = {name: item for name, _, item in entries}
    else:
        report(position(node), f"action {kind.value!r} takes parameters as a mapping", _usage(kind))
        return None
    problems = _param_problems(kind, params)
    for name, message in problems:
        report(position(nodes.get(name, node)), message, _usage(kind))
    if problems:
        return None
    if kind is ActionKind.OPEN_CASE:
        params.setdefault("priority", DEFAULT_PRIORITY)
    return Action(kind, params)


def _param_problems(kind: ActionKind, params: dict[str, Any]) -> list[tuple[str, str]]:
    spec = PARAMS[kind]
    problems = [("", f"action {kind.value!r} needs {name!r}") for name in spec.required if name not in params]
    for name, given in params.items():
        if name not in spec.required + spec.optional:
            problems.append((name, f"action {kind.value!r} has no parameter {name!r}"))
        elif name == "priority":
            if not isinstance(given, int) or isinstance(given, bool) or not 0 <= given <= 100:
                problems.append((name, f"priority must be a whole number from 0 to 100, not {given!r}"))
        elif name == "group" and given not in GROUPS:
            problems.append((name, f"group must be one of {', '.join(GROUPS)}, not {given!r}"))
        elif not isinstance(given, str) or not given:
            problems.append((name, f"{name!r} must be a non-empty name, not {given!r}"))
    return problems


def _usage(kind: ActionKind) -> str:
    spec = PARAMS[kind]
    names = [*spec.required, *(f"{name} (optional)" for name in spec.optional)]
    return f"{kind.value} takes: {', '.join(names) or 'no parameters'}"
