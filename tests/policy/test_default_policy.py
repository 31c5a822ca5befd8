"""The shipped default policy loads with the installed analyzers' labels and decides sensibly."""

from __future__ import annotations

from beffroi.analyzers.registry import AnalyzerRegistry
from beffroi.domain import Action, ActionKind, Verdict
from beffroi.policy.engine import RulesPolicy
from beffroi.policy.loader import load_default_policy
from tests.policy.support import LABELS, item, kinds, signals

DEFAULT = load_default_policy(LABELS)


def cases(verdict: Verdict) -> dict[str, int]:
    return {a.params["queue"]: a.params["priority"] for a in verdict.actions if a.kind is ActionKind.OPEN_CASE}


def test_it_loads_with_the_labels_of_the_installed_analyzers() -> None:
    loaded = load_default_policy(AnalyzerRegistry.discover().labels())
    assert isinstance(loaded, RulesPolicy)
    assert loaded.name == "beffroi-default@1"


def test_an_explicit_threat_is_held_and_opens_a_case() -> None:
    verdict = DEFAULT.evaluate(item("on va lui couper la tête"), signals(threat=0.9, **{"language.fr": 0.95}))
    assert verdict.actions[0] == Action(ActionKind.HOLD)
    assert cases(verdict) == {"threats": 80}
    assert "threat-hold" in verdict.rules


def test_a_possible_threat_is_published_but_reviewed() -> None:
    verdict = DEFAULT.evaluate(item(), signals(threat=0.6))
    assert kinds(verdict.actions) == ["allow", "open_case"]
    assert cases(verdict) == {"threats": 50}


def test_heated_criticism_with_low_scores_is_allowed() -> None:
    text = "Ce maire détruit la ville, votez contre lui"
    verdict = DEFAULT.evaluate(item(text), signals(toxicity=0.35, insult=0.2, **{"language.fr": 0.99}))
    assert verdict.actions == (Action(ActionKind.ALLOW),)
    assert verdict.reasons == ("no rule matched",)


def test_a_large_audience_raises_the_priority() -> None:
    verdict = DEFAULT.evaluate(item(audience_size=50_000), signals(threat=0.6))
    assert cases(verdict) == {"threats": 95}


def test_a_moderator_posting_in_the_name_of_the_space_waits_for_approval() -> None:
    verdict = DEFAULT.evaluate(item(in_name_of_space=True, author_role="moderator"), [])
    assert verdict.actions[0] == Action(ActionKind.HOLD)
    assert cases(verdict) == {"approvals": 60}
    admin = DEFAULT.evaluate(item(in_name_of_space=True, author_role="admin"), [])
    assert admin.actions == (Action(ActionKind.ALLOW),)


def test_very_toxic_posts_are_only_reviewed_and_the_hide_trial_stays_in_shadow() -> None:
    verdict = DEFAULT.evaluate(item(), signals(toxicity=0.95))
    assert kinds(verdict.actions) == ["allow", "open_case"]
    assert [s.rule for s in verdict.shadow] == ["toxicity-hide-trial"]


def test_hate_and_harassment() -> None:
    assert cases(DEFAULT.evaluate(item(), signals(hate=0.9))) == {"hate": 70}
    assert DEFAULT.evaluate(item(), signals(hate=0.9)).actions[0] == Action(ActionKind.HOLD)
    harassed = DEFAULT.evaluate(item(), signals(insult=0.7))
    assert kinds(harassed.actions) == ["allow", "open_case"]
    assert cases(harassed) == {"harassment": 30}
