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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

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


@contextmanager
def running_server(folder: Path, env: Mapping[str, str], workers: int = 1) -> Iterator[str]:
    """Start ``oai serve`` and yield its ``/oai`` URL once it answers Identify."""
    port = free_port()
    # The developer's own OAI_* settings stay out: the server gets exactly ``env``.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("OAI_")}
    environ = {**inherited, **env}
    log_path = folder / f"serve-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "oai", "serve", "--port", str(port), "--workers", str(workers)],
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    url = f"http://127.0.0.1:{port}/oai"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(f"{url}?verb=Identify"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    f"oai serve did not start (exit {process.poll()}):\n{log_path.read_text()}"
                )
            time.sleep(0.1)
        yield url
    finally:
        # SIGINT is gunicorn's quick shutdown; SIGKILL if it hangs.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def server_log(folder: Path) -> str:
    """Everything the servers started in ``folder`` wrote, for assertion messages."""
    return "\n".join(path.read_text() for path in sorted(folder.glob("serve-*.log")))
