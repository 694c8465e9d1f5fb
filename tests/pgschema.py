"""A PostgreSQL schema of one's own, for tests that run real processes against the server.

``OAI_TEST_POSTGRES_URL`` names the server; without it these tests skip, saying why.
The schema (``h_hostile_<random>``) is created for the test and dropped after it;
nothing else on the shared server is touched.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text


def server_url() -> str:
    url = os.environ.get("OAI_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("OAI_TEST_POSTGRES_URL is not set: the PostgreSQL case needs a server")
    return url


@contextlib.contextmanager
def own_schema(server: str) -> Iterator[str]:
    """A SQLAlchemy URL whose connections see only a new, empty schema."""
    schema = f"h_hostile_{secrets.token_hex(5)}"
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


def with_port(url: str, port: int) -> str:
    """``url`` with another port: how a test reaches the server through a proxy it controls."""
    return make_url(url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


@contextlib.contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A new SQLite file in ``folder``, or a schema of one's own on the PostgreSQL server."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'store.sqlite'}"
        return
    with own_schema(server_url()) as url:
        yield url


def admin_engine() -> Engine:
    """An autocommit engine on the server, for watching ``pg_stat_activity``."""
    return create_engine(server_url(), isolation_level="AUTOCOMMIT")
