"""Administration: spaces, members, grants, tokens, and the first run's admin."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from beffroi.cli import approvals
from beffroi.cli.common import OPERATOR_ACTOR, member_id_of, open_runtime
from beffroi.domain import Grant, Role
from beffroi.members import generate_password
from beffroi.runtime import Runtime
from beffroi.store import members_store

DEFAULT_SPACE = "default"
FIRST_ADMIN = "admin"


def register(commands: Any) -> None:
    space = commands.add_parser("space", help="spaces: where items live and whose policy applies")
    space_commands = space.add_subparsers(dest="space_command", required=True, metavar="ACTION")
    add = space_commands.add_parser("add", help="create a space")
    add.add_argument("id", help="a lowercase slug, e.g. mairie-clermont")
    add.add_argument("--name", help="display name (default: the id)")
    add.set_defaults(handler=run_space_add)
    space_commands.add_parser("list", help="list spaces").set_defaults(handler=run_space_list)
    approvals.register_space(space_commands)

    member = commands.add_parser("member", help="people who work in Beffroi, and their roles")
    member_commands = member.add_subparsers(dest="member_command", required=True, metavar="ACTION")
    madd = member_commands.add_parser("add", help="create a member; prints a generated password")
    madd.add_argument("name")
    _grant_arguments(madd)
    madd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    madd.set_defaults(handler=run_member_add)
    grant = member_commands.add_parser("grant", help="give a member a role, in a space or everywhere")
    grant.add_argument("name")
    _grant_arguments(grant, required=True)
    grant.set_defaults(handler=run_member_grant)
    member_commands.add_parser("list", help="list members and their roles").set_defaults(handler=run_member_list)
    approvals.register_member(member_commands)

    token = commands.add_parser("token", help="API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser("create", help="create a token; prints it as the last word of the output")
    create.add_argument("--member", default=FIRST_ADMIN, help=f"whose token (default {FIRST_ADMIN})")
    _grant_arguments(create)
    create.add_argument("--name", default="cli", help="what the token is for")
    create.set_defaults(handler=run_token_create)
    revoke = token_commands.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("token_id")
    revoke.set_defaults(handler=run_token_revoke)


def _grant_arguments(parser: argparse.ArgumentParser, required: bool = False) -> None:
    parser.add_argument("--role", choices=[r.value for r in Role], required=required, help="role to grant")
    parser.add_argument("--space", help="limit the role to this space (default: every space)")


def ensure_default_space(runtime: Runtime) -> None:
    with runtime.db.read() as conn:
        if members_store.list_spaces(conn):
            return
    runtime.db.writer.run(lambda tx: members_store.create_space(tx, DEFAULT_SPACE, "Default space", OPERATOR_ACTOR))
    print(f"created space {DEFAULT_SPACE!r}")


def ensure_first_admin(runtime: Runtime) -> None:
    with runtime.db.read() as conn:
        if members_store.count_members(conn):
            print("members exist already: no new admin created (beffroi member list)")
            return
    password = generate_password()
    member_id = runtime.credentials.create_member(FIRST_ADMIN, [Grant(Role.ADMIN, None)], password, OPERATOR_ACTOR)
    _, token = runtime.credentials.create_token(member_id, "first run", None, OPERATOR_ACTOR)
    print(
        "\nFirst admin created. These are shown once: keep them somewhere safe.\n"
        f"  console login:  name {FIRST_ADMIN!r}, password {password}\n"
        f"  API token:      {token}\n"
        f"  try:            curl -H 'Authorization: Bearer {token}' http://127.0.0.1:{runtime.settings.port}/v1/spaces\n"
    )


def run_space_add(args: argparse.Namespace) -> int:
    runtime = open_runtime()
    try:
        space = runtime.db.writer.run(
            lambda tx: members_store.create_space(tx, args.id, args.name or args.id, OPERATOR_ACTOR)
        )
    finally:
        runtime.close()
    print(f"created space {space.id!r}")
    return 0


def run_space_list(_args: argparse.Namespace) -> int:
    runtime = open_runtime()
    try:
        with runtime.db.read() as conn:
            for space in members_store.list_spaces(conn):
                print(f"{space.id}\t{space.name}")
    finally:
        runtime.close()
    return 0


def run_member_add(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else generate_password()
    grants = [Grant(Role(args.role), args.space)] if args.role else []
    runtime = open_runtime()
    try:
        member_id = runtime.credentials.create_member(args.name, grants, password, OPERATOR_ACTOR)
    finally:
        runtime.close()
    print(f"created member {args.name!r} ({member_id})")
    if not args.password_stdin:
        print(f"password (shown once): {password}")
    return 0


def run_member_grant(args: argparse.Namespace) -> int:
    runtime = open_runtime()
    try:
        member_id = member_id_of(runtime, args.name)
        grant = Grant(Role(args.role), args.space)
        runtime.db.writer.run(lambda tx: members_store.add_grant(tx, member_id, grant, OPERATOR_ACTOR))
    finally:
        runtime.close()
    print(f"{args.name} is now {args.role} in {args.space or 'every space'}")
    return 0


def run_member_list(_args: argparse.Namespace) -> int:
    runtime = open_runtime()
    try:
        with runtime.db.read() as conn:
            for member in members_store.list_members(conn):
                roles = ", ".join(f"{g.role.value}@{g.space or '*'}" for g in member.grants) or "no role"
                print(f"{member.name}\t{member.id}\t{roles}{' (disabled)' if member.disabled else ''}")
    finally:
        runtime.close()
    return 0


def run_token_create(args: argparse.Namespace) -> int:
    runtime = open_runtime()
    try:
        member_id = member_id_of(runtime, args.member)
        grant = Grant(Role(args.role), args.space) if args.role else None
        token_id, token = runtime.credentials.create_token(member_id, args.name, grant, OPERATOR_ACTOR)
    finally:
        runtime.close()
    scope = f"{args.role} in {args.space or 'every space'}" if args.role else f"all of {args.member}'s roles"
    print(f"token {token_id} for {args.member}, acting as {scope}; shown once:\n{token}")
    return 0


def run_token_revoke(args: argparse.Namespace) -> int:
    runtime = open_runtime()
    try:
        runtime.credentials.revoke(args.token_id, OPERATOR_ACTOR)
    finally:
        runtime.close()
    print(f"revoked {args.token_id}")
    return 0
