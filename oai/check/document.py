"""Reading an OAI-PMH response: strict, safe parsing and the parts the checks look at.

The parser never resolves entities, never loads a DTD and never touches the network,
so a hostile endpoint cannot make the checker read files or fetch URLs. Nothing here
judges; it only says what the document holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
LIST_VERBS = ("ListIdentifiers", "ListRecords")
VERBS = ("Identify", "ListMetadataFormats", "ListSets", "GetRecord", *LIST_VERBS)


def q(name: str) -> str:
    """The OAI-PMH namespace's qualified name for ``name``."""
    return f"{{{OAI}}}{name}"


class NotXML(ValueError):
    """The body is not well-formed XML (or carries a DTD); the message says where."""


def parse(body: bytes) -> etree._Element:
    """The root element of ``body``; NotXML if it is not well-formed or declares a DTD."""
    safe = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(body, safe)
    except etree.XMLSyntaxError as exc:
        raise NotXML(f"not well-formed XML: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise NotXML("the document declares a DTD")
    return root


@dataclass(frozen=True, slots=True)
class Header:
    """A record's header as a list, GetRecord or another verb shows it."""

    identifier: str
    datestamp: str
    deleted: bool
    sets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Token:
    """A resumptionToken element: ``value`` is empty on the last page."""

    value: str
    cursor: int | None
    complete_list_size: int | None
    expiration: str | None


@dataclass(frozen=True, slots=True)
class Item:
    """A list item: its header, and for ListRecords and GetRecord its metadata element."""

    header: Header
    metadata: etree._Element | None


def header(element: etree._Element) -> Header:
    return Header(
        identifier=(element.findtext(q("identifier")) or "").strip(),
        datestamp=(element.findtext(q("datestamp")) or "").strip(),
        deleted=element.get("status") == "deleted",
        sets=tuple((s.text or "").strip() for s in element.findall(q("setSpec"))),
    )


def _number(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed response and what the checks read from it."""

    root: etree._Element

    @property
    def is_oai(self) -> bool:
        return bool(self.root.tag == q("OAI-PMH"))

    @property
    def errors(self) -> list[str]:
        return [e.get("code") or "" for e in self.root.findall(q("error"))]

    @property
    def response_date(self) -> str:
        return (self.root.findtext(q("responseDate")) or "").strip()

    @property
    def request(self) -> etree._Element | None:
        return self.root.find(q("request"))

    def verb(self, name: str) -> etree._Element | None:
        return self.root.find(q(name))

    def items(self, verb: str) -> list[Item]:
        """The headers (ListIdentifiers) or records (ListRecords, GetRecord) of the response."""
        element = self.verb(verb)
        if element is None:
            return []
        if verb == "ListIdentifiers":
            return [Item(header(h), None) for h in element.findall(q("header"))]
        found = []
        for record in element.findall(q("record")):
            head = record.find(q("header"))
            if head is None:
                continue
            holder = record.find(q("metadata"))
            metadata = None
            if holder is not None:
                children = [c for c in holder if isinstance(c.tag, str)]
                metadata = children[0] if children else None
            found.append(Item(header(head), metadata))
        return found

    def set_specs(self) -> list[str]:
        """The setSpecs a ListSets response lists, in order."""
        element = self.verb("ListSets")
        if element is None:
            return []
        return [(s.text or "").strip() for s in element.findall(f"{q('set')}/{q('setSpec')}")]

    def token(self, verb: str) -> Token | None:
        element = self.verb(verb)
        if element is None:
            return None
        token = element.find(q("resumptionToken"))
        if token is None:
            return None
        return Token(
            value=(token.text or "").strip(),
            cursor=_number(token.get("cursor")),
            complete_list_size=_number(token.get("completeListSize")),
            expiration=token.get("expirationDate"),
        )

    def text(self, *path: str) -> str | None:
        """The text at ``Verb/child/...`` (OAI names), stripped; None if absent."""
        value = self.root.findtext("/".join(q(p) for p in path))
        return None if value is None else value.strip()
