"""The same repository on SQLite and PostgreSQL: order, datestamps, and byte-equal responses.

The first tests run on both databases (conftest ``database_url``); the last one
needs both at once and compares their responses to the same requests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from oai import create_app
from oai.config import fixtures_dir
from oai.store import queries

from . import databases, xsd
from .conftest import error_code, load_lines, record

#: Tails whose order differs between collations: case, '-' '_' '.' '~', accents, scripts.
TAILS = ["a", "A", "a-b", "a_b", "a.b", "a~b", "ab", "B", "z", "Z", "e", "é", "ä", "ß", "日本", "0"]
SPECS = ["a", "A", "a-b", "a_b", "a.b", "ab", "B", "Z", "z", "0"]


def _follow(get: Callable[..., etree._Element], verb: str, **args: str) -> list[etree._Element]:
    pages = [get(verb=verb, **args)]
    while token := pages[-1].findtext(".//oai:resumptionToken", namespaces=xsd.NS):
        pages.append(get(verb=verb, resumptionToken=token))
    return pages


def _texts(pages: list[etree._Element], path: str) -> list[str]:
    return [value for page in pages for value in page.xpath(path, namespaces=xsd.NS)]


def test_keyset_order_is_bytewise(load, oai_get) -> None:
    identifiers = [f"oai:example.org:{tail}" for tail in TAILS]
    load(
        [{"setSpec": spec, "setName": f"Set {spec}"} for spec in SPECS]
        + [
            record(n, identifier=i, datestamp="2024-05-05T05:05:05Z")
            for n, i in enumerate(identifiers)
        ]
    )
    pages = _follow(oai_get, "ListIdentifiers", metadataPrefix="oai_dc")
    listed = _texts(pages, "//oai:header/oai:identifier/text()")
    assert listed == sorted(identifiers, key=lambda i: i.encode("utf-8"))
    pages = _follow(oai_get, "ListSets")
    listed = [s for s in _texts(pages, "//oai:setSpec/text()") if s in SPECS]
    assert listed == sorted(SPECS, key=lambda s: s.encode("utf-8"))


@pytest.fixture
def zoned_url(database_url: str) -> str:
    """The test database, opened (on PostgreSQL) in a session time zone far from UTC."""
    if not database_url.startswith(databases.POSTGRESQL):
        return database_url
    url = make_url(database_url)
    options = f"{url.query['options']} -c timezone=Pacific/Kiritimati"
    return url.update_query_dict({"options": options}).render_as_string(hide_password=False)


STAMP = "2024-02-29T23:59:59Z"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.mark.parametrize(
    ("window", "found"),
    [
        ({"from": STAMP, "until": STAMP}, True),
        ({"from": "2024-02-29", "until": "2024-02-29"}, True),
        ({"until": "2024-02-29T23:59:58Z"}, False),
        ({"from": "2024-03-01T00:00:00Z"}, False),
        ({"from": "2024-03-01"}, False),
    ],
    ids=["same-second", "same-day", "second-before", "second-after", "day-after"],
)
def test_datestamps_keep_the_second_in_utc(
    make_app: Callable[..., Flask], zoned_url: str, window: dict[str, str], found: bool, schemas
) -> None:
    app = make_app(database_url=zoned_url)
    with app.extensions["oai"].engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            assert connection.execute(text("SHOW timezone")).scalar() == "UTC"
    load_lines(app, [record(1, datestamp=STAMP)])
    client = app.test_client()
    query = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", **window}
    root = xsd.validate(client.get("/oai", query_string=query).data)
    stamps = root.xpath("//oai:header/oai:datestamp/text()", namespaces=xsd.NS)
    assert (stamps, error_code(root)) == (([STAMP], None) if found else ([], "noRecordsMatch"))


def test_load_time_datestamps_are_utc_seconds(make_app: Callable[..., Flask], zoned_url: str):
    app = make_app(database_url=zoned_url)
    before = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    line = record(1)
    del line["datestamp"]
    load_lines(app, [line])
    after = datetime.now(UTC).replace(tzinfo=None)
    with Session(app.extensions["oai"].read_engine) as session:
        stored = queries.record_datestamp(session, line["identifier"])
        earliest = queries.earliest_datestamp(session)
    assert stored is not None and stored.tzinfo is None and stored.microsecond == 0
    assert before <= stored <= after
    assert earliest == stored
    root = xsd.validate(app.test_client().get("/oai?verb=Identify").data)
    shown = root.findtext(".//oai:earliestDatestamp", namespaces=xsd.NS)
    assert ISO.match(shown) and shown == stored.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- byte-equal responses on both databases ------------------------------------------------

LINES: list[dict[str, Any]] = (
    [{"setSpec": spec, "setName": f"Set {spec}"} for spec in SPECS]
    + [
        record(n, identifier=f"oai:example.org:{tail}", sets=[SPECS[n % len(SPECS)], "all"])
        for n, tail in enumerate(TAILS)
    ]
    + [record(100 + n, datestamp="2024-01-01T00:00:00Z") for n in range(7)]
    + [{"identifier": "oai:example.org:gone", "deleted": True, "datestamp": "2023-12-31T23:59:59Z"}]
    # PostgreSQL text cannot hold NUL; SQLite can: both must answer alike.
    + [{"setSpec": "ctl", "setName": "Ctl\x00\x01\ud800", "setDescription": "D\x00"}]
)

REQUESTS: list[dict[str, str]] = [
    {"verb": "Identify"},
    {"verb": "ListMetadataFormats"},
    {"verb": "ListMetadataFormats", "identifier": "oai:example.org:é"},
    {"verb": "ListSets"},
    {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "a"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "journal"},
    {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2024-01-01"},
    {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "2024-01-01T00:00:00Z"},
    {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2030-01-01"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:example.org:日本"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:example.org:gone"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:example.org:none"},
    {"verb": "GetRecord", "metadataPrefix": "marc", "identifier": "oai:example.org:a"},
    {"verb": "ListRecords", "resumptionToken": "forged"},
    {"verb": "ListSets", "set": "a"},
    {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:example.org:a\x00"},
    {"verb": "ListMetadataFormats", "identifier": "oai:example.org:\x00"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "a\x00"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01\x00"},
]


@pytest.fixture
def both(postgres: databases.PostgresDatabase, tmp_path: Path) -> Iterator[list[FlaskClient]]:
    """The same records in an SQLite and a PostgreSQL repository; their test clients."""
    apps = []
    for url in (f"sqlite:///{tmp_path / 'oai.sqlite'}", postgres.new_schema("same")):
        app = create_app(
            {
                "database_url": url,
                "secret_key": "same key",
                "page_size": 4,
                "repository_identifier": "example.org",
            }
        )
        fixtures = [
            text
            for path in sorted(fixtures_dir().glob("*.jsonl"))
            for text in path.read_text("utf-8").splitlines()
        ]
        load_lines(app, fixtures + LINES)
        apps.append(app)
    yield [app.test_client() for app in apps]
    for app in apps:
        app.extensions["oai"].close()


def _normalised(body: bytes) -> bytes:
    """The response without what depends on the moment: responseDate and token texts (a
    token holds the second its list began)."""
    root = xsd.validate(body)
    for element in root.iterfind("oai:responseDate", xsd.NS):
        element.text = ""
    for element in root.iterfind("oai:request[@resumptionToken]", xsd.NS):
        element.set("resumptionToken", "token")
    for element in root.iterfind(".//oai:resumptionToken", xsd.NS):
        element.text = "token" if element.text else ""
        element.attrib.pop("expirationDate", None)
    return etree.tostring(root)


@pytest.mark.parametrize("request_args", REQUESTS, ids=lambda r: "-".join(r.values())[:60])
def test_sqlite_and_postgresql_answer_alike(
    both: list[FlaskClient], request_args: dict[str, str], schemas
) -> None:
    pages: list[list[bytes]] = [[], []]
    for side, client in enumerate(both):
        args = request_args
        while True:
            body = client.get("/oai", query_string=args).data
            pages[side].append(_normalised(body))
            token = xsd.validate(body).findtext(".//oai:resumptionToken", namespaces=xsd.NS)
            if not token:
                break
            args = {"verb": request_args["verb"], "resumptionToken": token}
    assert pages[0] == pages[1]


def _psycopg(monkeypatch: pytest.MonkeyPatch, installed: bool) -> None:
    """Make the settings see psycopg as installed or not, whatever this machine has."""
    import importlib.util

    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "psycopg":
            return real("json") if installed else None  # any spec stands for "installed"
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("sqlite:///tmp/x.sqlite", "sqlite:///tmp/x.sqlite"),
        ("postgresql+psycopg://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgresql://u@h/d?options=-csearch_path%3Ds", "postgresql+psycopg://u@h/d?options="),
        ("nonsense", None),
        ("mysql://u@h/d", None),
        ("postgresql+psycopg2://u@h/d", None),
    ],
)
@pytest.mark.parametrize("name", ["OAI_DATABASE_URL", "OAI_DATABASE_READ_URL"])
def test_database_urls_are_checked_when_read(
    name: str, raw: str, kept: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oai.config import ConfigError, load_settings

    _psycopg(monkeypatch, installed=True)
    if kept is None:
        with pytest.raises(ConfigError, match=f"^{name}: "):
            load_settings({name: raw}, tmp_path)
        return
    settings = load_settings({name: raw}, tmp_path)
    value = settings.database_url if name == "OAI_DATABASE_URL" else settings.database_read_url
    assert value is not None and value.startswith(kept)


@pytest.mark.parametrize("raw", ["postgresql+psycopg://u@h/d", "postgresql://u@h/d"])
def test_a_postgresql_url_without_psycopg_says_what_to_install(
    raw: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oai.config import ConfigError, load_settings

    _psycopg(monkeypatch, installed=False)
    with pytest.raises(ConfigError, match=r"^OAI_DATABASE_URL: .*oai-endpoint\[postgres\]"):
        load_settings({"OAI_DATABASE_URL": raw}, tmp_path)
    # SQLite needs nothing more.
    assert load_settings({"OAI_DATABASE_URL": "sqlite:///x"}, tmp_path).database_url


def test_a_large_load_refreshes_postgresql_statistics(
    make_app: Callable[..., Flask], database_url: str, tmp_path: Path, monkeypatch
) -> None:
    from click.testing import CliRunner

    from oai import store
    from oai.cli import main

    monkeypatch.setattr(store, "ANALYZE_AFTER", 5)
    engine = make_app().extensions["oai"].engine
    source = tmp_path / "records.jsonl"
    source.write_text("".join(json.dumps(record(n)) + "\n" for n in range(6)))
    result = CliRunner().invoke(main, ["load", str(source)], env={"OAI_DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    if engine.dialect.name != "postgresql":
        assert not store.refresh_statistics(engine, 6)  # SQLite's planner needs none
        return
    with engine.connect() as connection:
        analyzed = connection.execute(
            text(
                "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
                "AND last_analyze IS NOT NULL ORDER BY relname"
            )
        ).scalars()
        assert list(analyzed) == ["fragments", "memberships", "records", "sets"]
