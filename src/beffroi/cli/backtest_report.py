"""A backtest report as `beffroi rules backtest` prints it: counts first, then rules, then the changed items."""

from __future__ import annotations

from collections.abc import Sequence

from beffroi.domain import Verdict
from beffroi.policy.backtest import BacktestReport, disposition
from beffroi.policy.rules import Rule


def render(report: BacktestReport, rules: Sequence[Rule], spaces: Sequence[str], limit: int) -> str:
    scope = ", ".join(spaces) or "none"
    more = f" (the newest {limit}: older items left out)" if report.items >= limit else ""
    lines = [
        f"backtest of {report.new_policy} against the verdicts stored in {scope}",
        f"  items evaluated:  {report.items}{more}",
        f"  items that change: {report.changed}",
        f"  dispositions:     {_counts(report.transitions) or 'no change'}",
        f"  actions:          {_actions(report) or 'none'}",
        "  rules (items each fired on; shadow rules are recorded, never acting):",
        *(_rule(report, rule, width=max((len(r.name) for r in rules), default=0)) for rule in rules),
    ]
    if report.changes:
        lines.append(f"  changed items ({len(report.changes)} of {report.changed}):")
        lines.extend(_change(c.item_id, c.before, c.after) for c in report.changes)
    return "\n".join(lines)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _actions(report: BacktestReport) -> str:
    kinds = sorted(set(report.actions_before) | set(report.actions_after))
    return ", ".join(f"{k} {report.actions_before.get(k, 0)}->{report.actions_after.get(k, 0)}" for k in kinds)


def _rule(report: BacktestReport, rule: Rule, width: int) -> str:
    fired = (report.shadow if rule.shadow else report.rules).get(rule.name, 0)
    return f"    {rule.name:<{width}}  {fired:>6}{'  (shadow)' if rule.shadow else ''}"


def _change(item_id: str, before: Verdict, after: Verdict) -> str:
    moved = f"{disposition(before.actions).value} -> {disposition(after.actions).value}"
    kinds = f"[{_kinds(before)}] -> [{_kinds(after)}]"
    return f"    {item_id}  {moved}  {kinds}  rules: {', '.join(after.rules) or 'none'}"


def _kinds(verdict: Verdict) -> str:
    return ", ".join(action.kind.value for action in verdict.actions)
