"""`beffroi rules`: check a policy file, store it as a space's next version, list, activate, backtest.

Every command but `check` works on the database, as an installation admin (like `beffroi space`). `--space`
takes a space id, or `_default` for the installation default.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from beffroi.analyzers.registry import AnalyzerRegistry
from beffroi.cli import backtest_report
from beffroi.cli.common import OPERATOR_ACTOR, open_runtime
from beffroi.policy.loader import load_policy
from beffroi.policy.problems import PolicyError
from beffroi.policy.versioning import DEFAULT_SCOPE, space_of, unsaved_label, version_label
from beffroi.store.history import Window

SPACE_HELP = f"a space id, or {DEFAULT_SCOPE} for the installation default"


def register(commands: Any) -> None:
    rules = commands.add_parser("rules", help="policies: check, store, list, activate and backtest rules files")
    actions = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    check = actions.add_parser("check", help="compile a policy file; print its errors (exit 1) or a summary")
    check.add_argument("file", type=Path, help="the policy, a YAML file")
    check.set_defaults(handler=run_check)

    push = actions.add_parser("push", help="store a policy file as the space's next version (checked first)")
    push.add_argument("file", type=Path, help="the policy, a YAML file")
    push.add_argument("--space", required=True, help=SPACE_HELP)
    push.add_argument("--activate", action="store_true", help="put it in force at once")
    push.add_argument("--note", default="", help="what changed and why")
    push.set_defaults(handler=run_push)

    listing = actions.add_parser("list", help="a space's policy versions, newest first, and the one in force")
    listing.add_argument("--space", required=True, help=SPACE_HELP)
    listing.set_defaults(handler=run_list)

    activate = actions.add_parser("activate", help="put a stored version in force (also how one rolls back)")
    activate.add_argument("version", type=int, help="the version number, as `rules list` shows it")
    activate.add_argument("--space", required=True, help=SPACE_HELP)
    activate.set_defaults(handler=run_activate)

    backtest = actions.add_parser("backtest", help="what a policy file would change on the space's stored items")
    backtest.add_argument("file", type=Path, help="the candidate policy, a YAML file")
    backtest.add_argument("--space", required=True, help=SPACE_HELP)
    backtest.add_argument("--limit", type=int, default=10_000, help="most items evaluated, newest first")
    backtest.add_argument("--sample", type=int, default=20, help="most changed items listed")
    backtest.set_defaults(handler=run_backtest)


def run_check(args: argparse.Namespace) -> int:
    text = _read(args.file)
    if text is None:
        return 1
    try:
        policy = load_policy(text, str(args.file), AnalyzerRegistry.discover().labels())
    except PolicyError as exc:
        return _refused(args.file, exc, "policy not loaded")
    shadow = sum(rule.shadow for rule in policy.rules)
    print(f"{args.file}: ok: {policy.name}, {len(policy.rules)} rules ({shadow} in shadow mode)")
    return 0


def run_push(args: argparse.Namespace) -> int:
    text = _read(args.file)
    if text is None:
        return 1
    space = space_of(args.space)
    runtime = open_runtime()
    try:
        versions = runtime.policy_versions
        stored = versions.create(
            space, text, args.note, OPERATOR_ACTOR, activate=args.activate, source_name=str(args.file)
        )
    except PolicyError as exc:
        return _refused(args.file, exc, "nothing stored")
    finally:
        runtime.close()
    label = version_label(space, stored.version)
    state = "active" if args.activate else f"not active: beffroi rules activate {stored.version} --space {args.space}"
    print(f"stored {label} ({stored.name}, sha256 {stored.digest[:12]}): {state}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    space = space_of(args.space)
    runtime = open_runtime()
    try:
        versions = runtime.policy_versions
        versions.require_space(space)
        found, own, in_force = versions.versions(space), versions.active(space), versions.in_force(space)
    finally:
        runtime.close()
    for v in found:
        mark = "active" if own and v.version == own.version else "      "
        when = v.created_at.strftime("%Y-%m-%d %H:%M")
        print(f"v{v.version}\t{mark}\t{when}\t{v.created_by}\t{v.digest[:12]}\t{v.name}\t{v.note}")
    origin = {"space": "its own version", "default": "the installation default", "file": "the policy file"}
    print(f"in force: {in_force.policy} ({origin[in_force.origin]})", file=sys.stderr)
    return 0


def run_activate(args: argparse.Namespace) -> int:
    space = space_of(args.space)
    runtime = open_runtime()
    try:
        changed = runtime.policy_versions.activate(space, args.version, OPERATOR_ACTOR)
    finally:
        runtime.close()
    label = version_label(space, args.version)
    print(f"{label} is now in force" if changed else f"{label} was in force already: nothing changed")
    return 0


def run_backtest(args: argparse.Namespace) -> int:
    text = _read(args.file)
    if text is None:
        return 1
    space = space_of(args.space)
    runtime = open_runtime()
    try:
        versions = runtime.policy_versions
        versions.require_space(space)
        candidate = versions.compile(text, str(args.file), unsaved_label(space))
        spaces = [space] if space else versions.inheriting_spaces()
        report = versions.backtest(candidate, Window(spaces, limit=args.limit), args.sample)
    except PolicyError as exc:
        return _refused(args.file, exc, "no backtest")
    finally:
        runtime.close()
    print(backtest_report.render(report, candidate.rules, spaces, args.limit))
    return 0


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"{path}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return None


def _refused(path: Path, exc: PolicyError, outcome: str) -> int:
    """The compiler-style errors of `rules check`, whichever command read the file."""
    print(exc.render(), file=sys.stderr)
    count = len(exc.problems)
    print(f"{path}: {count} problem{'s' if count > 1 else ''}, {outcome}", file=sys.stderr)
    return 1
