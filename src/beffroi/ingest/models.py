"""The wire format of an item, shared by the HTTP API and `beffroi import`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG = r"^[a-z0-9][a-z0-9_.-]{0,63}$"


class AuthorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=200, description="The account's id on its platform.")
    handle: str | None = Field(default=None, max_length=200, examples=["@alice@example.social"])
    display_name: str | None = Field(default=None, max_length=200)


class SourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    platform: str = Field(pattern=SLUG, examples=["mastodon"], description="Where the content comes from.")
    remote_id: str = Field(
        min_length=1,
        max_length=200,
        description="Its id there. Ingest is idempotent on (platform, remote_id).",
    )
    url: str | None = Field(default=None, max_length=2000)


class MediaIn(BaseModel):
    """One attachment: a sha256 uploaded before (POST /v1/media), inline base64 data, or a URL to fetch."""

    model_config = ConfigDict(extra="forbid")
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    data: str | None = Field(default=None, description="Base64-encoded bytes.")
    url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://")
    mime_type: str | None = Field(default=None, max_length=100, examples=["image/jpeg"])

    @model_validator(mode="after")
    def _exactly_one_source(self) -> MediaIn:
        given = [name for name in ("sha256", "data", "url") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of sha256, data or url")
        if self.data is not None and self.mime_type is None:
            raise ValueError("inline data needs its mime_type")
        return self


class ContextIn(BaseModel):
    """What surrounds the item; known keys are typed, others are kept as given for policies."""

    model_config = ConfigDict(extra="allow")
    reply_to: str | None = Field(default=None, max_length=200, description="Remote id of the item replied to.")
    audience_size: int | None = Field(default=None, ge=0, description="Followers or members who may see it.")
    in_name_of_space: bool = Field(default=False, description="Posted as the space itself (e.g. a group page).")
    author_role: str | None = Field(default=None, max_length=40, description="The author's role in the space.")
    author_is_official: bool = Field(
        default=False,
        description="The author is an elected official or public figure: removing or hiding their content then "
        "needs a second reviewer (BEFFROI_SECOND_REVIEW_OFFICIAL_ACTIONS).",
    )


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    space: str = Field(pattern=SLUG, examples=["mairie-clermont"])
    author: AuthorIn
    source: SourceIn
    text: str = Field(default="", description="The text to moderate; its limit is BEFFROI_MAX_TEXT_CHARS.")
    media: list[MediaIn] = Field(default_factory=list, max_length=20)
    published_at: datetime | None = Field(default=None, description="With an offset; stored in UTC (none: UTC).")
    context: ContextIn = Field(default_factory=ContextIn)

    @field_validator("published_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        # Stored in UTC: SQLite keeps a timestamp's wall clock, not its offset (13:00+01:00 would read 13:00Z).
        # A time without an offset is taken as UTC.
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @model_validator(mode="after")
    def _has_content(self) -> ItemIn:
        if not self.text.strip() and not self.media:
            raise ValueError("an item needs text or media")
        return self

    def context_dict(self) -> dict[str, Any]:
        return self.context.model_dump(exclude_defaults=True)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[ItemIn] = Field(min_length=1)
