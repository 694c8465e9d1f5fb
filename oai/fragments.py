"""The stored bytes of a record's ``<header>`` and ``<record>`` elements.

Built once when a record is loaded, so a list response only copies bytes.
Each element is serialized on its own and so declares the OAI-PMH namespace
itself; inside the envelope that declaration is redundant and harmless.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from lxml import etree

from .protocol import format_datestamp
from .xmlchars import clean_text, escape_text

OAI = "http://www.openarchives.org/OAI/2.0/"
_NSMAP = {None: OAI}
_RECORD = f"{{{OAI}}}record"
_HEADER = f"{{{OAI}}}header"
_IDENTIFIER = f"{{{OAI}}}identifier"
_DATESTAMP = f"{{{OAI}}}datestamp"
_SET_SPEC = f"{{{OAI}}}setSpec"
_METADATA = f"{{{OAI}}}metadata"


def _header(
    identifier: str, datestamp: datetime, set_specs: Iterable[str], deleted: bool
) -> etree._Element:
    header = etree.Element(_HEADER, nsmap=_NSMAP)
    if deleted:
        header.set("status", "deleted")
    etree.SubElement(header, _IDENTIFIER).text = clean_text(identifier)
    etree.SubElement(header, _DATESTAMP).text = format_datestamp(datestamp)
    for spec in set_specs:
        etree.SubElement(header, _SET_SPEC).text = spec
    return header


def header_bytes(
    identifier: str, datestamp: datetime, set_specs: Iterable[str], deleted: bool
) -> bytes:
    """``<header>`` as ListIdentifiers sends it."""
    header = _header(identifier, datestamp, set_specs, deleted)
    data: bytes = etree.tostring(header, encoding="utf-8")
    return data


def record_bytes(
    identifier: str,
    datestamp: datetime,
    set_specs: Iterable[str],
    deleted: bool,
    metadata: etree._Element | None,
) -> bytes:
    """``<record>`` as ListRecords and GetRecord send it; a deleted record has no metadata."""
    return render_all(identifier, datestamp, set_specs, deleted, [metadata])[1][0]


def render_all(
    identifier: str,
    datestamp: datetime,
    set_specs: Iterable[str],
    deleted: bool,
    metadata: Sequence[etree._Element | None],
) -> tuple[bytes, list[bytes]]:
    """The ``<header>`` bytes and one ``<record>`` per metadata element, in one go.

    The loader's hot path: the header is built once and shared by every format's
    record (each record is serialized with its own metadata, which is then
    taken out again), so a record costs one header, not one per format.
    """
    record = etree.Element(_RECORD, nsmap=_NSMAP)
    header = _header(identifier, datestamp, set_specs, deleted)
    record.append(header)
    records: list[bytes] = []
    for element in metadata:
        if deleted or element is None:
            records.append(etree.tostring(record, encoding="utf-8"))
            continue
        wrapper = etree.SubElement(record, _METADATA)
        wrapper.append(element)
        records.append(etree.tostring(record, encoding="utf-8"))
        record.remove(wrapper)
    return etree.tostring(header, encoding="utf-8"), records


_OPEN_RECORD = f'<record xmlns="{OAI}">'
_OPEN_HEADER = f'<header xmlns="{OAI}">'
_OPEN_HEADER_DELETED = f'<header xmlns="{OAI}" status="deleted">'


def render_all_text(
    identifier: str,
    datestamp: datetime,
    set_specs: Iterable[str],
    deleted: bool,
    metadata: Sequence[str | None],
) -> tuple[bytes, list[bytes]]:
    """``render_all`` for metadata already serialized (``Format.render_text``): same bytes.

    Strings are joined where ``render_all`` builds and serializes a tree per record,
    which made it and the formats' trees half of a large load's work.
    """
    inner = [
        f"<identifier>{escape_text(identifier)}</identifier>"
        f"<datestamp>{format_datestamp(datestamp)}</datestamp>"
    ]
    inner.extend(f"<setSpec>{escape_text(spec)}</setSpec>" for spec in set_specs)
    inner.append("</header>")
    body = "".join(inner)
    header = (_OPEN_HEADER_DELETED if deleted else _OPEN_HEADER) + body
    nested = ('<header status="deleted">' if deleted else "<header>") + body
    records: list[bytes] = []
    for element in metadata:
        if deleted or element is None:
            records.append(f"{_OPEN_RECORD}{nested}</record>".encode())
        else:
            records.append(
                f"{_OPEN_RECORD}{nested}<metadata>{element}</metadata></record>".encode()
            )
    return header.encode(), records
