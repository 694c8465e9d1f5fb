"""The bytes of a record's ``<header>`` and ``<record>``: stored in parts, joined per request.

A record's header and its metadata element in each format are rendered once, when
it is loaded. The header is kept in two parts around its datestamp (the datestamp
lives in the table's key), so that restamping a record changes a column and never
stored XML; a list page joins the parts of each row, which costs a few byte
concatenations (:func:`record`, :func:`header`). The parts carry no namespace
declaration: they are written inside the response's ``ListRecords``,
``ListIdentifiers`` or ``GetRecord`` element, whose default namespace is OAI-PMH's.
"""

from __future__ import annotations

from collections.abc import Iterable

from .xmlchars import escape_text

OAI = "http://www.openarchives.org/OAI/2.0/"

_OPEN = b"<header><identifier>"
_OPEN_DELETED = b'<header status="deleted"><identifier>'


def header_parts(identifier: str, set_specs: Iterable[str], deleted: bool) -> tuple[bytes, bytes]:
    """What precedes the datestamp (``<header>``, the identifier) and what follows it."""
    start = (_OPEN_DELETED if deleted else _OPEN) + escape_text(identifier).encode()
    specs = "".join(f"<setSpec>{escape_text(spec)}</setSpec>" for spec in set_specs)
    return start + b"</identifier>", f"{specs}</header>".encode()


def header(opening: bytes, datestamp: bytes, closing: bytes) -> bytes:
    """``<header>`` as ListIdentifiers sends it."""
    return b"".join((opening, b"<datestamp>", datestamp, b"</datestamp>", closing))


def record(opening: bytes, datestamp: bytes, closing: bytes, metadata: bytes | None) -> bytes:
    """``<record>`` as ListRecords and GetRecord send it; a deleted record has no metadata."""
    if metadata is None:
        parts = (b"<record>", opening, b"<datestamp>", datestamp, b"</datestamp>", closing)
        return b"".join((*parts, b"</record>"))
    return b"".join(
        (
            b"<record>",
            opening,
            b"<datestamp>",
            datestamp,
            b"</datestamp>",
            closing,
            b"<metadata>",
            metadata,
            b"</metadata></record>",
        )
    )
