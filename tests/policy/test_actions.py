"""Every action kind parses, in its short and its long form, into Action data."""

from __future__ import annotations

import pytest

from beffroi.domain import Action, ActionKind
from tests.policy.support import item, policy

FORMS = [
    ("allow", Action(ActionKind.ALLOW)),
    ("hold", Action(ActionKind.HOLD)),
    ("hide", Action(ActionKind.HIDE)),
    ("remove", Action(ActionKind.REMOVE)),
    ("escalate", Action(ActionKind.ESCALATE)),
    ("{escalate: {to: legal}}", Action(ActionKind.ESCALATE, {"to": "legal"})),
    ("{escalate: legal}", Action(ActionKind.ESCALATE, {"to": "legal"})),
    ("{label: synthetic}", Action(ActionKind.LABEL, {"label": "synthetic"})),
    ("{label: {label: synthetic}}", Action(ActionKind.LABEL, {"label": "synthetic"})),
    ("{open_case: threats}", Action(ActionKind.OPEN_CASE, {"queue": "threats", "priority": 50})),
    ("{open_case: {queue: threats, priority: 90}}", Action(ActionKind.OPEN_CASE, {"queue": "threats", "priority": 90})),
    (
        "{open_case: {queue: accounts, group: author}}",
        Action(ActionKind.OPEN_CASE, {"queue": "accounts", "group": "author", "priority": 50}),
    ),
    ("{notify: admins}", Action(ActionKind.NOTIFY, {"to": "admins"})),
    ("{notify: {to: admins}}", Action(ActionKind.NOTIFY, {"to": "admins"})),
]


@pytest.mark.parametrize(("written", "expected"), FORMS, ids=[form for form, _ in FORMS])
def test_every_action_form_parses(written: str, expected: Action) -> None:
    [rule] = policy(f"  - name: r\n    when: 'true'\n    then: [{written}]\n").rules
    assert rule.actions == (expected,)


def test_every_action_kind_has_a_form() -> None:
    assert {action.kind for _, action in FORMS} == set(ActionKind)


def test_a_rule_may_list_actions_one_per_line() -> None:
    text = "  - name: r\n    when: 'true'\n    then:\n      - hide\n      - label: spam\n      - notify: admins\n"
    verdict = policy(text).evaluate(item(), [])
    assert verdict.actions == (
        Action(ActionKind.HIDE),
        Action(ActionKind.LABEL, {"label": "spam"}),
        Action(ActionKind.NOTIFY, {"to": "admins"}),
    )
