"""Cursors of the paged feeds (holds, verdicts): opaque strings to callers, row ids to the store."""

from __future__ import annotations

from beffroi.errors import InvalidRequest


def parse(cursor: str | None) -> int:
    """0 (the beginning) when none is given; a cursor this API never gave is refused, not guessed at."""
    if cursor is None or cursor == "":
        return 0
    if not cursor.isdigit() or len(cursor) > 18:
        raise InvalidRequest(
            f"after: {cursor!r} is not a cursor this API gave",
            hint="pass the `next` value of the previous page, or leave `after` out to start at the beginning",
        )
    return int(cursor)


def of(row_id: int) -> str:
    return str(row_id)
