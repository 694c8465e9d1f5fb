"""The PostgreSQL schema a database URL's ``search_path`` names (``?options=-csearch_path%3Doai``).

When that schema does not exist, PostgreSQL answers the first CREATE TABLE with
"no schema has been selected to create in", which names neither the schema nor
the fix. :func:`missing` finds it first, so :func:`oai.store.schema.prepare` can
refuse in one line naming both, and ``oai db upgrade`` creates it (:func:`create`):
creating a schema needs the CREATE privilege on the database, which a deployment
grants to whoever migrates, not necessarily to the serving nodes.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text


def names(search_path: str) -> list[str]:
    """The schema names of a ``SHOW search_path`` value, ``"$user"`` left out."""
    found = []
    for part in search_path.split(","):
        name = part.strip()
        if len(name) >= 2 and name[0] == name[-1] == '"':
            name = name[1:-1].replace('""', '"')
        if name and name != "$user":
            found.append(name)
    return found


def missing(connection: Connection) -> str | None:
    """The first schema ``search_path`` names when it does not exist; None when it does
    (or on SQLite). An empty string: search_path names no schema at all."""
    if connection.dialect.name != "postgresql":
        return None
    found = names(str(connection.execute(text("SHOW search_path")).scalar_one()))
    if not found:
        exists = connection.execute(text("SELECT current_schema() IS NOT NULL")).scalar_one()
        return None if exists else ""
    query = text("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = :name)")
    return None if connection.execute(query, {"name": found[0]}).scalar_one() else found[0]


def message(name: str, quoted: str) -> str:
    """The one-line refusal for a missing schema: which one, and the two ways to make it."""
    if not name:
        return "the database URL's search_path names no schema: add ?options=-csearch_path%3Doai"
    return (
        f"PostgreSQL schema {name!r} (the search_path of the database URL) does not exist: "
        f"run `oai db upgrade`, which creates it, or CREATE SCHEMA {quoted}"
    )


def quoted(connection: Connection, name: str) -> str:
    return str(connection.dialect.identifier_preparer.quote(name))


def create(engine: Engine) -> str | None:
    """Create the schema search_path names if it does not exist; its name if created."""
    with engine.begin() as connection:
        name = missing(connection)
        if not name:
            return None
        connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {quoted(connection, name)}"))
    return name
