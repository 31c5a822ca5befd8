"""A space's approval requirement over any policy: pure, held at least, never weakening a stronger verdict."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from beffroi.domain import Verdict
from beffroi.policy.approval import RULE, ApprovalRequired
from beffroi.policy.thresholds import ThresholdPolicy
from beffroi.space_settings import ApprovalSettings, SpaceSettings, from_stored
from tests.policy.support import item, kinds, policy, signals

RULES = policy(
    """  - name: threat-remove
    description: explicit threat
    when: signals.threat >= 0.9
    then: [remove, label: threat]
  - name: insult-review
    when: signals.insult >= 0.6
    then: [open_case: {queue: insults, priority: 20}]
"""
)

IN_NAME_BY_MODERATORS = ApprovalSettings(roles=["moderator"], in_name_of_space=True, approvals_required=2)


def judged(requirement: ApprovalSettings, scores: dict[str, float] | None = None, **ctx: Any) -> Verdict:
    return ApprovalRequired(RULES, {"mairie": requirement}).evaluate(item("bonjour", **ctx), signals(**(scores or {})))


def test_a_matching_item_is_held_with_the_rule_and_the_reason() -> None:
    verdict = judged(IN_NAME_BY_MODERATORS, in_name_of_space=True, author_role="moderator")
    assert kinds(verdict.actions) == ["hold"]
    assert verdict.rules == (RULE,)
    assert verdict.reasons == (
        "space.approval: posted in the name of the space by a moderator: "
        "the space requires the approval of two admins before publication",
    )  # "no rule matched" is gone: a rule did
    assert verdict.policy == "test@1"  # the verdict still names the policy that judged it


def test_the_rules_verdict_is_kept_and_a_stronger_disposition_wins() -> None:
    reviewed = judged(IN_NAME_BY_MODERATORS, scores={"insult": 0.7}, in_name_of_space=True, author_role="moderator")
    assert kinds(reviewed.actions) == ["hold", "open_case"]
    assert reviewed.rules == ("insult-review", RULE)
    removed = judged(IN_NAME_BY_MODERATORS, scores={"threat": 0.95}, in_name_of_space=True, author_role="moderator")
    assert kinds(removed.actions) == ["remove", "label"]
    assert removed.rules == ("threat-remove", RULE)


@pytest.mark.parametrize(
    ("requirement", "context", "held"),
    [
        (IN_NAME_BY_MODERATORS, {"in_name_of_space": True, "author_role": "moderator"}, True),
        (IN_NAME_BY_MODERATORS, {"in_name_of_space": True, "author_role": "admin"}, False),  # not a listed role
        (IN_NAME_BY_MODERATORS, {"in_name_of_space": False, "author_role": "moderator"}, False),  # own name
        (ApprovalSettings(in_name_of_space=True), {"in_name_of_space": True, "author_role": "admin"}, True),
        (ApprovalSettings(roles=["moderator"]), {"author_role": "MODERATOR"}, True),  # roles ignore case
        (ApprovalSettings(roles=["moderator"]), {}, False),  # no role given: not a moderator
        (ApprovalSettings(accounts=["42"]), {}, True),  # the author's id, as support.item gives it
        (ApprovalSettings(accounts=["43"]), {"author_role": "moderator"}, False),
        (ApprovalSettings(), {"in_name_of_space": True, "author_role": "moderator"}, False),  # requires nothing
    ],
)
def test_who_needs_approval(requirement: ApprovalSettings, context: dict[str, Any], held: bool) -> None:
    verdict = judged(requirement, **context)
    assert (kinds(verdict.actions)[0] == "hold") is held
    assert (RULE in verdict.rules) is held


def test_other_spaces_and_other_policies() -> None:
    elsewhere = ApprovalRequired(RULES, {"other-space": ApprovalSettings(in_name_of_space=True)})
    assert kinds(elsewhere.evaluate(item(in_name_of_space=True), []).actions) == ["allow"]
    # The wrapper takes any Policy: here the threshold one, whose verdicts may carry no disposition at all.
    thresholds = ApprovalRequired(ThresholdPolicy(0.5, 0.8), {"mairie": ApprovalSettings(accounts=["42"])})
    verdict = thresholds.evaluate(item(), signals(insult=0.6))
    assert kinds(verdict.actions) == ["hold", "open_case"]
    assert verdict.policy == "default-thresholds@1"


def test_the_same_input_gives_the_same_verdict() -> None:
    first = judged(IN_NAME_BY_MODERATORS, in_name_of_space=True, author_role="moderator")
    assert judged(IN_NAME_BY_MODERATORS, in_name_of_space=True, author_role="moderator") == first


def test_settings_say_what_is_wrong() -> None:
    with pytest.raises(ValidationError) as raised:
        SpaceSettings.model_validate({"approval": {"approvals_required": 3}})
    assert raised.value.errors()[0]["msg"] == (
        "approvals_required is 1 (one admin approves) or 2 (two different admins: four eyes), not 3"
    )
    with pytest.raises(ValidationError):
        SpaceSettings.model_validate({"approval": {"roles": [""]}})
    with pytest.raises(ValidationError):
        SpaceSettings.model_validate({"approvals": {}})  # a misspelt section is refused, not ignored


def test_stored_settings_from_a_newer_version_keep_the_sections_this_one_knows() -> None:
    stored = {"approval": {"roles": ["moderator"]}, "queues": {"default": "review"}}
    assert from_stored(stored).approval.roles == ["moderator"]
    assert from_stored(None) == SpaceSettings()
