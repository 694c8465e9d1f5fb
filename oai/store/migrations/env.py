"""Alembic's entry point: run the migrations on the connection ``oai.store.schema`` hands over.

There is no alembic.ini and no offline (SQL script) mode: migrations always run
through ``oai db upgrade`` or ``oai serve`` on a live connection, so this file
only configures the context and runs it.
"""

from __future__ import annotations

from alembic import context

from oai.store.models import Model

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Model.metadata,
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
