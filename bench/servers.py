"""Server processes for the benchmark: start, wait until they answer, watch memory, stop.

Both servers run as ``[sys.executable, "-m", ...]`` subprocesses on a free port.
Memory is read from ``/proc`` for every gunicorn worker, that is every child of the
server process, a few times a second: its own memory (``RssAnon`` + ``RssShmem``: what
it allocated), and its whole resident set (``VmRSS``), which also counts the pages of
the database file it has mapped (``RssFile``). Those are the operating system's file
cache, shared by every worker and given back under pressure, not memory the worker
holds: the SQLite endpoint maps up to 2 GB of its file (``oai.store.make_read_engine``).
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
        return _children(self.process.pid)

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


def process_cpu(pid: int) -> float | None:
    """CPU seconds a process has used so far, to the nanosecond where the kernel says.

    ``/proc/PID/stat`` counts in clock ticks (10 ms), too coarse for a few hundred pages
    of a small run; the scheduler's per-thread figures (``task/*/schedstat``, the first
    field in nanoseconds) are exact, and a gunicorn worker's threads live as long as it.
    """
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            total += int((task / "schedstat").read_text().split()[0])
        return total / 1e9
    except (OSError, ValueError, IndexError):
        pass
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def worker_cpu(server: Server) -> dict[int, float]:
    """CPU seconds each worker has used so far, by pid."""
    return {pid: used for pid in server.workers() if (used := process_cpu(pid)) is not None}


def cpu_seconds(server: Server) -> float:
    """CPU time (user + system) its workers have used so far."""
    return sum(worker_cpu(server).values())


def rss_bytes(pid: int, field_name: str = "VmRSS") -> int | None:
    """A process's resident set now (``VmRSS``) or at its peak (``VmHWM``), from /proc."""
    found = _status(pid, (field_name,))
    return None if found is None else found[0]


def memory_bytes(pid: int) -> tuple[int, int] | None:
    """A process's own resident memory (``RssAnon`` + ``RssShmem``: no mapped file pages)
    and its whole resident set (``VmRSS``), from one reading of /proc."""
    found = _status(pid, ("RssAnon", "RssShmem", "VmRSS"))
    if found is None:
        return None
    anonymous, shared, resident = found
    return anonymous + shared, resident


def _status(pid: int, names: tuple[str, ...]) -> list[int] | None:
    """Fields of /proc/PID/status in bytes, in the order asked; None if one is missing."""
    values: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in names:
                values[name] = int(rest.split()[0]) * 1024
    except OSError:
        return None
    if len(values) < len(names):
        return None
    return [values[name] for name in names]


@dataclass
class RSSSampler:
    """Samples the memory of a server's workers in a thread for as long as the server runs:
    each worker's own (``samples``) and the peak of its whole resident set (``resident_peak``).

    A workload notes ``now()`` before and after it runs; :meth:`window` then reads the
    samples taken in between, so one sampler serves every workload of the run.
    """

    server: Server
    interval: float = 0.25
    #: (monotonic seconds, {pid: own bytes}) per sample.
    samples: list[tuple[float, dict[int, int]]] = field(default_factory=list)
    #: The largest VmRSS each worker had in a sample, mapped file pages included.
    resident_peak: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        sizes = {}
        for pid in self.server.workers():
            found = memory_bytes(pid)
            if found is None:
                continue  # the worker ended between the listing and the reading
            sizes[pid], resident = found
            self.resident_peak[pid] = max(resident, self.resident_peak.get(pid, 0))
        if sizes:
            self.samples.append((time.monotonic(), sizes))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def now(self) -> float:
        """A time mark for :meth:`window`; takes a sample, so a short window has one."""
        self._sample()
        return time.monotonic()

    def __enter__(self) -> RSSSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def window(self, start: float = 0.0, end: float = float("inf")) -> RSSWindow:
        return RSSWindow([s for t, s in self.samples if start <= t <= end])


@dataclass
class RSSWindow:
    """The samples of one stretch of the run."""

    samples: list[dict[int, int]]

    def peak_per_worker(self) -> int:
        return max((max(s.values()) for s in self.samples), default=0)

    def peak_sum(self) -> int:
        return max((sum(s.values()) for s in self.samples), default=0)

    def sum_at(self, fraction: float) -> int:
        """Summed RSS of the sample nearest ``fraction`` of the way through the window."""
        if not self.samples:
            return 0
        index = min(len(self.samples) - 1, int(fraction * (len(self.samples) - 1)))
        return sum(self.samples[index].values())


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return found


@dataclass
class TreeCPU:
    """CPU seconds and peak RSS of a process and all its descendants, polled from ``/proc``.

    Worker processes of a parallel load are not children of the process we wait
    for (a forkserver starts them), so rusage misses them; polling sees each one
    and keeps its last reading. A process's last ``interval`` of CPU may be missed.
    """

    pid: int
    interval: float = 0.2
    #: pid -> CPU seconds at its last reading.
    seen: dict[int, float] = field(default_factory=dict)
    #: pid -> peak RSS (VmHWM) at its last reading.
    peaks: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")

    def _poll(self) -> None:
        pending = [self.pid]
        while pending:
            pid = pending.pop()
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            self.seen[pid] = (int(stat[11]) + int(stat[12])) / self._tick
            peak = rss_bytes(pid, "VmHWM")
            if peak:
                self.peaks[pid] = peak
            pending.extend(_children(pid))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._poll()
            self._stop.wait(self.interval)

    def start(self) -> TreeCPU:
        self._thread.start()
        return self

    def stop(self) -> float:
        """Stop polling; the CPU seconds of every process seen."""
        self._stop.set()
        self._thread.join()
        return sum(self.seen.values())

    def peak_of_others(self) -> int:
        """The largest peak RSS among the descendants (a load's worker processes)."""
        return max((rss for pid, rss in self.peaks.items() if pid != self.pid), default=0)
