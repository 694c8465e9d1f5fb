"""The stored bytes of a record's ``<header>`` and ``<record>`` elements.

Built once when a record is loaded, so a list response only copies bytes.
Each element is serialized on its own and so declares the OAI-PMH namespace
itself; inside the envelope that declaration is redundant and harmless.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from lxml import etree

from .protocol import format_datestamp
from .xmlchars import clean_text

OAI = "http://www.openarchives.org/OAI/2.0/"


def _header(
    identifier: str, datestamp: datetime, set_specs: Iterable[str], deleted: bool
) -> etree._Element:
    header = etree.Element(f"{{{OAI}}}header", nsmap={None: OAI})
    if deleted:
        header.set("status", "deleted")
    etree.SubElement(header, f"{{{OAI}}}identifier").text = clean_text(identifier)
    etree.SubElement(header, f"{{{OAI}}}datestamp").text = format_datestamp(datestamp)
    for spec in set_specs:
        etree.SubElement(header, f"{{{OAI}}}setSpec").text = spec
    return header


def header_bytes(
    identifier: str, datestamp: datetime, set_specs: Iterable[str], deleted: bool
) -> bytes:
    """``<header>`` as ListIdentifiers sends it."""
    return etree.tostring(_header(identifier, datestamp, set_specs, deleted), encoding="utf-8")


def record_bytes(
    identifier: str,
    datestamp: datetime,
    set_specs: Iterable[str],
    deleted: bool,
    metadata: etree._Element | None,
) -> bytes:
    """``<record>`` as ListRecords and GetRecord send it; a deleted record has no metadata."""
    record = etree.Element(f"{{{OAI}}}record", nsmap={None: OAI})
    record.append(_header(identifier, datestamp, set_specs, deleted))
    if not deleted and metadata is not None:
        etree.SubElement(record, f"{{{OAI}}}metadata").append(metadata)
    return etree.tostring(record, encoding="utf-8")
