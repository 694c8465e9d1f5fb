"""Read an OAI-PMH response document back into plain values for a page.

The page a person sees is built from the very bytes a harvester would get, so
the two cannot disagree. Parsing is strict (no entities, no network): the input
is our own writer's output, and a surprise there should fail loudly in tests.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, replace

from lxml import etree

from .layout import Field as Field
from .layout import Value as Value
from .layout import lay_out

OAI = "http://www.openarchives.org/OAI/2.0/"
DC = "http://purl.org/dc/elements/1.1/"
OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=True
)

#: Identify's children, in document order, and what a person calls them.
IDENTIFY_LABELS = {
    "repositoryName": "Repository name",
    "baseURL": "Base URL",
    "protocolVersion": "Protocol version",
    "adminEmail": "Administrator",
    "earliestDatestamp": "Earliest datestamp",
    "deletedRecord": "Deleted records",
    "granularity": "Datestamp granularity",
    "compression": "Compression",
    "scheme": "Identifier scheme",
    "repositoryIdentifier": "Repository identifier",
    "delimiter": "Identifier delimiter",
    "sampleIdentifier": "Sample identifier",
}


@dataclass(frozen=True, slots=True)
class Fact:
    """One line of Identify; ``name`` is the element's name, so templates can link it."""

    name: str
    label: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Header:
    identifier: str
    datestamp: str
    set_specs: tuple[str, ...]
    deleted: bool


@dataclass(frozen=True, slots=True)
class Item:
    """A header (ListIdentifiers) or a record with its metadata (ListRecords, GetRecord)."""

    header: Header
    title: Value | None = None
    namespace: str | None = None
    fields: tuple[Field, ...] = ()
    #: The metadata element, pretty-printed (GetRecord only).
    xml: str | None = None


@dataclass(frozen=True, slots=True)
class FormatRow:
    prefix: str
    schema: str
    namespace: str


@dataclass(frozen=True, slots=True)
class SetRow:
    set_spec: str
    name: str
    descriptions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Paging:
    """Where this page sits in a list: ``token`` continues it; empty on the last page."""

    token: str
    cursor: int
    total: int | None
    shown: int
    expiration: str | None

    @property
    def first(self) -> int:
        return self.cursor + 1

    @property
    def last(self) -> int:
        return self.cursor + self.shown


@dataclass(frozen=True, slots=True)
class Document:
    """Everything a page shows, read from one OAI-PMH response."""

    response_date: str
    base_url: str
    #: ``<request>``'s attributes: empty when the error forbids echoing them.
    arguments: dict[str, str]
    #: The answer element's name (``ListRecords``...), None for an error.
    verb: str | None
    errors: tuple[tuple[str, str], ...] = ()
    facts: tuple[Fact, ...] = ()
    formats: tuple[FormatRow, ...] = ()
    sets: tuple[SetRow, ...] = ()
    items: tuple[Item, ...] = ()
    paging: Paging | None = None


def _q(name: str, ns: str = OAI) -> str:
    return f"{{{ns}}}{name}"


def _text(element: etree._Element | None) -> str:
    return "" if element is None else "".join(element.itertext()).strip()


def _header(element: etree._Element) -> Header:
    return Header(
        identifier=_text(element.find(_q("identifier"))),
        datestamp=_text(element.find(_q("datestamp"))),
        set_specs=tuple(_text(spec) for spec in element.iterfind(_q("setSpec"))),
        deleted=element.get("status") == "deleted",
    )


def pretty_xml(element: etree._Element) -> str:
    """A metadata element as indented XML for people: a copy, so the document is untouched."""
    copy = deepcopy(element)
    copy.tail = None
    text: str = etree.tostring(copy, encoding="unicode", pretty_print=True)
    return text.rstrip()


def _item(element: etree._Element, with_xml: bool) -> Item:
    if etree.QName(element).localname == "header":
        return Item(_header(element))
    found = element.find(_q("header"))
    assert found is not None, "a record without a header is not our writer's"
    header = _header(found)
    metadata = element.find(_q("metadata"))
    if metadata is None or not len(metadata):
        return Item(header)
    root = metadata[0]
    title, fields = lay_out(root)
    xml = pretty_xml(root) if with_xml else None
    return Item(header, title, etree.QName(root).namespace, fields, xml)


def _facts(element: etree._Element) -> tuple[Fact, ...]:
    """Identify's facts in document order; repeated elements (compression) become one fact."""
    found: dict[str, list[str]] = {}
    for child in element.iter():
        if not isinstance(child.tag, str) or len(child):
            continue
        name = etree.QName(child).localname
        if name in IDENTIFY_LABELS:
            found.setdefault(name, []).append(_text(child))
    return tuple(Fact(name, IDENTIFY_LABELS[name], tuple(values)) for name, values in found.items())


def _paging(answer: etree._Element, shown: int) -> Paging | None:
    token = answer.find(_q("resumptionToken"))
    if token is None:
        return None
    total = token.get("completeListSize")
    return Paging(
        token=_text(token),
        cursor=int(token.get("cursor") or 0),
        total=int(total) if total is not None else None,
        shown=shown,
        expiration=token.get("expirationDate"),
    )


def _sets(answer: etree._Element) -> tuple[SetRow, ...]:
    rows = []
    for element in answer.iterfind(_q("set")):
        description = element.find(_q("setDescription"))
        texts: tuple[str, ...] = ()
        if description is not None:
            texts = tuple(_text(node) for node in description.iter(_q("description", DC)))
        rows.append(
            SetRow(_text(element.find(_q("setSpec"))), _text(element.find(_q("setName"))), texts)
        )
    return tuple(rows)


def read(document: bytes) -> Document:
    """The values a page shows, from an OAI-PMH response's bytes."""
    root = etree.fromstring(document, _PARSER)
    request = root.find(_q("request"))
    base = Document(
        response_date=_text(root.find(_q("responseDate"))),
        base_url=_text(request),
        arguments=dict(request.attrib) if request is not None else {},
        verb=None,
    )
    errors = tuple((e.get("code", ""), _text(e)) for e in root.iterfind(_q("error")))
    if errors:
        return replace(base, errors=errors)
    answer = root[2]
    verb = etree.QName(answer).localname
    if verb == "Identify":
        return replace(base, verb=verb, facts=_facts(answer))
    if verb == "ListMetadataFormats":
        formats = tuple(
            FormatRow(
                _text(f.find(_q("metadataPrefix"))),
                _text(f.find(_q("schema"))),
                _text(f.find(_q("metadataNamespace"))),
            )
            for f in answer.iterfind(_q("metadataFormat"))
        )
        return replace(base, verb=verb, formats=formats)
    if verb == "ListSets":
        sets = _sets(answer)
        return replace(base, verb=verb, sets=sets, paging=_paging(answer, len(sets)))
    children = [c for c in answer if etree.QName(c).localname in ("header", "record")]
    # Only a single record's page shows its XML: list pages stay light (their raw XML link).
    items = tuple(_item(child, verb == "GetRecord") for child in children)
    return replace(base, verb=verb, items=items, paging=_paging(answer, len(items)))
