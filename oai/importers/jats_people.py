"""The people of a JATS article: its contributors with ORCID and affiliations, and the
authors of a reviewed book.

- ``contrib`` with ``contrib-type="author"`` (or none: the byline's contrib-group need
  not say) is an author; ``editor``, ``guest-editor`` and ``translator`` are Dublin Core
  contributors; other roles are not read. A ``name`` (surname, given-names) is a
  person; a ``string-name`` is one when it has a surname, else its text is the name;
  a ``collab`` is an organisation.
- ORCID: ``contrib-id contrib-id-type="orcid"`` (or the older ``uri content-type="orcid"``).
- Affiliations: the ``aff`` elements a contrib points to (``xref ref-type="aff" rid``),
  its own ``aff`` children, and else the ``aff`` children of its contrib-group that
  no xref points to (JATS: they belong to every contributor of the group). An aff's
  name is its ``institution`` elements (department first, as written), else its text
  without its label; its ROR is an ``institution-id institution-id-type="ror"``.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from . import values
from .errors import fail
from .flatten import text_of
from .records import inverted, person

AUTHOR_TYPES = frozenset({None, "author"})
CONTRIBUTOR_TYPES = frozenset({"editor", "guest-editor", "translator"})


def _text(element: etree._Element | None) -> str | None:
    return None if element is None else values.clean(text_of(element, inline=True))


def name_parts(element: etree._Element) -> tuple[str | None, str | None]:
    """(surname, given names) of a ``name`` or a structured ``string-name``."""
    return _text(element.find("surname")), _text(element.find("given-names"))


def named(element: etree._Element, **extra: Any) -> dict[str, Any] | None:
    """A person from ``name``/``string-name`` (or an organisation from ``collab``)."""
    if element.tag == "collab":  # its text, without a member list (flatten drops it)
        return person(None, name=_text(element), **extra)
    family, given = name_parts(element)
    if family is None and element.tag == "string-name":
        return person(None, name=_text(element), **extra)
    return person(family, given, **extra)


class Affiliations:
    """The ``aff`` elements of an article, by id, read once."""

    def __init__(self, name: str, meta: etree._Element) -> None:
        self.name = name
        self.by_id: dict[str, dict[str, str]] = {}
        for aff in meta.iter("aff"):
            if aff.get("id") and aff.get("id") not in self.by_id:
                found = self.read(aff)
                if found is not None:
                    self.by_id[aff.get("id", "")] = found

    def read(self, aff: etree._Element) -> dict[str, str] | None:
        institutions = [
            text for element in aff.iter("institution") if (text := _text(element)) is not None
        ]
        if institutions:
            name: str | None = ", ".join(institutions)
        else:  # the whole text; flatten leaves out the label
            name = _text(aff)
        if name is None:
            return None
        found = {"name": name.strip(" ,;")}
        for identifier in aff.iter("institution-id"):
            if (identifier.get("institution-id-type") or "").lower() == "ror" and identifier.text:
                try:
                    found["ror"] = values.ror(identifier.text)
                except ValueError as exc:
                    fail(f"{self.name}:{identifier.sourceline}", str(exc))
                break
        return found

    def of(self, contrib: etree._Element, shared: list[dict[str, str]]) -> list[dict[str, str]]:
        found = []
        pointed = False
        for xref in contrib.iterfind("xref"):
            if xref.get("ref-type") == "aff":
                pointed = True
                for rid in (xref.get("rid") or "").split():
                    if rid in self.by_id:
                        found.append(self.by_id[rid])
        for aff in contrib.iterfind("aff"):
            pointed = True
            own = self.read(aff)
            if own is not None:
                found.append(own)
        return found if pointed else list(shared)


def _orcid(name: str, contrib: etree._Element) -> str | None:
    for element in contrib.iterfind("contrib-id"):
        if (element.get("contrib-id-type") or "").lower() == "orcid" and element.text:
            break
    else:
        for element in contrib.iterfind("uri"):
            if element.get("content-type") == "orcid" and element.text:
                break
        else:
            return None
    try:
        return values.orcid(element.text or "")
    except ValueError as exc:
        fail(f"{name}:{element.sourceline}", str(exc))


def contributors(name: str, meta: etree._Element) -> tuple[list[dict[str, Any]], list[str]]:
    """The article's authors (in byline order) and its other contributors (``Family, Given``)."""
    affiliations = Affiliations(name, meta)
    authors: list[dict[str, Any]] = []
    others: list[str] = []
    for group in meta.iterfind("contrib-group"):
        targets = {
            rid
            for xref in group.iter("xref")
            if xref.get("ref-type") == "aff"
            for rid in (xref.get("rid") or "").split()
        }
        shared = [
            found
            for aff in group.iterfind("aff")
            if aff.get("id") not in targets and (found := affiliations.read(aff)) is not None
        ]
        for contrib in group.iterfind("contrib"):
            kind = contrib.get("contrib-type")
            if kind not in AUTHOR_TYPES and kind not in CONTRIBUTOR_TYPES:
                continue
            element = next(
                (child for child in contrib if child.tag in ("name", "string-name", "collab")),
                None,
            )
            if element is None:
                element = contrib.find("name-alternatives/name")
            if element is None:
                continue
            found = named(
                element,
                orcid=_orcid(name, contrib),
                affiliations=affiliations.of(contrib, shared),
            )
            if found is None:
                continue
            if kind in AUTHOR_TYPES:
                authors.append(found)
            else:
                others.append(inverted(found))
    return authors, others


def reviewed_authors(product: etree._Element) -> list[dict[str, Any]]:
    """The authors of a reviewed work: its person-group of authors, else its names."""
    groups = [
        group
        for group in product.iterfind("person-group")
        if group.get("person-group-type") in (None, "author")
    ]
    holders = groups or [product]
    found = []
    for holder in holders:
        for element in holder:
            if element.tag in ("name", "string-name", "collab"):
                author = named(element)
                if author is not None:
                    found.append(author)
    return found
