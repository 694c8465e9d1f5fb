"""The OAI-PMH response document, written as text around the stored bytes.

The envelope is a few fixed elements around values that pass ``escape_text`` or
``escape_attribute`` (the escaping libxml2 applies, so the document is the one
``lxml.etree.xmlfile`` wrote before, byte for byte); the stored ``<header>`` and
``<record>`` bytes of a list are copied raw. Written as text, not element by element
through lxml: the envelope of a GetRecord took 14 us through xmlfile, and a
ListMetadataFormats answer 60 us of its 100 us. Output leaves in chunks of about
CHUNK bytes, so memory does not depend on the page size. This module never
queries: it gets a finished Result (or an OAIError) and only writes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

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
from .xmlchars import escape_attribute, escape_text

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


_OPENING = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    f'<OAI-PMH xmlns="{OAI}" xmlns:xsi="{XSI}" xsi:schemaLocation="{OAI} {OAI_SCHEMA}">'
)
_CLOSING = b"</OAI-PMH>"
_IDENTIFIER_DESCRIPTION = (
    f'<description><oai-identifier xmlns="{OAI_IDENTIFIER}" '
    f'xsi:schemaLocation="{OAI_IDENTIFIER} {OAI_IDENTIFIER_SCHEMA}">'
    "<scheme>oai</scheme><repositoryIdentifier>{repository}</repositoryIdentifier>"
    "<delimiter>:</delimiter><sampleIdentifier>{sample}</sampleIdentifier>"
    "</oai-identifier></description>"
)
_SET_DESCRIPTION = (
    f'<setDescription><oai_dc:dc xmlns:dc="{DC}" xmlns:oai_dc="{OAI_DC}" '
    f'xsi:schemaLocation="{OAI_DC} {OAI_DC_SCHEMA}">'
    "<dc:description>{description}</dc:description></oai_dc:dc></setDescription>"
)


def _element(tag: str, value: str) -> str:
    return f"<{tag}>{escape_text(value)}</{tag}>"


#: The last responseDate written, and its text: requests in the same second share it.
_last_date: tuple[datetime, str] = (datetime.min, format_datestamp(datetime.min))


def _response_date(value: datetime) -> str:
    """``format_datestamp(value)``, kept for the next request of the same second (1.9 us
    saved a request). Threads share it safely: each reads and replaces the pair whole,
    so a text is only ever returned for its own datetime."""
    global _last_date
    last = _last_date
    if last[0] == value:
        return last[1]
    text = format_datestamp(value)
    _last_date = (value, text)
    return text


def _head(envelope: Envelope) -> str:
    """The declaration, the root's start tag, responseDate and request."""
    attributes = "".join(
        f' {name}="{escape_attribute(value)}"' for name, value in envelope.arguments
    )
    return (
        f"{_OPENING}<responseDate>{_response_date(envelope.response_date)}</responseDate>"
        f"<request{attributes}>{escape_text(envelope.base_url)}</request>"
    )


def _identify(result: IdentifyResult, base_url: str) -> str:
    parts = [
        "<Identify>",
        _element("repositoryName", result.repository_name),
        _element("baseURL", base_url),
        "<protocolVersion>2.0</protocolVersion>",
        _element("adminEmail", result.admin_email),
        _element("earliestDatestamp", format_datestamp(result.earliest_datestamp)),
        "<deletedRecord>persistent</deletedRecord>",
        "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>",
        *(_element("compression", encoding) for encoding in result.compressions),
    ]
    if result.sample_identifier is not None:
        parts.append(
            _IDENTIFIER_DESCRIPTION.format(
                repository=escape_text(result.repository_identifier),
                sample=escape_text(result.sample_identifier),
            )
        )
    parts.append("</Identify>")
    return "".join(parts)


def _formats(result: FormatsResult) -> str:
    parts = ["<ListMetadataFormats>"]
    for fmt in result.formats:
        parts += (
            "<metadataFormat>",
            _element("metadataPrefix", fmt.prefix),
            _element("schema", fmt.schema),
            _element("metadataNamespace", fmt.namespace),
            "</metadataFormat>",
        )
    parts.append("</ListMetadataFormats>")
    return "".join(parts)


def _resumption(resumption: Resumption | None) -> str:
    if resumption is None:
        return ""
    expiration = ""
    if resumption.expiration is not None and resumption.token:
        expiration = f' expirationDate="{format_datestamp(resumption.expiration)}"'
    return (
        f'<resumptionToken completeListSize="{resumption.complete_list_size}" '
        f'cursor="{resumption.cursor}"{expiration}>{escape_text(resumption.token)}'
        "</resumptionToken>"
    )


def _sets(result: SetsResult) -> str:
    parts = ["<ListSets>"]
    for row in result.sets:
        parts += ("<set>", _element("setSpec", row.set_spec), _element("setName", row.name))
        if row.description:
            parts.append(_SET_DESCRIPTION.format(description=escape_text(row.description)))
        parts.append("</set>")
    parts += (_resumption(result.resumption), "</ListSets>")
    return "".join(parts)


def _error(error: OAIError) -> str:
    return f'<error code="{escape_attribute(error.code)}">{escape_text(error.message)}</error>'


def _chunks(head: bytes, items: Sequence[bytes], tail: bytes) -> Iterator[bytes]:
    """``head``, the items and ``tail`` as one chunk, or as chunks of about CHUNK bytes."""
    if len(head) + sum(map(len, items)) + len(tail) < CHUNK:  # the usual page: one join
        yield b"".join((head, *items, tail))
        return
    parts, size = [head], len(head)
    for item in items:
        parts.append(item)
        size += len(item)
        if size >= CHUNK:
            yield b"".join(parts)
            parts, size = [], 0
    parts.append(tail)
    yield b"".join(parts)


def write(result: Result | OAIError, envelope: Envelope) -> Iterator[bytes]:
    """The whole response document, in chunks of about CHUNK bytes."""
    head = _head(envelope)
    match result:
        case ItemsResult():
            opening = f"{head}<{result.verb}>".encode()
            closing = f"{_resumption(result.resumption)}</{result.verb}></OAI-PMH>".encode()
            yield from _chunks(opening, result.items, closing)
            return
        case RecordResult():
            opening = f"{head}<GetRecord>".encode()
            yield b"".join((opening, result.record, b"</GetRecord></OAI-PMH>"))
            return
        case OAIError():
            body = _error(result)
        case IdentifyResult():
            body = _identify(result, envelope.base_url)
        case FormatsResult():
            body = _formats(result)
        case SetsResult():
            body = _sets(result)
    yield (head + body).encode() + _CLOSING
