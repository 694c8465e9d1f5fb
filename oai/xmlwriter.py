"""The OAI-PMH response document, written incrementally with ``lxml.etree.xmlfile``.

The envelope is written element by element; the stored ``<header>``/``<record>``
bytes of a list are copied raw after a flush. Output leaves in chunks, so memory
does not depend on the page size. This module never queries: it gets a finished
Result (or an OAIError) and only writes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:  # the writer xmlfile yields; lxml names it only in its type stubs
    from lxml.etree._serializer import _IncrementalFileWriter

from .errors import OAIError
from .formats.oai_dc import DC
from .formats.oai_dc import NAMESPACE as OAI_DC
from .formats.oai_dc import SCHEMA as OAI_DC_SCHEMA
from .fragments import OAI
from .protocol import format_datestamp
from .verbs import (
    FormatsResult,
    IdentifyResult,
    ItemsResult,
    RecordResult,
    Result,
    Resumption,
    SetsResult,
)
from .xmlchars import clean_text

XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class Envelope:
    """What every response repeats: when, where, and the request it answers."""

    response_date: datetime
    base_url: str
    #: (name, value) pairs for ``<request>``'s attributes, verb first; empty when not echoed.
    arguments: Sequence[tuple[str, str]]


class _Sink:
    """A file-like target that hands its bytes back in chunks."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes, /) -> int:
        self.parts.append(data)
        self.size += len(data)
        return len(data)

    def copy(self, items: Sequence[bytes]) -> Iterator[bytes]:
        """Append stored items as they are, handing back a chunk whenever CHUNK bytes wait."""
        size = sum(map(len, items))
        if self.size + size < CHUNK:  # the usual page: no per-item Python work
            self.parts.extend(items)
            self.size += size
            return
        for item in items:
            self.write(item)
            if self.size >= CHUNK:
                yield self.drain()

    def drain(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return data


def _text(xf: _IncrementalFileWriter, tag: str, value: str, ns: str = OAI) -> None:
    with xf.element(f"{{{ns}}}{tag}"):
        xf.write(clean_text(value))


def _identify(xf: _IncrementalFileWriter, result: IdentifyResult, base_url: str) -> None:
    with xf.element(f"{{{OAI}}}Identify"):
        _text(xf, "repositoryName", result.repository_name)
        _text(xf, "baseURL", base_url)
        _text(xf, "protocolVersion", "2.0")
        _text(xf, "adminEmail", result.admin_email)
        _text(xf, "earliestDatestamp", format_datestamp(result.earliest_datestamp))
        _text(xf, "deletedRecord", "persistent")
        _text(xf, "granularity", "YYYY-MM-DDThh:mm:ssZ")
        for encoding in result.compressions:
            _text(xf, "compression", encoding)
        if result.sample_identifier is not None:
            with xf.element(f"{{{OAI}}}description"):
                attrib = {f"{{{XSI}}}schemaLocation": f"{OAI_IDENTIFIER} {OAI_IDENTIFIER_SCHEMA}"}
                with xf.element(
                    f"{{{OAI_IDENTIFIER}}}oai-identifier", attrib, nsmap={None: OAI_IDENTIFIER}
                ):
                    _text(xf, "scheme", "oai", OAI_IDENTIFIER)
                    _text(xf, "repositoryIdentifier", result.repository_identifier, OAI_IDENTIFIER)
                    _text(xf, "delimiter", ":", OAI_IDENTIFIER)
                    _text(xf, "sampleIdentifier", result.sample_identifier, OAI_IDENTIFIER)


def _formats(xf: _IncrementalFileWriter, result: FormatsResult) -> None:
    with xf.element(f"{{{OAI}}}ListMetadataFormats"):
        for fmt in result.formats:
            with xf.element(f"{{{OAI}}}metadataFormat"):
                _text(xf, "metadataPrefix", fmt.prefix)
                _text(xf, "schema", fmt.schema)
                _text(xf, "metadataNamespace", fmt.namespace)


def _resumption(xf: _IncrementalFileWriter, resumption: Resumption | None) -> None:
    if resumption is None:
        return
    attrib = {
        "completeListSize": str(resumption.complete_list_size),
        "cursor": str(resumption.cursor),
    }
    if resumption.expiration is not None and resumption.token:
        attrib["expirationDate"] = format_datestamp(resumption.expiration)
    with xf.element(f"{{{OAI}}}resumptionToken", attrib):
        xf.write(resumption.token)


def _sets(xf: _IncrementalFileWriter, result: SetsResult) -> None:
    with xf.element(f"{{{OAI}}}ListSets"):
        for row in result.sets:
            with xf.element(f"{{{OAI}}}set"):
                _text(xf, "setSpec", row.set_spec)
                _text(xf, "setName", row.name)
                if row.description:
                    with xf.element(f"{{{OAI}}}setDescription"):
                        attrib = {f"{{{XSI}}}schemaLocation": f"{OAI_DC} {OAI_DC_SCHEMA}"}
                        with xf.element(
                            f"{{{OAI_DC}}}dc", attrib, nsmap={"oai_dc": OAI_DC, "dc": DC}
                        ):
                            _text(xf, "description", row.description, DC)
        _resumption(xf, result.resumption)


def _error(xf: _IncrementalFileWriter, error: OAIError) -> None:
    with xf.element(f"{{{OAI}}}error", {"code": error.code}):
        xf.write(clean_text(error.message))


def write(result: Result | OAIError, envelope: Envelope) -> Iterator[bytes]:
    """The whole response document, in chunks of about CHUNK bytes."""
    sink = _Sink()
    with etree.xmlfile(sink, encoding="utf-8") as xf:
        xf.write_declaration()
        root_attrib = {f"{{{XSI}}}schemaLocation": f"{OAI} {OAI_SCHEMA}"}
        with xf.element(f"{{{OAI}}}OAI-PMH", root_attrib, nsmap={None: OAI, "xsi": XSI}):
            _text(xf, "responseDate", format_datestamp(envelope.response_date))
            request_attrib = {name: clean_text(value) for name, value in envelope.arguments}
            with xf.element(f"{{{OAI}}}request", request_attrib):
                xf.write(clean_text(envelope.base_url))
            match result:
                case OAIError():
                    _error(xf, result)
                case IdentifyResult():
                    _identify(xf, result, envelope.base_url)
                case FormatsResult():
                    _formats(xf, result)
                case SetsResult():
                    _sets(xf, result)
                case RecordResult():
                    with xf.element(f"{{{OAI}}}GetRecord"):
                        xf.flush()
                        sink.write(result.record)
                case ItemsResult():
                    with xf.element(f"{{{OAI}}}{result.verb}"):
                        xf.flush()
                        yield from sink.copy(result.items)
                        _resumption(xf, result.resumption)
    yield sink.drain()
