"""A polite HTTP client for one OAI-PMH endpoint: one request at a time, on one connection.

Politeness is what harvesters owe a repository: never two requests at once, an optional
pause between requests (``--delay``), and a 503 with Retry-After honoured (the spec's
flow control) by waiting that long and asking again, a few times at most. The standard
library's ``http.client`` is enough for this and keeps one keep-alive connection; no
redirect is followed, since an OAI-PMH baseURL that redirects is itself worth reporting.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urlencode, urlsplit

Method = Literal["GET", "POST"]
Pairs = tuple[tuple[str, str], ...]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("oai-endpoint")
    except PackageNotFoundError:
        return "unknown"


USER_AGENT = f"oai-endpoint-check/{_version()} (OAI-PMH 2.0 validator)"
#: How many times a 503 with Retry-After is waited out before giving up.
RETRIES = 5
#: The longest Retry-After honoured (seconds); a longer one is waited this long.
MAX_WAIT = 120.0
#: The largest response body read (bytes); an OAI-PMH page is far smaller.
MAX_BODY = 256 * 1024 * 1024


class Unreachable(Exception):
    """No HTTP answer at all: refused, name unknown, timed out, connection broken."""


@dataclass(frozen=True, slots=True)
class Request:
    """An OAI-PMH request: its method and its arguments in order, repeats kept."""

    method: Method
    pairs: Pairs

    @classmethod
    def get(cls, *pairs: tuple[str, str], **arguments: str) -> Request:
        return cls("GET", tuple(pairs) + tuple(arguments.items()))

    @classmethod
    def post(cls, *pairs: tuple[str, str], **arguments: str) -> Request:
        return cls("POST", tuple(pairs) + tuple(arguments.items()))

    def as_post(self) -> Request:
        return Request("POST", self.pairs)

    def query(self) -> str:
        # ':' and '/' are legal in a query (RFC 3986) and keep identifiers readable.
        return urlencode(self.pairs, safe=":/")

    def url(self, base_url: str) -> str:
        if self.method == "POST" or not self.pairs:
            return base_url
        return f"{base_url}?{self.query()}"

    def describe(self, base_url: str) -> str:
        """The request as a person reproduces it: ``GET url`` or ``POST url body``."""
        if self.method == "POST":
            return f"POST {base_url} {self.query()}"
        return f"GET {self.url(base_url)}"

    def argument(self, name: str) -> str | None:
        for key, value in self.pairs:
            if key == name:
                return value
        return None


@dataclass(frozen=True, slots=True)
class Exchange:
    """A request and the answer it finally got (after any 503s waited out)."""

    request: Request
    description: str
    status: int
    #: Header names in lower case; a repeated header keeps its last value.
    headers: dict[str, str]
    body: bytes
    #: The Retry-After values of the 503s answered before this one (None: header missing).
    waited: Sequence[str | None] = field(default_factory=tuple)
    #: Why the body could not be decoded from its Content-Encoding (it is then empty).
    decode_error: str | None = None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def retry_seconds(value: str, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After value asks for (delay-seconds or an HTTP-date); None if neither."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Client:
    """Sends requests to one base URL, one at a time, waiting ``delay`` seconds between them."""

    def __init__(
        self,
        base_url: str,
        delay: float = 0.0,
        timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        on_request: Callable[[Request], None] | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url}")
        self.base_url = base_url
        self.delay = delay
        self.timeout = timeout
        self.sleep = sleep
        self.on_request = on_request
        self.requests = 0
        self._parts = parts
        self._connection: http.client.HTTPConnection | None = None
        self._last = 0.0

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            host, port = self._parts.hostname or "", self._parts.port
            if self._parts.scheme == "https":
                context = ssl.create_default_context()
                self._connection = http.client.HTTPSConnection(
                    host, port, timeout=self.timeout, context=context
                )
            else:
                self._connection = http.client.HTTPConnection(host, port, timeout=self.timeout)
        return self._connection

    def _target(self, request: Request) -> str:
        path = self._parts.path or "/"
        if request.method == "GET" and request.pairs:
            return f"{path}?{request.query()}"
        return path

    def _once(self, request: Request, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        body = request.query().encode("ascii") if request.method == "POST" else None
        send = dict(headers, **{"User-Agent": USER_AGENT})
        if body is not None:
            send["Content-Type"] = "application/x-www-form-urlencoded"
        # A keep-alive connection the server closed fails once; a fresh one must not.
        for attempt in (1, 2):
            connection = self._connect()
            try:
                connection.request(request.method, self._target(request), body, send)
                response = connection.getresponse()
                data = response.read(MAX_BODY)
                answer = {name.lower(): value for name, value in response.getheaders()}
                if response.will_close:
                    self.close()
                return response.status, answer, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self.close()
                if attempt == 2:
                    raise Unreachable(f"the connection was closed: {exc}") from None
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise Unreachable(_reason(exc)) from None
        raise AssertionError("unreachable")

    def _pause(self) -> None:
        if self.delay and self._last:
            remaining = self._last + self.delay - time.monotonic()
            if remaining > 0:
                self.sleep(remaining)

    def send(self, request: Request, accept_encoding: str | None = None) -> Exchange:
        """Send ``request``; 503 + Retry-After is waited out up to RETRIES times.

        Raises Unreachable when no HTTP answer comes at all.
        """
        headers = {"Accept-Encoding": accept_encoding or "identity"}
        waited: list[str | None] = []
        while True:
            self._pause()
            if self.on_request is not None:
                self.on_request(request)
            self.requests += 1
            try:
                status, answer, body = self._once(request, headers)
            finally:
                self._last = time.monotonic()
            retry = answer.get("retry-after")
            if status != 503 or retry is None or len(waited) >= RETRIES:
                break
            waited.append(retry)
            seconds = retry_seconds(retry)
            self.sleep(min(MAX_WAIT, seconds if seconds is not None else MAX_WAIT))
        if status == 503 and retry is None:
            waited.append(None)
        encoding = answer.get("content-encoding", "")
        try:
            body, problem = _decoded(body, encoding), None
        except zlib.error as exc:
            body, problem = b"", f"the body is not {encoding} as Content-Encoding says ({exc})"
        return Exchange(
            request, request.describe(self.base_url), status, answer, body, tuple(waited), problem
        )


def _decoded(body: bytes, encoding: str) -> bytes:
    """The body without its Content-Encoding; zlib.error when it is not so encoded."""
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompress(body, 47)
    if encoding == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:
            return zlib.decompress(body, -15)  # raw deflate, as some servers send
    return body


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return f"the host name could not be resolved ({exc.strerror})"
    if isinstance(exc, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "no answer before the timeout"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    text = str(exc).strip()
    return text or type(exc).__name__
