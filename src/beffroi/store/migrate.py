"""Running the Alembic migrations from inside the package, so an installed `beffroi` can migrate itself."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from beffroi.store.database import Database

SCRIPT_LOCATION = "beffroi.store:migrations"


def _config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("sqlalchemy.url", db.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade(db: Database, revision: str = "head") -> None:
    config = _config(db)
    with db.write_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def is_current(db: Database) -> bool:
    head = ScriptDirectory.from_config(_config(db)).get_current_head()
    with db.read() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head
