"""A backtest replays items under two policies and reports what changes; nothing is stored or applied."""

from __future__ import annotations

from beffroi.policy.backtest import backtest
from beffroi.policy.loader import load_default_policy
from beffroi.policy.thresholds import ThresholdPolicy
from tests.policy.support import LABELS, item, policy, signals

STRICT = policy("  - {name: toxic-hide, when: signals.toxicity >= 0.5, then: [hide]}\n", name="strict")
LENIENT = policy(
    "  - {name: toxic-review, when: signals.toxicity >= 0.9, then: [{open_case: review}]}\n", name="lenient"
)


def test_counts_per_action_and_the_items_that_change() -> None:
    corpus = [
        (item("a"), signals(toxicity=0.1)),
        (item("b"), signals(toxicity=0.6)),
        (item("c"), signals(toxicity=0.95)),
    ]
    report = backtest(LENIENT, STRICT, corpus)
    assert report.items == 3
    assert report.actions_before == {"allow": 3, "open_case": 1}
    assert report.actions_after == {"allow": 1, "hide": 2}
    assert [change.item_id for change in report.changes] == [corpus[1][0].id, corpus[2][0].id]
    assert report.changes[0].after.rules == ("toxic-hide",)
    assert report.summary() == "lenient@1 -> strict@1: 2/3 items change (allow 3->1, hide 0->2, open_case 1->0)"


def test_the_same_policy_changes_nothing() -> None:
    report = backtest(STRICT, STRICT, [(item(), signals(toxicity=0.7))])
    assert report.changes == ()
    assert report.actions_before == report.actions_after


def test_the_old_threshold_policy_against_the_default_rules() -> None:
    corpus = [(item(), signals(threat=0.9)), (item("calm"), []), (item("x", in_name_of_space=True), [])]
    report = backtest(ThresholdPolicy(0.5, 0.8), load_default_policy(LABELS), corpus)
    threat, _, space_voice = (entry[0].id for entry in corpus)
    assert [change.item_id for change in report.changes] == [threat, space_voice]
    assert report.changes[0].after.actions[1].params == {"label": "threat"}  # same hold, now labelled
    assert report.actions_before["hold"] == 1
    assert report.actions_after["hold"] == 2  # posts in the space's name wait for approval now


def test_dispositions_that_move_rule_counts_and_shadow_rules_that_act_on_nothing() -> None:
    candidate = policy(
        "  - {name: toxic-hide, when: signals.toxicity >= 0.5, then: [hide]}\n"
        "  - {name: remove-trial, shadow: true, when: signals.toxicity >= 0.05, then: [remove]}\n",
        name="candidate",
    )
    corpus = [
        (item("a"), signals(toxicity=0.1)),
        (item("b"), signals(toxicity=0.6)),
        (item("c"), signals(toxicity=0.95)),
    ]
    report = backtest(LENIENT, candidate, corpus, sample=1)
    assert report.transitions == {"allow->hide": 2}  # c had a case before and keeps none: one change, one move
    assert report.rules == {"toxic-hide": 2}
    assert report.shadow == {"remove-trial": 3}  # matched everywhere, removed nothing
    assert report.actions_after.get("remove", 0) == 0
    assert report.changed == 2
    assert [change.item_id for change in report.changes] == [corpus[1][0].id]  # the sample keeps the first


def test_a_shadow_rule_alone_changes_no_verdict() -> None:
    trial = policy(
        "  - {name: toxic-review, when: signals.toxicity >= 0.9, then: [{open_case: review}]}\n"
        "  - {name: hide-trial, shadow: true, when: signals.toxicity >= 0.5, then: [hide]}\n",
        name="lenient",
    )
    report = backtest(LENIENT, trial, [(item("b"), signals(toxicity=0.6)), (item("c"), signals(toxicity=0.95))])
    assert (report.changed, report.transitions, report.shadow) == (0, {}, {"hide-trial": 2})
