"""What one process holds while serving: settings, engines and the token codec."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from .config import Settings
from .store import create_schema, make_engine, queries
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
        """Connect, create the schema if missing, and settle the token key."""
        engine = make_engine(settings.database_url)
        create_schema(engine)
        read_engine = (
            make_engine(settings.database_read_url) if settings.database_read_url else engine
        )
        secret = settings.secret_key
        if secret is None:
            with Session(engine) as session:
                secret = queries.secret_key(session)
        return cls(settings, engine, read_engine, TokenCodec(secret, settings.token_max_age))
