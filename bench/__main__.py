"""``python -m bench``: load, harvest and measure the endpoint against its ceiling.

One run, in order: generate the deterministic corpus of N records (cached in the
work folder), ``oai load`` it (timed, peak RSS), load it again unchanged (timed;
must add and update nothing and move no datestamp), start ``oai serve --workers 2``,
harvest ListRecords oai_dc with one client following tokens while the workers'
RSS is sampled, time a page near the end against the first pages, time GetRecord,
then serve the very pages of that harvest as static bytes from the same gunicorn
settings (``bench.static``) and harvest those: the ceiling. Full harvests are
repeated ``--rounds`` times, alternating endpoint and ceiling, and medians are
reported. Last, one harvest of each by a client that parses every page with lxml
(as harvesters do), and the same harvests from a server with the read-ahead off
(``OAI_PREFETCH=0``). The machine may be shared: read the ratios, which compare runs made
side by side, rather than the absolute figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

from oai.store.models import Record

from . import corpus
from .harvest import Client, first_query, harvest, median_latency, percentiles, token_query
from .servers import RSSSampler, Server, TreeCPU, cpu_seconds

MB = 1024 * 1024
_LOADED = re.compile(r"(\d+) added, (\d+) updated, (\d+) unchanged")


@dataclass
class Load:
    seconds: float
    #: CPU seconds of the load and its worker processes.
    cpu: float
    peak_rss: int
    added: int
    updated: int
    unchanged: int


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="corpus size N")
    parser.add_argument("--page-size", type=int, default=100, help="OAI_PAGE_SIZE")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("OAI_DATABASE_URL"),
        help="an EMPTY database (default: $OAI_DATABASE_URL, else a new SQLite file)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, both servers")
    parser.add_argument("--rounds", type=int, default=3, help="full harvests of each server")
    parser.add_argument("--repeats", type=int, default=31, help="requests per latency median")
    parser.add_argument("--getrecords", type=int, default=1000, help="GetRecord requests")
    parser.add_argument("--workdir", type=Path, help="kept; default: a temporary folder")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


def _env(args: argparse.Namespace, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OAI_")}
    env.update(OAI_DATABASE_URL=database_url, OAI_PAGE_SIZE=str(args.page_size))
    return env


def _load(path: Path, env: dict[str, str], log: Path) -> Load:
    """``oai load path`` in a subprocess: wall time, peak RSS, and what it reported."""
    started = time.perf_counter()
    with log.open("ab") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "oai", "load", str(path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
        )
        assert process.stdout is not None
        cpu = TreeCPU(process.pid).start()
        output = process.stdout.read().decode()
        _, status, usage = os.wait4(process.pid, 0)
        cpu_seconds = cpu.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    found = _LOADED.search(output)
    if process.returncode != 0 or found is None:
        raise SystemExit(f"oai load failed ({process.returncode}): {output.strip()}; see {log}")
    added, updated, unchanged = (int(g) for g in found.groups())
    return Load(seconds, cpu_seconds, usage.ru_maxrss * 1024, added, updated, unchanged)


def _datestamps(database_url: str) -> tuple[int, Any, Any]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            query = select(func.count(), func.min(Record.datestamp), func.max(Record.datestamp))
            count, low, high = conn.execute(query).one()
    finally:
        engine.dispose()
    return int(count), low, high


def _getrecord_queries(count: int, records: int) -> list[str]:
    rng = random.Random(4242)
    queries = []
    for _ in range(count):
        identifier = str(corpus.record(rng.randrange(records))["identifier"])
        queries.append(
            f"verb=GetRecord&metadataPrefix=oai_dc&identifier={identifier.replace(':', '%3A')}"
        )
    return queries


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    log = workdir / "bench.log"
    source = workdir / f"corpus-{args.records}.jsonl"
    if not source.exists():
        print(f"writing corpus of {args.records} records to {source} ...", file=sys.stderr)
        corpus.write(source.with_suffix(".tmp"), args.records).rename(source)
    database_url = args.database_url
    if not database_url:
        database = workdir / "bench.sqlite"
        for stale in workdir.glob("bench.sqlite*"):
            stale.unlink()
        database_url = f"sqlite:///{database}"
    env = _env(args, database_url)

    print("loading ...", file=sys.stderr)
    first = _load(source, env, log)
    before = _datestamps(database_url)
    print(f"  {first.seconds:.1f} s; reloading unchanged ...", file=sys.stderr)
    again = _load(source, env, log)
    after = _datestamps(database_url)
    figures: dict[str, Any] = {
        "records": args.records,
        "page_size": args.page_size,
        "database": database_url.split(":", 1)[0],
        "load_s": first.seconds,
        "load_rate": args.records / first.seconds,
        "load_cpu_s": first.cpu,
        "load_peak_rss_mb": first.peak_rss / MB,
        "load_added": first.added,
        "reload_s": again.seconds,
        "reload_cpu_s": again.cpu,
        "reload_unchanged": again.unchanged,
        "reload_changed": again.added + again.updated,
        "reload_datestamps_same": before == after,
    }

    pages = workdir / "pages.bin"
    serve_args = ["-m", "oai", "serve", "--workers", str(args.workers)]
    static_args = ["-m", "bench.static", str(pages), "--workers", str(args.workers)]
    with Server(serve_args, env, log) as endpoint:
        endpoint.wait_ready("/oai?verb=Identify")
        client = Client("127.0.0.1", endpoint.port)
        print("harvesting the endpoint (recording pages) ...", file=sys.stderr)
        with RSSSampler(endpoint) as rss:
            start_rss = rss_now(endpoint)
            cpu = cpu_seconds(endpoint)
            recorded = harvest(client, record_pages=pages)
            figures["server_cpu_ms_per_page"] = (
                (cpu_seconds(endpoint) - cpu) / recorded.pages * 1000
            )
            rates = [recorded.rate]
            figures["harvest_records"] = recorded.records
            figures["complete_list_size"] = recorded.complete_list_size
            figures["pages"] = recorded.pages
            figures["mean_page_kb"] = recorded.bytes / recorded.pages / 1024
            tokens = recorded.tokens
            deep = tokens[max(1, int(len(tokens) * 0.99))] if len(tokens) > 1 else ""
            queries = [first_query()]
            if len(tokens) > 1:
                queries += [token_query(tokens[1]), token_query(deep)]
            print("timing first, second and deep pages ...", file=sys.stderr)
            medians = median_latency(client, queries, args.repeats)
            print("timing GetRecord ...", file=sys.stderr)
            latencies = [
                client.get(q)[2] for q in _getrecord_queries(args.getrecords, args.records)
            ]
            with Server(static_args, env, log) as ceiling:
                ceiling.wait_ready("/oai")
                static_client = Client("127.0.0.1", ceiling.port)
                cpu = cpu_seconds(ceiling)
                static_rates = [harvest(static_client).rate]
                figures["ceiling_cpu_ms_per_page"] = (
                    (cpu_seconds(ceiling) - cpu) / recorded.pages * 1000
                )
                for round_ in range(1, args.rounds):
                    print(f"harvest round {round_ + 1} of {args.rounds} ...", file=sys.stderr)
                    rates.append(harvest(client).rate)
                    static_rates.append(harvest(static_client).rate)
                print("harvesting with a parsing client ...", file=sys.stderr)
                figures["parsing_rate"] = harvest(client, parse=True).rate
                figures["parsing_ceiling_rate"] = harvest(static_client, parse=True).rate
                static_client.close()
            client.close()
        figures.update(
            rss_start_mb=start_rss / MB,
            rss_peak_sum_mb=rss.peak_sum() / MB,
            rss_peak_worker_mb=rss.peak_per_worker() / MB,
            rss_at_10pct_mb=rss.sum_at(0.1) / MB,
            rss_at_end_mb=rss.sum_at(1.0) / MB,
        )
    # The same harvests from a server that does not read ahead (OAI_PREFETCH=0).
    with Server(serve_args, {**env, "OAI_PREFETCH": "0"}, log) as plain:
        plain.wait_ready("/oai?verb=Identify")
        print("harvesting without read-ahead ...", file=sys.stderr)
        plain_client = Client("127.0.0.1", plain.port)
        plain_rates = [harvest(plain_client).rate for _ in range(args.rounds)]
        figures["parsing_plain_rate"] = harvest(plain_client, parse=True).rate
        plain_client.close()
    figures.update(
        plain_rates=plain_rates,
        plain_rate=statistics.median(plain_rates),
        harvest_rates=rates,
        harvest_rate=statistics.median(rates),
        ceiling_rates=static_rates,
        ceiling_rate=statistics.median(static_rates),
        first_page_ms=medians[0] * 1000,
        second_page_ms=medians[1] * 1000 if len(medians) > 1 else None,
        deep_page_ms=medians[2] * 1000 if len(medians) > 2 else None,
    )
    figures["fraction_of_ceiling"] = figures["harvest_rate"] / figures["ceiling_rate"]
    if len(medians) > 2:
        figures["deep_over_first"] = medians[2] / medians[0]
        figures["deep_over_second"] = medians[2] / medians[1]
    p50, p99 = percentiles(latencies, (50, 99))
    figures.update(getrecord_p50_ms=p50 * 1000, getrecord_p99_ms=p99 * 1000)
    return figures


def rss_now(server: Server) -> int:
    from .servers import rss_bytes

    return sum(rss_bytes(pid) or 0 for pid in server.workers())


def table(f: dict[str, Any]) -> str:
    """The figures as a Markdown table (what README.md shows)."""
    rows = [
        ("records loaded", f"{f['load_added']:,} ({f['database']}, page size {f['page_size']})"),
        (
            "load",
            f"{f['load_s']:.1f} s wall ({f['load_rate']:,.0f} records/s), "
            f"{f['load_cpu_s']:.0f} CPU-s in all processes, "
            f"peak RSS {f['load_peak_rss_mb']:.0f} MB (main process)",
        ),
        (
            "reload, unchanged file",
            f"{f['reload_s']:.1f} s wall, {f['reload_cpu_s']:.0f} CPU-s; "
            f"{f['reload_unchanged']:,} unchanged, "
            f"{f['reload_changed']} changed; datestamps "
            f"{'unchanged' if f['reload_datestamps_same'] else 'CHANGED'}",
        ),
        (
            "full harvest ListRecords oai_dc",
            f"{f['harvest_rate']:,.0f} records/s (median of "
            f"{len(f['harvest_rates'])}; {f['pages']:,} pages "
            f"of {f['mean_page_kb']:.0f} KB)",
        ),
        (
            "ceiling: same pages as static bytes",
            f"{f['ceiling_rate']:,.0f} records/s (median of {len(f['ceiling_rates'])})",
        ),
        ("harvest rate / ceiling", f"{f['fraction_of_ceiling']:.0%}"),
        (
            "same harvest without read-ahead (OAI_PREFETCH=0)",
            f"{f['plain_rate']:,.0f} records/s (median of {len(f['plain_rates'])}); "
            f"{f['plain_rate'] / f['ceiling_rate']:.0%} of the ceiling",
        ),
        (
            "client parsing each page (lxml): endpoint / no read-ahead / ceiling",
            f"{f['parsing_rate']:,.0f} / {f['parsing_plain_rate']:,.0f} / "
            f"{f['parsing_ceiling_rate']:,.0f} records/s; endpoint "
            f"{f['parsing_rate'] / f['parsing_ceiling_rate']:.0%} of the ceiling",
        ),
        (
            "server CPU per page: endpoint / ceiling",
            f"{f['server_cpu_ms_per_page']:.2f} ms / {f['ceiling_cpu_ms_per_page']:.2f} ms",
        ),
        ("first page (initial request, counts the list)", f"{f['first_page_ms']:.1f} ms"),
    ]
    if f.get("deep_page_ms") is not None:
        rows += [
            ("second page (first resumptionToken)", f"{f['second_page_ms']:.1f} ms"),
            ("page at 99% of the list", f"{f['deep_page_ms']:.1f} ms"),
            ("deep / first page", f"{f['deep_over_first']:.2f}"),
            ("deep / second page", f"{f['deep_over_second']:.2f}"),
        ]
    rows += [
        ("GetRecord p50 / p99", f"{f['getrecord_p50_ms']:.1f} ms / {f['getrecord_p99_ms']:.1f} ms"),
        ("server RSS, per worker (peak)", f"{f['rss_peak_worker_mb']:.0f} MB"),
        (
            "server RSS, all workers: start / 10% / end / peak",
            f"{f['rss_start_mb']:.0f} / {f['rss_at_10pct_mb']:.0f} / {f['rss_at_end_mb']:.0f} / "
            f"{f['rss_peak_sum_mb']:.0f} MB",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"| {'measure'.ljust(width)} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {name.ljust(width)} | {value} |" for name, value in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="oai-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        figures = run(args, workdir)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n", "utf-8")
    print(table(figures))


if __name__ == "__main__":
    main()
