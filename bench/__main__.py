"""``python -m bench``: every workload, on the endpoint and on its ceiling, in one run.

One run, in order: write the deterministic corpus of N records (cached in the
work folder); ``oai load`` it and load it again unchanged (:mod:`bench.loading`);
start ``oai serve --workers W`` and send every request the workloads will make
to it once, keeping each response (:mod:`bench.recording`, what to ask is fixed
by :mod:`bench.plan`); start the ceiling, a bare WSGI app serving those recorded
responses under the same gunicorn settings (:mod:`bench.static`); then run
``--rounds`` rounds of every workload on both, side by side
(:mod:`bench.workloads`, :mod:`bench.mix`), and print the medians, the ratios and
each issue's targets (:mod:`bench.report`). The machine may be shared: read the
ratios, which compare runs made side by side, rather than the absolute figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import corpus, loading, plan, report, workloads
from .harvest import Client, list_query
from .recording import Recorded, Recorder, record
from .servers import RSSSampler, Server
from .workloads import Side, Tally

MB = 1024 * 1024


def _formats(text: str) -> tuple[str, ...]:
    return tuple(p for p in (part.strip() for part in text.split(",")) if p)


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    add = parser.add_argument
    add("--records", type=int, default=100_000, help="corpus size N")
    add("--page-size", type=int, default=100, help="OAI_PAGE_SIZE")
    add("--database-url", default=os.environ.get("OAI_DATABASE_URL"),
        help="an EMPTY database (default: $OAI_DATABASE_URL, else a new SQLite file)")  # fmt: skip
    add("--workers", type=int, default=2, help="gunicorn workers, both servers")
    add("--rounds", type=int, default=3, help="rounds of every workload on each server")
    add("--repeats", type=int, default=31,
        help="per round: requests per page-latency median, selective harvests")  # fmt: skip
    add("--getrecords", type=int, default=1000, help="GetRecord sample (requests a round)")
    add("--formats", type=_formats, default=("oai_dc", "oai_openaire"),
        help="formats of the full harvests, comma-separated; the first is also timed "
        "for first and deep pages and the selective harvest")  # fmt: skip
    add("--gzip-formats", type=_formats, default=("oai_dc",),
        help="formats also harvested in full asking for gzip")  # fmt: skip
    add("--duration", type=float, default=20.0, help="seconds of the concurrent mix, each side")
    add("--connections", type=int, default=16, help="connections of the concurrent mix")
    add("--mix-processes", type=int, default=4, help="client processes of the concurrent mix")
    add("--workdir", type=Path, help="kept; default: a temporary folder")
    add("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not args.formats:
        parser.error("--formats names no format")
    if args.records < 1 or args.rounds < 1 or args.repeats < 1 or args.getrecords < 1:
        parser.error("--records, --rounds, --repeats and --getrecords must be at least 1")
    return args


def _env(args: argparse.Namespace, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OAI_")}
    env.update(OAI_DATABASE_URL=database_url, OAI_PAGE_SIZE=str(args.page_size))
    return env


def _database(args: argparse.Namespace, workdir: Path) -> str:
    if args.database_url:
        return str(args.database_url)
    for stale in workdir.glob("bench.sqlite*"):
        stale.unlink()
    return f"sqlite:///{workdir / 'bench.sqlite'}"


def _rounds(args: argparse.Namespace, work: plan.Plan, seen: Recorded, sides: list[Side],
            mix_queries: Path, log: Path) -> Tally:  # fmt: skip
    tally = Tally()
    for number in range(args.rounds):
        order = sides if number % 2 == 0 else sides[::-1]
        print(f"round {number + 1} of {args.rounds} ({order[0].name} first) ...", file=sys.stderr)
        for prefix in work.formats:
            first = list_query("ListRecords", prefix)
            workloads.full_harvest(tally, order, prefix, False, seen.lists[first])
        for prefix in work.gzip_formats:
            first = list_query("ListRecords", prefix)
            workloads.full_harvest(tally, order, prefix, True, seen.gzip_lists[first])
        workloads.selective(tally, order, work.selective, seen.lists[work.selective], args.repeats)
        workloads.getrecords(tally, order, work.getrecords)
        for name, first in work.page_lists.items():
            workloads.pages(tally, order, name, seen.page_queries(first), args.repeats)
        workloads.mix(tally, order, mix_queries, args.connections, args.mix_processes,
                      args.duration, log)  # fmt: skip
    return tally


def _rss(sampler: RSSSampler, seen: Recorded) -> dict[str, float]:
    first = seen.first_harvest_rss
    assert first is not None
    return {
        "peak_worker_mb": sampler.window().peak_per_worker() / MB,
        "peak_worker_resident_mb": max(sampler.resident_peak.values(), default=0) / MB,
        "peak_sum_mb": first.peak_sum() / MB,
        "start_mb": first.sum_at(0.0) / MB,
        "at_10pct_mb": first.sum_at(0.1) / MB,
        "end_mb": first.sum_at(1.0) / MB,
    }


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    started = time.monotonic()
    #: Seconds each part of the run took, to plan a bigger run from a smaller one.
    phases: dict[str, float] = {}

    def lap(name: str) -> None:
        phases[name] = time.monotonic() - started - sum(phases.values())

    log = workdir / "bench.log"
    source = workdir / f"corpus-{args.records}.jsonl"
    if not source.exists():
        print(f"writing corpus of {args.records} records to {source} ...", file=sys.stderr)
        corpus.write(source.with_suffix(".tmp"), args.records).rename(source)
    lap("corpus")
    database_url = _database(args, workdir)
    env = _env(args, database_url)
    figures: dict[str, Any] = {
        "records": args.records,
        "page_size": args.page_size,
        "database": database_url.split(":", 1)[0],
        "workers": args.workers,
        "rounds": args.rounds,
        "duration": args.duration,
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
    }
    figures.update(loading.measure(source, env, database_url, log, args.records))
    figures["corpus_mb"] = source.stat().st_size / MB
    lap("load, reload and sizes")
    work = plan.make(database_url, args.records, args.formats, args.gzip_formats, args.getrecords)
    mix_queries = workdir / "mix-queries.json"
    mix_queries.write_text(json.dumps(list(work.mix)), "utf-8")
    responses = workdir / "responses.bin"
    serve_args = ["-m", "oai", "serve", "--workers", str(args.workers)]
    static_args = ["-m", "bench.static", str(responses), "--workers", str(args.workers)]
    ready = "/oai?" + list_query("ListRecords", work.formats[0])
    with Server(serve_args, env, log) as endpoint, RSSSampler(endpoint) as sampler:
        endpoint.wait_ready("/oai?verb=Identify")
        endpoint_client = Client("127.0.0.1", endpoint.port)
        with Recorder(responses) as recorder:
            seen = record(work, endpoint_client, recorder, sampler)
        figures["recorded"] = {"responses": len(recorder), "bytes": recorder.size}
        lap("recording")
        with Server(static_args, env, log) as ceiling:
            ceiling.wait_ready(ready)
            ceiling_client = Client("127.0.0.1", ceiling.port)
            sides = [Side("endpoint", endpoint, endpoint_client),
                     Side("ceiling", ceiling, ceiling_client)]  # fmt: skip
            tally = _rounds(args, work, seen, sides, mix_queries, log)
            lap("rounds")
            ceiling_client.close()
        endpoint_client.close()
    figures.update(workloads.summary(tally, work, seen, args.connections, args.mix_processes))
    figures["rss"] = _rss(sampler, seen)
    figures["targets"] = report.targets(figures)
    figures["duration_s"] = time.monotonic() - started
    figures["phases_s"] = phases
    return figures


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="oai-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        figures = run(args, workdir)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n", "utf-8")
    print(report.table(figures))
    print()
    print(report.targets_table(figures))
    print(f"\n{report.phases(figures)}")


if __name__ == "__main__":
    main()
