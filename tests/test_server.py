"""``oai serve`` as operators meet it: a taken port, its start-up lines, the access log,
and a worker stopped (SIGTERM) in the middle of harvests.

Every test runs a real ``python -m oai serve`` (gunicorn) in a subprocess.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from oai.server import port_problem

from .conftest import record
from .server import run_command, running_servers

OAI = "{http://www.openarchives.org/OAI/2.0/}"


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OAI_")}
    env.update({"OAI_DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite'}", **extra})
    return env


def test_a_taken_port_is_one_line_and_nothing_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "oai", "serve", "--port", str(port)],
            env=_environment(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"Error: port {port} on 127.0.0.1 is already in use (another oai serve?): "
        "stop that server or pick another with --port"
    ]
    assert result.stdout == ""
    # Refused before anything else: gunicorn never ran, no database was made.
    assert not (tmp_path / "served.sqlite").exists()


def test_port_problem_accepts_a_free_port_and_names_a_bad_host() -> None:
    assert port_problem("127.0.0.1", 0) is None
    problem = port_problem("no-such-host.invalid", 8000)
    assert problem is not None and problem.startswith("cannot listen on no-such-host.invalid")


def test_serve_names_its_database_at_start(tmp_path: Path) -> None:
    env = _environment(tmp_path, OAI_DATABASE_URL=f"sqlite:///{tmp_path / 'named.sqlite'}")
    with running_servers(tmp_path, [env]) as (server,):
        pass
    log = server.log_path.read_text()
    assert f"database: sqlite:///{tmp_path / 'named.sqlite'}\n" in log


#: One access log line: client, identity, user, [time], "request", status, bytes,
#: "referrer", "user agent" (Apache's Combined Log Format).
COMBINED = re.compile(
    r"^(?P<client>\S+) - - \[(?P<time>\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] "
    r'"(?P<request>[^"]*)" (?P<status>\d{3}) (?P<bytes>\d+|-) "(?P<referrer>[^"]*)" '
    r'"(?P<agent>[^"]*)"$'
)


def test_access_log_in_combined_log_format(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    env = _environment(tmp_path, OAI_ACCESS_LOG=str(log))
    with running_servers(tmp_path, [env]) as (server,):
        request = urllib.request.Request(
            f"{server.url}?verb=Identify",
            headers={"User-Agent": "test-harvester/1.0", "Referer": "http://example.org/"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            size = len(response.read())
    lines = [COMBINED.match(line) for line in log.read_text().splitlines()]
    assert all(lines), log.read_text()
    ours = [m for m in lines if m is not None and m["agent"] == "test-harvester/1.0"]
    assert len(ours) == 1
    assert ours[0]["client"] == "127.0.0.1"
    assert ours[0]["request"] == "GET /oai?verb=Identify HTTP/1.1"
    assert (ours[0]["status"], ours[0]["bytes"]) == ("200", str(size))
    assert ours[0]["referrer"] == "http://example.org/"


def test_no_access_log_by_default(tmp_path: Path) -> None:
    with running_servers(tmp_path, [_environment(tmp_path)]) as (server,):
        with urllib.request.urlopen(f"{server.url}?verb=Identify", timeout=10) as response:
            response.read()
    assert "GET /oai?verb=Identify" not in server.log_path.read_text()


# --- graceful shutdown: SIGTERM to a worker in the middle of harvests ---------------------

RECORDS = 600
PAGE_SIZE = 5
HARVESTERS = 4


class Harvester(threading.Thread):
    """Harvests ListIdentifiers to the end; keep-alive connection or a new one a page."""

    def __init__(self, base: str, keep_alive: bool) -> None:
        super().__init__(daemon=True)
        self.url = urllib.parse.urlsplit(base)
        self.keep_alive = keep_alive
        self.identifiers: list[str] = []
        self.failures: list[str] = []
        self.pages = 0

    def _get(self, connection: http.client.HTTPConnection | None, query: str) -> bytes:
        if connection is None:
            with urllib.request.urlopen(
                f"{self.url.scheme}://{self.url.netloc}{self.url.path}?{query}", timeout=30
            ) as response:
                status, body = response.status, response.read()
        else:
            connection.request("GET", f"{self.url.path}?{query}")
            response = connection.getresponse()
            status, body = response.status, response.read()
            if response.will_close:
                connection.close()  # the next request opens a new one (http.client does)
        if status != 200:
            raise AssertionError(f"HTTP {status}")
        return body

    def run(self) -> None:
        from lxml import etree

        connection = (
            http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=30)
            if self.keep_alive
            else None
        )
        query = "verb=ListIdentifiers&metadataPrefix=oai_dc"
        try:
            while True:
                try:
                    body = self._get(connection, query)
                except Exception as exc:  # any failed request is the test's failure
                    self.failures.append(f"page {self.pages + 1}: {exc!r}")
                    return
                self.pages += 1
                root = etree.fromstring(body)
                self.identifiers += [e.text or "" for e in root.iter(f"{OAI}identifier")]
                token = root.findtext(f".//{OAI}resumptionToken")
                if not token:
                    return
                query = urllib.parse.urlencode(
                    {"verb": "ListIdentifiers", "resumptionToken": token}
                )
        finally:
            if connection is not None:
                connection.close()


def test_a_harvest_across_a_worker_sigterm_loses_nothing(tmp_path: Path) -> None:
    """Two workers; each is sent SIGTERM while harvests run. gunicorn lets the worker
    finish what it holds and starts another; no request fails, no record is lost or
    repeated, with keep-alive harvesters and with a connection per page."""
    source = tmp_path / "records.jsonl"
    lines = [record(n, datestamp="2024-01-01T00:00:00Z") for n in range(RECORDS)]
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    env = _environment(tmp_path, OAI_PAGE_SIZE=str(PAGE_SIZE), OAI_SECRET_KEY="graceful")
    loaded = run_command(env, "load", str(source))
    assert loaded.returncode == 0, loaded.stderr
    expected = sorted(line["identifier"] for line in lines)
    with running_servers(tmp_path, [env], workers=2) as (server,):
        first = server.worker_pids(2)
        assert len(first) == 2
        harvesters = [Harvester(server.url, keep_alive=n % 2 == 0) for n in range(HARVESTERS)]
        for harvester in harvesters:
            harvester.start()
        stopped = []
        for pid in first:
            # Wait until the harvests are well under way, then stop one worker.
            deadline = time.monotonic() + 60
            while min(h.pages for h in harvesters) < 10 * (len(stopped) + 1):
                assert time.monotonic() < deadline and all(h.is_alive() for h in harvesters)
                time.sleep(0.01)
            os.kill(pid, signal.SIGTERM)
            stopped.append(pid)
        for harvester in harvesters:
            harvester.join(timeout=120)
        replaced = server.worker_pids(2)
        log = server.log_path.read_text()
    assert [h.failures for h in harvesters] == [[]] * HARVESTERS, log
    for harvester in harvesters:
        assert not harvester.is_alive()
        assert harvester.pages == RECORDS // PAGE_SIZE
        assert sorted(harvester.identifiers) == expected  # each exactly once
    # Both workers really went, and gunicorn started others in their place.
    assert not set(first) & set(replaced) and len(replaced) == 2, (first, replaced)
