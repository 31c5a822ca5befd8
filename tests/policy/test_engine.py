"""Rules fire and combine as docs/policy.md says; shadow rules never act; conditions see the documented facts."""

from __future__ import annotations

import pytest

from beffroi.domain import Action, ActionKind, Signal
from tests.policy.support import item, kinds, policy, signals

TWO_RULES = """\
  - name: threat-hold
    description: explicit threat
    when: signals.threat >= 0.8
    then: [hold, {open_case: {queue: threats, priority: 80}}]
  - name: threat-review
    when: signals.threat >= 0.5
    then: [{open_case: {queue: threats, priority: 50}}, {label: threat}]
"""


def test_nothing_fired_means_allow_with_a_reason() -> None:
    verdict = policy(TWO_RULES).evaluate(item(), signals(threat=0.1))
    assert verdict.actions == (Action(ActionKind.ALLOW),)
    assert verdict.reasons == ("no rule matched",)
    assert verdict.rules == ()
    assert verdict.policy == "test@1"


def test_matching_rules_combine_one_case_per_queue_at_the_highest_priority() -> None:
    verdict = policy(TWO_RULES).evaluate(item(), signals(threat=0.9))
    assert verdict.actions == (
        Action(ActionKind.HOLD),
        Action(ActionKind.OPEN_CASE, {"queue": "threats", "priority": 80}),
        Action(ActionKind.LABEL, {"label": "threat"}),
    )
    assert verdict.rules == ("threat-hold", "threat-review")
    assert verdict.reasons == ("threat-hold: explicit threat", "threat-review")


def test_the_strongest_disposition_wins_and_comes_first() -> None:
    rules = """\
  - {name: a, when: "true", then: [allow]}
  - {name: b, when: "true", then: [hold, {notify: admins}]}
  - {name: c, when: "true", then: [remove]}
  - {name: d, when: "true", then: [hide, {notify: {to: admins}}]}
"""
    verdict = policy(rules).evaluate(item(), [])
    assert kinds(verdict.actions) == ["remove", "notify"]
    assert verdict.actions[1].params == {"to": "admins"}


def test_allow_only_when_nothing_stronger_fired() -> None:
    rules = """\
  - {name: trusted, when: 'author.role == "admin"', then: [allow]}
  - {name: threat, when: signals.threat >= 0.5, then: [hold]}
"""
    both = policy(rules).evaluate(item(author_role="admin"), signals(threat=0.7))
    assert kinds(both.actions) == ["hold"]
    only_allow = policy(rules).evaluate(item(author_role="admin"), [])
    assert kinds(only_allow.actions) == ["allow"]
    assert only_allow.rules == ("trusted",)


def test_shadow_rules_are_recorded_but_never_act() -> None:
    rules = """\
  - name: trial
    description: would remove
    shadow: true
    when: signals.toxicity >= 0.5
    then: [remove, {open_case: {queue: trial}}]
"""
    verdict = policy(rules).evaluate(item(), signals(toxicity=0.9))
    assert verdict.actions == (Action(ActionKind.ALLOW),)
    assert verdict.rules == ()
    assert [s.rule for s in verdict.shadow] == ["trial"]
    assert kinds(verdict.shadow[0].actions) == ["remove", "open_case"]
    assert verdict.shadow[0].actions[1].params == {"queue": "trial", "priority": 50}
    assert verdict.shadow[0].reason == "trial: would remove"


def test_the_highest_score_over_analyzers_counts_and_missing_labels_read_zero() -> None:
    rules = """\
  - {name: high, when: signals.threat > 0.7, then: [hold]}
  - {name: zero, when: signals.hate == 0.0 && score("insult") == 0.0, then: [{label: calm}]}
"""
    found = [Signal("threat", 0.2, "keywords", "1"), Signal("threat", 0.75, "model", "2")]
    verdict = policy(rules).evaluate(item(), found)
    assert verdict.rules == ("high", "zero")


def test_any_of_and_spans_helpers() -> None:
    rules = """\
  - name: any
    when: any_of(["threat", "hate"]) > 0.7 && "couper la tête" in spans("threat")
    then: [hold]
"""
    matching = signals(spans={"threat": "couper la tête"}, threat=0.4, hate=0.8)
    assert policy(rules).evaluate(item(), matching).rules == ("any",)
    assert policy(rules).evaluate(item(), signals(threat=0.4, hate=0.8)).rules == ()


def test_conditions_see_item_author_context_and_space() -> None:
    rules = """\
  - name: everything
    when: >-
      item.length == 7 && !item.has_media && item.language == "fr" &&
      author.id == "42" && author.handle == "@alice" && author.role == "moderator" &&
      context.in_name_of_space && context.audience_size == 20000 && context.reply_to == "" &&
      space == "mairie" && size(watchlist_hits) == 0 && notices == 0
    then: [hold]
"""
    seen = item(author_role="moderator", in_name_of_space=True, audience_size=20000)
    verdict = policy(rules).evaluate(seen, signals(**{"language.fr": 0.9, "language.en": 0.2}))
    assert verdict.rules == ("everything",)


def test_label_names_with_a_dot_read_by_index() -> None:
    rules = """\
  - {name: fr, when: 'signals["language.fr"] > 0.5', then: [{label: fr}]}
"""
    verdict = policy(rules).evaluate(item(), signals(**{"language.fr": 0.9}))
    assert verdict.actions[1] == Action(ActionKind.LABEL, {"label": "fr"})


def test_evaluation_is_pure_the_same_input_gives_the_same_verdict() -> None:
    loaded = policy(TWO_RULES)
    given = (item(), signals(threat=0.85))
    assert loaded.evaluate(*given) == loaded.evaluate(*given)


def test_a_policy_hands_its_conditions_only_the_labels_and_names_they_read() -> None:
    loaded = policy("""\
  - {name: fr, when: 'signals["language.fr"] > 0.5 && signals.threat < 0.2', then: [{label: fr}]}
  - {name: busy, when: 'notices > 2', then: [hold]}
""")
    assert loaded.needs.labels == {"language.fr", "threat"}
    assert loaded.needs.variables == {"signals", "notices"}
    verdict = loaded.evaluate(item(), signals(**{"language.fr": 0.9, "hate": 0.99}), notices=3)
    assert verdict.rules == ("fr", "busy")


@pytest.mark.parametrize(
    "when",
    [
        '["hate", "threat"].exists(label, signals[label] > 0.9)',
        '"hate" in signals && signals.hate > 0.9',
        "size(signals) == 8",
        'signals[item.language == "fr" ? "hate" : "threat"] > 0.9',
        "signals['hate'] > 0.9",
    ],
)
def test_a_condition_reading_the_whole_signals_map_still_sees_every_label(when: str) -> None:
    loaded = policy(f"  - {{name: any, when: {when!r}, then: [hold]}}\n")
    assert loaded.needs.labels is None
    verdict = loaded.evaluate(item(), signals(hate=0.95, **{"language.fr": 0.9}))
    assert verdict.rules == ("any",)
