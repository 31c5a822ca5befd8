"""`beffroi rules check FILE`: compile a policy and print its errors the way a compiler does."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from beffroi.analyzers.registry import AnalyzerRegistry
from beffroi.policy.loader import load_policy
from beffroi.policy.problems import PolicyError


def register(commands: Any) -> None:
    rules = commands.add_parser("rules", help="policies: check a rules file before it goes live")
    rule_commands = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    check = rule_commands.add_parser("check", help="compile a policy file; print its errors (exit 1) or a summary")
    check.add_argument("file", type=Path, help="the policy, a YAML file")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"{path}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        policy = load_policy(text, str(path), AnalyzerRegistry.discover().labels())
    except PolicyError as exc:
        print(exc.render(), file=sys.stderr)
        count = len(exc.problems)
        print(f"{path}: {count} problem{'s' if count > 1 else ''}, policy not loaded", file=sys.stderr)
        return 1
    shadow = sum(rule.shadow for rule in policy.rules)
    print(f"{path}: ok: {policy.name}, {len(policy.rules)} rules ({shadow} in shadow mode)")
    return 0
