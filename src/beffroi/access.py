"""Who may do what, where. Roles map to permissions; grants scope roles to one space or to all of them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from beffroi.domain import Grant, Role
from beffroi.errors import Forbidden


class Permission(StrEnum):
    ITEM_SUBMIT = "item:submit"
    ITEM_READ = "item:read"
    ITEM_APPROVE = "item:approve"  # approve or reject a held item before publication
    SPACE_CONFIGURE = "space:configure"  # a space's own settings (approval requirement, ...)
    SPACE_MANAGE = "space:manage"
    MEMBER_MANAGE = "member:manage"
    AUDIT_READ = "audit:read"
    JOB_MANAGE = "job:manage"
    POLICY_READ = "policy:read"
    POLICY_MANAGE = "policy:manage"
    DECISION_MAKE = "decision:make"  # decide cases and appeals
    CASE_READ = "case:read"
    CASE_REVIEW = "case:review"  # claim and release cases, take the next one from a queue
    NOTICE_TRUSTED = "notice:trusted"  # notices are marked as a trusted flagger's and prioritised
    NOTIFICATION_RELAY = "notification:relay"  # read what must reach notifiers, and mark it delivered


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # Trusted-flagger status is awarded to outside bodies (DSA Art. 22), so not even an admin's notices carry it.
    Role.ADMIN: frozenset(Permission) - {Permission.NOTICE_TRUSTED},
    Role.MODERATOR: frozenset(
        {
            Permission.ITEM_SUBMIT,
            Permission.ITEM_READ,
            Permission.POLICY_READ,
            Permission.CASE_READ,
            Permission.CASE_REVIEW,
            Permission.DECISION_MAKE,
            Permission.NOTIFICATION_RELAY,
        }
    ),
    Role.REVIEWER: frozenset(
        {Permission.ITEM_READ, Permission.CASE_READ, Permission.CASE_REVIEW, Permission.DECISION_MAKE}
    ),
    Role.ANALYST: frozenset({Permission.ITEM_READ, Permission.POLICY_READ, Permission.CASE_READ}),
    Role.TRUSTED_FLAGGER: frozenset({Permission.NOTICE_TRUSTED}),
}

# Admins hold every permission: ITEM_APPROVE and SPACE_CONFIGURE are scoped to the spaces they administer.
# These act on the installation as a whole, so only a grant over every space confers them.
INSTALLATION_WIDE = frozenset(
    {Permission.SPACE_MANAGE, Permission.MEMBER_MANAGE, Permission.AUDIT_READ, Permission.JOB_MANAGE}
)


@dataclass(frozen=True)
class Principal:
    member_id: str
    name: str
    grants: tuple[Grant, ...]
    token_id: str | None = None

    def can(self, permission: Permission, space: str | None = None) -> bool:
        for grant in self.grants:
            if permission not in ROLE_PERMISSIONS[grant.role]:
                continue
            if grant.space is None:
                return True
            if permission not in INSTALLATION_WIDE and space == grant.space:
                return True
        return False

    def require(self, permission: Permission, space: str | None = None) -> None:
        if not self.can(permission, space):
            where = f" in space {space!r}" if space else ""
            raise Forbidden(
                f"{self.name} may not {permission.value}{where}",
                hint="ask an admin for a role that grants it (beffroi member grant)",
            )

    def spaces_with(self, permission: Permission) -> frozenset[str] | None:
        """The spaces where the permission holds; None means all of them."""
        spaces = set()
        for grant in self.grants:
            if permission in ROLE_PERMISSIONS[grant.role]:
                if grant.space is None:
                    return None
                spaces.add(grant.space)
        return frozenset(spaces)

    def covers(self, grants: tuple[Grant, ...]) -> bool:
        """Whether this principal holds at least every grant given (no one hands out more than they have)."""
        return all(any(_covers(g, wanted) for g in self._grants_over(wanted.space)) for wanted in grants)

    def _grants_over(self, space: str | None) -> list[Grant]:
        return [g for g in self.grants if g.space is None or g.space == space]


def _covers(held: Grant, wanted: Grant) -> bool:
    # An admin holds every staff role, but trusted-flagger status is awarded, not held: it must be granted.
    return held.role == wanted.role or (held.role == Role.ADMIN and wanted.role != Role.TRUSTED_FLAGGER)
