"""Baseline: the schema the endpoint created with ``create_all`` before migrations existed.

A database made by that older code holds exactly these tables and no
``alembic_version``; ``oai db upgrade`` recognises it and records it at this
revision instead of creating the tables again.

Types are spelled out here rather than imported from ``oai.store.models``: a
migration is a frozen snapshot and must not change when the models do.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

#: Identifiers and setSpecs compare bytewise: COLLATE "C" on PostgreSQL, BINARY on SQLite.
KEY = sa.String(1024).with_variant(sa.String(1024, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("identifier", KEY, nullable=False),
        sa.Column("datestamp", sa.DateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("header_xml", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("identifier", name="pk_records"),
    )
    op.create_index("ix_records_datestamp_identifier", "records", ["datestamp", "identifier"])
    op.create_table(
        "fragments",
        sa.Column("identifier", KEY, nullable=False),
        sa.Column("prefix", sa.String(64), nullable=False),
        sa.Column("record_xml", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["identifier"],
            ["records.identifier"],
            name="fk_fragments_identifier_records",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("identifier", "prefix", name="pk_fragments"),
    )
    op.create_table(
        "memberships",
        sa.Column("set_spec", KEY, nullable=False),
        sa.Column("identifier", KEY, nullable=False),
        sa.Column("datestamp", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["identifier"],
            ["records.identifier"],
            name="fk_memberships_identifier_records",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("set_spec", "identifier", name="pk_memberships"),
    )
    op.create_index(
        "ix_memberships_set_datestamp_identifier",
        "memberships",
        ["set_spec", "datestamp", "identifier"],
    )
    op.create_index("ix_memberships_identifier", "memberships", ["identifier"])
    op.create_table(
        "sets",
        sa.Column("set_spec", KEY, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("declared", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("set_spec", name="pk_sets"),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_meta"),
    )


def downgrade() -> None:
    for table in ("meta", "sets", "memberships", "fragments", "records"):
        op.drop_table(table)
