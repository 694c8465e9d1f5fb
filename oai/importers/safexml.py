"""Untrusted XML read within a size limit and parsed with no DTD, no entities, no network.

Deposit and JATS files come from typesetters, platforms and strangers. libxml2 can
be told to fetch a DTD over the network, read a local file into the document as an
external entity (XXE: ``<!ENTITY x SYSTEM "file:///etc/passwd">``) or expand
nested entities into gigabytes (the "billion laughs" bomb). Here nothing is ever
loaded or expanded: the parser has DTD loading, entity substitution, attribute
defaults and the network off, huge_tree off (libxml2's limits on depth and text
size stay), and a resolver that answers any load with nothing and remembers that
it was asked. After parsing, a document that declares anything in its DOCTYPE
(entities, elements, an internal subset), names a DTD it is not allowed to name, or
still holds an entity reference is refused with one line, before any of it is read.

A JATS file may name the JATS DTD (its DOCTYPE normally does): ``jats_doctype``
accepts NLM's public identifiers and JATS DTD file names. The DTD is never read;
a file that relies on it for entities (``&mdash;``) or namespace declarations gets
an error saying what to write instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from .errors import Refused, fail

#: Largest file an import reads whole (XML files, JSON documents): 64 MiB.
MAX_BYTES = 64 * 1024 * 1024

#: Whether a DOCTYPE's (public id, system id) may stand; the DTD is never read either way.
DoctypeRule = Callable[[str | None, str | None], bool]

_POSITION = re.compile(r",? line \d+, column \d+\s*$")
_JATS_DTD_FILE = re.compile(
    r"(JATS-|journalpublishing|archivearticle|articleauthoring|nlm-)[\w.\-]*\.dtd", re.I
)


def no_doctype(public_id: str | None, system_id: str | None) -> bool:
    """Crossref deposits have no DOCTYPE: any DTD they name is refused."""
    return False


def jats_doctype(public_id: str | None, system_id: str | None) -> bool:
    """The DOCTYPE of a JATS or NLM article: NLM's public id, or a JATS DTD file name."""
    if public_id is not None and public_id.startswith("-//NLM//DTD"):
        return True
    name = (system_id or "").rsplit("/", 1)[-1]
    return bool(_JATS_DTD_FILE.fullmatch(name))


def describe_size(count: int) -> str:
    """``64 MiB``, or ``4096 bytes`` below a MiB."""
    return f"{count / 1024 / 1024:.0f} MiB" if count >= 1024 * 1024 else f"{count} bytes"


class _NothingLoaded(etree.Resolver):
    """Answers every request to load a DTD or an entity with an empty document."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def resolve(self, system_url: str | None, public_id: str | None, context: Any) -> Any:
        self.asked.append(system_url or public_id or "?")
        return self.resolve_string("", context)


def _parser() -> tuple[etree.XMLParser, _NothingLoaded]:
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        # Not collect_ids=False: with it, lxml 6.1 has libxml2 load the external DTD.
    )
    resolver = _NothingLoaded()
    parser.resolvers.add(resolver)
    return parser, resolver


def parse(name: str, data: bytes, doctype: DoctypeRule = no_doctype) -> etree._Element:
    """The root element of ``data``, or SourceError (Refused for what is never parsed)."""
    refuse_internal_subset(name, data)
    parser, resolver = _parser()
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        reason = _POSITION.sub("", str(exc.msg or exc))
        if "amplification" in reason or "entity reference loop" in reason:
            raise Refused(f"{name}: refused: {reason}") from None
        if "Namespace prefix" in reason and "not defined" in reason:
            reason += " (a DTD that declares it is never read: declare it on the root element)"
        fail(f"{name}:{exc.lineno or 1}", f"not well-formed XML: {reason}")
    if resolver.asked:  # nothing was loaded, but the document asked for something
        raise Refused(f"{name}: refused: the document asks to load {resolver.asked[0]}")
    _check_doctype(name, data, root, doctype)
    for entity in root.iter(etree.Entity):
        fail(
            f"{name}:{entity.sourceline or root.sourceline}",
            f"{entity.text} needs a DTD, which is never read: write the character itself",
        )
    return root


def _check_doctype(name: str, data: bytes, root: etree._Element, doctype: DoctypeRule) -> None:
    """After parsing: what the DOCTYPE declares (as lxml lists it) and which DTD it names."""
    info = root.getroottree().docinfo
    declared = info.internalDTD
    if declared is not None:
        for entity in declared.iterentities():
            _refuse_entity(name, entity.name or "?", entity.system_url)
        if list(declared.iterelements()):
            raise Refused(f"{name}: refused: the DOCTYPE has an internal subset; remove it")
    if (info.public_id or info.system_url) and not doctype(info.public_id, info.system_url):
        raise Refused(
            f"{name}: refused: the DOCTYPE names the DTD {info.system_url or info.public_id}, "
            "which is never fetched; remove the DOCTYPE"
        )


_ENTITY_DECLARATION = re.compile(
    r"""<!ENTITY\s+(?:%\s+)?([^\s"']+)\s+(?:(?:SYSTEM|PUBLIC\s+(?:"[^"]*"|'[^']*'))\s+("[^"]*"|'[^']*'))?"""
)


def _refuse_entity(name: str, entity: str, system_url: str | None) -> None:
    if system_url:
        raise Refused(
            f"{name}: refused: the DOCTYPE declares the external entity {entity} "
            f"({system_url}); external entities are never read"
        )
    raise Refused(
        f"{name}: refused: the DOCTYPE declares the entity {entity}; entities are never expanded"
    )


def refuse_internal_subset(name: str, data: bytes) -> None:
    """Before parsing: a DOCTYPE with ``[...]`` (entity bombs and XXE need one) is refused
    without libxml2 seeing it; declarations lxml does not list (ATTLIST, NOTATION) too."""
    subset = _internal_subset(data)
    if subset is None:
        return
    for match in _ENTITY_DECLARATION.finditer(subset):
        _refuse_entity(name, match.group(1), (match.group(2) or "")[1:-1] or None)
    raise Refused(f"{name}: refused: the DOCTYPE has an internal subset; remove it")


def _internal_subset(data: bytes) -> str | None:
    """The text between a DOCTYPE's ``[`` and ``]``, or None when it has none."""
    head = data[: 1 << 20]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace")
    start = text.find("<!DOCTYPE")
    if start < 0:
        return None
    quote: str | None = None
    for index in range(start + 9, len(text)):
        char = text[index]
        if quote is not None:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "[":
            end = text.find("]>", index)
            return text[index + 1 : end if end >= 0 else len(text)]
        elif char == ">":
            return None
    return None
