"""oai.check.client: politeness (delay, 503 + Retry-After), encodings, and no answer at all.

A tiny HTTP server in a thread answers from a script of responses and records what it
was sent; the client's sleep is replaced by one that records, so no test waits.
"""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from oai.check.client import RETRIES, Client, Request, Unreachable, retry_seconds

from .server import free_port

Script = list[tuple[int, dict[str, str], bytes]]


class Scripted:
    """A server answering each request with the next scripted response (the last repeats)."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(size) if size else b""
                outer.seen.append((self.command, self.path, dict(self.headers), body))
                status, headers, data = outer.script[min(len(outer.seen), len(outer.script)) - 1]
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/oai"

    def __enter__(self) -> Scripted:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


OK = (200, {"Content-Type": "text/xml"}, b"<ok/>")


@pytest.fixture
def slept() -> list[float]:
    return []


def client(url: str, slept: list[float], delay: float = 0.0) -> Client:
    return Client(url, delay=delay, timeout=5, sleep=slept.append)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("120", 120.0), ("0", 0.0), ("soon", None), ("", None), ("-5", None)],
)
def test_retry_after_seconds(value: str, seconds: float | None) -> None:
    assert retry_seconds(value) == seconds


def test_retry_after_as_a_date() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert retry_seconds(later, now) == 30.0
    assert retry_seconds(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0.0


def test_a_503_is_waited_out_as_retry_after_asks(slept: list[float]) -> None:
    busy = (503, {"Retry-After": "7"}, b"busy")
    with Scripted([busy, busy, OK]) as server:
        with client(server.url, slept) as c:
            exchange = c.send(Request.get(verb="Identify"))
    assert (exchange.status, exchange.body, exchange.waited) == (200, b"<ok/>", ("7", "7"))
    assert slept == [7.0, 7.0]
    assert len(server.seen) == 3


def test_a_503_that_never_ends_is_given_up(slept: list[float]) -> None:
    with Scripted([(503, {"Retry-After": "1"}, b"busy")]) as server:
        with client(server.url, slept) as c:
            exchange = c.send(Request.get(verb="Identify"))
    assert exchange.status == 503
    assert len(server.seen) == RETRIES + 1 and len(slept) == RETRIES


def test_a_503_without_retry_after_is_not_retried(slept: list[float]) -> None:
    with Scripted([(503, {}, b"busy"), OK]) as server:
        with client(server.url, slept) as c:
            exchange = c.send(Request.get(verb="Identify"))
    assert (exchange.status, exchange.waited, len(server.seen)) == (503, (None,), 1)


def test_the_delay_separates_requests(slept: list[float]) -> None:
    with Scripted([OK]) as server:
        with client(server.url, slept, delay=5.0) as polite:
            polite.send(Request.get(verb="Identify"))
            assert slept == []
            polite.send(Request.get(verb="Identify"))
    assert len(slept) == 1 and 4.0 < slept[0] <= 5.0


def test_get_keeps_repeats_and_post_is_form_encoded(slept: list[float]) -> None:
    with Scripted([OK]) as server:
        with client(server.url, slept) as c:
            c.send(Request.get(("verb", "Identify"), ("verb", "Identify")))
            c.send(
                Request.post(verb="GetRecord", identifier="oai:x.org:a/1", metadataPrefix="oai_dc")
            )
    (_, get_path, _, _), (method, post_path, headers, body) = server.seen
    assert get_path == "/oai?verb=Identify&verb=Identify"
    assert (method, post_path) == ("POST", "/oai")
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert body == b"verb=GetRecord&identifier=oai:x.org:a/1&metadataPrefix=oai_dc"


def test_content_encoding_is_decoded_and_a_false_one_reported(slept: list[float]) -> None:
    packed = (200, {"Content-Encoding": "gzip"}, gzip.compress(b"<ok/>"))
    false = (200, {"Content-Encoding": "gzip"}, b"<ok/>")
    with Scripted([packed, false]) as server:
        with client(server.url, slept) as c:
            good = c.send(Request.get(verb="Identify"), accept_encoding="gzip")
            bad = c.send(Request.get(verb="Identify"), accept_encoding="gzip")
    assert (good.body, good.decode_error) == (b"<ok/>", None)
    assert bad.body == b"" and bad.decode_error is not None
    assert server.seen[0][2]["Accept-Encoding"] == "gzip"


def test_refused(slept: list[float]) -> None:
    with pytest.raises(Unreachable, match="refused"):
        client(f"http://127.0.0.1:{free_port()}/oai", slept).send(Request.get(verb="Identify"))


def test_unknown_host(slept: list[float]) -> None:
    with pytest.raises(Unreachable, match="could not be resolved"):
        client("http://no-such-host.invalid/oai", slept).send(Request.get(verb="Identify"))


@pytest.fixture
def silent() -> Iterator[str]:
    """A port that accepts connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/oai"


def test_timeout(silent: str, slept: list[float]) -> None:
    with pytest.raises(Unreachable, match="timeout"):
        Client(silent, timeout=0.3, sleep=slept.append).send(Request.get(verb="Identify"))
