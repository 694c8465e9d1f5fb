"""oai_dc: unqualified Dublin Core, the format every OAI-PMH repository must offer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from ..xmlchars import clean_text
from . import Format

NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai_dc/"
SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: The 15 elements, in the order simpledc20021212.xsd's examples use.
ELEMENTS = (
    "title",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
    "source",
    "language",
    "relation",
    "coverage",
    "rights",
)


_DC_TAGS = tuple((name, f"{{{DC}}}{name}") for name in ELEMENTS)
_NSMAP = {"oai_dc": NAMESPACE, "dc": DC, "xsi": XSI}
_ROOT = f"{{{NAMESPACE}}}dc"
_SCHEMA_LOCATION = f"{{{XSI}}}schemaLocation"


def render(metadata: Mapping[str, Any]) -> etree._Element:
    """``<oai_dc:dc>`` with one element per value, in ELEMENTS order; xml:lang kept.

    Runs once per record at load time (a million times for a large load), so the
    tags are computed once and absent elements cost one dict lookup.
    """
    root = etree.Element(_ROOT, nsmap=_NSMAP)
    root.set(_SCHEMA_LOCATION, f"{NAMESPACE} {SCHEMA}")
    for name, tag in _DC_TAGS:
        values = metadata.get(name)
        if not values:
            continue
        for value in values:
            child = etree.SubElement(root, tag)
            if isinstance(value, Mapping):
                child.text = clean_text(value["value"])
                if value.get("lang"):
                    child.set(XML_LANG, clean_text(value["lang"]))
            else:
                child.text = clean_text(value)
    return root


FORMAT = Format(prefix="oai_dc", namespace=NAMESPACE, schema=SCHEMA, render=render)
