"""PostgreSQL with ``?options=-csearch_path%3D<schema>``, as README's "Running at scale" has it.

A schema that does not exist yet is refused in one line that names it and the fix;
``oai db upgrade`` creates it; then the README's steps, fixtures included, work.
"""

from __future__ import annotations

import itertools

import pytest
from click.testing import CliRunner, Result

from oai import create_app
from oai.cli import main
from oai.store.search_path import names as search_path_names

from . import databases, xsd
from .conftest import error_code

SEED = "oai:prometheusjournal.co.uk:article/putting-innovation-in-place"
_numbers = itertools.count(1)


@pytest.fixture
def url(postgres: databases.PostgresDatabase) -> str:
    """The test database with a search_path naming a schema nobody has created."""
    base = postgres.url.render_as_string(hide_password=False)
    return f"{base}?options=-csearch_path%3Dnot_yet_{next(_numbers)}"


def oai(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"OAI_DATABASE_URL": url})


def test_a_missing_schema_is_named_with_its_fix(url: str) -> None:
    name = url.rsplit("%3D", 1)[1]
    for command in (["stats"], ["load", "--fixtures"], ["delete", SEED]):
        result = oai(url, *command)
        assert result.exit_code == 1
        assert result.output.splitlines() == [
            f"Error: PostgreSQL schema '{name}' (the search_path of the database URL) does not "
            f"exist: run `oai db upgrade`, which creates it, or CREATE SCHEMA {name}"
        ]


def test_db_upgrade_creates_the_schema_then_the_readme_steps_work(url: str, schemas) -> None:
    name = url.rsplit("%3D", 1)[1]
    upgraded = oai(url, "db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert f"created PostgreSQL schema '{name}'" in upgraded.output.splitlines()
    again = oai(url, "db", "upgrade")
    assert "created" not in again.output and again.exit_code == 0
    loaded = oai(url, "load", "--fixtures")
    assert loaded.exit_code == 0, loaded.output
    app = create_app({"database_url": url})
    try:
        response = app.test_client().get(
            "/oai",
            query_string={"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": SEED},
        )
        assert error_code(xsd.validate(response.data)) is None
        with app.extensions["oai"].engine.connect() as connection:
            from sqlalchemy import text

            assert connection.execute(text("SELECT current_schema()")).scalar() == name
    finally:
        app.extensions["oai"].close()


@pytest.mark.parametrize(
    ("shown", "names"),
    [
        ('"$user", public', ["public"]),
        ("oai", ["oai"]),
        ('"My Schema", public', ["My Schema", "public"]),
        ('"a""b"', ['a"b']),
        ('"$user"', []),
    ],
)
def test_search_path_names(shown: str, names: list[str]) -> None:
    assert search_path_names(shown) == names
