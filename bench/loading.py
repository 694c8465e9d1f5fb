"""The load workload: ``oai load`` of the corpus, a reload of the same file, and what it stores.

A load is timed as a user would run it, in a subprocess: wall time, the CPU of
it and of every worker process it starts, its peak RSS. The reload of the
unchanged file must change nothing, and :func:`state` is what "nothing" means:
the counts of every list and a digest of every record's identifier, datestamp
and deleted flag, read before and after. The size of the database is what a
user must provision per record: for SQLite the file and its write-ahead log, for
PostgreSQL ``pg_total_relation_size`` of the project's tables; on SQLite the
largest the two files grew during the load is kept too, since the write-ahead log
of one big transaction needs room until it is folded back. The stored XML per
format is estimated from a fixed sample of records (reading every fragment of a
million-record store would cost more than the load).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from oai.store.models import Fragment, ListSize, Model, Record

from . import corpus
from .servers import TreeCPU

MB = 1024 * 1024
_LOADED = re.compile(r"(\d+) added, (\d+) updated, (\d+) unchanged")
#: Records whose stored XML is measured for the per-format sizes.
SIZE_SAMPLE = 2000


@dataclass
class Load:
    seconds: float
    #: CPU seconds of the load and its worker processes.
    cpu_s: float
    #: Peak RSS of the ``oai load`` process, and the largest of its workers'.
    peak_rss_mb: float
    worker_peak_rss_mb: float
    added: int
    updated: int
    unchanged: int
    #: The most disk the database took while loading (SQLite: file and write-ahead log).
    peak_disk_mb: float | None


class _DiskPeak:
    """Polls a size in a thread and keeps the largest seen."""

    def __init__(self, size: Callable[[], int] | None, interval: float = 0.2) -> None:
        self.peak = 0
        self._size = size
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
        if size is not None:
            self._thread.start()

    def _run(self, interval: float) -> None:
        assert self._size is not None
        while not self._stop.is_set():
            self.peak = max(self.peak, self._size())
            self._stop.wait(interval)

    def stop(self) -> float | None:
        if self._size is None:
            return None
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._size())
        return self.peak / MB


def load(path: Path, env: dict[str, str], log: Path, disk: Callable[[], int] | None) -> Load:
    """``oai load path`` in a subprocess: wall time, CPU, peak RSS and disk, what it reported."""
    started = time.perf_counter()
    peak_disk = _DiskPeak(disk)
    with log.open("ab") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "oai", "load", str(path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
        )
        assert process.stdout is not None
        tree = TreeCPU(process.pid).start()
        output = process.stdout.read().decode()
        _, status, usage = os.wait4(process.pid, 0)
        cpu = tree.stop()
        disk_mb = peak_disk.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    found = _LOADED.search(output)
    if process.returncode != 0 or found is None:
        raise SystemExit(f"oai load failed ({process.returncode}): {output.strip()}; see {log}")
    added, updated, unchanged = (int(g) for g in found.groups())
    main_peak = usage.ru_maxrss * 1024
    others = tree.peak_of_others() / MB
    return Load(seconds, cpu, main_peak / MB, others, added, updated, unchanged, disk_mb)


def state(database_url: str) -> dict[str, Any]:
    """What a reload must leave as it is: list sizes, and every record's datestamp."""
    engine = create_engine(database_url)
    digest = hashlib.sha256()
    try:
        with engine.connect() as conn:
            sizes = {
                f"{prefix} {spec}".strip(): items
                for prefix, spec, items in conn.execute(
                    select(ListSize.prefix, ListSize.set_spec, ListSize.items)
                )
            }
            rows = conn.execution_options(yield_per=10_000).execute(
                select(Record.identifier, Record.datestamp, Record.deleted).order_by(
                    Record.identifier
                )
            )
            records = 0
            for identifier, datestamp, deleted in rows:
                digest.update(f"{identifier}\t{datestamp.isoformat()}\t{deleted:d}\n".encode())
                records += 1
    finally:
        engine.dispose()
    return {"records": records, "list_sizes": sizes, "datestamps_sha256": digest.hexdigest()}


def _sqlite_files(database_url: str) -> list[Path] | None:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    main = Path(url.database or "")
    return [main, main.with_name(main.name + "-wal")]


def _files_size(files: list[Path]) -> int:
    total = 0
    for file in files:
        try:
            total += file.stat().st_size
        except OSError:
            continue
    return total


def database_bytes(database_url: str) -> dict[str, int]:
    """The database's size on disk: SQLite's files, or PostgreSQL's tables with their indexes."""
    files = _sqlite_files(database_url)
    if files is not None:
        return {f.name: f.stat().st_size for f in files if f.exists()}
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return {
                table: int(
                    conn.execute(
                        text("SELECT coalesce(pg_total_relation_size(to_regclass(:t)), 0)"),
                        {"t": table},
                    ).scalar_one()
                )
                for table in Model.metadata.tables
            }
    finally:
        engine.dispose()


def format_sizes(database_url: str, records: int) -> dict[str, dict[str, float]]:
    """Per format: records that have it, and mean stored XML bytes per record (sampled).

    The mean is over the fragments of a fixed sample of :data:`SIZE_SAMPLE` records,
    header and metadata; the count is the format's list size, which the store keeps.
    """
    rng = random.Random(99)
    sample = sorted(
        {str(corpus.record(rng.randrange(records))["identifier"]) for _ in range(SIZE_SAMPLE)}
    )
    c = Fragment.__table__.c
    size = (
        func.length(c.header_open)
        + func.length(c.header_close)
        + func.coalesce(func.length(c.metadata_xml), 0)
    )
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            counts = dict(
                conn.execute(
                    select(ListSize.prefix, ListSize.items).where(ListSize.set_spec == "")
                ).all()
            )
            means: dict[str, list[int]] = {}
            for start in range(0, len(sample), 500):
                chunk = sample[start : start + 500]
                query = select(c.prefix, size).where(c.identifier.in_(chunk))
                for prefix, length in conn.execute(query):
                    means.setdefault(prefix, []).append(int(length))
    finally:
        engine.dispose()
    return {
        prefix: {
            "records": int(counts.get(prefix, 0)),
            "xml_bytes_per_record": sum(lengths) / len(lengths),
            "sampled": len(lengths),
        }
        for prefix, lengths in sorted(means.items())
    }


def measure(
    source: Path, env: dict[str, str], database_url: str, log: Path, records: int
) -> dict[str, Any]:
    """Load, state, reload, state again, sizes: the figures of the load workload."""
    print("loading ...", file=sys.stderr)
    files = _sqlite_files(database_url)
    disk = (lambda: _files_size(files)) if files is not None else None
    first = load(source, env, log, disk)
    before = state(database_url)
    parts = database_bytes(database_url)
    print(f"  {first.seconds:.1f} s; reloading the unchanged file ...", file=sys.stderr)
    again = load(source, env, log, disk)
    after = state(database_url)
    total = sum(parts.values())
    return {
        "load": {**asdict(first), "rate": records / first.seconds},
        "reload": {
            **asdict(again),
            "changed": again.added + again.updated,
            "state_same": before == after,
        },
        "store": {
            "records": before["records"],
            "bytes": total,
            "bytes_per_record": total / max(1, before["records"]),
            "parts": parts,
            "formats": format_sizes(database_url, records),
        },
    }
