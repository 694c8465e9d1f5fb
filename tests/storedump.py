"""Every row of every table, to show that a failed or killed command changed nothing."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from oai.store.models import Model


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """table name -> its rows, sorted."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: sorted(tuple(row) for row in connection.execute(sa.select(table)))
                for table in Model.metadata.sorted_tables
            }
    finally:
        engine.dispose()
