"""The template databases the tests' apps start from hold what the migrations make.

tests/databases.py hands each empty database a copy of one migrated per session
instead of running the migrations again. If the copy differed from a migrated
database (a table, index or stored row missing from the replay), every test would
run against a schema no user ever has; this compares the two on both databases.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text

from oai.store import make_engine, schema

from .databases import Templates


@pytest.fixture
def empty_url(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> Callable[[], str]:
    """More empty databases of the kind ``database_url`` is."""
    numbers = iter(range(1, 100))

    def another() -> str:
        if database_url.startswith("sqlite"):
            return f"sqlite:///{tmp_path / f'another-{next(numbers)}.sqlite'}"
        return str(request.getfixturevalue("postgres").new_schema("another"))

    return another


def _shape(engine: Engine) -> dict[str, Any]:
    """Every table's columns, keys and indexes, and the rows of the version tables."""
    with engine.connect() as connection:
        found = inspect(connection)
        tables = {}
        for name in sorted(found.get_table_names()):
            tables[name] = {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(name)
                ],
                "primary key": found.get_pk_constraint(name)["constrained_columns"],
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                    for i in found.get_indexes(name)
                ),
                "foreign keys": sorted(
                    (tuple(k["constrained_columns"]), k["referred_table"])
                    for k in found.get_foreign_keys(name)
                ),
            }
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        meta = connection.execute(text("SELECT key, value FROM meta ORDER BY key")).all()
    return {"tables": tables, "versions": versions, "meta": meta}


def test_a_database_from_the_template_is_a_migrated_one(
    empty_url: Callable[[], str], tmp_path: Path
) -> None:
    (tmp_path / "templates").mkdir()
    templates = Templates(tmp_path / "templates")
    templates.fill(empty_url())  # the first makes the template
    copied, migrated = make_engine(empty_url()), make_engine(empty_url())
    try:
        templates.fill(copied.url.render_as_string(hide_password=False))
        schema.prepare(migrated)
        shape = _shape(migrated)
        assert {"records", "fragments", "memberships", "meta", "list_sizes"} <= set(shape["tables"])
        assert shape["meta"], "a new store records its format versions"
        assert _shape(copied) == shape
        with copied.connect() as connection:
            assert schema.status(connection).up_to_date
    finally:
        copied.dispose()
        migrated.dispose()


def test_a_database_that_is_not_empty_is_left_alone(
    empty_url: Callable[[], str], tmp_path: Path
) -> None:
    url = empty_url()
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE mine (x INTEGER)"))
        Templates(tmp_path).fill(url)
        with engine.connect() as connection:
            assert inspect(connection).get_table_names() == ["mine"]
    finally:
        engine.dispose()
