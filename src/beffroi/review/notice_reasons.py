"""The reasons a notifier may give (DSA Art. 16(2)(a)): one validated list of keys, in this one place.

Minimal on purpose. Decisions bring a configurable list of grounds mapped to DSA categories
(review/grounds.py); when they land, `REASONS` and `check` become a view of those grounds, and the keys
below are the ones that list must keep so that stored notices still name a known ground.
"""

from __future__ import annotations

REASONS: dict[str, str] = {
    "threat": "a threat of violence against a person or a group",
    "hate": "hatred or violence incited against people for who they are",
    "harassment": "harassment, insults or intimidation aimed at a person",
    "violence": "graphic violence, or its glorification",
    "synthetic_media": "fabricated or AI-generated media passed off as real, e.g. of a named person",
    "privacy": "someone's personal data published without consent (doxxing)",
    "child_safety": "content that endangers or sexualises minors",
    "terrorism": "terrorist content or its promotion",
    "scam": "fraud, scam or phishing",
    "intellectual_property": "a copyright or trademark infringed",
    "other_illegal": "other content illegal where it is published: name the law in the explanation",
    "space_rules": "not illegal, but against the space's own rules",
}


def check(key: str) -> str:
    """The key when it names a reason. ValueError otherwise, as request validation expects: the API answers 422."""
    if key not in REASONS:
        raise ValueError(f"unknown reason {key!r}; use one of: {', '.join(REASONS)} (GET /v1/notices/reasons)")
    return key
