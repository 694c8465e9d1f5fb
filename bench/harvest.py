"""The harvester side: one HTTP/1.1 keep-alive client that follows resumption tokens.

The client does what every harvester must and no more: send the request, read
the whole body, find the resumptionToken. It does not parse the XML, so its own
cost stays small next to the server's and the ceiling comparison measures the
server. Records are counted as ``<header`` occurrences in the bytes.
"""

from __future__ import annotations

import http.client
import json
import math
import re
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from lxml import etree

_TOKEN = re.compile(rb"<resumptionToken([^>]*)>([^<]*)</resumptionToken>")
_SIZE = re.compile(rb'completeListSize="(\d+)"')
_ERROR = re.compile(rb'<error code="([^"]+)"')
_RECORD = "{http://www.openarchives.org/OAI/2.0/}record"
_DC_FIELDS = "{http://purl.org/dc/elements/1.1/}*"


class HarvestError(RuntimeError):
    """The server answered something a harvest cannot go on from."""


class Client:
    """A keep-alive connection to one server; reconnects if the server closed it."""

    def __init__(self, host: str, port: int, path: str = "/oai") -> None:
        self.host, self.port, self.path = host, port, path
        self.conn = http.client.HTTPConnection(host, port, timeout=120)

    def get(self, query: str) -> tuple[int, bytes, float]:
        """(status, body, seconds) for ``GET path?query``, the body read to its end."""
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.conn.request("GET", f"{self.path}?{query}")
                response = self.conn.getresponse()
                body = response.read()
                return response.status, body, time.perf_counter() - started
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


def first_query(page_verb: str = "ListRecords", prefix: str = "oai_dc") -> str:
    return urlencode({"verb": page_verb, "metadataPrefix": prefix})


def token_query(token: str, page_verb: str = "ListRecords") -> str:
    return f"verb={page_verb}&resumptionToken={quote(token, safe='')}"


def next_token(body: bytes) -> str:
    """The resumptionToken of a page ("" on the last page or when there is none)."""
    found = _TOKEN.search(body, max(0, len(body) - 4096))
    return found.group(2).decode("ascii") if found else ""


@dataclass
class Harvest:
    """What one full harvest saw."""

    records: int = 0
    pages: int = 0
    bytes: int = 0
    seconds: float = 0.0
    complete_list_size: int | None = None
    #: The token that asked for each page, "" for the first request.
    tokens: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def read_records(body: bytes) -> int:
    """What a real harvester does with a page (Sickle, pyoai): parse it and walk its
    records' Dublin Core fields. Returns the number of fields seen."""
    root = etree.fromstring(body)
    return sum(1 for record in root.iter(_RECORD) for _ in record.iter(_DC_FIELDS))


def harvest(client: Client, record_pages: Path | None = None, parse: bool = False) -> Harvest:
    """Harvest ListRecords oai_dc to the end; optionally keep every page for the ceiling.

    ``parse``: also parse every page as a harvester would (:func:`read_records`), so the
    client spends time on each page and the server's read-ahead can use it.
    """
    result = Harvest()
    out = record_pages.open("wb") if record_pages is not None else None
    index: list[tuple[str, int, int]] = []
    token = ""
    started = time.perf_counter()
    try:
        while True:
            query = token_query(token) if token else first_query()
            status, body, seconds = client.get(query)
            if status != 200:
                raise HarvestError(f"HTTP {status} on page {result.pages + 1}")
            error = _ERROR.search(body)
            if error:
                raise HarvestError(
                    f"OAI error {error.group(1).decode()} on page {result.pages + 1}"
                )
            result.tokens.append(token)
            result.latencies.append(seconds)
            result.pages += 1
            result.records += body.count(b"<header")
            if parse:
                read_records(body)
            if out is not None:
                index.append((token, result.bytes, len(body)))
                out.write(body)
            result.bytes += len(body)
            if result.complete_list_size is None:
                size = _SIZE.search(body)
                result.complete_list_size = int(size.group(1)) if size else result.records
            token = next_token(body)
            if not token:
                break
    finally:
        result.seconds = time.perf_counter() - started
        if out is not None:
            out.close()
            Path(f"{record_pages}.index").write_text(json.dumps(index), "utf-8")
    return result


def median_latency(client: Client, queries: Iterable[str], repeats: int) -> list[float]:
    """Median seconds of each query, the queries interleaved round-robin ``repeats`` times.

    Interleaving spreads the noise of a shared machine over every query alike,
    so a ratio of two medians compares like with like.
    """
    queries = list(queries)
    samples: list[list[float]] = [[] for _ in queries]
    for _ in range(repeats):
        for i, query in enumerate(queries):
            status, body, seconds = client.get(query)
            if status != 200 or _ERROR.search(body):
                raise HarvestError(f"request failed: {query}")
            samples[i].append(seconds)
    return [statistics.median(s) for s in samples]


def percentiles(values: list[float], points: Iterable[float]) -> list[float]:
    """Nearest-rank percentiles of ``values`` (seconds)."""
    ordered = sorted(values)
    return [ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1] for p in points]
