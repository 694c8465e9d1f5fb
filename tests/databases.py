"""Where tests put their data: a new SQLite file, or a new schema in a PostgreSQL database.

PostgreSQL is used when ``OAI_TEST_POSTGRES_URL`` names a server (.ci/run sets it).
Each pytest session creates its own database there, ``oai_test_<random>``, with
an ICU English collation as its default, so any identifier column that forgot
``COLLATE "C"`` sorts differently from SQLite and fails the order tests. Each test
gets a fresh schema in it (``search_path`` in the URL), and the session drops
the whole database at the end: concurrent runs never see each other's data.
"""

from __future__ import annotations

import itertools
import os
import secrets

from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
KINDS = (SQLITE, POSTGRESQL)


def postgres_url() -> str | None:
    """The server URL given by ``OAI_TEST_POSTGRES_URL``, or None."""
    return os.environ.get("OAI_TEST_POSTGRES_URL") or None


class PostgresDatabase:
    """One session's database on the test server; hands out a new schema per test."""

    def __init__(self, server_url: str) -> None:
        self.server_url = make_url(server_url)
        self.name = f"oai_test_{secrets.token_hex(6)}"
        self._numbers = itertools.count(1)
        self._admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with self._admin.connect() as connection:
            try:
                connection.execute(
                    text(
                        f"CREATE DATABASE {self.name} TEMPLATE template0 ENCODING 'UTF8' "
                        "LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
                    )
                )
            except DBAPIError:  # a server without ICU: its default collation will do
                connection.execute(text(f"CREATE DATABASE {self.name} TEMPLATE template0"))
        self.url: URL = self.server_url.set(database=self.name)
        self._engine: Engine = create_engine(self.url, isolation_level="AUTOCOMMIT")

    def new_schema(self, label: str = "t") -> str:
        """A SQLAlchemy URL whose connections work in a new, empty schema only."""
        schema = f"{label}_{next(self._numbers)}"
        with self._engine.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        url = self.url.update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def close(self) -> None:
        self._engine.dispose()
        with self._admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)"))
        self._admin.dispose()
