"""Server processes for the benchmark: start, wait until they answer, watch memory, stop.

Both servers run as ``[sys.executable, "-m", ...]`` subprocesses on a free port.
Memory is read from ``/proc``: the resident set (VmRSS) of every gunicorn worker,
that is every child of the server process, sampled a few times a second.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A server subprocess; use as a context manager so it always stops."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, *args, "--port", str(self.port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, path: str, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        url = f"http://127.0.0.1:{self.port}{path}"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited ({self.process.returncode}); see {self.log}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"server did not answer {url} within {seconds:.0f} s")

    def workers(self) -> list[int]:
        """PIDs of the server's child processes (gunicorn workers)."""
        pid = self.process.pid
        children: list[int] = []
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                children.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
        return children

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def cpu_seconds(server: Server) -> float:
    """CPU time (user + system) its workers have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in server.workers():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / tick


def rss_bytes(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


@dataclass
class RSSSampler:
    """Samples the RSS of a server's workers in a thread while a harvest runs."""

    server: Server
    interval: float = 0.25
    #: (seconds since start, {pid: rss bytes}) per sample.
    samples: list[tuple[float, dict[int, int]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.is_set():
            sizes = {pid: rss for pid in self.server.workers() if (rss := rss_bytes(pid))}
            if sizes:
                self.samples.append((time.monotonic() - started, sizes))
            self._stop.wait(self.interval)

    def __enter__(self) -> RSSSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak_per_worker(self) -> int:
        return max((max(s.values()) for _, s in self.samples), default=0)

    def peak_sum(self) -> int:
        return max((sum(s.values()) for _, s in self.samples), default=0)

    def sum_at(self, fraction: float) -> int:
        """Summed RSS of the sample nearest ``fraction`` of the way through the run."""
        if not self.samples:
            return 0
        index = min(len(self.samples) - 1, int(fraction * (len(self.samples) - 1)))
        return sum(self.samples[index][1].values())
