"""A space's own settings: one document of sections, each a validated model. More sections join later.

Stored as JSON on the space (spaces.settings) and edited with PUT /v1/spaces/{space}/settings or
`beffroi space approval`. A section left out of the document takes its defaults, which require nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from beffroi.domain import Item


class ApprovalSettings(BaseModel):
    """Which items wait for an admin's approval before publication (docs/holds.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    roles: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Author roles in the space (the item's context.author_role) whose posts need approval.",
        examples=[["moderator"]],
    )
    accounts: list[str] = Field(
        default_factory=list,
        max_length=1000,
        description="Author ids (the item's author.id) whose posts need approval.",
    )
    in_name_of_space: bool = Field(
        default=False,
        description="Only posts made in the space's name (context.in_name_of_space). With no roles and no "
        "accounts: every post made in the space's name.",
    )
    approvals_required: int = Field(
        default=1,
        ge=1,
        le=2,
        description="Distinct admins of the space who must approve a held item: 1, or 2 for four eyes.",
    )

    @field_validator("approvals_required", mode="before")
    @classmethod
    def _one_or_two(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value not in (1, 2):
            raise PydanticCustomError(
                "approvals_required",
                "approvals_required is 1 (one admin approves) or 2 (two different admins: four eyes), not {value}",
                {"value": value},
            )
        return value

    @field_validator("roles")
    @classmethod
    def _roles_are_lowercase_names(cls, roles: list[str]) -> list[str]:
        # Platforms send "Moderator" or "moderator": roles compare without case.
        cleaned = [role.strip().lower() for role in roles]
        if any(not role or len(role) > 40 for role in cleaned):
            raise PydanticCustomError("role", "a role is a name of 1 to 40 characters, such as 'moderator'")
        return sorted(set(cleaned))

    @field_validator("accounts")
    @classmethod
    def _accounts_are_ids(cls, accounts: list[str]) -> list[str]:
        if any(not account or len(account) > 200 for account in accounts):
            raise PydanticCustomError("account", "an account is an author id of 1 to 200 characters")
        return sorted(set(accounts))

    @property
    def active(self) -> bool:
        return bool(self.roles or self.accounts or self.in_name_of_space)

    def why_held(self, item: Item) -> str | None:
        """Why the item needs approval, in words for its verdict's reasons; None when it does not."""
        if not self.applies_to(item):
            return None
        admins = "an admin's approval" if self.approvals_required == 1 else "the approval of two admins"
        return f"{self._what(item)}: the space requires {admins} before publication"

    def applies_to(self, item: Item) -> bool:
        """Its author's role or account is listed (or none is, and any author counts), and, when the space
        asks only for posts made in its name, it was."""
        if not self.active or (self.in_name_of_space and not item.context.get("in_name_of_space", False)):
            return False
        return not (self.roles or self.accounts) or _role(item) in self.roles or item.author.id in self.accounts

    def _what(self, item: Item) -> str:
        role = _role(item)
        if item.author.id in self.accounts and role not in self.roles:
            who = f" by account {item.author.id}"  # held for the account, whatever its role
        else:
            who = f" by {_article(role)} {role}" if role else ""
        return f"posted in the name of the space{who}" if self.in_name_of_space else f"posted{who}"


def _role(item: Item) -> str:
    return str(item.context.get("author_role") or "").strip().lower()


def _article(word: str) -> str:
    return "an" if word[:1] in ("a", "e", "i", "o", "u") else "a"


class WatchedPerson(BaseModel):
    """A protected person (an elected official, a staff member): how texts name them."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(
        min_length=2, max_length=200, description="As texts usually write it.", examples=["Olivier Bianchi"]
    )
    variants: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Other ways texts name them: a surname alone, a nickname, a title ('le maire').",
        examples=[["Bianchi"]],
    )
    handles: list[str] = Field(default_factory=list, max_length=20, description="Their accounts: '@name@server'.")

    @field_validator("variants", "handles")
    @classmethod
    def _no_blank(cls, values: list[str]) -> list[str]:
        if any(len(value.strip()) < 2 for value in values):
            raise ValueError("each variant and handle has at least two characters")
        return [value.strip() for value in values]


class SpaceSettings(BaseModel):
    """Every section of a space's settings; sections are optional and default to requiring nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    approval: ApprovalSettings = Field(default_factory=ApprovalSettings)
    watchlist: list[WatchedPerson] = Field(
        default_factory=list,
        max_length=500,
        description="Protected people: an item naming one lists them in the policy's `watchlist_hits`.",
    )


def from_stored(document: Mapping[str, Any] | None) -> SpaceSettings:
    """The settings as stored. Sections this version does not know (written by a newer one) are skipped,
    so an older worker still applies the sections it understands."""
    known = {key: value for key, value in (document or {}).items() if key in SpaceSettings.model_fields}
    return SpaceSettings.model_validate(known)
