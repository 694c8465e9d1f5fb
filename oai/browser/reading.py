"""Read an OAI-PMH response document back into plain values for a page.

The page a person sees is built from the very bytes a harvester would get, so
the two cannot disagree. Parsing is strict (no entities, no network): the input
is our own writer's output, and a surprise there should fail loudly in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lxml import etree

OAI = "http://www.openarchives.org/OAI/2.0/"
DC = "http://purl.org/dc/elements/1.1/"
OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Rows shown for metadata in a format the page has no layout for (MARC and the like).
GENERIC_ROWS = 60

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
class Value:
    """One text value, with the language it declares (shown as ``lang`` on the page)."""

    text: str
    lang: str | None = None

    @property
    def is_link(self) -> bool:
        return self.text.startswith(("http://", "https://")) and " " not in self.text


@dataclass(frozen=True, slots=True)
class Field:
    """A labelled group of values: one Dublin Core element, or one generic leaf path."""

    name: str
    label: str
    values: tuple[Value, ...]


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


def _dublin_core(root: etree._Element) -> tuple[Value | None, tuple[Field, ...]]:
    """oai_dc laid out as element -> values, in the order the record gives them."""
    groups: dict[str, list[Value]] = {}
    for child in root:
        if not isinstance(child.tag, str) or etree.QName(child).namespace != DC:
            continue
        name = etree.QName(child).localname
        groups.setdefault(name, []).append(Value(_text(child), child.get(XML_LANG)))
    titles = groups.get("title", [])
    fields = tuple(Field(name, name.capitalize(), tuple(values)) for name, values in groups.items())
    return (titles[0] if titles else None), fields


def _step(element: etree._Element) -> str:
    """A path step for a person: the local name plus its attribute values (MARC tags, codes)."""
    values = [value for key, value in element.attrib.items() if not key.startswith("{")]
    return " ".join([etree.QName(element).localname, *values[:3]])


def _generic(root: etree._Element) -> tuple[Value | None, tuple[Field, ...]]:
    """Any other format: one row per leaf element that carries text, labelled by its path."""
    fields: list[Field] = []
    title: Value | None = None
    for leaf in root.iter():
        if not isinstance(leaf.tag, str) or len(leaf) or not (leaf.text or "").strip():
            continue
        path: list[str] = []
        for node in leaf.iterancestors():
            if node is root:
                break
            path.insert(0, _step(node))
        label = " › ".join([*path, _step(leaf)])
        value = Value(leaf.text.strip(), leaf.get(XML_LANG))
        if title is None and "title" in etree.QName(leaf).localname.lower():
            title = value
        if len(fields) < GENERIC_ROWS:
            fields.append(Field(etree.QName(leaf).localname, label, (value,)))
    return title, tuple(fields)


def _item(element: etree._Element) -> Item:
    if etree.QName(element).localname == "header":
        return Item(_header(element))
    header = _header(element.find(_q("header")))
    metadata = element.find(_q("metadata"))
    if metadata is None or not len(metadata):
        return Item(header)
    root = metadata[0]
    namespace = etree.QName(root).namespace
    if any(etree.QName(child).namespace == DC for child in root if isinstance(child.tag, str)):
        title, fields = _dublin_core(root)
    else:
        title, fields = _generic(root)
    return Item(header, title, namespace, fields)


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
    items = tuple(_item(child) for child in children)
    return replace(base, verb=verb, items=items, paging=_paging(answer, len(items)))
