"""The concurrent mix: many keep-alive connections asking for GetRecords and first pages, with gzip.

The load generator runs in separate processes (``python -m bench.mix``), each
holding a few connections in threads. One Python process cannot keep 16
connections busy against the ceiling on its own: every request costs the client
some tens of microseconds under the GIL, and at a few thousand requests a second
one process would become the bottleneck and flatten the ceiling's figure. Split
over processes, the client's share is bounded by the cores instead, and each
process measures its own CPU time over the timed window so the report can say
whether the client, or the machine, saturated.

Every connection (the lean client of :mod:`bench.harvest`) walks the same list
of requests in its own fixed shuffled order until the window ends; a request
counts when its whole body has arrived inside the window. Bodies are read, not
inflated: what is measured is the server.
Processes start together at an agreed wall-clock instant after each connected
and sent one request, so connecting is never timed.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .harvest import Client
from .servers import Server, worker_cpu

#: Seconds between starting the generator processes and the timed window.
STARTUP = 3.0


@dataclass
class Mix:
    """One side's run of the mix."""

    seconds: float
    requests: int
    errors: int
    latencies: list[float]
    #: CPU used by the generator processes over the window, in cores (CPU-s per s).
    client_cores: float
    #: The generator process that used the most CPU, in cores (1.0: one core, GIL-bound).
    busiest_process: float
    #: CPU used by the server's workers over the window, in cores: all, and each worker's.
    server_cores: float
    worker_cores: list[float]
    #: Generator processes that were not ready when the window opened.
    late: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def run_mix(
    server: Server, queries: Path, connections: int, processes: int, seconds: float, log: Path
) -> Mix:
    """Run the mix of ``queries`` (a JSON list) against ``server`` for ``seconds``."""
    start_at = time.time() + STARTUP
    per_process = [
        connections // processes + (i < connections % processes) for i in range(processes)
    ]
    with log.open("ab") as err:
        children = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bench.mix",
                    str(queries),
                    "--port",
                    str(server.port),
                    "--connections",
                    str(count),
                    "--seed",
                    str(i),
                    "--start-at",
                    repr(start_at),
                    "--seconds",
                    repr(seconds),
                ],  # fmt: skip
                stdout=subprocess.PIPE,
                stderr=err,
            )
            for i, count in enumerate(per_process)
            if count
        ]
    time.sleep(max(0.0, start_at - time.time()))
    before = worker_cpu(server)
    time.sleep(max(0.0, start_at + seconds - time.time()))
    after = worker_cpu(server)
    workers = sorted((after[pid] - before.get(pid, 0.0) for pid in after), reverse=True)
    reports = []
    for child in children:
        out, _ = child.communicate(timeout=seconds + 180)
        if child.returncode != 0:
            raise RuntimeError(f"mix generator failed ({child.returncode}); see {log}")
        reports.append(json.loads(out))
    return Mix(
        seconds=seconds,
        requests=sum(r["requests"] for r in reports),
        errors=sum(r["errors"] for r in reports),
        latencies=[x for r in reports for x in r["latencies"]],
        client_cores=sum(r["cpu_s"] for r in reports) / seconds,
        busiest_process=max(r["cpu_s"] for r in reports) / seconds,
        server_cores=sum(workers) / seconds,
        worker_cores=[used / seconds for used in workers],
        late=sum(bool(r["late"]) for r in reports),
    )


@dataclass
class _Connection:
    """One keep-alive connection's share of the run (one thread)."""

    client: Client
    order: list[str]
    requests: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)

    def send(self, query: str) -> bool:
        try:
            return self.client.get(query, gzip=True).status == 200
        except OSError:
            return False

    def run(self, start_at: float, end_at: float) -> None:
        time.sleep(max(0.0, start_at - time.time()))
        position = 0
        while True:
            query = self.order[position % len(self.order)]
            position += 1
            started = time.perf_counter()
            ok = self.send(query)
            elapsed = time.perf_counter() - started
            if time.time() > end_at:
                break
            self.requests += 1
            self.errors += not ok
            self.latencies.append(elapsed)
        self.client.close()


def _generate(arguments: argparse.Namespace) -> dict[str, object]:
    queries = json.loads(Path(arguments.queries).read_text("utf-8"))
    connections = []
    for n in range(arguments.connections):
        order = list(queries)
        random.Random(arguments.seed * 1000 + n).shuffle(order)
        connection = _Connection(Client("127.0.0.1", arguments.port), order)
        connection.send(order[-1])  # connected and warm before the window opens
        connections.append(connection)
    start_at, end_at = arguments.start_at, arguments.start_at + arguments.seconds
    late = time.time() > start_at
    threads = [threading.Thread(target=c.run, args=(start_at, end_at)) for c in connections]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, start_at - time.time()))
    cpu = time.process_time()
    time.sleep(max(0.0, end_at - time.time()))
    cpu = time.process_time() - cpu
    for thread in threads:
        thread.join()
    return {
        "requests": sum(c.requests for c in connections),
        "errors": sum(c.errors for c in connections),
        "latencies": [round(x, 6) for c in connections for x in c.latencies],
        "cpu_s": cpu,
        "late": late,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="one process of the concurrent mix")
    parser.add_argument("queries", help="a JSON list of query strings")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start-at", type=float, required=True, help="time.time() to begin")
    parser.add_argument("--seconds", type=float, required=True)
    print(json.dumps(_generate(parser.parse_args())))


if __name__ == "__main__":
    main()
