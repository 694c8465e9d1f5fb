"""Real ``python -m oai serve`` processes for tests, and a harvester that talks to them.

Each server runs on a free port with the environment a test gives it, is waited
for until it answers Identify, and is stopped (its gunicorn workers with it) when
the test's ``with`` block ends. Every response the harvester reads is validated.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO

from lxml import etree

from . import xsd

#: Seconds a server may take to answer its first request.
START_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True, slots=True)
class Server:
    process: subprocess.Popen[bytes]
    base: str
    #: The server's standard error (a file, so a chatty server never blocks on a pipe).
    log: IO[bytes]

    def get(self, **args: str) -> etree._Element:
        """GET /oai with ``args``; asserts HTTP 200 and returns the validated document."""
        url = f"{self.base}/oai?{urllib.parse.urlencode(args)}"
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
            return xsd.validate(response.read())

    def worker_pids(self, expect: int) -> list[int]:
        """The gunicorn workers (the serving process's children), once ``expect`` have started."""
        pid = self.process.pid
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            with open(f"/proc/{pid}/task/{pid}/children") as handle:
                children = [int(child) for child in handle.read().split()]
            if len(children) >= expect or time.monotonic() > deadline:
                return children
            time.sleep(0.1)


def _environment(env: Mapping[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("OAI_")}
    base.update(env)
    return base


def _wait(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            server.log.seek(0)
            output = server.log.read().decode()
            raise AssertionError(f"server exited with {server.process.returncode}: {output}")
        try:
            with urllib.request.urlopen(f"{server.base}/oai?verb=Identify", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"server at {server.base} did not answer within {START_TIMEOUT}s")


def _stop(server: Server) -> None:
    process = server.process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # gunicorn stops its workers on TERM
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    server.log.close()


@contextlib.contextmanager
def running(*envs: Mapping[str, str], workers: int = 1) -> Iterator[list[Server]]:
    """Start one server per environment (all at once), yield them once all answer."""
    started: list[Server] = []
    try:
        for env in envs:
            port = free_port()
            command = [sys.executable, "-m", "oai", "serve", "--port", str(port)]
            command += ["--workers", str(workers)]
            log = tempfile.TemporaryFile()
            process = subprocess.Popen(
                command, env=_environment(env), stdout=subprocess.DEVNULL, stderr=log
            )
            started.append(Server(process, f"http://127.0.0.1:{port}", log))
        for server in started:
            _wait(server)
        yield started
    finally:
        for server in started:
            _stop(server)


def run_command(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m oai ARGS`` in a subprocess with ``env``; its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "oai", *args],
        env=_environment(env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def harvest(servers: list[Server], **args: str) -> list[str]:
    """Every header identifier of a list, page after page, asking the servers in turn."""
    identifiers: list[str] = []
    token: str | None = None
    for page in range(10_000):
        server = servers[page % len(servers)]
        root = server.get(verb=args["verb"], resumptionToken=token) if token else server.get(**args)
        identifiers += root.xpath("//oai:header/oai:identifier/text()", namespaces=xsd.NS)
        token = root.findtext(".//oai:resumptionToken", namespaces=xsd.NS)
        if not token:
            return identifiers
    raise AssertionError("the list never ended")
