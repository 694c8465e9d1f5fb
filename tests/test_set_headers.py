"""A set's ListIdentifiers sends the headers its memberships repeat (store.models,
Membership): they must be the headers the records' other answers carry, through every
change a load can make, and an older database gets them when it is upgraded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from oai.store import make_engine, schema

from . import xsd
from .conftest import record

Header = tuple[str | None, list[str]]


def _headers(oai_get: Any, verb: str, **args: str) -> dict[str, Header]:
    """identifier -> (status, setSpecs) of every header of a list harvested to its end."""
    seen: dict[str, Header] = {}
    root = oai_get(verb=verb, **args)
    while True:
        for header in root.iterfind(".//oai:header", xsd.NS):
            identifier = header.findtext("oai:identifier", namespaces=xsd.NS)
            specs = header.xpath("oai:setSpec/text()", namespaces=xsd.NS)
            seen[identifier] = (header.get("status"), specs)
        token = root.findtext(".//oai:resumptionToken", namespaces=xsd.NS)
        if not token:
            return seen
        root = oai_get(verb=verb, resumptionToken=token)


def _id(n: int) -> str:
    return f"oai:example.org:rec-{n:05d}"


# oai_dc has every record, so its set pages read the memberships alone; mods declines a
# record without a title, so its set pages look up each member's fragment as well.
@pytest.mark.parametrize("prefix", ["oai_dc", "mods"])
def test_a_sets_headers_follow_every_change_a_load_makes(
    load: Any, oai_get: Any, prefix: str
) -> None:
    untitled = record(7, metadata={"creator": ["Doe, Jane"], "type": ["Text"]})
    load([record(n) for n in range(7)] + [untitled])
    load(
        [
            record(1, sets=["all", "odd", "topic:a"]),  # a set added, with its parent
            {**record(3), "deleted": True},  # deleted, keeping its sets
            record(4, sets=["even"]),  # left a set
        ]
    )
    expected: dict[str, Header] = {
        _id(0): (None, ["all", "even"]),
        _id(1): (None, ["all", "odd", "topic", "topic:a"]),
        _id(2): (None, ["all", "even"]),
        _id(3): ("deleted", ["all", "odd"]),
        _id(5): (None, ["all", "odd"]),
        _id(6): (None, ["all", "even"]),
    }
    if prefix == "oai_dc":
        expected[_id(7)] = (None, ["all", "odd"])
    assert _headers(oai_get, "ListIdentifiers", metadataPrefix=prefix, set="all") == expected
    assert _headers(oai_get, "ListRecords", metadataPrefix=prefix, set="all") == expected
    window = {"from": "2000-01-01", "until": "2999-12-31"}
    got = _headers(oai_get, "ListIdentifiers", metadataPrefix=prefix, set="all", **window)
    assert got == expected
    assert _headers(oai_get, "ListIdentifiers", metadataPrefix=prefix, set="topic") == {
        _id(1): expected[_id(1)]
    }


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_an_upgrade_gives_memberships_their_records_headers(engine: Engine) -> None:
    """Revision 0006 copies each record's header parts into its memberships; a
    membership whose record has no fragment (no code writes one) gets them written."""
    schema.upgrade(engine, "0005")
    stamp = "2024-01-02 03:04:05"
    opening = b"<header><identifier>oai:x:a</identifier>"
    closing = b"<setSpec>s</setSpec><setSpec>s:t</setSpec></header>"
    with engine.begin() as connection:
        for identifier, deleted in (("oai:x:a", False), ("oai:x:b&c", True)):
            connection.execute(
                text(
                    "INSERT INTO records (identifier, datestamp, deleted, source, digest) "
                    "VALUES (:i, :d, :x, '{}', '0')"
                ),
                {"i": identifier, "d": stamp, "x": deleted},
            )
            for spec in ("s", "s:t"):
                connection.execute(
                    text(
                        "INSERT INTO memberships (set_spec, datestamp, identifier) "
                        "VALUES (:s, :d, :i)"
                    ),
                    {"s": spec, "d": stamp, "i": identifier},
                )
        connection.execute(
            text(
                "INSERT INTO fragments (prefix, datestamp, identifier, header_open, "
                "header_close, metadata_xml) VALUES ('oai_dc', :d, 'oai:x:a', :o, :c, :m)"
            ),
            {"d": stamp, "o": opening, "c": closing, "m": b"<x/>"},
        )
    schema.upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT identifier, set_spec, header_open, header_close FROM memberships "
                "ORDER BY identifier, set_spec"
            )
        ).all()
    orphan_open = b'<header status="deleted"><identifier>oai:x:b&amp;c</identifier>'
    assert [(i, s, bytes(o), bytes(c)) for i, s, o, c in rows] == [
        ("oai:x:a", "s", opening, closing),
        ("oai:x:a", "s:t", opening, closing),
        ("oai:x:b&c", "s", orphan_open, closing),
        ("oai:x:b&c", "s:t", orphan_open, closing),
    ]
