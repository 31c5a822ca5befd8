"""Holds before publication from the command line: a space's approval requirement, members' accounts."""

from __future__ import annotations

import argparse
from typing import Any

import orjson
from pydantic import ValidationError

from beffroi.cli.common import OPERATOR_ACTOR, member_id_of, open_runtime
from beffroi.errors import InvalidRequest
from beffroi.space_settings import ApprovalSettings, SpaceSettings
from beffroi.store import accounts_store, spaces_store
from beffroi.store.writer import Tx


def register_space(space_commands: Any) -> None:
    show = space_commands.add_parser("settings", help="print a space's settings as JSON")
    show.add_argument("space")
    show.set_defaults(handler=run_settings)
    approval = space_commands.add_parser(
        "approval",
        help="which posts wait for an admin's approval before publication; no option prints the requirement",
        description="Options given replace the whole requirement; options left out take their defaults.",
    )
    approval.add_argument("space")
    approval.add_argument("--role", action="append", default=[], help="an author role to hold (repeatable)")
    approval.add_argument("--account", action="append", default=[], help="an author id to hold (repeatable)")
    approval.add_argument(
        "--in-name-of-space", action="store_true", help="only posts made in the space's name (context.in_name_of_space)"
    )
    approval.add_argument("--approvals", type=int, choices=[1, 2], help="admins who must approve (default 1)")
    approval.add_argument("--off", action="store_true", help="require no approval")
    approval.set_defaults(handler=run_approval)


def register_member(member_commands: Any) -> None:
    for action, what in (("link", "link a platform account to a member"), ("unlink", "remove that link")):
        command = member_commands.add_parser(action, help=what)
        command.add_argument("name")
        command.add_argument("--platform", required=True, help="as items name it in source.platform")
        command.add_argument("--account", required=True, help="the account's id, as items name it in author.id")
        command.set_defaults(handler=run_link if action == "link" else run_unlink)
    accounts = member_commands.add_parser("accounts", help="list a member's linked accounts")
    accounts.add_argument("name")
    accounts.set_defaults(handler=run_accounts)


def run_settings(args: argparse.Namespace) -> int:
    runtime = open_runtime()
    try:
        with runtime.db.read() as conn:
            settings = spaces_store.get_settings(conn, args.space)
    finally:
        runtime.close()
    print(orjson.dumps(settings.model_dump(mode="json"), option=orjson.OPT_INDENT_2).decode())
    return 0


def run_approval(args: argparse.Namespace) -> int:
    changes = args.off or args.role or args.account or args.in_name_of_space or args.approvals
    runtime = open_runtime()
    try:
        if changes:
            wanted = ApprovalSettings() if args.off else _approval(args)
            approval = runtime.db.writer.run(lambda tx: _set_approval(tx, args.space, wanted))
        else:
            with runtime.db.read() as conn:
                approval = spaces_store.get_settings(conn, args.space).approval
    finally:
        runtime.close()
    print(f"{args.space}: {describe(approval)}")
    return 0


def _approval(args: argparse.Namespace) -> ApprovalSettings:
    try:
        return ApprovalSettings(
            roles=args.role,
            accounts=args.account,
            in_name_of_space=args.in_name_of_space,
            approvals_required=args.approvals or 1,
        )
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise InvalidRequest(f"--{problem['loc'][0]}: {problem['msg']}") from None


def _set_approval(tx: Tx, space: str, approval: ApprovalSettings) -> ApprovalSettings:
    # Read and written in one transaction: the space's other sections stay as they are.
    current = spaces_store.get_settings(tx.conn, space)
    updated = SpaceSettings.model_validate({**current.model_dump(), "approval": approval.model_dump()})
    return spaces_store.set_settings(tx, space, updated, OPERATOR_ACTOR).approval


def describe(approval: ApprovalSettings) -> str:
    if not approval.active:
        return "no approval required before publication"
    who = [f"role {r}" for r in approval.roles] + [f"account {a}" for a in approval.accounts]
    posts = "posts in the space's name" if approval.in_name_of_space else "posts"
    by = f" by {', '.join(who)}" if who else ""
    return f"{posts}{by} wait for {approval.approvals_required} admin approval(s) before publication"


def run_link(args: argparse.Namespace) -> int:
    runtime = open_runtime()
    try:
        member_id = member_id_of(runtime, args.name)
        runtime.db.writer.run(
            lambda tx: accounts_store.link(tx, member_id, args.platform, args.account, OPERATOR_ACTOR)
        )
    finally:
        runtime.close()
    print(f"{args.platform}:{args.account} is {args.name}'s: {args.name} will not approve its posts")
    return 0


def run_unlink(args: argparse.Namespace) -> int:
    runtime = open_runtime()
    try:
        member_id = member_id_of(runtime, args.name)
        runtime.db.writer.run(
            lambda tx: accounts_store.unlink(tx, member_id, args.platform, args.account, OPERATOR_ACTOR)
        )
    finally:
        runtime.close()
    print(f"{args.platform}:{args.account} is no longer linked to {args.name}")
    return 0


def run_accounts(args: argparse.Namespace) -> int:
    runtime = open_runtime()
    try:
        member_id = member_id_of(runtime, args.name)
        with runtime.db.read() as conn:
            for account in accounts_store.accounts_of(conn, member_id):
                print(f"{account.platform}\t{account.account_id}\t{account.linked_at.isoformat()}")
    finally:
        runtime.close()
    return 0
