"""store.backfill: a database from an earlier version gains this version's formats through
``oai db upgrade``, rendered from the stored records, without reloading any file.

Runs on SQLite and PostgreSQL (conftest ``database_url``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from oai.cli import main
from oai.store import backfill, make_engine, schema
from oai.store.models import Fragment, Meta, Record

from . import xsd

OAI = "http://www.openarchives.org/OAI/2.0/"
DC_OPEN = (
    '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ '
    'http://www.openarchives.org/OAI/2.0/oai_dc.xsd">'
)
OLD_STAMP = datetime(2024, 1, 2, 3, 4, 5)


def oai(database_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={"OAI_DATABASE_URL": database_url})
    return result.exit_code, result.output


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _old_record(
    engine: Engine, identifier: str, metadata: dict[str, object], dc: str, deleted: bool = False
) -> None:
    """A record exactly as the code of revision 0003 stored it (header inside every fragment)."""
    stamp = "2024-01-02T03:04:05Z"
    status = ' status="deleted"' if deleted else ""
    header = (
        f"<identifier>{identifier}</identifier><datestamp>{stamp}</datestamp>"
        "<setSpec>all</setSpec></header>"
    )
    record = f'<record xmlns="{OAI}"><header{status}>{header}'
    record += "</record>" if deleted else f"<metadata>{DC_OPEN}{dc}</oai_dc:dc></metadata></record>"
    source = {
        "identifier": identifier,
        "datestamp": stamp,
        "deleted": deleted,
        "sets": ["all"],
        "metadata": metadata,
    }
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO records (identifier, datestamp, deleted, source, digest, header_xml) "
                "VALUES (:i, :d, :x, :s, 'old', :h)"
            ),
            {
                "i": identifier,
                "d": OLD_STAMP,
                "x": deleted,
                "s": json.dumps(source),
                "h": f'<header xmlns="{OAI}"{status}>{header}'.encode(),
            },
        )
        connection.execute(
            text(
                "INSERT INTO fragments (prefix, datestamp, identifier, record_xml) "
                "VALUES ('oai_dc', :d, :i, :r)"
            ),
            {"d": OLD_STAMP, "i": identifier, "r": record.encode()},
        )
        connection.execute(
            text(
                "INSERT INTO memberships (set_spec, datestamp, identifier) VALUES ('all', :d, :i)"
            ),
            {"d": OLD_STAMP, "i": identifier},
        )


@pytest.fixture
def old_database(engine: Engine, database_url: str) -> str:
    """A database at revision 0003 holding three records as that version stored them."""
    schema.upgrade(engine, "0003")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO sets (set_spec, name, declared) VALUES ('all', 'all', false)")
        )
    # Plain Dublin Core: today's oai_dc renders it byte for byte as before.
    _old_record(engine, "oai:example.org:plain", {"title": ["Plain"]}, "<dc:title>Plain</dc:title>")
    # Article keys the old code stored but did not use: today's oai_dc derives dc:source.
    _old_record(
        engine,
        "oai:example.org:article",
        {"title": ["An article"], "journal": "Prometheus", "pages": "69-87"},
        "<dc:title>An article</dc:title>",
    )
    _old_record(engine, "oai:example.org:gone", {"title": ["Gone"]}, "", deleted=True)
    return database_url


def _sizes_are_exact(engine: Engine) -> bool:
    """The list sizes the writes kept (store.sizes) equal a recount of the lists."""
    with engine.connect() as connection:
        kept = {
            (prefix, spec): items
            for prefix, spec, items in connection.execute(
                text("SELECT prefix, set_spec, items FROM list_sizes WHERE items > 0")
            )
        }
        counted = {
            (prefix, ""): n
            for prefix, n in connection.execute(
                text("SELECT prefix, count(*) FROM fragments GROUP BY prefix")
            )
        }
        counted.update(
            ((prefix, spec), n)
            for prefix, spec, n in connection.execute(
                text(
                    "SELECT f.prefix, m.set_spec, count(*) FROM fragments f JOIN memberships m "
                    "ON m.identifier = f.identifier GROUP BY f.prefix, m.set_spec"
                )
            )
        )
    return kept == counted


def _datestamps(engine: Engine) -> dict[str, datetime]:
    with engine.connect() as connection:
        return dict(connection.execute(select(Record.identifier, Record.datestamp)).all())


def _get_record(database_url: str, identifier: str) -> etree._Element:
    from oai import create_app

    app = create_app({"database_url": database_url, "secret_key": "k"})
    try:
        response = app.test_client().get(
            "/oai",
            query_string={
                "verb": "GetRecord",
                "metadataPrefix": "oai_dc",
                "identifier": identifier,
            },
        )
        return xsd.validate(response.data)
    finally:
        app.extensions["oai"].close()


def test_db_upgrade_renders_the_stored_records_and_restamps_only_changed_ones(
    old_database: str, engine: Engine, schemas: object
) -> None:
    code, output = oai(old_database, "stats")
    assert code == 1 and "oai db upgrade" in output

    code, output = oai(old_database, "db", "upgrade")
    assert code == 0, output
    # oai_dc changes for one record; the new formats are added where the records allow.
    assert (
        "formats rendered: oai_dc, oai_openaire, marcxml, oai_datacite, jats, mods "
        "for 3 records" in output
    )
    assert "1 records changed" in output
    stamps = _datestamps(engine)
    assert stamps["oai:example.org:plain"] == OLD_STAMP
    assert stamps["oai:example.org:gone"] == OLD_STAMP
    assert stamps["oai:example.org:article"] > OLD_STAMP
    assert _sizes_are_exact(engine)

    assert oai(old_database, "stats")[0] == 0
    article = _get_record(old_database, "oai:example.org:article")
    assert article.xpath("//dc:source/text()", namespaces=xsd.NS) == ["Prometheus; 69-87"]
    plain = _get_record(old_database, "oai:example.org:plain")
    assert plain.xpath("//oai:datestamp/text()", namespaces=xsd.NS) == ["2024-01-02T03:04:05Z"]
    assert plain.xpath("//oai:setSpec/text()", namespaces=xsd.NS) == ["all"]
    gone = _get_record(old_database, "oai:example.org:gone")
    assert gone.xpath("//oai:header/@status", namespaces=xsd.NS) == ["deleted"]

    # Done once: a second upgrade renders nothing.
    code, output = oai(old_database, "db", "upgrade")
    assert code == 0 and "formats rendered" not in output


def test_a_format_the_records_never_had_is_added_without_new_datestamps(
    database_url: str, engine: Engine
) -> None:
    lines = "\n".join(
        json.dumps(
            {
                "identifier": f"oai:example.org:r{n}",
                "datestamp": "2024-05-05T00:00:00Z",
                "metadata": {"title": [f"T{n}"]},
            }
        )
        for n in range(7)
    )
    code, output = (
        CliRunner()
        .invoke(main, ["load", "-"], input=lines, env={"OAI_DATABASE_URL": database_url})
        .exit_code,
        "",
    )
    assert code == 0
    before = _datestamps(engine)
    # As if oai_dc were new in this version: no stored element, no recorded version.
    with engine.begin() as connection:
        connection.execute(Fragment.__table__.delete().where(Fragment.prefix == "oai_dc"))
        connection.execute(text("DELETE FROM list_sizes WHERE prefix = 'oai_dc'"))
        connection.execute(Meta.__table__.delete().where(Meta.key == "format:oai_dc"))
    assert oai(database_url, "stats")[0] == 1
    backfill_batch = backfill.BATCH
    backfill.BATCH = 3  # several batches: memory is bounded by the batch, not the database
    try:
        code, output = oai(database_url, "db", "upgrade")
    finally:
        backfill.BATCH = backfill_batch
    assert code == 0, output
    assert " 0 records changed" in output
    assert _datestamps(engine) == before
    assert _sizes_are_exact(engine)
    with engine.connect() as connection:
        found = connection.execute(select(Fragment.prefix, Fragment.identifier)).all()
    # Bare titles: every record renders in oai_dc, marcxml and mods, and in no other format.
    assert sorted(found) == sorted(
        (prefix, f"oai:example.org:r{n}")
        for prefix in ("oai_dc", "marcxml", "mods")
        for n in range(7)
    )


def test_an_element_changed_by_a_new_renderer_version_restamps_just_its_record(
    database_url: str, engine: Engine
) -> None:
    lines = "\n".join(
        json.dumps(
            {
                "identifier": f"oai:example.org:r{n}",
                "datestamp": "2024-05-05T00:00:00Z",
                "metadata": {"title": [f"T{n}"]},
            }
        )
        for n in range(3)
    )
    CliRunner().invoke(main, ["load", "-"], input=lines, env={"OAI_DATABASE_URL": database_url})
    before = _datestamps(engine)
    with Session(engine) as session, session.begin():
        session.execute(
            update(Fragment)
            .where(Fragment.identifier == "oai:example.org:r1")
            .values(metadata_xml=b"<stale/>")
        )
        session.execute(update(Meta).where(Meta.key == "format:oai_dc").values(value="1"))
    code, output = oai(database_url, "db", "upgrade")
    assert code == 0, output
    after = _datestamps(engine)
    assert after["oai:example.org:r0"] == before["oai:example.org:r0"]
    assert after["oai:example.org:r2"] == before["oai:example.org:r2"]
    assert after["oai:example.org:r1"] > before["oai:example.org:r1"]
    with engine.connect() as connection:
        element = connection.execute(
            select(Fragment.metadata_xml).where(
                Fragment.identifier == "oai:example.org:r1", Fragment.prefix == "oai_dc"
            )
        ).scalar_one()
    assert b"<dc:title>T1</dc:title>" in element


def test_a_stored_record_failing_todays_checks_is_rendered_from_its_dublin_core(
    engine: Engine, database_url: str
) -> None:
    schema.upgrade(engine, "0003")
    # The old code checked only that "authors" was a list.
    _old_record(
        engine,
        "oai:example.org:odd",
        {"title": ["Odd"], "authors": ["Smith"]},
        "<dc:title>Odd</dc:title>",
    )
    code, output = oai(database_url, "db", "upgrade")
    assert code == 0, output
    assert "warning: oai:example.org:odd: metadata.authors[0] must be an object" in output
    assert "load it again corrected" in output
    assert oai(database_url, "stats")[0] == 0


def test_an_empty_database_records_the_versions_of_this_code(engine: Engine) -> None:
    schema.prepare(engine)
    with engine.connect() as connection:
        assert backfill.stale(connection) == []
        assert backfill.check(engine) == []


def test_an_older_sqlite_file_is_moved_to_large_pages(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "small-pages.sqlite"
    with sqlite3.connect(path) as made:  # as the code before 64 KB pages made files
        made.executescript("PRAGMA page_size=16384; CREATE TABLE x (a); DROP TABLE x;")
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    schema.upgrade(engine, "0003")
    engine.dispose()
    _old_record(engine, "oai:example.org:plain", {"title": ["Plain"]}, "<dc:title>Plain</dc:title>")
    engine.dispose()
    code, output = oai(url, "db", "upgrade")
    assert code == 0, output
    assert "SQLite pages enlarged from 16384 to 65536 bytes" in output
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA page_size").fetchone() == (65536,)
        assert check.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert oai(url, "stats")[0] == 0
