"""Schema versions: migrations make the models' schema; old or unknown schemas are refused.

Runs on SQLite and PostgreSQL (conftest ``database_url``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import Engine, inspect, text

from oai.cli import main
from oai.store import make_engine, schema
from oai.store.models import Model


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def oai(database_url: str, *args: str) -> tuple[int, str]:
    """Run ``oai ARGS`` in-process on the database; exit code and output."""
    result = CliRunner().invoke(main, list(args), env={"OAI_DATABASE_URL": database_url})
    return result.exit_code, result.output


def test_migrations_make_exactly_the_models_schema(engine: Engine) -> None:
    schema.upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Model.metadata)
    assert differences == [], "models changed without a migration (see oai/store/schema.py)"
    # Alembic does not compare collations; the keyset order depends on them.
    with engine.connect() as connection:
        inspector = inspect(connection)
        found = {
            (table, column["name"]): getattr(column["type"], "collation", None)
            for table in inspector.get_table_names()
            for column in inspector.get_columns(table)
        }
    wanted = {
        (table.name, column.name): getattr(
            column.type.dialect_impl(engine.dialect), "collation", None
        )
        for table in Model.metadata.sorted_tables
        for column in table.columns
    }
    assert {key: found[key] for key in wanted} == wanted


def test_every_revision_downgrades_and_upgrades_again(engine: Engine) -> None:
    from alembic import command

    schema.upgrade(engine)
    for revision in reversed(["base", *schema.revisions()[:-1]]):
        with engine.begin() as connection:
            command.downgrade(schema._config(connection), revision)
    with engine.connect() as connection:
        assert schema.status(connection).empty
    schema.upgrade(engine)
    with engine.connect() as connection:
        assert schema.status(connection).up_to_date


def test_an_empty_database_gets_the_schema_from_any_command(database_url: str) -> None:
    code, output = oai(database_url, "stats")
    assert code == 0, output
    shown = oai(database_url, "db", "current")[1].splitlines()
    assert shown[1] == f"schema: revision {schema.head()} (head)"


def _unversioned(engine: Engine, layout: str = schema.BASELINE) -> None:
    """A database as the code before migrations left it: tables, no revision.

    ``layout`` is the revision whose tables create_all made: the baseline, or 0002's
    memberships, which the code had for a while before the first migration.
    """
    schema.upgrade(engine, layout)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))


def _older(revision: str) -> object:
    def make(engine: Engine) -> None:
        schema.upgrade(engine, revision)

    return make


#: Every schema older than this code's: the pre-migration one, then each revision but head.
BEHIND = [
    pytest.param(_unversioned, id="unversioned"),
    pytest.param(lambda engine: _unversioned(engine, "0002"), id="unversioned-0002-layout"),
] + [pytest.param(_older(revision), id=f"at-{revision}") for revision in schema.revisions()[:-1]]


@pytest.mark.parametrize("make_old", BEHIND)
def test_a_schema_behind_is_refused_until_db_upgrade(
    make_old, engine: Engine, database_url: str
) -> None:
    make_old(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO meta (key, value) VALUES ('kept', 'yes')"))
    for command in (["serve"], ["stats"], ["load", "-"]):
        code, output = oai(database_url, *command)
        assert code == 1
        assert output.count("\n") == 1 and "oai db upgrade" in output, output

    code, output = oai(database_url, "db", "upgrade")
    assert code == 0, output
    assert output.splitlines()[1].startswith("database upgraded from ")
    assert oai(database_url, "db", "upgrade")[1].splitlines()[1].startswith("database already at")
    assert oai(database_url, "stats")[0] == 0
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT value FROM meta WHERE key = 'kept'")).scalar()
        differences = compare_metadata(MigrationContext.configure(connection), Model.metadata)
    assert kept == "yes"
    assert differences == []


def test_serve_refuses_a_schema_behind_in_one_line(engine: Engine, database_url: str) -> None:
    _unversioned(engine)
    engine.dispose()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OAI_")}
    result = subprocess.run(
        [sys.executable, "-m", "oai", "serve", "--port", "0"],
        env={**environ, "OAI_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "oai db upgrade" in result.stderr, result.stderr


def test_a_revision_from_newer_code_is_refused(engine: Engine, database_url: str) -> None:
    schema.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    for command in (["stats"], ["db", "upgrade"]):
        code, output = oai(database_url, *command)
        assert code == 1
        assert output.count("\n") == 1 and "newer version of oai" in output, output


def test_tables_not_made_by_oai_are_left_alone(engine: Engine, database_url: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE records (id INTEGER PRIMARY KEY)"))
    code, output = oai(database_url, "db", "upgrade")
    assert code == 1
    assert "not made by oai" in output
    with engine.connect() as connection:
        assert inspect(connection).get_table_names() == ["records"]


def test_db_commands_explain_an_unreachable_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'folder' / 'oai.sqlite'}"
    for command in (["db", "current"], ["db", "upgrade"], ["stats"]):
        code, output = oai(url, *command)
        assert code == 1
        assert output.startswith("Error: cannot open the database") and output.count("\n") == 1
