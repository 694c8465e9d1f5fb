"""Shared fixtures: a fresh app per test on a temporary database, and schema checks.

Every response a test obtains through ``oai_get``/``oai_post`` is validated against
the official XSDs; the XSD-dependent fixtures skip, saying why, when the schemas
are not found (see tests/xsd.py). At the end of a run, the tests that skipped are
counted by what they lacked, each with the one line that enables them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from oai import create_app
from oai.store.loader import Loader, numbered_lines

from . import databases, xsd


@dataclass(frozen=True, slots=True)
class SkipGroup:
    """Tests that skip for one missing thing: how their skip reason says it, and the fix."""

    needs: str
    #: Text every skip reason of the group contains.
    reason: str
    enable: str


#: The groups README.md's "Tests" section lists, with the same lines.
SKIP_GROUPS = (
    SkipGroup(
        "PostgreSQL",
        "OAI_TEST_POSTGRES_URL",
        "export OAI_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test",
    ),
    SkipGroup("a real browser", "chromium", "apt-get install chromium chromium-driver"),
    SkipGroup("selenium", "selenium", "python -m pip install -e '.[test]'"),
    SkipGroup(
        "the official XSDs",
        "official schemas",
        "put them at ../shared/schemas, or export OAI_TEST_SCHEMAS=/path/to/schemas",
    ),
    SkipGroup("the seed article", "shared/seed", "put shared/seed beside the checkout"),
)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def skip_summary(reasons: list[str]) -> list[str]:
    """One line per group of skips, largest first: how many, what they need, the fix.
    A reason of no known group is its own line, as the test gave it."""
    counted: dict[str, int] = {}
    for reason in reasons:
        group = next((g for g in SKIP_GROUPS if g.reason in reason), None)
        key = f"need {group.needs}: {group.enable}" if group else reason
        counted[key] = counted.get(key, 0) + 1
    ordered = sorted(counted.items(), key=lambda item: -item[1])
    return [f"{count:5d} skipped, {key}" for key, count in ordered]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Which groups of tests skipped, and the one line that enables each."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    terminalreporter.section("skipped, and how to run them (README.md, Tests)")
    for line in skip_summary([_skip_reason(report) for report in skipped]):
        terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from the test, never from the developer's shell."""
    for name in list(os.environ):
        if name.startswith("OAI_") and not name.startswith("OAI_TEST_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def postgres() -> Iterator[databases.PostgresDatabase]:
    """This session's own PostgreSQL database; skips when OAI_TEST_POSTGRES_URL is unset."""
    server = databases.postgres_url()
    if server is None:
        pytest.skip("PostgreSQL not configured: set OAI_TEST_POSTGRES_URL to run these")
    database = databases.PostgresDatabase(server)
    yield database
    database.close()


@pytest.fixture(params=databases.KINDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database a test's app uses: a new SQLite file, or a new PostgreSQL schema.

    Every test that touches the database runs on both (ids ``[sqlite]``, ``[postgresql]``).
    """
    if request.param == databases.SQLITE:
        return f"sqlite:///{tmp_path / 'oai.sqlite'}"
    postgres: databases.PostgresDatabase = request.getfixturevalue("postgres")
    return postgres.new_schema()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> databases.Templates:
    """Migrated once per session, copied into each empty database an app is made on."""
    return databases.Templates(tmp_path_factory.mktemp("templates"))


@pytest.fixture
def make_app(database_url: str, templates: databases.Templates) -> Iterator[Callable[..., Flask]]:
    apps: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        if not apps and "database_url" not in overrides:
            templates.fill(database_url)
        settings = {
            "database_url": database_url,
            "secret_key": "test-secret",
            "repository_name": "Test Repository",
            "admin_email": "admin@example.org",
            "repository_identifier": "example.org",
        }
        settings.update(overrides)
        app = create_app(settings)
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["oai"].close()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(page_size=3)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def load_lines(app: Flask, lines: list[dict[str, Any]] | list[str]) -> None:
    """Load JSON objects (or raw lines) into the app's database in one transaction."""
    texts = [line if isinstance(line, str) else json.dumps(line) for line in lines]
    with Session(app.extensions["oai"].engine) as session, session.begin():
        loader = Loader(session)
        for number, line in numbered_lines("<test>", texts):
            loader.add("<test>", number, line)
        loader.finish()


@pytest.fixture
def load(app: Flask) -> Callable[[list[Any]], None]:
    return lambda lines: load_lines(app, lines)


def record(n: int, **extra: Any) -> dict[str, Any]:
    """A generated record ``oai:example.org:rec-<n>``; ``extra`` overrides fields."""
    line: dict[str, Any] = {
        "identifier": f"oai:example.org:rec-{n:05d}",
        "datestamp": f"2024-01-{1 + n % 28:02d}T{n % 24:02d}:00:00Z",
        "sets": ["all"] + (["even"] if n % 2 == 0 else ["odd"]),
        "metadata": {"title": [f"Record {n}"], "creator": ["Doe, Jane"], "type": ["Text"]},
    }
    line.update(extra)
    return line


@pytest.fixture
def schemas() -> Path:
    folder = xsd.schemas_dir()
    if folder is None:
        pytest.skip("official schemas not found: set OAI_TEST_SCHEMAS or place ../shared/schemas")
    return folder


@pytest.fixture
def oai_get(client: FlaskClient, schemas: Path) -> Callable[..., etree._Element]:
    """GET /oai with the given arguments; asserts 200 + text/xml and validates the body."""

    def get(*pairs: tuple[str, str], **args: str) -> etree._Element:
        query = list(pairs) + list(args.items())
        response = client.get("/oai", query_string=query)
        assert response.status_code == 200
        assert response.content_type == "text/xml; charset=utf-8"
        return xsd.validate(response.data)

    return get


@pytest.fixture
def oai_post(client: FlaskClient, schemas: Path) -> Callable[..., etree._Element]:
    """POST /oai (form-encoded, repeats kept); the same checks as ``oai_get``."""

    def post(*pairs: tuple[str, str], **args: str) -> etree._Element:
        data = MultiDict(list(pairs) + list(args.items()))
        response = client.post("/oai", data=data)
        assert response.status_code == 200
        assert response.content_type == "text/xml; charset=utf-8"
        return xsd.validate(response.data)

    return post


def error_code(root: etree._Element) -> str | None:
    error = root.find("oai:error", xsd.NS)
    return None if error is None else error.get("code")
