"""Fragments hold a record's header around its datestamp and the bare metadata element.

Before, each fragment was the whole ``<record>`` with the header and its datestamp
inside, so a restamp rewrote every format's bytes with SQL string replacement, and
``records.header_xml`` repeated the header for ListIdentifiers. Now a fragment row
keeps ``header_open`` (``<header>`` and the identifier), ``header_close`` (the
setSpecs and ``</header>``) and ``metadata_xml`` (the element, NULL for a deleted
record); the datestamp is only the key column. Rows are converted in batches of
``BATCH``, so memory stays bounded whatever the size of the database.

The stored oai_dc elements were made by renderer version 1; the ``meta`` row
``format:oai_dc`` says so, and ``oai db upgrade`` renders them again with the
current renderer afterwards (oai.store.backfill).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KEY = sa.String(1024).with_variant(sa.String(1024, collation="C"), "postgresql")
BATCH = 2000
OAI = "http://www.openarchives.org/OAI/2.0/"
_OLD_RECORD = f'<record xmlns="{OAI}">'.encode()
_OLD_HEADER = f'<header xmlns="{OAI}"'.encode()


def _split(record_xml: bytes) -> tuple[bytes, bytes, bytes | None]:
    """An old ``<record>`` as (header before the datestamp, header after it, metadata)."""
    body = record_xml.removeprefix(_OLD_RECORD)
    start = body.index(b"<datestamp>")
    end = body.index(b"</datestamp>") + len(b"</datestamp>")
    header_end = body.index(b"</header>") + len(b"</header>")
    rest = body[header_end:]
    metadata = None
    if rest.startswith(b"<metadata>"):
        metadata = rest[len(b"<metadata>") : -len(b"</metadata></record>")]
    return body[:start], body[end:header_end], metadata


def _old_rows(connection: sa.Connection) -> Iterator[list[Any]]:
    """Old fragments in key order, a batch at a time (keyset, never OFFSET)."""
    after: tuple[Any, ...] | None = None
    while True:
        where = "" if after is None else "WHERE (prefix, datestamp, identifier) > (:p, :d, :i)"
        params = {} if after is None else {"p": after[0], "d": after[1], "i": after[2]}
        rows = connection.execute(
            sa.text(
                "SELECT prefix, datestamp, identifier, record_xml FROM fragments "
                f"{where} ORDER BY prefix, datestamp, identifier LIMIT {BATCH}"
            ),
            params,
        ).all()
        if not rows:
            return
        yield [tuple(row) for row in rows]
        after = tuple(rows[-1][:3])


def _new_table(name: str, sqlite: bool) -> None:
    op.create_table(
        name,
        sa.Column("prefix", sa.String(64), nullable=False),
        sa.Column("datestamp", sa.DateTime(), nullable=False),
        sa.Column("identifier", KEY, nullable=False),
        sa.Column("header_open", sa.LargeBinary(), nullable=False),
        sa.Column("header_close", sa.LargeBinary(), nullable=False),
        sa.Column("metadata_xml", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["identifier"],
            ["records.identifier"],
            name=f"fk_{name}_identifier_records",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("prefix", "datestamp", "identifier", name=f"pk_{name}"),
        sqlite_with_rowid=not sqlite,
    )


def upgrade() -> None:
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    had_records = connection.execute(sa.text("SELECT 1 FROM records LIMIT 1")).first()
    _new_table("fragments_split", sqlite)
    insert = sa.text(
        "INSERT INTO fragments_split (prefix, datestamp, identifier, header_open, "
        "header_close, metadata_xml) VALUES (:prefix, :datestamp, :identifier, :opening, "
        ":closing, :metadata)"
    )
    for batch in _old_rows(connection):
        converted = []
        for prefix, datestamp, identifier, record_xml in batch:
            opening, closing, metadata = _split(bytes(record_xml))
            converted.append(
                {
                    "prefix": prefix,
                    "datestamp": datestamp,
                    "identifier": identifier,
                    "opening": opening,
                    "closing": closing,
                    "metadata": metadata,
                }
            )
        connection.execute(insert, converted)
    op.drop_table("fragments")
    op.rename_table("fragments_split", "fragments")
    if not sqlite:
        op.execute("ALTER TABLE fragments RENAME CONSTRAINT pk_fragments_split TO pk_fragments")
        op.execute(
            "ALTER TABLE fragments RENAME CONSTRAINT fk_fragments_split_identifier_records "
            "TO fk_fragments_identifier_records"
        )
    op.create_index(
        "ix_fragments_identifier_prefix", "fragments", ["identifier", "prefix"], unique=True
    )
    # SQLite 3.35+ drops a column in place; a batch rebuild would DROP the parent table,
    # and with foreign keys on that deletes every fragment and membership with it.
    op.execute("ALTER TABLE records DROP COLUMN header_xml")
    if had_records:
        op.execute("INSERT INTO meta (key, value) VALUES ('format:oai_dc', '1')")


def downgrade() -> None:
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    op.add_column("records", sa.Column("header_xml", sa.LargeBinary(), nullable=True))
    op.create_table(
        "fragments_whole",
        sa.Column("prefix", sa.String(64), nullable=False),
        sa.Column("datestamp", sa.DateTime(), nullable=False),
        sa.Column("identifier", KEY, nullable=False),
        sa.Column("record_xml", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["identifier"],
            ["records.identifier"],
            name="fk_fragments_whole_identifier_records",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("prefix", "datestamp", "identifier", name="pk_fragments_whole"),
        sqlite_with_rowid=not sqlite,
    )
    # The older code knows only oai_dc, whose fragment every record has.
    rows = connection.execute(
        sa.text(
            "SELECT datestamp, identifier, header_open, header_close, metadata_xml "
            "FROM fragments WHERE prefix = 'oai_dc'"
        )
    )
    for datestamp, identifier, opening, closing, metadata in rows:
        stamp = datestamp if not isinstance(datestamp, str) else None
        text = (stamp.isoformat() if stamp else str(datestamp)[:19].replace(" ", "T")) + "Z"
        header = bytes(opening) + f"<datestamp>{text}</datestamp>".encode() + bytes(closing)
        record = _OLD_RECORD + header
        if metadata is not None:
            record += b"<metadata>" + bytes(metadata) + b"</metadata>"
        record += b"</record>"
        connection.execute(
            sa.text(
                "INSERT INTO fragments_whole (prefix, datestamp, identifier, record_xml) "
                "VALUES ('oai_dc', :d, :i, :x)"
            ),
            {"d": datestamp, "i": identifier, "x": record},
        )
        connection.execute(
            sa.text("UPDATE records SET header_xml = :h WHERE identifier = :i"),
            {"h": _OLD_HEADER + header.removeprefix(b"<header"), "i": identifier},
        )
    op.drop_table("fragments")
    op.rename_table("fragments_whole", "fragments")
    if not sqlite:
        op.execute("ALTER TABLE fragments RENAME CONSTRAINT pk_fragments_whole TO pk_fragments")
        op.execute(
            "ALTER TABLE fragments RENAME CONSTRAINT fk_fragments_whole_identifier_records "
            "TO fk_fragments_identifier_records"
        )
        op.alter_column("records", "header_xml", nullable=False)
    op.create_index(
        "ix_fragments_identifier_prefix", "fragments", ["identifier", "prefix"], unique=True
    )
    op.execute("DELETE FROM meta WHERE key LIKE 'format:%'")
