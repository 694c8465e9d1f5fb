"""The harvester side: a lean HTTP/1.1 keep-alive client, and a harvest that follows tokens.

The client does what every harvester must and no more: send the request, read
the whole body (and inflate it, if it asked for gzip and got it), find the
resumptionToken. It does not parse the XML, so its own cost stays small next to
the server's and the ceiling comparison measures the server. Items are counted
as ``<header`` occurrences in the bytes.

It speaks HTTP/1.1 on a socket itself rather than through http.client, whose
header parsing (the email package) costs about 150 us of CPU a request on the
2-core machine against about 30 us here, and half a millisecond of wall time a
GetRecord: as much as the ceiling's whole answer, which would blur every
latency ratio and take CPU from the servers in the concurrent mix.

A client that asks for compression sends ``Accept-Encoding: gzip, deflate``, as
python-requests (and so Sickle) does; one that does not sends
``Accept-Encoding: identity``.
"""

from __future__ import annotations

import math
import re
import socket
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

_TOKEN = re.compile(rb"<resumptionToken([^>]*)>([^<]*)</resumptionToken>")
_SIZE = re.compile(rb'completeListSize="(\d+)"')
_ERROR = re.compile(rb'<error code="([^"]+)"')
#: What python-requests sends unless told otherwise.
GZIP_ENCODINGS = "gzip, deflate"
#: The response headers a recording keeps and the ceiling sends back.
KEPT_HEADERS = ("Content-Type", "Content-Encoding", "Vary", "Last-Modified")
_KEPT = {name.lower().encode(): name for name in KEPT_HEADERS}
_WBITS = {"gzip": 31, "deflate": 15}
_LINE = 65536


class HarvestError(RuntimeError):
    """The server answered something a harvest cannot go on from."""


class _Closed(OSError):
    """The server closed the connection before answering (an idle keep-alive timed out)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """One response: its status, the headers a recording keeps, its body as sent."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    seconds: float

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)

    def text(self) -> bytes:
        """The body, inflated if it came compressed."""
        coding = self.header("Content-Encoding")
        return zlib.decompress(self.body, _WBITS[coding]) if coding else self.body


class Client:
    """A keep-alive connection to one server; reconnects if the server closed it."""

    def __init__(self, host: str, port: int, path: str = "/oai") -> None:
        self.host, self.port, self.path = host, port, path
        self._sock: socket.socket | None = None
        self._file: Any = None
        self._tail = {
            gzip: (
                f" HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Accept-Encoding: {GZIP_ENCODINGS if gzip else 'identity'}\r\n\r\n"
            ).encode("ascii")
            for gzip in (False, True)
        }

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout=120)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock, self._file = sock, sock.makefile("rb", buffering=_LINE)
        return sock

    def get(self, query: str, gzip: bool = False) -> Reply:
        """``GET path?query``, the body read to its end; timed from sending to the last byte."""
        request = f"GET {self.path}?{query}".encode("ascii") + self._tail[gzip]
        for attempt in (1, 2):
            sock = self._sock or self._connect()
            started = time.perf_counter()
            try:
                sock.sendall(request)
                status, headers, body, close = self._response()
            except OSError:
                # gunicorn closes a connection idle for longer than its keepalive.
                self.close()
                if attempt == 2:
                    raise
                continue
            seconds = time.perf_counter() - started
            if close:
                self.close()
            return Reply(status, headers, body, seconds)
        raise AssertionError("unreachable")

    def _response(self) -> tuple[int, tuple[tuple[str, str], ...], bytes, bool]:
        read = self._file
        line = read.readline(_LINE)
        if not line:
            raise _Closed()
        status = int(line.split(None, 2)[1])
        kept: list[tuple[str, str]] = []
        length: int | None = None
        chunked = close = False
        while (line := read.readline(_LINE)) not in (b"\r\n", b"\n", b""):
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = value.lower() == b"chunked"
            elif name == b"connection":
                close = value.lower() == b"close"
            elif name in _KEPT:
                kept.append((_KEPT[name], value.decode("latin-1")))
        if chunked:
            body = self._chunks()
        elif length is not None:
            body = read.read(length)
            if len(body) != length:
                raise _Closed()
        else:
            body, close = read.read(), True
        return status, tuple(kept), body, close

    def _chunks(self) -> bytes:
        parts = []
        read = self._file
        while size := int(read.readline(_LINE).split(b";", 1)[0], 16):
            parts.append(read.read(size))
            read.readline(_LINE)
        while read.readline(_LINE) not in (b"\r\n", b"\n", b""):  # trailers
            pass
        return b"".join(parts)

    def close(self) -> None:
        if self._sock is not None:
            self._file.close()
            self._sock.close()
            self._sock = self._file = None


def list_query(
    verb: str = "ListRecords",
    prefix: str = "oai_dc",
    set_spec: str | None = None,
    from_: str | None = None,
    until: str | None = None,
) -> str:
    """The query string of a list's first request."""
    arguments = {"verb": verb, "metadataPrefix": prefix}
    for name, value in (("set", set_spec), ("from", from_), ("until", until)):
        if value is not None:
            arguments[name] = value
    return urlencode(arguments)


def token_query(token: str, verb: str = "ListRecords") -> str:
    return f"verb={verb}&resumptionToken={quote(token, safe='')}"


def next_token(text: bytes) -> str:
    """The resumptionToken of a page ("" on the last page or when there is none)."""
    found = _TOKEN.search(text, max(0, len(text) - 4096))
    return found.group(2).decode("ascii") if found else ""


def oai_error(text: bytes) -> str | None:
    found = _ERROR.search(text, 0, 4096)
    return found.group(1).decode() if found else None


def verb_of(query: str) -> str:
    return query.split("&", 1)[0].removeprefix("verb=")


#: Called with (query, asked for gzip, reply) for each response of a recorded harvest.
Sink = Callable[[str, bool, Reply], None]


@dataclass
class Harvest:
    """What one harvest of a list saw."""

    items: int = 0
    pages: int = 0
    #: Bytes as sent (compressed, if they came compressed) and inflated.
    bytes: int = 0
    text_bytes: int = 0
    seconds: float = 0.0
    complete_list_size: int | None = None
    #: The token that asked for each page, "" for the first request.
    tokens: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


def harvest(client: Client, first: str, gzip: bool = False, sink: Sink | None = None) -> Harvest:
    """Harvest the list that query ``first`` opens to its end, following the tokens.

    ``noRecordsMatch`` is an empty list; any other OAI error or HTTP status raises
    :class:`HarvestError`. ``sink`` gets every response (to record them for the ceiling).
    """
    verb = verb_of(first)
    result = Harvest()
    token = ""
    started = time.perf_counter()
    while True:
        query = token_query(token, verb) if token else first
        reply = client.get(query, gzip)
        if reply.status != 200:
            raise HarvestError(f"HTTP {reply.status} on page {result.pages + 1} of {first}")
        text = reply.text()
        error = oai_error(text)
        if error == "noRecordsMatch" and not token:
            result.complete_list_size = 0
        elif error:
            raise HarvestError(f"OAI error {error} on page {result.pages + 1} of {first}")
        result.tokens.append(token)
        result.pages += 1
        result.items += text.count(b"<header")
        result.bytes += len(reply.body)
        result.text_bytes += len(text)
        if sink is not None:
            sink(query, gzip, reply)
        if result.complete_list_size is None:
            size = _SIZE.search(text, max(0, len(text) - 4096))
            result.complete_list_size = int(size.group(1)) if size else result.items
        token = next_token(text)
        if not token:
            break
    result.seconds = time.perf_counter() - started
    return result


def check(reply: Reply, query: str) -> Reply:
    """``reply`` if it is an answer (HTTP 200, no OAI error); else :class:`HarvestError`."""
    if reply.status != 200:
        raise HarvestError(f"HTTP {reply.status} for {query}")
    error = oai_error(reply.text())
    if error:
        raise HarvestError(f"OAI error {error} for {query}")
    return reply


def interleaved_latencies(
    requests: Sequence[tuple[Client, str]], repeats: int
) -> list[list[float]]:
    """Seconds of each (client, query), all interleaved round-robin ``repeats`` times.

    Interleaving spreads the noise of a shared machine over every request alike,
    so a ratio of two medians compares like with like.
    """
    samples: list[list[float]] = [[] for _ in requests]
    for _ in range(repeats):
        for i, (client, query) in enumerate(requests):
            samples[i].append(check(client.get(query), query).seconds)
    return samples


def percentiles(values: Iterable[float], points: Iterable[float]) -> list[float]:
    """Nearest-rank percentiles of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return [math.nan for _ in points]
    return [ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1] for p in points]
