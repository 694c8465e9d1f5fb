"""A large load on several cores: worker processes parse and render, this process writes.

Parsing, validating, hashing and rendering a record costs several times what
inserting it does, and all of it is independent per line. So the file is cut
into chunks of lines; each chunk goes to a worker process, which parses it,
reads the stored digests of its identifiers (its own read-only connection sees
the database as it was before this load), decides which records are new,
changed or unchanged, and renders the rows of those to write. This process
takes the chunks back in file order, checks identifiers for duplicates, and
inserts the rows inside the one load transaction, so a bad line anywhere still
rolls back everything and the error names the first bad line, as a sequential
load would.

Workers start with ``forkserver``: they never inherit this process's open
database connection (SQLite forbids carrying one across a fork). At most
``2 * jobs`` chunks are in flight, so memory does not grow with the file.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from . import make_engine
from .loader import Loader, LoadError, LoadReport, RecordLine, SetLine, decide, parse_numbered
from .rows import Binder, Rows, existing_records, render_rows, with_ancestors

#: Lines per chunk sent to a worker.
CHUNK_LINES = 1000

#: Allocations between the young-generation collections of a worker (Python's default: 700).
GC_THRESHOLD = 10_000

_engine: Engine | None = None
_binder: Binder | None = None


@dataclass
class Chunk:
    """What a worker made of a chunk of lines, in file order."""

    #: (line number, identifier) of each record, for the duplicate check.
    records: list[tuple[int, str]] = field(default_factory=list)
    sets: list[SetLine] = field(default_factory=list)
    #: Every setSpec the records use, ancestors included.
    specs: set[str] = field(default_factory=set)
    report: LoadReport = field(default_factory=LoadReport)
    rows: Rows = field(default_factory=Rows)
    replace: list[str] = field(default_factory=list)
    #: The first bad line's message; the lines before it are in the fields above.
    error: str | None = None


def _start_worker(database_url: str) -> None:
    global _engine, _binder
    _engine = make_engine(database_url)
    _binder = Binder(_engine.dialect)
    # A chunk is thousands of fresh dicts and lists, none of them in a cycle; the
    # collector's passes over them and over the imported modules were a sixth of a
    # worker's time (measured: 1.54 -> 1.31 CPU-s for 20,000 records with both).
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD)


def prepare(name: str, lines: list[tuple[int, bytes]], now: datetime, fresh: bool) -> Chunk:
    """Parse, check and render one chunk (runs in a worker process).

    In a ``fresh`` load (the database held no records) the worker does not connect at
    all: there is nothing stored to compare with, and the loading process may be
    writing the file under a rollback journal, which no reader can share.
    """
    chunk = Chunk()
    records: list[RecordLine] = []
    try:
        for number, text in lines:
            if not text.strip():
                continue
            line = parse_numbered(name, number, text)
            chunk.report.lines += 1
            if isinstance(line, SetLine):
                chunk.sets.append(line)
                continue
            chunk.records.append((number, line.identifier))
            chunk.specs.update(with_ancestors(line.sets))
            records.append(line)
    except LoadError as exc:
        chunk.error = str(exc)
    if records:
        assert _engine is not None and _binder is not None, "worker not started"
        existing = {}
        if not fresh:
            with _engine.connect() as connection:
                existing = existing_records(connection, [line.identifier for line in records])
        writes, chunk.replace = decide(records, existing, now, chunk.report)
        chunk.rows = render_rows(writes, _binder)
    return chunk


def _chunks(lines: Iterable[bytes]) -> Iterable[list[tuple[int, bytes]]]:
    batch: list[tuple[int, bytes]] = []
    for number, text in enumerate(lines, start=1):
        batch.append((number, text))
        if len(batch) >= CHUNK_LINES:
            yield batch
            batch = []
    if batch:
        yield batch


def _merge(loader: Loader, name: str, chunk: Chunk) -> None:
    """Take a worker's chunk into the load, in file order; raise its first error."""
    for number, identifier in chunk.records:
        loader.check_new(name, number, identifier)
    report = loader.report
    report.lines += chunk.report.lines
    report.added += chunk.report.added
    report.updated += chunk.report.updated
    report.unchanged += chunk.report.unchanged
    for line in chunk.sets:
        loader.declare(line)
    for spec in chunk.specs:
        loader.use_set(spec)
    if chunk.error is not None:
        raise LoadError(chunk.error)
    loader.store(chunk.rows, chunk.replace)


def default_jobs() -> int:
    """Worker processes for a large load: one per core, none on a single core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) if (cores or 1) > 1 else 0


def load_lines(
    loader: Loader, name: str, lines: Iterable[bytes], database_url: str, jobs: int
) -> None:
    """Load ``lines`` of file ``name`` through ``jobs`` worker processes into ``loader``."""
    context = multiprocessing.get_context("forkserver")
    pending: deque[Future[Chunk]] = deque()
    with ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_start_worker, initargs=(database_url,)
    ) as pool:
        try:
            for batch in _chunks(lines):
                pending.append(pool.submit(prepare, name, batch, loader.now(), loader.fresh))
                if len(pending) >= 2 * jobs:
                    _merge(loader, name, pending.popleft().result())
            while pending:
                _merge(loader, name, pending.popleft().result())
        except BaseException:
            for future in pending:
                future.cancel()
            raise
