"""Statements run on the driver's cursor (oai.store.driver) answer as Connection.execute does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.exc import DBAPIError, InvalidRequestError, SQLAlchemyError

from oai.store import make_read_engine
from oai.store.driver import DriverStatement

from . import pgschema

ROWS = [
    {"n": 1, "name": "one", "stamp": datetime(2024, 1, 2, 3, 4, 5)},
    {"n": 2, "name": "two", "stamp": datetime(2024, 1, 2, 3, 4, 6)},
    {"n": 3, "name": "three", "stamp": datetime(2024, 2, 1, 0, 0, 0)},
]
META = MetaData()
THINGS = Table(
    "driver_things",
    META,
    Column("n", Integer, primary_key=True),
    Column("name", String(20)),
    Column("stamp", DateTime()),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def connection(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Connection]:
    with pgschema.database(request.param, tmp_path) as url:
        engine = make_read_engine(url)
        with engine.begin() as writing:
            META.create_all(writing)
            writing.execute(insert(THINGS), ROWS)
        with engine.connect() as connection:
            yield connection
        engine.dispose()


# A datetime bound (its processor: SQLite stores DateTime as text), a parameter used
# twice (SQLite's positional markers repeat it), and a LIMIT (SQLite adds OFFSET 0).
AFTER = (
    select(THINGS.c.n, THINGS.c.name)
    .where(THINGS.c.stamp > bindparam("after", type_=DateTime()))
    .order_by(THINGS.c.n)
    .limit(bindparam("limit", type_=Integer()))
)
TWICE = select(
    select(func.count()).where(THINGS.c.name == bindparam("name")).scalar_subquery()
    + select(func.count()).where(THINGS.c.name >= bindparam("name")).scalar_subquery()
)


@pytest.mark.parametrize(
    ("statement", "values", "expected"),
    [
        (AFTER, {"after": datetime(2024, 1, 2, 3, 4, 5), "limit": 5}, [(2, "two"), (3, "three")]),
        (AFTER, {"after": datetime(2024, 1, 1), "limit": 1}, [(1, "one")]),
        (AFTER, {"after": datetime(2025, 1, 1), "limit": 5}, []),
        # "three" and "two" are >= "three": 1 + 2
        (TWICE, {"name": "three"}, [(3,)]),
    ],
)
def test_rows_are_those_connection_execute_returns(
    connection: Connection, statement: Any, values: dict[str, Any], expected: list[Any]
) -> None:
    rows = [tuple(row) for row in DriverStatement(statement).all(connection, values)]
    assert rows == expected
    assert [tuple(row) for row in connection.execute(statement, values)] == expected


def test_first_is_the_first_row_or_none(connection: Connection) -> None:
    driver = DriverStatement(AFTER)
    assert driver.first(connection, {"after": datetime(2024, 1, 2), "limit": 5}) == (1, "one")
    assert driver.first(connection, {"after": datetime(2030, 1, 1), "limit": 1}) is None


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it(connection: Connection) -> None:
    missing = select(Table("driver_missing", MetaData(), Column("n", Integer)).c.n)
    with pytest.raises(DBAPIError) as raised:
        DriverStatement(missing).all(connection, {})
    assert not raised.value.connection_invalidated
    assert "driver_missing" in str(raised.value)


def test_a_missing_value_is_refused_as_sqlalchemy_refuses_it(connection: Connection) -> None:
    """Not bound as NULL, which would match nothing and say nothing."""
    with pytest.raises(InvalidRequestError, match="after"):
        DriverStatement(AFTER).all(connection, {"limit": 5})
    with pytest.raises(SQLAlchemyError, match="after"):
        connection.execute(AFTER, {"limit": 5})
