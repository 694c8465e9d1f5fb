"""A real ``python -m oai serve`` in a subprocess, for tests that talk HTTP to it.

The server gets a free port, its own environment (``OAI_DATABASE_URL`` pointing into
the test's tmp folder), and its log in a file beside the database; it is stopped and
reaped when the ``with`` block ends, whatever happened inside.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from oai.server import options

START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


@dataclass(frozen=True, slots=True)
class Started:
    """One ``oai serve`` process: its ``/oai`` URL, the process, and its log file."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base(self) -> str:
        """``http://host:port``, without the ``/oai`` path."""
        return self.url.removesuffix("/oai")

    def worker_pids(self, expect: int) -> list[int]:
        """The gunicorn workers (the process's children, Linux /proc), once ``expect`` run."""
        pid = self.process.pid
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            with open(f"/proc/{pid}/task/{pid}/children") as handle:
                children = [int(child) for child in handle.read().split()]
            if len(children) >= expect or time.monotonic() > deadline:
                return children
            time.sleep(0.1)


def _environment(env: Mapping[str, str]) -> dict[str, str]:
    # The developer's own OAI_* settings stay out: the process gets exactly ``env``.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("OAI_")}
    return {**inherited, **env}


def run_command(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m oai ARGS`` in a subprocess with ``env``; its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "oai", *args],
        env=_environment(env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def _start(folder: Path, env: Mapping[str, str], workers: int) -> Started:
    port = free_port()
    environ = _environment(env)
    log_path = folder / f"serve-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "oai", "serve", "--port", str(port), "--workers", str(workers)],
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Its own process group, so _stop can end the workers too, whatever the arbiter did.
            start_new_session=True,
        )
    return Started(f"http://127.0.0.1:{port}/oai", process, log_path)


def _wait(server: Started) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not _answers(f"{server.url}?verb=Identify"):
        if server.process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(
                f"oai serve did not start (exit {server.process.poll()}):\n"
                f"{server.log_path.read_text()}"
            )
        time.sleep(0.1)


#: How long the arbiter may take to stop: gunicorn's own wait for its workers, and more.
STOP_TIMEOUT = options("127.0.0.1", 0, 1)["graceful_timeout"] + 5


def _stop(server: Started) -> None:
    """SIGINT (gunicorn's quick shutdown), then SIGKILL to the whole process group.

    The group, not the arbiter alone: gunicorn 27's threaded worker can hang in its
    SIGQUIT handler (``ThreadPoolExecutor.shutdown`` from a signal handler that
    interrupted ``submit``, which holds the same lock). The arbiter kills such a worker
    after its graceful timeout; killed first, it would leave the worker running forever,
    as one test run did (an orphan ``oai serve`` 42 minutes later).
    """
    server.process.send_signal(signal.SIGINT)
    try:
        server.process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(server.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # the arbiter and every worker are gone
    server.process.wait()


@contextmanager
def running_servers(
    folder: Path, envs: Sequence[Mapping[str, str]], workers: int = 1
) -> Iterator[list[Started]]:
    """Start one ``oai serve`` per environment, all at once (as nodes booting together),
    and yield them once every one answers Identify."""
    started: list[Started] = []
    try:
        for env in envs:
            started.append(_start(folder, env, workers))
        for server in started:
            _wait(server)
        yield started
    finally:
        for server in started:
            _stop(server)


@contextmanager
def running_server(folder: Path, env: Mapping[str, str], workers: int = 1) -> Iterator[str]:
    """Start ``oai serve`` and yield its ``/oai`` URL once it answers Identify."""
    with running_servers(folder, [env], workers) as (server,):
        yield server.url


def server_log(folder: Path) -> str:
    """Everything the servers started in ``folder`` wrote, for assertion messages."""
    return "\n".join(path.read_text() for path in sorted(folder.glob("serve-*.log")))
