"""What one process holds while serving: settings, engines and the token codec."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from .config import Settings
from .store import make_engine, queries, schema
from .tokens import TokenCodec


@dataclass(frozen=True, slots=True)
class State:
    settings: Settings
    engine: Engine
    #: Where list and get queries go: the read replica when one is configured.
    read_engine: Engine
    codec: TokenCodec

    @classmethod
    def open(cls, settings: Settings) -> State:
        """Connect, check the schema (created when the database is empty), settle the token key.

        Raises schema.SchemaError when the schema is behind: ``oai db upgrade`` moves it.
        Only the primary is checked and written; a replica follows it.
        """
        engine = make_engine(settings.database_url)
        try:
            schema.prepare(engine)
        except Exception:
            engine.dispose()
            raise
        read_engine = (
            make_engine(settings.database_read_url) if settings.database_read_url else engine
        )
        secret = settings.secret_key
        if secret is None:
            with Session(engine) as session:
                secret = queries.secret_key(session)
        return cls(settings, engine, read_engine, TokenCodec(secret, settings.token_max_age))
