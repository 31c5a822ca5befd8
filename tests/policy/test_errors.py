"""A broken policy never loads, and each problem points at its file, line and column with a hint."""

from __future__ import annotations

import pytest

from beffroi.policy.loader import load_policy
from beffroi.policy.problems import PolicyError, Problem
from tests.policy.support import LABELS


def problems(text: str) -> list[Problem]:
    with pytest.raises(PolicyError) as raised:
        load_policy(text, "town.yaml", LABELS)
    return raised.value.problems


def where(problem: Problem) -> tuple[int, int]:
    return problem.position.line, problem.position.column


def one_rule(when: str, then: str = "[hold]") -> str:
    return f"name: t\nversion: 1\nrules:\n  - name: r\n    when: {when}\n    then: {then}\n"


def test_a_syntax_error_points_inside_the_condition() -> None:
    [found] = problems(one_rule("signals.threat >= 0.8 &&& true"))
    assert where(found) == (5, 35)  # `    when: ` is 10 columns; the third `&` is the 25th character
    assert found.message.startswith("invalid condition: Syntax error")
    assert found.hint and "CEL" in found.hint


def test_a_syntax_error_in_a_literal_block_points_at_its_own_line() -> None:
    text = (
        "name: t\nversion: 1\nrules:\n  - name: r\n    when: |\n"
        "      signals.threat > 0.5 &&\n        (signals.hate > \n    then: [hold]\n"
    )
    [found] = problems(text)
    assert where(found) == (7, 24)  # just past the end of the expression, after `(signals.hate >`


def test_an_unknown_label_points_at_the_label_and_suggests_one() -> None:
    [found] = problems(one_rule('"signals.hate > 0.2 || signals.threats > 0.8"'))
    assert where(found) == (5, 42)  # 10 columns, the quote, then 30 characters before the label
    assert found.message == "unknown label 'threats'"
    assert found.hint and found.hint.startswith("did you mean 'threat'?")


def test_unknown_labels_in_helpers_and_index_form_are_caught() -> None:
    found = problems(
        one_rule("""'any_of(["threat", "hat"]) > 0.5 && score("insul") > 0 && signals["language.xx"] > 0'""")
    )
    assert [p.message for p in found] == [
        "unknown label 'hat'",
        "unknown label 'insul'",
        "unknown label 'language.xx'",
    ]


def test_an_unknown_name_or_function() -> None:
    found = problems(one_rule("autor.role == 'admin' || maximum(1) > 0"))
    assert [p.message for p in found] == ["unknown name 'autor'", "unknown function 'maximum'"]
    assert where(found[0]) == (5, 11)
    assert found[0].hint and "did you mean 'author'" in found[0].hint


def test_a_threshold_of_the_wrong_type() -> None:
    [found] = problems(one_rule("signals.threat > '0.8'"))
    assert where(found) == (5, 11)
    assert "condition fails on sample facts" in found.message


def test_a_condition_that_is_not_true_or_false() -> None:
    [found] = problems(one_rule("signals.threat"))
    assert "must be true or false" in found.message


def test_an_unknown_action_and_bad_parameters() -> None:
    found = problems(one_rule("signals.threat > 0.5", "[hold, ban, {open_case: {queue: q, priority: high}}, label]"))
    assert [(where(p), p.message) for p in found] == [
        ((6, 18), "unknown action 'ban'"),
        ((6, 56), "priority must be a whole number from 0 to 100, not 'high'"),
        ((6, 64), "action 'label' needs label"),
    ]
    assert found[0].hint and "allow, hold, hide, remove" in found[0].hint


def test_a_case_group_must_be_one_the_review_knows() -> None:
    [found] = problems(one_rule("signals.threat > 0.5", "[{open_case: {queue: q, group: everyone}}]"))
    assert found.message == "group must be one of item, author, media, not 'everyone'"


def test_missing_fields_and_unknown_fields() -> None:
    text = "name: t\nversion: 1\nrules:\n  - name: r\n    then: [hold]\n    shadow: maybe\n    priority: 3\n"
    found = problems(text)
    assert [(where(p), p.message) for p in found] == [
        ((7, 5), "unknown rule field 'priority'"),
        ((4, 5), "missing field 'when'"),
        ((6, 13), "shadow must be true or false, not 'maybe'"),
    ]


def test_a_condition_yaml_reads_as_a_boolean_asks_for_quotes() -> None:
    [found] = problems(one_rule("true"))
    assert where(found) == (5, 11)
    assert found.hint == "quote it: when: 'true'"


def test_policy_level_problems() -> None:
    found = problems("name: t\nrules: []\n")
    assert [p.message for p in found] == ["the policy needs a version", "the policy needs a list of rules"]


def test_invalid_yaml() -> None:
    [found] = problems("name: t\nversion: 1\nrules:\n  - name: [unclosed\n")
    assert found.message.startswith("not valid YAML")
    assert found.position.line >= 4


def test_unsafe_yaml_tags_are_refused() -> None:
    [found] = problems("name: !!python/object:os.system t\nversion: 1\nrules: []\n")
    assert where(found) == (1, 7)
    assert found.message.startswith("not valid YAML")


def test_duplicate_rule_names() -> None:
    text = one_rule("'true'") + "  - name: r\n    when: 'false'\n    then: [allow]\n"
    [found] = problems(text)
    assert where(found) == (7, 5)
    assert found.message == "two rules are named 'r'"


def test_the_rendered_error_reads_like_a_compiler() -> None:
    with pytest.raises(PolicyError) as raised:
        load_policy(one_rule("signals.threats > 0.8"), "town.yaml", LABELS)
    assert raised.value.render().splitlines() == [
        "town.yaml:5:19: unknown label 'threats'",
        "      when: signals.threats > 0.8",
        "                    ^",
        "  hint: did you mean 'threat'? labels the analyzers declare: hate, insult, language.en, language.fr, "
        "language.und, sexual_harassment, threat, toxicity",
    ]
    assert raised.value.envelope()["error"]["details"][0] == {
        "source": "town.yaml",
        "line": 5,
        "column": 19,
        "message": "unknown label 'threats'",
        "hint": raised.value.problems[0].hint,
    }
