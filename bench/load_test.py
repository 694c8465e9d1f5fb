"""Load test: many concurrent harvesters against ``oai serve --workers N`` for a while.

    python bench/load_test.py                      # 50 harvesters, 60 s, 10,000 records, SQLite
    python bench/load_test.py --clients 20 --duration 30 --records 2000
    python bench/load_test.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

It loads a generated corpus into a new database (a temporary SQLite file unless
--database-url names another; on PostgreSQL use a database or ``options=-csearch_path``
of your own), starts ``python -m oai serve``, and runs harvester threads, each on its
own keep-alive connection, each repeating a mix of what real harvesters do: full
ListRecords and ListIdentifiers harvests following resumption tokens (plain and
gzip), set and date-window harvests, GetRecord, Identify, ListSets and
ListMetadataFormats.

Every response body is kept (spooled to a file) and, after the timed run, every one
is parsed strictly and validated against the schemas (tests/xsd.py, ../shared/schemas
or OAI_TEST_SCHEMAS): the validation competes neither with the server nor with the
clients while latencies are measured. It prints throughput, latency percentiles by
request kind, errors and invalid documents, and exits non-zero if there was any error
or invalid document. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import random
import resource
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OAI = "{http://www.openarchives.org/OAI/2.0/}"
SETS = ["journal:a", "journal:b", "type:article", "type:review"]


def corpus(path: Path, count: int) -> None:
    """A deterministic corpus: four sets, every 20th record deleted, abstracts of some size."""
    rng = random.Random(2026)
    with open(path, "w") as out:
        for spec in SETS:
            out.write(json.dumps({"setSpec": spec, "setName": spec.title()}) + "\n")
        for n in range(count):
            line = {
                "identifier": f"oai:example.org:load/{n:07d}",
                "datestamp": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:00:00Z",
                "sets": [SETS[n % 2], SETS[2 + n % 3 // 2]],
                "deleted": n % 20 == 19,
                "metadata": {
                    "title": [f"Record {n}: on <markup> & ampersands"],
                    "creator": [f"Author {rng.randrange(1000)}, A."],
                    "description": [
                        " ".join(rng.choice(["lorem", "ipsum", "dolor"]) for _ in range(80))
                    ],
                    "date": [str(2000 + n % 25)],
                    "type": ["Text"],
                    "identifier": [f"https://example.org/articles/{n}"],
                },
            }
            out.write(json.dumps(line) + "\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stats:
    """What the harvester threads measured; appended under a lock."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    records: int = 0
    bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Spool:
    """Response bodies, length-prefixed in one file, for validation after the run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = open(path, "wb")  # noqa: SIM115
        self.lock = threading.Lock()
        self.count = 0

    def add(self, kind: str, body: bytes) -> None:
        label = kind.encode()
        with self.lock:
            self.handle.write(struct.pack("!HI", len(label), len(body)) + label + body)
            self.count += 1

    def close(self) -> None:
        self.handle.close()


def read_spool(path: Path) -> list[tuple[str, bytes]]:
    items = []
    with open(path, "rb") as handle:
        while header := handle.read(6):
            size_label, size_body = struct.unpack("!HI", header)
            label = handle.read(size_label).decode()
            items.append((label, handle.read(size_body)))
    return items


class Harvester(threading.Thread):
    """One client on one keep-alive connection, repeating a weighted mix of requests."""

    def __init__(
        self,
        number: int,
        port: int,
        until: float,
        stats: Stats,
        spool: Spool,
        identifiers: list[str],
    ) -> None:
        super().__init__(daemon=True)
        self.rng = random.Random(number)
        self.port, self.until, self.stats, self.spool = port, until, stats, spool
        self.identifiers = identifiers
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, kind: str, args: dict[str, str], gzipped: bool = False) -> bytes | None:
        headers = {"Accept-Encoding": "gzip"} if gzipped else {}
        started = time.perf_counter()
        try:
            self.connection.request("GET", "/oai?" + urllib.parse.urlencode(args), headers=headers)
            response = self.connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            with self.stats.lock:
                self.stats.errors[f"{kind}: {type(exc).__name__}"] += 1
            return None
        elapsed = time.perf_counter() - started
        if response.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        with self.stats.lock:
            self.stats.latencies[kind].append(elapsed)
            self.stats.bytes += len(body)
            if response.status != 200:
                self.stats.errors[f"{kind}: HTTP {response.status}"] += 1
                return None
        self.spool.add(kind, body)
        return body

    def follow(self, kind: str, args: dict[str, str], gzipped: bool = False) -> None:
        verb = args["verb"]
        while time.monotonic() < self.until:
            body = self.request(kind, args, gzipped)
            if body is None:
                return
            with self.stats.lock:
                self.stats.records += body.count(b"<header")
            start = body.rfind(b"<resumptionToken")
            if start < 0:
                return
            token = body[body.index(b">", start) + 1 : body.index(b"<", start + 1)].decode()
            if not token:
                return
            args = {"verb": verb, "resumptionToken": token}

    def run(self) -> None:
        lists = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
        headers = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
        window = {**headers, "from": "2025-06-01", "until": "2025-08-31"}
        while time.monotonic() < self.until:
            draw = self.rng.randrange(100)
            if draw < 30:
                self.follow("ListRecords", lists)
            elif draw < 40:
                self.follow("ListRecords gzip", lists, gzipped=True)
            elif draw < 50:
                self.follow("ListIdentifiers", headers)
            elif draw < 60:
                self.follow("ListRecords set", {**lists, "set": self.rng.choice(SETS)})
            elif draw < 65:
                self.follow("ListIdentifiers window", window)
            elif draw < 90:
                identifier = self.rng.choice(self.identifiers)
                self.request("GetRecord", {**lists, "verb": "GetRecord", "identifier": identifier})
            else:
                verb = self.rng.choice(["Identify", "Identify", "ListSets", "ListMetadataFormats"])
                self.request(verb, {"verb": verb})
        self.connection.close()


def _validate_chunk(items: list[tuple[str, bytes]]) -> list[str]:
    """Validate each body; the problems found (empty when all are valid OAI-PMH)."""
    from lxml import etree

    from tests import xsd

    problems = []
    for kind, body in items:
        try:
            root = xsd.validate(body)
        except (AssertionError, etree.XMLSyntaxError) as exc:
            problems.append(f"{kind}: {str(exc)[:200]}")
            continue
        error = root.find(f"{OAI}error")
        if error is not None:
            problems.append(f"{kind}: OAI error {error.get('code')}")
    return problems


def validate_all(path: Path, processes: int) -> tuple[int, list[str]]:
    items = read_spool(path)
    chunks = [items[i :: processes * 8] for i in range(processes * 8)]
    with ProcessPoolExecutor(processes) as pool:
        problems = [p for found in pool.map(_validate_chunk, chunks) for p in found]
    return len(items), problems


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(
    stats: Stats, seconds: float, validated: int, problems: list[str], args: argparse.Namespace
) -> None:
    everything = [v for values in stats.latencies.values() for v in values]
    total = len(everything)
    print(
        f"\n{args.clients} harvesters, {seconds:.1f} s, oai serve --workers {args.workers}, "
        f"{args.records} records, page size {args.page_size}, {args.database}"
    )
    print(
        f"requests: {total} ({total / seconds:.1f}/s), records and headers sent: "
        f"{stats.records} ({stats.records / seconds:.0f}/s), {stats.bytes / seconds / 1e6:.1f} MB/s"
    )
    print(f"{'kind':22} {'count':>7} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    rows = sorted(stats.latencies.items()) + [("all", everything)]
    for kind, values in rows:
        if values:
            print(
                f"{kind:22} {len(values):7d} {statistics.median(values) * 1e3:8.1f} "
                f"{percentile(values, 0.9) * 1e3:8.1f} {percentile(values, 0.99) * 1e3:8.1f} "
                f"{max(values) * 1e3:8.1f}"
            )
    print(f"errors: {sum(stats.errors.values())} {dict(stats.errors) or ''}")
    print(
        f"validated: {validated} of {total} responses (all), invalid or OAI errors: {len(problems)}"
    )
    for problem in problems[:10]:
        print("  ", problem)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--validators", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="oai-load-"))
    url = args.database_url or f"sqlite:///{folder / 'load.sqlite'}"
    args.database = url.split(":", 1)[0].split("+", 1)[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OAI_")}
    env.update(
        {
            "OAI_DATABASE_URL": url,
            "OAI_PAGE_SIZE": str(args.page_size),
            "OAI_SECRET_KEY": "load-test",
        }
    )
    corpus(folder / "corpus.jsonl", args.records)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "oai", "load", str(folder / "corpus.jsonl")],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"loaded {args.records} records in {time.monotonic() - started:.1f} s", flush=True)

    port = free_port()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = subprocess.Popen(
        [sys.executable, "-m", "oai", "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "serve.log", "wb"),  # noqa: SIM115
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                probe.request("GET", "/oai?verb=Identify")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(
                        "oai serve did not start; see " + str(folder / "serve.log")
                    ) from None
                time.sleep(0.2)

        stats, spool = Stats(), Spool(folder / "responses.spool")
        identifiers = [f"oai:example.org:load/{n:07d}" for n in range(args.records)]
        until = time.monotonic() + args.duration
        threads = [
            Harvester(n, port, until, stats, spool, identifiers) for n in range(args.clients)
        ]
        began, client_cpu = time.monotonic(), time.process_time()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - began
        client_cpu = time.process_time() - client_cpu
        spool.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    # The server waited for its workers, so their CPU time is in what it reports to us.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = (children.ru_utime + children.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    print(
        f"run over; validating {spool.count} responses with {args.validators} processes...",
        flush=True,
    )
    validated, problems = validate_all(spool.path, args.validators)
    report(stats, seconds, validated, problems, args)
    print(
        f"CPU seconds: server (all workers, whole life) {server_cpu:.1f}, harvester threads "
        f"{client_cpu:.1f}; load average at the end {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    log = (folder / "serve.log").read_text()
    if "Traceback" in log:
        print("server log has a traceback:\n" + log[-2000:])
        return 1
    return (
        1 if stats.errors or problems or validated != sum(map(len, stats.latencies.values())) else 0
    )


if __name__ == "__main__":
    sys.exit(main())
