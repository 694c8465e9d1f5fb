"""Writing a metadata element as text: the one place in ``formats/`` that makes ``<``.

A large load renders every record in six formats; building and serializing an
lxml tree for each costs two to three times what joining strings does. So each
renderer builds its element from these functions, which escape every text and
attribute value (``xmlchars``) and never emit an empty element: whatever a record
holds, the result is well-formed, and the formats' tests validate it against the
official schemas. ``Markup`` marks strings that are already markup, so mypy
rejects raw text passed where children go.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import NewType

from ..xmlchars import escape_attribute, escape_text

Markup = NewType("Markup", str)
#: An attribute: (name, value); a None value leaves the attribute out.
Attribute = tuple[str, str | None]

NOTHING = Markup("")


def attributes(pairs: Iterable[Attribute]) -> str:
    return "".join(f' {name}="{escape_attribute(value)}"' for name, value in pairs if value)


def leaf(tag: str, value: str | None, *attrs: Attribute) -> Markup:
    """``<tag attrs>value</tag>``; nothing when the value is None or blank."""
    if value is None or not value.strip():
        return NOTHING
    return Markup(f"<{tag}{attributes(attrs)}>{escape_text(value)}</{tag}>")


def given(tag: str, value: str, *attrs: Attribute) -> Markup:
    """``<tag attrs>value</tag>`` even when blank: for a value the record gives as it is."""
    return Markup(f"<{tag}{attributes(attrs)}>{escape_text(value)}</{tag}>")


def node(tag: str, children: Iterable[Markup], *attrs: Attribute) -> Markup:
    """``<tag attrs>children</tag>``; nothing when every child is nothing."""
    inner = "".join(children)
    if not inner:
        return NOTHING
    return Markup(f"<{tag}{attributes(attrs)}>{inner}</{tag}>")


def bare(tag: str, *attrs: Attribute) -> Markup:
    """An element that carries only attributes, ``<tag attrs/>``."""
    return Markup(f"<{tag}{attributes(attrs)}/>")


class Tag:
    """An element whose attributes are the same in every record, escaped once, not per call.

    ``Tag("issn", ("publication-format", "print")).leaf(value)`` writes what
    ``leaf("issn", value, ("publication-format", "print"))`` writes, with the same rules
    (nothing for a blank value or no children; ``given`` and ``empty`` as ``given`` and
    ``bare``); renderers keep one per constant element, which spares a million-record
    load the escaping of the same attributes each time. For attributes that take one
    of a few values (a language), :func:`tag` keeps one per value.
    """

    __slots__ = ("_start", "_end", "empty")

    def __init__(self, tag: str, *attrs: Attribute) -> None:
        opening = f"<{tag}{attributes(attrs)}"
        self._start = opening + ">"
        self._end = f"</{tag}>"
        #: The element with no content, ``<tag attrs/>``, as ``bare`` writes it.
        self.empty = Markup(opening + "/>")

    def leaf(self, value: str | None) -> Markup:
        if value is None or not value.strip():
            return NOTHING
        return Markup(self._start + escape_text(value) + self._end)

    def given(self, value: str) -> Markup:
        return Markup(self._start + escape_text(value) + self._end)

    def node(self, children: Iterable[Markup]) -> Markup:
        inner = "".join(children)
        return Markup(self._start + inner + self._end) if inner else NOTHING


@lru_cache(maxsize=4096)
def tag(name: str, *attrs: Attribute) -> Tag:
    """The :class:`Tag` for these attributes, built on first use and then kept: for elements
    whose attributes vary over a few values (``xml:lang``, a type). The cache is bounded, so
    a record with unusual values costs time, never memory; an attribute unique to each
    record (a file's URL) belongs in :func:`leaf`."""
    return Tag(name, *attrs)


def root(
    tag: str,
    namespaces: Iterable[tuple[str, str]],
    children: Iterable[Markup],
    *attrs: Attribute,
) -> Markup:
    """The metadata element itself: it declares its namespaces (``("", uri)`` is the default),
    and is written even when empty so that a record always has its element."""
    declared = "".join(
        f' xmlns:{prefix}="{uri}"' if prefix else f' xmlns="{uri}"' for prefix, uri in namespaces
    )
    inner = "".join(children)
    start = f"<{tag}{declared}{attributes(attrs)}"
    return Markup(f"{start}>{inner}</{tag}>" if inner else f"{start}/>")
