"""Metadata formats as plug-ins: one module per format, listed in :data:`FORMATS`.

A format renders an :class:`~oai.article.Article` as its metadata element, or
declines a record that lacks what the format requires (``render`` returns None):
such a record is not offered in that format (ListMetadataFormats, GetRecord's
cannotDisseminateFormat, the lists and their counts all agree). Renderers run
when a record is loaded, never per request; the stored bytes are what
harvesters receive. Adding a format is its module, a line in :func:`_registry`,
and its tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..article import Article
from .markup import Markup


@dataclass(frozen=True, slots=True)
class Format:
    """One metadata format as ListMetadataFormats describes it, plus its renderer."""

    prefix: str
    namespace: str
    schema: str
    #: The record's metadata element, or None when the record lacks what ``requires`` says.
    render: Callable[[Article], Markup | None]
    #: Raised whenever the same record would render differently: ``oai db upgrade`` then
    #: renders the stored records again (and restamps those whose element changed).
    version: int
    #: What a record must hold to be offered in this format, in a phrase.
    requires: str
    #: The format's name and who harvests it, for people (README, browser pages).
    title: str
    #: ``render`` never declines (OAI-PMH requires oai_dc of every record, deleted ones
    #: included): a count of a set's members in this format need not look each one up.
    every_record: bool = False


def _registry() -> tuple[Format, ...]:
    from . import jats, marcxml, mods, oai_datacite, oai_dc, oai_openaire

    return (
        oai_dc.FORMAT,
        oai_openaire.FORMAT,
        marcxml.FORMAT,
        oai_datacite.FORMAT,
        jats.FORMAT,
        mods.FORMAT,
    )


#: Every format the repository disseminates, in the order ListMetadataFormats lists them.
FORMATS: tuple[Format, ...] = _registry()

BY_PREFIX: dict[str, Format] = {fmt.prefix: fmt for fmt in FORMATS}
