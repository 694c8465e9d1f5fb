"""Memberships repeat their record's header parts, so a set's ListIdentifiers page
reads the set's memberships alone instead of looking up each member's fragment.

The parts are copied from the record's fragments (every record has one in each format
it has, and the header is the same in all of them) by one UPDATE. A membership whose
record has no fragment at all, which no code of ours writes, gets the header written
from the record's identifier, deleted flag and sets, as the loader writes it.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

EMPTY = b""


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _header_parts(identifier: str, specs: list[str], deleted: bool) -> tuple[bytes, bytes]:
    opening = '<header status="deleted">' if deleted else "<header>"
    closing = "".join(f"<setSpec>{_escape(spec)}</setSpec>" for spec in sorted(specs))
    return (
        f"{opening}<identifier>{_escape(identifier)}</identifier>".encode(),
        f"{closing}</header>".encode(),
    )


def _fill_orphans(connection: sa.Connection) -> None:
    rows = connection.execute(
        sa.text(
            "SELECT m.identifier, m.set_spec, r.deleted FROM memberships AS m "
            "JOIN records AS r ON r.identifier = m.identifier WHERE m.header_open = :empty"
        ),
        {"empty": EMPTY},
    ).all()
    specs: defaultdict[str, list[str]] = defaultdict(list)
    deleted: dict[str, bool] = {}
    for identifier, spec, flag in rows:
        specs[identifier].append(spec)
        deleted[identifier] = bool(flag)
    for identifier, its_specs in specs.items():
        opening, closing = _header_parts(identifier, its_specs, deleted[identifier])
        connection.execute(
            sa.text(
                "UPDATE memberships SET header_open = :opening, header_close = :closing "
                "WHERE identifier = :identifier"
            ),
            {"opening": opening, "closing": closing, "identifier": identifier},
        )


def upgrade() -> None:
    connection = op.get_bind()
    # NOT NULL needs a default for the rows already there; PostgreSQL drops it after.
    empty = sa.text("''" if connection.dialect.name == "postgresql" else "x''")
    for name in ("header_open", "header_close"):
        op.add_column(
            "memberships",
            sa.Column(name, sa.LargeBinary(), nullable=False, server_default=empty),
        )
    op.execute(
        "UPDATE memberships SET header_open = f.header_open, header_close = f.header_close "
        "FROM fragments AS f WHERE f.identifier = memberships.identifier AND f.prefix = "
        "(SELECT min(g.prefix) FROM fragments AS g WHERE g.identifier = memberships.identifier)"
    )
    _fill_orphans(connection)
    if connection.dialect.name == "postgresql":
        for name in ("header_open", "header_close"):
            op.alter_column("memberships", name, server_default=None)


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place (a batch rebuild would drop the parent table).
    op.execute("ALTER TABLE memberships DROP COLUMN header_close")
    op.execute("ALTER TABLE memberships DROP COLUMN header_open")
