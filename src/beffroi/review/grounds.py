"""Policy grounds: the configurable list a decision must rest on, each mapped to its DSA category.

Shipped as default_grounds.yaml; BEFFROI_GROUNDS_FILE replaces it whole. Every ground says whether it is
illegal content (with the law it breaks) or content incompatible with the terms (with the clause), because a
DSA statement of reasons must say which (Art. 17(3)(d) and (e)).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from importlib.resources import files
from pathlib import Path

from beffroi.domain import Ground
from beffroi.errors import ConfigError, InvalidRequest
from beffroi.review.grounds_file import GroundsError, parse_grounds

DEFAULT_SOURCE = "default_grounds.yaml"

# The statement-of-reasons categories of the DSA Transparency Database (API schema v2, in force since
# 1 July 2025). Version 1 names are refused with their replacement, so a statement never reports a dead one.
DSA_CATEGORIES = frozenset(
    {
        "STATEMENT_CATEGORY_ANIMAL_WELFARE",
        "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
        "STATEMENT_CATEGORY_CYBER_VIOLENCE",
        "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
        "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
        "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
        "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
        "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
        "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
        "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        "STATEMENT_CATEGORY_SELF_HARM",
        "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
        "STATEMENT_CATEGORY_VIOLENCE",
    }
)
RENAMED_CATEGORIES = {
    "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE": "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS": "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
    "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR": "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT": "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
}


class Grounds:
    """The grounds in force, in file order, looked up by key."""

    def __init__(self, grounds: Sequence[Ground], source: str):
        self.source = source
        self._by_key = {ground.key: ground for ground in grounds}

    def __iter__(self) -> Iterator[Ground]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def keys(self) -> list[str]:
        return list(self._by_key)

    def get(self, key: str) -> Ground | None:
        return self._by_key.get(key)

    def require(self, key: str, loc: str = "ground") -> Ground:
        """The ground, or a 422 listing every valid key: a console shows the caller what to pick."""
        ground = self._by_key.get(key)
        if ground is None:
            valid = ", ".join(self._by_key)
            raise InvalidRequest(
                f"{loc}: unknown ground {key!r}",
                hint=f"valid grounds: {valid} (GET /v1/grounds lists them with their labels)",
                details=[{"loc": loc, "message": f"unknown ground {key!r}", "valid": self.keys()}],
            )
        return ground


def load_grounds(text: str, source: str) -> Grounds:
    return Grounds(parse_grounds(text, source, DSA_CATEGORIES, RENAMED_CATEGORIES), source)


def default_grounds() -> Grounds:
    text = files("beffroi.review").joinpath(DEFAULT_SOURCE).read_text(encoding="utf-8")
    return load_grounds(text, DEFAULT_SOURCE)


def build_grounds(grounds_file: str) -> Grounds:
    """The grounds BEFFROI_GROUNDS_FILE names, or the shipped ones; an invalid file stops the start-up."""
    if not grounds_file:
        return default_grounds()
    path = Path(grounds_file)
    try:
        return load_grounds(path.read_text(encoding="utf-8"), str(path))
    except OSError as exc:
        raise ConfigError(f"BEFFROI_GROUNDS_FILE={path}: cannot read it ({exc.strerror or exc})") from None
    except GroundsError as exc:
        raise ConfigError(
            f"BEFFROI_GROUNDS_FILE={path} did not load:\n{exc.render()}",
            hint="fix the lines named above; docs/review.md describes every field",
        ) from None
