"""Where tests put their data: a new SQLite file, or a new schema in a PostgreSQL database.

PostgreSQL is used when ``OAI_TEST_POSTGRES_URL`` names a server (.ci/run sets it).
Each pytest session creates its own database there, ``oai_test_<random>``, with
an ICU English collation as its default, so any identifier column that forgot
``COLLATE "C"`` sorts differently from SQLite and fails the order tests. Each test
gets a fresh schema in it (``search_path`` in the URL), and the session drops
the whole database at the end: concurrent runs never see each other's data.

Running the migrations for every app costs more than most tests (about 0.1 s on
SQLite, 0.25 s on PostgreSQL, ~3,000 apps a run), so :class:`Templates` migrates one
database of each kind once per session and gives an empty one what that made: a
copy of the SQLite file, or on PostgreSQL a replay of the statements the migrations
ran. A database that is not empty is left alone, so tests of upgrades still see
their own old schema.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from oai.store import make_engine, schema

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


#: One statement the migrations ran: SQL, parameters, and whether it was an executemany.
Statement = tuple[str, Any, bool]
_READ_ONLY = ("select", "show", "pragma")


class Templates:
    """Migrated databases made once per session, handed to empty databases as copies."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._sqlite: Path | None = None
        self._statements: Sequence[Statement] | None = None

    def fill(self, url: str) -> None:
        """Give ``url``'s database the migrated schema, if it is empty; else nothing."""
        if url.startswith("sqlite"):
            self._fill_sqlite(Path(make_url(url).database or ""))
        else:
            self._fill_postgres(url)

    def _fill_sqlite(self, path: Path) -> None:
        if path.exists():
            return
        if self._sqlite is None:
            template = self._folder / "template.sqlite"
            engine = make_engine(f"sqlite:///{template}")
            schema.prepare(engine)
            engine.dispose()  # the last connection folds the write-ahead log back in
            self._sqlite = template
        shutil.copyfile(self._sqlite, path)

    def _fill_postgres(self, url: str) -> None:
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                if inspect(connection).get_table_names():
                    return
            if self._statements is None:
                self._statements = self._record(engine)
                return  # recording migrated this database itself
            with engine.begin() as connection:
                cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
                for statement, parameters, many in self._statements:
                    if many:
                        cursor.executemany(statement, parameters)
                    else:
                        cursor.execute(statement, parameters or None)
        finally:
            engine.dispose()

    @staticmethod
    def _record(engine: Engine) -> list[Statement]:
        """Migrate ``engine``'s empty schema, keeping every statement that wrote something."""
        statements: list[Statement] = []

        def keep(_conn: Any, _cursor: Any, sql: str, params: Any, _ctx: Any, many: bool) -> None:
            if not sql.lstrip().lower().startswith(_READ_ONLY):
                statements.append((sql, params, many))

        event.listen(engine, "before_cursor_execute", keep)
        try:
            schema.prepare(engine)
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        return statements
