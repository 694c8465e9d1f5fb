"""Memberships keyed by the keyset order of a set harvest: (set_spec, datestamp, identifier).

The primary key replaces both the old key (set_spec, identifier) and the index
ix_memberships_set_datestamp_identifier. On SQLite the table is rebuilt WITHOUT
ROWID, so it is stored in that order and is its own index; on PostgreSQL the key
is swapped in place. A database that ``create_all`` made with this layout already
(before migrations existed) is stamped 0001 by ``oai db upgrade`` and passes through
this revision unharmed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

KEY = sa.String(1024).with_variant(sa.String(1024, collation="C"), "postgresql")


def _rebuild_sqlite(key: list[str], without_rowid: bool) -> None:
    """SQLite cannot change a primary key in place: copy into a new table and swap."""
    op.create_table(
        "memberships_rebuilt",
        sa.Column("set_spec", KEY, nullable=False),
        sa.Column("datestamp", sa.DateTime(), nullable=False),
        sa.Column("identifier", KEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["identifier"],
            ["records.identifier"],
            name="fk_memberships_identifier_records",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(*key, name="pk_memberships"),
        sqlite_with_rowid=not without_rowid,
    )
    op.execute(
        "INSERT INTO memberships_rebuilt (set_spec, datestamp, identifier) "
        "SELECT set_spec, datestamp, identifier FROM memberships"
    )
    op.drop_table("memberships")
    op.rename_table("memberships_rebuilt", "memberships")
    op.create_index("ix_memberships_identifier", "memberships", ["identifier"])


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(["set_spec", "datestamp", "identifier"], without_rowid=True)
        return
    op.drop_constraint("pk_memberships", "memberships", type_="primary")
    op.create_primary_key("pk_memberships", "memberships", ["set_spec", "datestamp", "identifier"])
    # Absent in a database made by create_all between this layout and the first migration.
    op.drop_index(
        "ix_memberships_set_datestamp_identifier", table_name="memberships", if_exists=True
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(["set_spec", "identifier"], without_rowid=False)
    else:
        op.drop_constraint("pk_memberships", "memberships", type_="primary")
        op.create_primary_key("pk_memberships", "memberships", ["set_spec", "identifier"])
    op.create_index(
        "ix_memberships_set_datestamp_identifier",
        "memberships",
        ["set_spec", "datestamp", "identifier"],
    )
