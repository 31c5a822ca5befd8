"""Request and response shapes of the policy endpoints (web/routes/policies.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from beffroi.domain import PolicyVersion, Verdict
from beffroi.policy.backtest import BacktestReport, Change
from beffroi.policy.rules import Rule
from beffroi.policy.versioning import scope_of, source_digest, version_label
from beffroi.policy_versions import InForce, Origin
from beffroi.web.schemas import ActionOut, actions_out

MAX_SOURCE_CHARS = 200_000


class VersionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str = Field(min_length=1, max_length=MAX_SOURCE_CHARS, description="The policy, as YAML.")
    note: str = Field(default="", max_length=2000, description="What changed and why.")
    activate: bool = Field(default=False, description="Put it in force at once (only if it is valid).")


class BacktestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int | None = Field(default=None, ge=1, description="A stored version of this space's policy...")
    source: str | None = Field(default=None, min_length=1, max_length=MAX_SOURCE_CHARS, description="...or YAML.")
    since: AwareDatetime | None = Field(default=None, description="Items received at or after this time.")
    until: AwareDatetime | None = Field(default=None, description="Items received before this time.")
    limit: int = Field(default=10_000, ge=1, le=100_000, description="Most items evaluated, newest first.")
    sample: int = Field(default=20, ge=0, le=1000, description="Most changed items listed.")

    @model_validator(mode="after")
    def _one_candidate(self) -> BacktestIn:
        if (self.version is None) == (self.source is None):
            raise ValueError("give exactly one of version (a stored one) or source (YAML not stored yet)")
        return self


class RuleOut(BaseModel):
    name: str
    shadow: bool  # evaluated and recorded, never acting
    description: str


def rules_out(rules: Sequence[Rule]) -> list[RuleOut]:
    return [RuleOut(name=r.name, shadow=r.shadow, description=r.description) for r in rules]


class PolicyVersionOut(BaseModel):
    space: str  # the space id, or _default
    version: int
    policy: str  # the name verdicts decided by it carry: space:town-hall@v3, default@v2
    name: str  # NAME@VERSION as its YAML declares it
    digest: str  # SHA-256 of the source
    note: str
    created_by: str
    created_at: datetime
    active: bool
    source: str | None = None  # in answers about one version
    rules: list[RuleOut] | None = None

    @classmethod
    def of(cls, v: PolicyVersion, active: bool, rules: Sequence[Rule] | None = None) -> PolicyVersionOut:
        return cls(
            space=scope_of(v.space),
            version=v.version,
            policy=version_label(v.space, v.version),
            name=v.name,
            digest=v.digest,
            note=v.note,
            created_by=v.created_by,
            created_at=v.created_at,
            active=active,
            source=None if rules is None else v.source,
            rules=None if rules is None else rules_out(rules),
        )


class InForceOut(BaseModel):
    space: str
    policy: str  # the name its verdicts carry
    origin: Origin  # its own version, the installation default's, or the file
    inherited: bool
    version: int | None  # None when it comes from the file
    digest: str | None  # SHA-256 of the source
    source: str | None  # None only for BEFFROI_POLICY_FILE=thresholds
    rules: list[RuleOut]
    activated_by: str | None
    activated_at: datetime | None

    @classmethod
    def of(cls, found: InForce, rules: Sequence[Rule]) -> InForceOut:
        activation = found.activation
        return cls(
            space=scope_of(found.space),
            policy=found.policy,
            origin=found.origin,
            inherited=found.inherited,
            version=activation.version if activation else None,
            digest=source_digest(found.source) if found.source is not None else None,
            source=found.source,
            rules=rules_out(rules),
            activated_by=activation.activated_by if activation else None,
            activated_at=activation.activated_at if activation else None,
        )


class DecisionOut(BaseModel):
    policy: str
    actions: list[ActionOut]
    rules: list[str]

    @classmethod
    def of(cls, v: Verdict) -> DecisionOut:
        return cls(policy=v.policy, actions=actions_out(v.actions), rules=list(v.rules))


class ChangeOut(BaseModel):
    item_id: str
    before: DecisionOut  # the verdict the item got
    after: DecisionOut  # what the candidate decides

    @classmethod
    def of(cls, change: Change) -> ChangeOut:
        return cls(item_id=change.item_id, before=DecisionOut.of(change.before), after=DecisionOut.of(change.after))


class RuleCountOut(BaseModel):
    name: str
    shadow: bool
    fired: int  # items it fired on (shadow rules: would have)


class BacktestOut(BaseModel):
    space: str
    candidate: str
    items: int  # evaluated: stored items with a verdict, newest first, up to the limit
    limit_reached: bool  # as many items as the limit: older ones may have been left out
    changed: int  # items whose actions would change
    transitions: dict[str, int]  # "allow->hold": items whose disposition would move so
    actions_before: dict[str, int]  # action kind -> items that got it
    actions_after: dict[str, int]
    rules: list[RuleCountOut]  # every rule of the candidate, shadow ones included
    sample: list[ChangeOut]

    @classmethod
    def of(cls, space: str | None, report: BacktestReport, rules: Sequence[Rule], limit: int) -> BacktestOut:
        return cls(
            space=scope_of(space),
            candidate=report.new_policy,
            items=report.items,
            limit_reached=report.items >= limit,
            changed=report.changed,
            transitions=report.transitions,
            actions_before=report.actions_before,
            actions_after=report.actions_after,
            rules=[RuleCountOut(name=r.name, shadow=r.shadow, fired=_fired(report, r)) for r in rules],
            sample=[ChangeOut.of(c) for c in report.changes],
        )


def _fired(report: BacktestReport, rule: Rule) -> int:
    return (report.shadow if rule.shadow else report.rules).get(rule.name, 0)
