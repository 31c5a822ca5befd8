"""Reading a grounds file: YAML -> Ground list, or a GroundsError naming every problem with its line and column.

grounds:
  - key: threats
    label: {fr: Menaces, en: Threats}
    illegal: true
    legal_reference: Code pénal, art. 222-17 et 222-18
    category: STATEMENT_CATEGORY_VIOLENCE
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping

import yaml

from beffroi.domain import Ground
from beffroi.policy.problems import PolicyError, Position, Problem
from beffroi.policy.yaml_nodes import compose, mapping_items, position, value, yaml_mark, yaml_problem

GROUND_KEYS = ("key", "label", "description", "illegal", "legal_reference", "terms_reference", "category")
LANGUAGES = ("fr", "en")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


class GroundsError(PolicyError):
    """An invalid grounds file never loads; like a policy's, its errors carry every problem with its place."""

    code = "invalid_grounds"


def parse_grounds(text: str, source: str, categories: Collection[str], renamed: Mapping[str, str]) -> list[Ground]:
    reading = _Reading(source, categories, renamed)
    grounds = reading.run(text)
    if reading.problems:
        raise GroundsError(reading.problems, text)
    return grounds


class _Reading:
    def __init__(self, source: str, categories: Collection[str], renamed: Mapping[str, str]):
        self.source, self.categories, self.renamed = source, categories, renamed
        self.problems: list[Problem] = []

    def report(self, node: yaml.Node | None, message: str, hint: str | None = None) -> None:
        where = position(node) if node is not None else Position(1, 1)
        self.problems.append(Problem(self.source, where, message, hint))

    def run(self, text: str) -> list[Ground]:
        try:
            root = compose(text)
        except yaml.YAMLError as exc:
            mark = yaml_mark(exc)
            where = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
            problem = f"not valid YAML: {yaml_problem(exc)}"
            self.problems.append(Problem(self.source, where, problem, "check indentation and quoting"))
            return []
        entries = self._entries(root)
        grounds = [ground for node in entries if (ground := self._ground(node)) is not None]
        self._unique(entries)
        return grounds

    def _entries(self, root: yaml.Node | None) -> list[yaml.Node]:
        found = dict((k, v) for k, _, v in mapping_items(root)) if isinstance(root, yaml.MappingNode) else {}
        listed = found.get("grounds")
        if not isinstance(listed, yaml.SequenceNode) or not listed.value:
            self.report(listed or root, "a grounds file is `grounds:` with a list of grounds", "start with `grounds:`")
            return []
        return list(listed.value)

    def _ground(self, node: yaml.Node) -> Ground | None:
        if not isinstance(node, yaml.MappingNode):
            self.report(node, "a ground is a mapping", "each ground needs key, label, illegal and category")
            return None
        before = len(self.problems)
        fields = self._fields(node)
        key = self._key(fields.get("key"), node)
        label = self._languages(fields.get("label"), node, "label", required=True)
        description = self._languages(fields.get("description"), node, "description", required=False)
        illegal = self._illegal(fields.get("illegal"), node)
        references = self._references(fields, node, illegal)
        category = self._category(fields.get("category"), node)
        if len(self.problems) > before or key is None or category is None or illegal is None:
            return None
        return Ground(
            key=key,
            label_fr=label["fr"],
            label_en=label["en"],
            illegal=illegal,
            category=category,
            legal_reference=references.get("legal_reference"),
            terms_reference=references.get("terms_reference"),
            description_fr=description.get("fr", ""),
            description_en=description.get("en", ""),
        )

    def _fields(self, node: yaml.MappingNode) -> dict[str, yaml.Node]:
        fields: dict[str, yaml.Node] = {}
        for key, key_node, item in mapping_items(node):
            if key not in GROUND_KEYS:
                self.report(key_node, f"unknown ground field {key!r}", f"ground fields: {', '.join(GROUND_KEYS)}")
            elif key in fields:
                self.report(key_node, f"ground field {key!r} is given twice")
            fields[key] = item
        return fields

    def _key(self, node: yaml.Node | None, parent: yaml.Node) -> str | None:
        found = value(node) if node is not None else None
        if not isinstance(found, str) or not KEY_PATTERN.match(found):
            self.report(
                node or parent,
                f"a ground needs a key of lowercase letters, digits and _, not {found!r}",
                "e.g. `key: threats`; notices and decisions name grounds by key",
            )
            return None
        return found

    def _languages(self, node: yaml.Node | None, parent: yaml.Node, field: str, *, required: bool) -> dict[str, str]:
        if node is None:
            if required:
                self.report(parent, f"missing field {field!r}", f"add `{field}: {{fr: ..., en: ...}}`")
            return {}
        texts = {k: item for k, _, item in mapping_items(node)} if isinstance(node, yaml.MappingNode) else {}
        if set(texts) != set(LANGUAGES):
            self.report(node, f"{field!r} needs a text in French and in English", f"`{field}: {{fr: ..., en: ...}}`")
            return {}
        found: dict[str, str] = {}
        for language, item in texts.items():
            text = value(item)
            if not isinstance(text, str) or not text.strip():
                self.report(item, f"{field}.{language} must be a non-empty text, not {text!r}")
            else:
                found[language] = " ".join(text.split())
        return found

    def _illegal(self, node: yaml.Node | None, parent: yaml.Node) -> bool | None:
        found = value(node) if node is not None else None
        if not isinstance(found, bool):
            self.report(
                node or parent,
                f"illegal must be true or false, not {found!r}",
                "true: illegal content (give legal_reference); false: against the terms (give terms_reference)",
            )
            return None
        return found

    def _references(self, fields: dict[str, yaml.Node], parent: yaml.Node, illegal: bool | None) -> dict[str, str]:
        if illegal is None:
            return {}
        wanted, other = ("legal_reference", "terms_reference") if illegal else ("terms_reference", "legal_reference")
        if other in fields:
            self.report(
                fields[other],
                f"a ground {'of illegal content' if illegal else 'against the terms'} has no {other}",
                f"a statement of reasons rests on one basis: give {wanted} only",
            )
        found = value(fields[wanted]) if wanted in fields else None
        if not isinstance(found, str) or not found.strip():
            what = "the law it breaks" if illegal else "the clause of the terms it breaks"
            self.report(fields.get(wanted, parent), f"missing {wanted}: {what}", f"add `{wanted}: ...`")
            return {}
        return {wanted: " ".join(found.split())}

    def _category(self, node: yaml.Node | None, parent: yaml.Node) -> str | None:
        found = value(node) if node is not None else None
        if isinstance(found, str) and found in self.categories:
            return found
        if isinstance(found, str) and found in self.renamed:
            hint = f"the DSA Transparency Database schema v2 calls it {self.renamed[found]}"
            self.report(node, f"category {found!r} no longer exists", hint)
            return None
        close = difflib.get_close_matches(str(found), sorted(self.categories), n=1)
        hint = f"did you mean {close[0]}?" if close else "categories: " + ", ".join(sorted(self.categories))
        self.report(node or parent, f"unknown DSA category {found!r}", hint)
        return None

    def _unique(self, entries: list[yaml.Node]) -> None:
        seen: set[str] = set()
        for node in entries:
            key = _key_of(node)
            if key is not None and key in seen:
                self.report(node, f"two grounds have the key {key!r}", "keys must be unique")
            elif key is not None:
                seen.add(key)


def _key_of(node: yaml.Node) -> str | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    found = next((value(item) for key, _, item in mapping_items(node) if key == "key"), None)
    return found if isinstance(found, str) else None
