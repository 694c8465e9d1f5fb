"""The timed workloads, each run on the endpoint and on the ceiling side by side, every round.

A round runs every workload once on each side. The sides alternate, and which
goes first flips from round to round, so the drift of a shared machine falls on
both alike; requests that are short are interleaved one by one. Every timed
harvest must see as many items as the recording pass saw (the ceiling too: it
serves what was recorded), so a figure is never taken from a broken run.

Samples are pooled over the rounds in a :class:`Tally`; :func:`summary` turns
them into the figures (medians, percentiles, ratios) that :mod:`bench.report`
prints.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from .harvest import Client, Harvest, HarvestError, harvest, interleaved_latencies, list_query
from .harvest import percentiles as nearest_rank
from .mix import Mix, run_mix
from .plan import Plan
from .recording import Recorded
from .servers import Server, cpu_seconds

MB = 1024 * 1024


@dataclass
class Side:
    """One server under test and the lean client that talks to it."""

    name: str
    server: Server
    client: Client


class Tally:
    """Samples per (workload, measure, side), pooled over the rounds."""

    def __init__(self) -> None:
        self.samples: defaultdict[tuple[str, str, str], list[float]] = defaultdict(list)
        self.mixes: defaultdict[str, list[Mix]] = defaultdict(list)

    def add(self, workload: str, measure: str, side: str, *values: float) -> None:
        self.samples[(workload, measure, side)].extend(values)

    def get(self, workload: str, measure: str, side: str) -> list[float]:
        return self.samples.get((workload, measure, side), [])

    def median(self, workload: str, measure: str, side: str) -> float:
        values = self.get(workload, measure, side)
        return statistics.median(values) if values else float("nan")


def harvest_label(prefix: str, gzip: bool) -> str:
    return f"{prefix} gzip" if gzip else prefix


def full_harvest(
    tally: Tally, sides: Sequence[Side], prefix: str, gzip: bool, seen: Harvest
) -> None:
    """One full ListRecords harvest of ``prefix`` on each side: records/s, server CPU a page."""
    label = harvest_label(prefix, gzip)
    for side in sides:
        cpu = cpu_seconds(side.server)
        done = harvest(side.client, list_query("ListRecords", prefix), gzip=gzip)
        cpu = cpu_seconds(side.server) - cpu
        _same(done, seen, f"{label} harvest of the {side.name}")
        tally.add(label, "rate", side.name, done.rate)
        tally.add(label, "cpu_ms_per_page", side.name, cpu / done.pages * 1000)


def selective(tally: Tally, sides: Sequence[Side], first: str, seen: Harvest, repeats: int) -> None:
    """The selective ListIdentifiers harvest, ``repeats`` times on each side, alternating."""
    for _ in range(repeats):
        for side in sides:
            done = harvest(side.client, first)
            _same(done, seen, f"selective harvest of the {side.name}")
            tally.add("selective", "seconds", side.name, done.seconds)


def getrecords(tally: Tally, sides: Sequence[Side], queries: Sequence[str]) -> None:
    """Every GetRecord of the sample once on each side, the sides interleaved request by request."""
    for query in queries:
        for side in sides:
            reply = side.client.get(query)
            if reply.status != 200 or b"<error " in reply.body[:4096]:
                raise HarvestError(f"GetRecord failed on the {side.name}: {query}")
            tally.add("getrecord", "seconds", side.name, reply.seconds)


def pages(
    tally: Tally, sides: Sequence[Side], name: str, queries: dict[str, str], repeats: int
) -> None:
    """First, second and deep page of one list on both sides, all interleaved ``repeats`` times."""
    requests = [(side, which, query) for side in sides for which, query in queries.items()]
    samples = interleaved_latencies([(s.client, q) for s, _, q in requests], repeats)
    for (side, which, _), values in zip(requests, samples, strict=True):
        tally.add(f"pages {name}", which, side.name, *values)


def mix(
    tally: Tally,
    sides: Sequence[Side],
    queries: Path,
    connections: int,
    processes: int,
    seconds: float,
    log: Path,
) -> None:
    """The concurrent mix for ``seconds`` on each side in turn."""
    for side in sides:
        tally.mixes[side.name].append(
            run_mix(side.server, queries, connections, processes, seconds, log)
        )


def _same(done: Harvest, seen: Harvest, what: str) -> None:
    if done.items != seen.items or done.pages != seen.pages:
        raise HarvestError(
            f"{what}: {done.items} items in {done.pages} pages, "
            f"the recording saw {seen.items} in {seen.pages}"
        )


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def _harvest_figures(tally: Tally, label: str, seen: Harvest) -> dict[str, Any]:
    rate, ceiling = tally.median(label, "rate", "endpoint"), tally.median(label, "rate", "ceiling")
    return {
        "items": seen.items,
        "complete_list_size": seen.complete_list_size,
        "pages": seen.pages,
        "mean_page_kb": seen.bytes / seen.pages / 1024,
        "mean_page_kb_inflated": seen.text_bytes / seen.pages / 1024,
        "rates": tally.get(label, "rate", "endpoint"),
        "ceiling_rates": tally.get(label, "rate", "ceiling"),
        "rate": rate,
        "ceiling_rate": ceiling,
        "ratio": _ratio(rate, ceiling),
        "cpu_ms_per_page": tally.median(label, "cpu_ms_per_page", "endpoint"),
        "ceiling_cpu_ms_per_page": tally.median(label, "cpu_ms_per_page", "ceiling"),
    }


def _pages_figures(
    tally: Tally, name: str, queries: dict[str, str], seen: Harvest
) -> dict[str, Any]:
    figures: dict[str, Any] = {"pages": seen.pages, "items": seen.items}
    for side, prefix in (("endpoint", ""), ("ceiling", "ceiling_")):
        for which in queries:
            figures[f"{prefix}{which}_ms"] = tally.median(f"pages {name}", which, side) * 1000
    if "deep" in queries:
        figures["deep_page"] = min(seen.pages - 1, int(seen.pages * 0.99)) + 1
        figures["first_over_deep"] = _ratio(figures["first_ms"], figures["deep_ms"])
        figures["ceiling_first_over_deep"] = _ratio(
            figures["ceiling_first_ms"], figures["ceiling_deep_ms"]
        )
    return figures


def _getrecord_figures(tally: Tally, queries: Sequence[str]) -> dict[str, Any]:
    formats = Counter(parse_qs(q)["metadataPrefix"][0] for q in queries)
    figures: dict[str, Any] = {"requests": len(queries), "formats": dict(sorted(formats.items()))}
    for side, prefix in (("endpoint", ""), ("ceiling", "ceiling_")):
        p50, p99 = nearest_rank(tally.get("getrecord", "seconds", side), (50, 99))
        figures[f"{prefix}p50_ms"], figures[f"{prefix}p99_ms"] = p50 * 1000, p99 * 1000
    figures["p50_ratio"] = _ratio(figures["p50_ms"], figures["ceiling_p50_ms"])
    return figures


def _mix_figures(tally: Tally, plan: Plan, connections: int, processes: int) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "connections": connections,
        "processes": processes,
        "getrecords": len(plan.getrecords),
        "first_pages": len(plan.mix) - len(plan.getrecords),
        "distinct_first_pages": len(plan.mix_first_pages()),
    }
    for side in ("endpoint", "ceiling"):
        runs = tally.mixes[side]
        latencies = [x for run in runs for x in run.latencies]
        p50, p99 = nearest_rank(latencies, (50, 99))
        figures[side] = {
            "rps": statistics.median(run.rps for run in runs),
            "rps_rounds": [run.rps for run in runs],
            "requests": sum(run.requests for run in runs),
            "errors": sum(run.errors for run in runs),
            "seconds": sum(run.seconds for run in runs),
            "p50_ms": p50 * 1000,
            "p99_ms": p99 * 1000,
            "client_cpu_cores": max(run.client_cores for run in runs),
            "client_busiest_process": max(run.busiest_process for run in runs),
            "server_cpu_cores": max(run.server_cores for run in runs),
            "worker_cpu_cores": max((run.worker_cores for run in runs), key=sum),
            "late_processes": sum(run.late for run in runs),
        }
    figures["ratio"] = _ratio(figures["endpoint"]["rps"], figures["ceiling"]["rps"])
    return figures


def summary(
    tally: Tally, plan: Plan, seen: Recorded, connections: int, processes: int
) -> dict[str, Any]:
    """The figures of every timed workload, from the samples of all rounds."""
    harvests: dict[str, dict[str, Any]] = {}
    for gzip, prefixes, lists in (
        (False, plan.formats, seen.lists),
        (True, plan.gzip_formats, seen.gzip_lists),
    ):
        for prefix in prefixes:
            label = harvest_label(prefix, gzip)
            harvests[label] = _harvest_figures(
                tally, label, lists[list_query("ListRecords", prefix)]
            )
    chosen = seen.lists[plan.selective]
    seconds = tally.median("selective", "seconds", "endpoint")
    ceiling_seconds = tally.median("selective", "seconds", "ceiling")
    selective = {
        "query": plan.selective,
        "items": chosen.items,
        "pages": chosen.pages,
        "seconds": seconds,
        "ceiling_seconds": ceiling_seconds,
        # The endpoint's speed as a fraction of the ceiling's: the time ratio inverted.
        "ratio": _ratio(ceiling_seconds, seconds),
        "runs": len(tally.get("selective", "seconds", "endpoint")),
    }
    return {
        "harvests": harvests,
        "selective": selective,
        "getrecord": _getrecord_figures(tally, plan.getrecords),
        "pages": {
            name: _pages_figures(tally, name, seen.page_queries(first), seen.lists[first])
            for name, first in plan.page_lists.items()
        },
        "mix": _mix_figures(tally, plan, connections, processes),
    }
