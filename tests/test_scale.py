"""Many processes, one repository: gunicorn workers, several nodes, a read replica.

Each test runs on SQLite and on PostgreSQL (see conftest ``database_url``). The
servers are real ``python -m oai serve`` processes sharing the test's database.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from oai.cli import main
from oai.config import fixtures_dir
from oai.store import make_engine, queries
from oai.store.models import Meta

from . import databases, xsd
from .conftest import error_code, load_lines, record
from .server import Started, running_servers

PAGE = 7
#: Few datestamps for many records, so pages often split a run of equal datestamps.
STAMPS = ("2024-03-01T12:00:00Z", "2024-03-02T00:00:00Z", "2024-03-02T00:00:01Z")
#: Identifier tails whose order depends on the collation (case, punctuation, accents).
TAILS = ("a", "A", "a-b", "a_b", "ab", "a.b", "B", "z", "Z", "é", "e", "E")


def lines() -> list[dict[str, Any]]:
    out = []
    for n in range(60):
        tail = f"{TAILS[n % len(TAILS)]}{n // len(TAILS)}"
        out.append(
            record(n, identifier=f"oai:example.org:{tail}", datestamp=STAMPS[n % len(STAMPS)])
        )
    return out


def expected(lines: list[dict[str, Any]], set_spec: str | None = None) -> list[str]:
    """List order: datestamp, then identifier compared by code point (= UTF-8 bytes)."""
    chosen = [line for line in lines if set_spec is None or set_spec in line["sets"]]
    return [
        line["identifier"]
        for line in sorted(chosen, key=lambda line: (line["datestamp"], line["identifier"]))
    ]


@pytest.fixture
def loaded(make_app: Callable[..., Flask], database_url: str) -> str:
    """The test's database, its schema made and ``lines()`` loaded through an app."""
    load_lines(make_app(), lines())
    return database_url


def get(server: Started, **args: str) -> etree._Element:
    """GET the server's /oai with ``args``; asserts HTTP 200, returns the validated document."""
    url = f"{server.url}?{urllib.parse.urlencode(args)}"
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return xsd.validate(response.read())


def harvest(servers: list[Started], **args: str) -> list[str]:
    """Every header identifier of a list, page after page, asking the servers in turn."""
    identifiers: list[str] = []
    token: str | None = None
    for page in range(10_000):
        server = servers[page % len(servers)]
        query = {"verb": args["verb"], "resumptionToken": token} if token else args
        root = get(server, **query)
        identifiers += root.xpath("//oai:header/oai:identifier/text()", namespaces=xsd.NS)
        token = root.findtext(".//oai:resumptionToken", namespaces=xsd.NS)
        if not token:
            return identifiers
    raise AssertionError("the list never ended")


def _env(url: str, **extra: str) -> dict[str, str]:
    return {"OAI_DATABASE_URL": url, "OAI_PAGE_SIZE": str(PAGE), **extra}


def test_two_nodes_alternating_pages_harvest_everything_once(
    loaded: str, make_app: Callable[..., Flask], tmp_path: Path, schemas: Path
) -> None:
    shared = _env(loaded, OAI_SECRET_KEY="key shared by the nodes")
    with running_servers(tmp_path, [shared, shared]) as (node_a, node_b):
        for args in (
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
            {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "even"},
        ):
            got = harvest([node_a, node_b], **args)
            assert got == expected(lines(), args.get("set"))
        first = get(node_a, verb="ListIdentifiers", metadataPrefix="oai_dc")
        token = first.findtext(".//oai:resumptionToken", namespaces=xsd.NS)
        assert token
    # A node signing with another key cannot be mixed in: the key must be shared.
    stranger = make_app(secret_key="another key").test_client()
    answer = stranger.get(
        "/oai", query_string={"verb": "ListIdentifiers", "resumptionToken": token}
    )
    assert error_code(xsd.validate(answer.data)) == "badResumptionToken"


def test_workers_serve_concurrent_harvests(loaded: str, tmp_path: Path, schemas: Path) -> None:
    with running_servers(tmp_path, [_env(loaded, OAI_SECRET_KEY="k")], workers=3) as (server,):
        assert len(server.worker_pids(expect=3)) == 3
        args = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _: harvest([server], **args), range(8)))
    assert results == [expected(lines())] * 8


def _fixture_identifiers() -> list[str]:
    found = []
    for path in sorted(fixtures_dir().glob("*.jsonl")):
        for text in path.read_text("utf-8").splitlines():
            if text.strip() and "identifier" in json.loads(text):
                found.append(json.loads(text)["identifier"])
    return found


def test_nodes_starting_together_on_an_empty_database(
    database_url: str, tmp_path: Path, schemas: Path
) -> None:
    """Both migrate-and-seed at once: the schema is made once, fixtures load once, one key."""
    env = _env(database_url, OAI_PAGE_SIZE="2")  # no OAI_SECRET_KEY: the stored one is shared
    with running_servers(tmp_path, [env, env]) as (node_a, node_b):
        got = harvest([node_a, node_b], verb="ListIdentifiers", metadataPrefix="oai_dc")
        assert sorted(got) == sorted(_fixture_identifiers())
        assert len(got) == len(set(got))
    stats = CliRunner().invoke(main, ["stats"], env=env)
    assert stats.exit_code == 0, stats.output
    assert f"records: {len(_fixture_identifiers())}" in stats.output
    assert "(head)" in CliRunner().invoke(main, ["db", "current"], env=env).output


@pytest.fixture
def replica_url(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A second database of the same kind as ``database_url``, playing the read replica."""
    if database_url.startswith(databases.SQLITE):
        return f"sqlite:///{tmp_path / 'replica.sqlite'}"
    postgres: databases.PostgresDatabase = request.getfixturevalue("postgres")
    return postgres.new_schema("replica")


def _counts(url: str) -> tuple[queries.Counts, list[str]]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return queries.counts(session), list(session.scalars(select(Meta.key)))
    finally:
        engine.dispose()


def test_reads_go_to_the_replica_and_writes_to_the_primary(
    make_app: Callable[..., Flask], database_url: str, replica_url: str, tmp_path: Path, oai_get
) -> None:
    primary_lines = [record(n, identifier=f"oai:example.org:primary-{n}") for n in range(4)]
    replica_lines = [record(n, identifier=f"oai:example.org:replica-{n}") for n in range(2)]
    load_lines(make_app(), primary_lines)
    load_lines(make_app(database_url=replica_url), replica_lines)

    app = make_app(database_read_url=replica_url, secret_key=None, page_size=100)
    client = app.test_client()
    body = client.get("/oai", query_string={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    root = xsd.validate(body.data)
    listed = root.xpath("//oai:header/oai:identifier/text()", namespaces=xsd.NS)
    assert sorted(listed) == sorted(line["identifier"] for line in replica_lines)
    for identifier, code in (
        ("oai:example.org:replica-1", None),
        ("oai:example.org:primary-1", "idDoesNotExist"),
    ):
        query = {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": identifier}
        got = xsd.validate(client.get("/oai", query_string=query).data)
        assert error_code(got) == code
    # The generated token key is a write: it went to the primary.
    assert "secret_key" in _counts(database_url)[1]
    assert "secret_key" not in _counts(replica_url)[1]

    source = tmp_path / "more.jsonl"
    source.write_text(json.dumps(record(9, identifier="oai:example.org:new")) + "\n")
    env = {"OAI_DATABASE_URL": database_url, "OAI_DATABASE_READ_URL": replica_url}
    runner = CliRunner()
    assert runner.invoke(main, ["load", str(source)], env=env).exit_code == 0
    assert runner.invoke(main, ["delete", "oai:example.org:primary-0"], env=env).exit_code == 0
    primary, _ = _counts(database_url)
    replica, _ = _counts(replica_url)
    assert (primary.records, primary.deleted) == (5, 1)
    assert (replica.records, replica.deleted) == (2, 0)
