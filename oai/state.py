"""What one process holds while serving: settings, engines and the token codec."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from .config import Settings
from .prefetch import Prefetcher, list_page
from .store import backfill, make_engine, make_read_engine, queries, schema
from .store.readers import Readers
from .tokens import TokenCodec


@dataclass(frozen=True, slots=True)
class State:
    settings: Settings
    engine: Engine
    #: Where list and get queries go: the read replica when one is configured.
    read_engine: Engine
    codec: TokenCodec
    #: The OAI requests' connections to ``read_engine``, kept open between requests.
    readers: Readers
    #: Next pages read ahead for harvesters; None when OAI_PREFETCH is off.
    prefetcher: Prefetcher | None = None

    @classmethod
    def open(cls, settings: Settings) -> State:
        """Connect, check the schema (created when the database is empty), settle the token key.

        Raises schema.SchemaError when the schema is behind, or the stored records lack a
        format of this version (store.backfill): ``oai db upgrade`` moves them.
        Only the primary is checked and written; a replica follows it.
        """
        engine = make_engine(settings.database_url)
        try:
            schema.prepare(engine)
            formats = backfill.check(engine)
            if formats:
                names = ", ".join(fmt.prefix for fmt in formats)
                raise schema.SchemaError(
                    f"the stored records are not rendered in {names} as this version of oai "
                    "renders them: run `oai db upgrade` first"
                )
        except Exception:
            engine.dispose()
            raise
        read_engine = make_read_engine(settings.database_read_url or settings.database_url)
        secret = settings.secret_key
        if secret is None:
            with Session(engine) as session:
                secret = queries.secret_key(session)
        codec = TokenCodec(secret, settings.token_max_age, fallbacks=settings.secret_key_fallbacks)
        # Requests only read, through read_engine: no connection of this one stays open
        # for them (it connects again if something writes).
        engine.dispose()
        prefetcher = (
            Prefetcher(functools.partial(list_page, read_engine, settings, codec))
            if settings.prefetch
            else None
        )
        return cls(settings, engine, read_engine, codec, Readers(read_engine), prefetcher)

    def close(self) -> None:
        """Stop background work and close every pooled connection."""
        if self.prefetcher is not None:
            self.prefetcher.close()
        self.readers.close()
        self.engine.dispose()
        self.read_engine.dispose()
