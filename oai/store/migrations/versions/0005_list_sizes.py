"""list_sizes: how many items each format's list and each set's list in a format holds.

Kept up to date by every write (oai.store.sizes), so the first page of a harvest
reads completeListSize instead of counting every row of the list. Filled here
from the rows already stored, once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

KEY = sa.String(1024).with_variant(sa.String(1024, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "list_sizes",
        sa.Column("prefix", sa.String(64), nullable=False),
        sa.Column("set_spec", KEY, nullable=False),
        sa.Column("items", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "set_spec", name="pk_list_sizes"),
    )
    op.execute(
        "INSERT INTO list_sizes (prefix, set_spec, items) "
        "SELECT prefix, '', count(*) FROM fragments GROUP BY prefix"
    )
    op.execute(
        "INSERT INTO list_sizes (prefix, set_spec, items) "
        "SELECT f.prefix, m.set_spec, count(*) FROM memberships AS m "
        "JOIN fragments AS f ON f.identifier = m.identifier GROUP BY f.prefix, m.set_spec"
    )


def downgrade() -> None:
    op.drop_table("list_sizes")
