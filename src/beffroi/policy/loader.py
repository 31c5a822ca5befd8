"""load_policy: YAML text -> a checked, compiled RulesPolicy, or a PolicyError listing every problem.

name: town-hall
version: 3
rules:
  - name: threats-hold
    description: explicit threats wait for a moderator
    when: signals.threat >= 0.8
    then: [hold, {open_case: {queue: threats, priority: 80}}]
"""

from __future__ import annotations

from collections.abc import Collection
from importlib.resources import files
from typing import Any

import yaml

from beffroi.domain import Action
from beffroi.policy.actions import parse_action
from beffroi.policy.conditions import check_condition, compile_condition
from beffroi.policy.engine import RulesPolicy
from beffroi.policy.problems import PolicyError, Position, Problem
from beffroi.policy.rules import Rule
from beffroi.policy.yaml_nodes import (
    compose,
    expression_position,
    mapping_items,
    position,
    value,
    yaml_mark,
    yaml_problem,
)

POLICY_KEYS = ("name", "version", "rules")
RULE_KEYS = ("name", "when", "then", "shadow", "description")
DEFAULT_SOURCE = "default.yaml"


def load_policy(text: str, source: str, known_labels: Collection[str]) -> RulesPolicy:
    loading = _Loading(text, source, known_labels)
    policy = loading.run()
    if loading.problems or policy is None:
        raise PolicyError(loading.problems or [Problem(source, Position(1, 1), "empty policy")], text)
    return policy


def default_policy_text() -> str:
    return files("beffroi.policy").joinpath(DEFAULT_SOURCE).read_text(encoding="utf-8")


def load_default_policy(known_labels: Collection[str]) -> RulesPolicy:
    return load_policy(default_policy_text(), DEFAULT_SOURCE, known_labels)


class _Loading:
    def __init__(self, text: str, source: str, known_labels: Collection[str]):
        self.text, self.source, self.known_labels = text, source, known_labels
        self.problems: list[Problem] = []

    def report(self, where: Position, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.source, where, message, hint))

    def run(self) -> RulesPolicy | None:
        try:
            root = compose(self.text)
            if not isinstance(root, yaml.MappingNode):
                self.report(position(root) if root else Position(1, 1), "a policy is a mapping", "start with `name:`")
                return None
            return self._policy(root)
        except yaml.YAMLError as exc:  # syntax, or a tag the safe loader refuses (`!!python/object`)
            mark = yaml_mark(exc)
            where = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
            self.report(where, f"not valid YAML: {yaml_problem(exc)}", "check indentation and quoting")
            return None

    def _policy(self, root: yaml.MappingNode) -> RulesPolicy | None:
        fields = self._fields(root, POLICY_KEYS, "policy")
        name = self._text(fields, "name", root)
        version = fields.get("version")
        if version is None:
            self.report(position(root), "the policy needs a version", "add `version: 1` and raise it on each change")
        elif not isinstance(value(version), int | str) or isinstance(value(version), bool):
            self.report(position(version), "version must be a number or a short text", "e.g. `version: 3`")
        rules = self._rules(fields.get("rules"), root)
        if self.problems or name is None or version is None:
            return None
        return RulesPolicy(f"{name}@{value(version)}", rules, self.known_labels)

    def _fields(self, node: yaml.MappingNode, allowed: tuple[str, ...], what: str) -> dict[str, yaml.Node]:
        fields: dict[str, yaml.Node] = {}
        for key, key_node, item in mapping_items(node):
            if key not in allowed:
                self.report(position(key_node), f"unknown {what} field {key!r}", f"{what} fields: {', '.join(allowed)}")
            elif key in fields:
                self.report(position(key_node), f"{what} field {key!r} is given twice")
            fields[key] = item
        return fields

    def _text(self, fields: dict[str, yaml.Node], key: str, parent: yaml.Node) -> str | None:
        if key not in fields:
            self.report(position(parent), f"missing field {key!r}", f"add `{key}:`")
            return None
        found = value(fields[key])
        if not isinstance(found, str) or not found.strip():
            hint = f"quote it: {key}: '{str(found).lower()}'" if isinstance(found, bool | int | float) else None
            self.report(position(fields[key]), f"{key!r} must be a non-empty text, not {found!r}", hint)
            return None
        return found

    def _rules(self, node: yaml.Node | None, root: yaml.Node) -> tuple[Rule, ...]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.report(position(node or root), "the policy needs a list of rules", "add `rules:` with `- name: ...`")
            return ()
        rules, seen = [], set()
        for rule_node in node.value:
            rule = self._rule(rule_node)
            if rule and rule.name in seen:
                self.report(position(rule_node), f"two rules are named {rule.name!r}", "rule names must be unique")
            elif rule:
                seen.add(rule.name)
                rules.append(rule)
        return tuple(rules)

    def _rule(self, node: yaml.Node) -> Rule | None:
        if not isinstance(node, yaml.MappingNode):
            self.report(position(node), "a rule is a mapping", "each rule needs name, when and then")
            return None
        fields = self._fields(node, RULE_KEYS, "rule")
        name = self._text(fields, "name", node)
        when = self._text(fields, "when", node)
        program = self._condition(fields["when"]) if when is not None else None
        actions = self._actions(fields.get("then"), node)
        shadow = self._flag(fields.get("shadow"))
        description = self._description(fields.get("description"))
        if name is None or when is None or program is None or actions is None:
            return None
        return Rule(name, when, program, actions, shadow, description)

    def _condition(self, node: yaml.Node) -> Any:
        expression = str(value(node)).rstrip()  # a literal block's last newline would put its end on no line
        program, issues = compile_condition(expression)
        if program is not None:
            issues = check_condition(program, expression, self.known_labels)
        for issue in issues:
            assert isinstance(node, yaml.ScalarNode)
            self.report(expression_position(node, self.text, issue.line, issue.column), issue.message, issue.hint)
        return None if issues else program

    def _actions(self, node: yaml.Node | None, rule: yaml.Node) -> tuple[Action, ...] | None:
        if node is None or not isinstance(node, yaml.SequenceNode) or not node.value:
            self.report(position(node or rule), "a rule needs `then:`, a list of actions", "e.g. `then: [hold]`")
            return None
        before = len(self.problems)
        actions = [parse_action(entry, self.report) for entry in node.value]
        parsed = tuple(action for action in actions if action is not None)
        return parsed if len(self.problems) == before else None

    def _flag(self, node: yaml.Node | None) -> bool:
        if node is None:
            return False
        if not isinstance(value(node), bool):
            self.report(position(node), f"shadow must be true or false, not {value(node)!r}")
            return False
        return bool(value(node))

    def _description(self, node: yaml.Node | None) -> str:
        if node is None:
            return ""
        if not isinstance(value(node), str):
            self.report(position(node), "description must be a text")
            return ""
        return " ".join(str(value(node)).split())
