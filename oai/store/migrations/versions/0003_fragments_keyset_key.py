"""Fragments keyed by the keyset order of a harvest: (prefix, datestamp, identifier).

A ListRecords page used to find each of its rows through the (identifier, prefix)
key: a hundred index lookups, each into a different part of the table. Keyed by
the list order, a page is one range of neighbouring rows. The record's datestamp
is copied into the table for that, and (identifier, prefix) stays unique through
an index, for GetRecord and for replacing a record's fragments.

On SQLite the table is rebuilt WITHOUT ROWID (stored in that order), in key order;
on PostgreSQL the column is added and the key swapped in place.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

KEY = sa.String(1024).with_variant(sa.String(1024, collation="C"), "postgresql")
FOREIGN_KEY_NAME = "fk_fragments_identifier_records"


def _rebuild_sqlite(keyed: bool) -> None:
    """SQLite cannot change a primary key in place: copy into a new table and swap."""
    columns: list[sa.schema.SchemaItem] = [
        sa.Column("prefix", sa.String(64), nullable=False),
        sa.Column("identifier", KEY, nullable=False),
        sa.Column("record_xml", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["identifier"], ["records.identifier"], name=FOREIGN_KEY_NAME, ondelete="CASCADE"
        ),
    ]
    key: tuple[str, ...]
    if keyed:
        columns.insert(1, sa.Column("datestamp", sa.DateTime(), nullable=False))
        key = ("prefix", "datestamp", "identifier")
    else:
        key = ("identifier", "prefix")
    op.create_table(
        "fragments_rebuilt",
        *columns,
        sa.PrimaryKeyConstraint(*key, name="pk_fragments"),
        sqlite_with_rowid=not keyed,
    )
    if keyed:
        # In key order, so the new table is written by appending.
        op.execute(
            "INSERT INTO fragments_rebuilt (prefix, datestamp, identifier, record_xml) "
            "SELECT f.prefix, r.datestamp, f.identifier, f.record_xml "
            "FROM fragments AS f JOIN records AS r ON r.identifier = f.identifier "
            "ORDER BY f.prefix, r.datestamp, f.identifier"
        )
    else:
        op.execute(
            "INSERT INTO fragments_rebuilt (prefix, identifier, record_xml) "
            "SELECT prefix, identifier, record_xml FROM fragments"
        )
    op.drop_table("fragments")
    op.rename_table("fragments_rebuilt", "fragments")
    if keyed:
        op.create_index(
            "ix_fragments_identifier_prefix", "fragments", ["identifier", "prefix"], unique=True
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(keyed=True)
        return
    op.add_column("fragments", sa.Column("datestamp", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE fragments SET datestamp = records.datestamp "
        "FROM records WHERE records.identifier = fragments.identifier"
    )
    op.alter_column("fragments", "datestamp", nullable=False)
    op.create_index(
        "ix_fragments_identifier_prefix", "fragments", ["identifier", "prefix"], unique=True
    )
    op.drop_constraint("pk_fragments", "fragments", type_="primary")
    op.create_primary_key("pk_fragments", "fragments", ["prefix", "datestamp", "identifier"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(keyed=False)
        return
    op.drop_constraint("pk_fragments", "fragments", type_="primary")
    op.create_primary_key("pk_fragments", "fragments", ["identifier", "prefix"])
    op.drop_index("ix_fragments_identifier_prefix", table_name="fragments")
    op.drop_column("fragments", "datestamp")
