"""The `beffroi` command: one package, role switches (serve, worker) and administration."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from beffroi.errors import BeffroiError

# Each module registers its commands. A command listed in STANDALONE needs neither the database nor the service,
# so it is parsed with its own module alone: importing the others (the service, SQLAlchemy, Alembic, the policy
# engine) took about 1 s of the 1.3 s `beffroi classify` spent before reading its first line.
COMMAND_MODULES = ("ops", "admin", "content", "classify", "rules")
STANDALONE = frozenset({"classify"})  # each the name of its module

EPILOG = """examples:
  beffroi init                                   create the database, a default space and the first admin
  beffroi serve                                  HTTP API on 127.0.0.1:8000 with analysis workers inside
  beffroi worker --processes 2                   analysis in separate processes (scaled deployments)
  beffroi space add mairie-clermont --name "Mairie de Clermont-Ferrand"
  beffroi member add alice --role moderator --space mairie-clermont
  beffroi token create --member alice --role moderator --space mairie-clermont --name bridge
  beffroi submit --space mairie-clermont --text "On va lui couper la tête" --wait 10
  beffroi import posts.jsonl                     JSON lines (or .csv) through the same checks as the API
  beffroi classify posts.jsonl --no-spans        score {"id", "text"} lines with the text model
  beffroi audit verify                           prove no audit row was edited or deleted
  beffroi rules check policy.yaml                compile a policy; errors as FILE:LINE:COL with a hint
  beffroi rules push policy.yaml --space mairie-clermont --activate   store it as the space's next version
  beffroi rules backtest policy.yaml --space mairie-clermont           what it would change on stored items

settings come from BEFFROI_* variables or a TOML file named by BEFFROI_CONFIG: `beffroi settings` lists them."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or, for a STANDALONE command, only that command's part of it."""
    parser = argparse.ArgumentParser(
        prog="beffroi",
        description="Self-hostable moderation: ingest, analyze, decide, audit.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    names = (command,) if command in STANDALONE else COMMAND_MODULES
    for name in names:
        importlib.import_module(f"beffroi.cli.{name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    words = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(words[0] if words else None).parse_args(words)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration step is noise to operators
    try:
        code = args.handler(args)
    except BeffroiError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        code = 130
    sys.exit(code or 0)
