"""Metadata formats as plug-ins: one module per format, listed in :data:`FORMATS`.

A format turns the stored record (the ``metadata`` object of a loaded line) into
its metadata element. Renderers run when a record is loaded, never per request;
the stored bytes are what harvesters receive. Every format renders every record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree


@dataclass(frozen=True, slots=True)
class Format:
    """One metadata format as ListMetadataFormats describes it, plus its renderer."""

    prefix: str
    namespace: str
    schema: str
    render: Callable[[Mapping[str, Any]], etree._Element]
    #: The same element as serialized text, byte for byte what lxml writes for ``render``'s
    #: element, built without a tree; the loader's fast path (fragments.render_all_text).
    render_text: Callable[[Mapping[str, Any]], str] | None = None


def _registry() -> tuple[Format, ...]:
    from . import oai_dc

    return (oai_dc.FORMAT,)


#: Every format the repository disseminates, in the order ListMetadataFormats lists them.
FORMATS: tuple[Format, ...] = _registry()

BY_PREFIX: dict[str, Format] = {fmt.prefix: fmt for fmt in FORMATS}
