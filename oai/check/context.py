"""The state of one run: options, the client, the report, and what has been learnt so far.

Every request goes through :meth:`Context.send`, which applies the checks every
response must pass (oai.check.envelope) before a check looks at the document.
What later checks need (Identify's facts, the formats, the sets, the complete
harvests) is kept here, so each area of checks reads it instead of asking again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import envelope
from .client import Client, Exchange, Request
from .document import Document, Header
from .report import Report
from .schemas import Unavailable
from .validation import Validator

DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_SECONDS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", re.ASCII)


def stamp(text: str) -> datetime | None:
    """A datestamp of either granularity as a naive UTC datetime; None if it is neither."""
    try:
        if _SECONDS.fullmatch(text):
            return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
        if _DAY.fullmatch(text):
            return datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return None
    return None


def has_granularity(text: str, granularity: str) -> bool:
    pattern = _SECONDS if granularity == SECONDS else _DAY
    return pattern.fullmatch(text) is not None and stamp(text) is not None


@dataclass(frozen=True, slots=True)
class Options:
    """What the command line decides; see ``oai check --help``."""

    url: str
    delay: float = 0.0
    max_records: int = 1000
    max_sets: int = 10
    schemas_dir: Path | None = None
    offline: bool = False
    timeout: float = 60.0
    cache_dir: Path | None = None


@dataclass(frozen=True, slots=True)
class Format:
    prefix: str
    schema: str
    namespace: str


@dataclass
class Facts:
    """What Identify says; None where it says nothing usable."""

    base_url: str | None = None
    granularity: str | None = None
    earliest: str | None = None
    deleted_record: str | None = None
    compressions: tuple[str, ...] = ()
    repository_identifier: str | None = None
    sample_identifier: str | None = None


@dataclass
class Listing:
    """One list harvested by following its tokens, as far as ``--max-records`` allows."""

    verb: str
    first: Request
    headers: list[Header] = field(default_factory=list)
    #: identifier -> canonical digest of its metadata (ListRecords, GetRecord).
    digests: dict[str, str] = field(default_factory=dict)
    #: The requests made, and the identifiers each page listed.
    pages: list[tuple[Request, list[str]]] = field(default_factory=list)
    #: Whether the list was followed to its end.
    complete: bool = False
    #: The error code of the first page (noRecordsMatch: an empty list), if any.
    error: str | None = None
    #: Sizes of the pages that had a following page (driver.batch_size).
    batch_sizes: list[int] = field(default_factory=list)

    @property
    def described(self) -> str:
        return self.pages[0][0].describe("") if self.pages else ""

    @property
    def identifiers(self) -> list[str]:
        return [h.identifier for h in self.headers]


@dataclass(frozen=True, slots=True)
class Answer:
    """A response: the exchange, and the document when it is an OAI-PMH one."""

    exchange: Exchange
    doc: Document | None

    @property
    def where(self) -> str:
        return self.exchange.description

    @property
    def errors(self) -> list[str]:
        return self.doc.errors if self.doc is not None else []


class Context:
    """One run of ``oai check`` against one endpoint."""

    def __init__(
        self,
        options: Options,
        report: Report,
        client: Client,
        validator: Validator,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.options = options
        self.report = report
        self.client = client
        self.validator = validator
        self.progress = progress
        self.facts = Facts()
        self.formats: list[Format] = []
        #: Declared setSpecs; None when ListSets said noSetHierarchy.
        self.sets: list[str] | None = []
        #: (verb, metadataPrefix) -> the full harvest.
        self.listings: dict[tuple[str, str], Listing] = {}
        #: The ListSets harvest.
        self.set_listing: Listing | None = None
        self._unavailable: set[str] = set()
        #: (prefix, header, metadata digest) of the records already judged.
        self.judged: set[tuple[str, Header, str]] = set()

    @property
    def url(self) -> str:
        return self.options.url

    def phase(self, name: str) -> None:
        if self.progress is not None:
            self.progress(name)

    def send(self, request: Request, accept_encoding: str | None = None) -> Answer:
        """Send a request and apply the every-response checks; Unreachable escapes."""
        exchange = self.client.send(request, accept_encoding)
        return Answer(exchange, envelope.inspect(self, exchange))

    def get(self, *pairs: tuple[str, str], **arguments: str) -> Answer:
        return self.send(Request.get(*pairs, **arguments))

    def advertised(self) -> dict[str, str]:
        """metadataNamespace -> schema URL, as ListMetadataFormats gives them."""
        return {f.namespace: f.schema for f in self.formats}

    def unavailable(self, problem: Unavailable, where: str | None) -> None:
        """Warn once per missing schema that something could not be validated."""
        reason = str(problem)
        if reason not in self._unavailable:
            self._unavailable.add(reason)
            self.report.warn("schema.unavailable", f"not validated: {reason}", where)

    def main_prefix(self) -> str:
        """The format selective harvests use: oai_dc, else the first one offered."""
        if self.format("oai_dc") is not None:
            return "oai_dc"
        return self.formats[0].prefix if self.formats else ""

    def live_identifier(self) -> str | None:
        """A record the repository serves (not deleted), so a request is wrong only where meant."""
        for listing in self.listings.values():
            for header in listing.headers:
                if not header.deleted:
                    return header.identifier
        return self.facts.sample_identifier

    def format(self, prefix: str) -> Format | None:
        return next((f for f in self.formats if f.prefix == prefix), None)

    def headers(self, prefix: str) -> dict[str, Header]:
        """identifier -> header from the ListIdentifiers harvest of ``prefix``."""
        listing = self.listings.get(("ListIdentifiers", prefix))
        return {h.identifier: h for h in listing.headers} if listing else {}
