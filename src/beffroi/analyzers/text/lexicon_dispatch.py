"""Arrange lexicon entries into one regex that the engine can run fast.

A flat alternation of ~200 entries makes Python's regex engine try every entry at
every word, and re-match shared openings ("je vais", "I'm going to") once per entry:
about 1,000 texts/s. Two changes fix that:
- entries become a trie of tokens, so a shared opening is matched once;
- the trie's first tokens sit in a binary tree keyed on the letter they can start
  with, each branch behind a lookahead, so a word meets a dozen character tests
  before the few entries that can start with its first letter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from beffroi.analyzers.text.lexicon_format import SEPARATOR, Entry, Token, starting_class

# A first token that is a single word is copied under each letter it can start with;
# one that can start with any capital (NAME) is kept once behind its own lookahead.
_MAX_COPIES = 3


@dataclass
class _Node:
    """One token of the trie, what may follow it, and the entries that end with it."""

    token: Token
    children: dict[str, _Node] = field(default_factory=dict)  # token regex -> subtree
    ends: list[int] = field(default_factory=list)  # indices of entries ending here

    def emit(self, copy: int, head: str | None = None) -> str:
        """This token (or `head`, part of it) and its continuations.

        Entry i ends in an empty group e<i>_<copy>.
        """
        # Longer continuations first: the most specific entry wins where several match.
        branches = [SEPARATOR + child.guarded(copy) for child in self.children.values()]
        # An entry ending here captures an empty group: the last group closed names it.
        branches += [f"(?P<e{index}_{copy}>)" for index in self.ends]
        rest = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return (self.token.regex if head is None else head) + rest

    def guarded(self, copy: int) -> str:
        # One character test skips a whole macro of alternatives that cannot start here.
        if not self.token.first:
            return self.emit(copy)
        return f"(?={starting_class(self.token.first)})" + self.emit(copy)


_Leaf = tuple[str, list[str]]


def dispatch(entries: Sequence[Entry]) -> str:
    """One alternation over `entries`; entry i matches as a group named e<i>_<copy>."""
    roots = _trie(entries)
    leaves: dict[str, list[str]] = {}
    shared: dict[frozenset[str], list[str]] = {}
    for root in roots:
        heads = _heads_by_letter(root.token)
        if heads is None:
            shared.setdefault(root.token.first, []).append(root.emit(0))
            continue
        for copy, (char, head) in enumerate(sorted(heads.items())):
            leaves.setdefault(char, []).append(root.emit(copy, head))
    branches = [_guarded(first, regexes) for first, regexes in shared.items()]
    return "|".join([_tree(sorted(leaves.items())), *branches] if leaves else branches)


def entry_index(group_name: str) -> int:
    """The entry index in a group name made by dispatch: "e12_0" -> 12."""
    return int(group_name[1:].partition("_")[0])


def _heads_by_letter(token: Token) -> dict[str, str] | None:
    """The token split by first letter, so each letter's branch holds only its part."""
    if not token.alternatives:
        if len(token.first) > _MAX_COPIES:
            return None  # NAME: kept once, behind its own lookahead
        return {char: token.regex for char in token.first}
    by_letter: dict[str, list[str]] = {}
    for alternative in token.alternatives:
        for char in alternative.first:
            by_letter.setdefault(char, []).append(alternative.regex)
    return {char: "(?:" + "|".join(regexes) + ")" for char, regexes in by_letter.items()}


def _trie(entries: Sequence[Entry]) -> list[_Node]:
    roots: dict[str, _Node] = {}
    for index, entry in enumerate(entries):
        first, *rest = entry.tokens
        node = roots.setdefault(first.regex, _Node(first))
        for token in rest:
            node = node.children.setdefault(token.regex, _Node(token))
        node.ends.append(index)
    return list(roots.values())


def _tree(leaves: Sequence[_Leaf]) -> str:
    if len(leaves) == 1:
        char, regexes = leaves[0]
        return _guarded(frozenset(char), regexes)
    middle = len(leaves) // 2
    halves = (leaves[:middle], leaves[middle:])
    return "|".join(_guarded(_letters(half), [_tree(half)]) for half in halves)


def _letters(leaves: Sequence[_Leaf]) -> frozenset[str]:
    return frozenset(char for char, _ in leaves)


def _guarded(first: frozenset[str], regexes: list[str]) -> str:
    return f"(?={starting_class(first)})(?:{'|'.join(regexes)})"
