"""Parse lexicon data files into entries whose patterns are regular expressions.

The format is documented in docs/analyzers/keywords.md and at the top of each data
file. Each pattern compiles to a regex over folded text (see folding.py), matched
without case. Errors read like a compiler's: source:line, what is wrong, a hint.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from beffroi.analyzers.text.folding import fold_term

LABELS = ("threat", "insult", "hate", "sexual_harassment", "toxicity")
EXCEPT_SECTION = "except"

# Between two words: any run of non-word characters, possibly none, so "jte",
# "j'te" and "j te" all read as "j te", and "on.va.te.tuer" as "on va te tuer".
SEPARATOR = r"[^\w]*"
# `*` in a pattern: at most one word, of any kind, in that place.
_GAP = r"(?:(?<!\w)\w+(?!\w))?"
# NAME: a capitalised word or an @handle. Scoped case-sensitive, since matching
# otherwise ignores case.
_NAME = r"(?:@\w+|(?-i:[A-Z][a-z]{2,}))"
# Leetspeak, and `*` masking a vowel ("c*nnard", "f*ck"). Text keeps its digits;
# the pattern accepts them, which keeps "1" free to read as either i or l.
_LOOKALIKES = {
    "a": "a4@*", "e": "e3€*", "i": "i1!|*", "o": "o0*", "u": "u*",
    "l": "l1|", "s": "s5$", "t": "t7",
}  # fmt: skip
_NOT_AT_START = str.maketrans("", "", "!|*")
_NAME_FIRST = frozenset("@abcdefghijklmnopqrstuvwxyz")
_MACRO = re.compile(r"@(\w+)\s*=\s*(.+)")
_SECTION = re.compile(r"\[(\w+)\]")


class LexiconFormatError(ValueError):
    """A malformed line in a lexicon source, with where it is and what is wrong."""

    def __init__(self, source: str, line: int, problem: str) -> None:
        super().__init__(f"{source}:{line}: {problem}")


@dataclass(frozen=True)
class Token:
    """One compiled token: its regex, and the folded letters a match can start with."""

    regex: str
    first: frozenset[str]
    alternatives: tuple[Token, ...] = ()  # for `a|b` and macros, split by first letter


@dataclass(frozen=True)
class Entry:
    """One weighted pattern under a label, compiled token by token.

    Tokens are kept apart so entries that start alike can share their first tokens
    in the compiled lexicon (see lexicon_dispatch.py).
    """

    label: str
    term: str
    weight: float
    tokens: tuple[Token, ...]

    @property
    def regex(self) -> str:
        return SEPARATOR.join(token.regex for token in self.tokens)


@dataclass
class ParsedLexicon:
    """What one source holds: its entries, and the exception patterns that veto them."""

    entries: list[Entry] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)


@dataclass
class _Parser:
    source: str
    parsed: ParsedLexicon = field(default_factory=ParsedLexicon)
    macros: dict[str, Token] = field(default_factory=dict)
    section: str | None = None
    line: int = 0

    def feed(self, text: str) -> None:
        if not text or text.startswith("#"):
            return
        if section := _SECTION.fullmatch(text):
            self._open_section(section.group(1))
        elif macro := _MACRO.fullmatch(text):
            self._define_macro(*macro.groups())
        elif self.section == EXCEPT_SECTION:
            self.parsed.exceptions.append(self._phrase(text).regex)
        else:
            self._add_entry(text)

    def fail(self, problem: str) -> LexiconFormatError:
        return LexiconFormatError(self.source, self.line, problem)

    def _open_section(self, name: str) -> None:
        if name not in (*LABELS, EXCEPT_SECTION):
            known = ", ".join((*LABELS, EXCEPT_SECTION))
            raise self.fail(f"unknown section [{name}]; expected one of: {known}")
        self.section = name

    def _define_macro(self, name: str, body: str) -> None:
        self.macros[name] = _either([self._phrase(alt) for alt in _alternatives(body, self)])

    def _add_entry(self, text: str) -> None:
        if self.section is None:
            raise self.fail("entry before any [section]; start with e.g. [threat]")
        weight_text, *pattern = text.split(maxsplit=1)
        weight = self._weight(weight_text)
        if not pattern:
            raise self.fail("entry has a weight but no pattern")
        tokens = tuple(self._tokens(pattern[0]))
        self.parsed.entries.append(Entry(self.section, pattern[0], weight, tokens))

    def _weight(self, text: str) -> float:
        try:
            weight = float(text)
        except ValueError:
            raise self.fail(f"weight {text!r} is not a number; write e.g. '0.8 pattern'") from None
        if not 0.0 < weight <= 1.0:
            raise self.fail(f"weight {weight} is outside (0, 1]")
        return weight

    def _phrase(self, phrase: str) -> Token:
        """Compile a space-separated run of tokens into one regex."""
        tokens = self._tokens(phrase)
        return Token(SEPARATOR.join(token.regex for token in tokens), tokens[0].first)

    def _tokens(self, phrase: str) -> list[Token]:
        tokens = phrase.split()
        if not tokens or tokens[0] == "*" or tokens[-1] == "*":
            raise self.fail(f"pattern {phrase!r} is empty or starts/ends with a '*' gap")
        return [self._token(token) for token in tokens]

    def _token(self, token: str) -> Token:
        if token == "*":
            return Token(_GAP, frozenset())
        if token == "NAME":
            return Token(_NAME, _NAME_FIRST)
        if token.startswith("@"):
            if token[1:] not in self.macros:
                raise self.fail(f"unknown macro {token}; define it above with '{token} = ...'")
            return self.macros[token[1:]]
        return _either([self._word(word) for word in _alternatives(token, self)])

    def _word(self, word: str) -> Token:
        stem = word.endswith("~")
        folded = _trim(fold_term(word.removesuffix("~")))
        if not folded:
            raise self.fail(f"word {word!r} has no letter, digit or emoji to match")
        runs = (_run_regex(char, len(list(run))) for char, run in itertools.groupby(folded))
        return Token("".join(runs) + (r"\w*" if stem else ""), frozenset(folded[0]))


def parse(lines: Iterable[str], source: str) -> ParsedLexicon:
    """Parse lexicon lines; raise LexiconFormatError (a ValueError) on the first bad one."""
    parser = _Parser(source)
    for number, line in enumerate(lines, start=1):
        parser.line = number
        parser.feed(line.strip())
    return parser.parsed


def _alternatives(text: str, parser: _Parser) -> list[str]:
    alternatives = [alt.strip() for alt in text.split("|")]
    if not all(alternatives):
        raise parser.fail(f"empty alternative in {text!r}; remove the extra '|'")
    # Longest first, so a match reports the most specific phrase.
    return sorted(alternatives, key=len, reverse=True)


def starting_class(first: Iterable[str]) -> str:
    """A regex class for text that can start with one of these folded letters."""
    characters = "".join(char + _LOOKALIKES.get(char, "") for char in sorted(first))
    # A word does not start with a "!", "|" or "*" standing for a letter, and letting
    # "!!!" enter every entry starting with i would cost more than it catches.
    return "[" + re.escape(characters.translate(_NOT_AT_START)) + "]"


def _either(alternatives: list[Token]) -> Token:
    if len(alternatives) == 1:
        return alternatives[0]
    regex = "(?:" + "|".join(alt.regex for alt in alternatives) + ")"
    first = frozenset().union(*(alt.first for alt in alternatives))
    return Token(regex, first, tuple(alternatives))


def _trim(folded: str) -> str:
    """Drop punctuation around a word: separators between words already allow it."""
    start, end = 0, len(folded)
    while start < end and not _matchable(folded[start]):
        start += 1
    while end > start and not _matchable(folded[end - 1]):
        end -= 1
    return folded[start:end]


def _matchable(char: str) -> bool:
    return char.isalnum() or _is_symbol(char)


def _run_regex(char: str, count: int) -> str:
    """A run of one character: lookalikes accepted, and any longer run ("tuuuer")."""
    if not _matchable(char):
        return SEPARATOR  # an apostrophe or hyphen inside a term: "j'vais", "sous-merde"
    lookalikes = _LOOKALIKES.get(char)
    single = re.escape(char) if lookalikes is None else "[" + re.escape(lookalikes) + "]"
    return single + ("+" if count == 1 else f"{{{count},}}")


def _is_symbol(char: str) -> bool:
    return unicodedata.category(char).startswith("S")  # emoji cues such as 🔪
