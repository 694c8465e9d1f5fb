"""oai_dc: unqualified Dublin Core, the format every OAI-PMH repository must offer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from ..xmlchars import clean_text, escape_attribute, escape_text
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


_OPEN = (
    f'<oai_dc:dc xmlns:oai_dc="{NAMESPACE}" xmlns:dc="{DC}" xmlns:xsi="{XSI}" '
    f'xsi:schemaLocation="{NAMESPACE} {SCHEMA}">'
)
_TEXT_TAGS = tuple((name, f"<dc:{name}>", f"</dc:{name}>") for name in ELEMENTS)


def render_text(metadata: Mapping[str, Any]) -> str:
    """What ``render`` gives, serialized: the same bytes as lxml writes for that element.

    A tree per record, built and serialized, is most of what a large load's workers
    spend; joining strings costs a fraction. tests/test_render_text.py holds the two
    equal on the fixtures and on generated records.
    """
    parts = [_OPEN]
    for name, start, end in _TEXT_TAGS:
        values = metadata.get(name)
        if not values:
            continue
        for value in values:
            if isinstance(value, Mapping):
                lang = value.get("lang")
                if lang:
                    parts.append(f'<dc:{name} xml:lang="{escape_attribute(lang)}">')
                else:
                    parts.append(start)
                parts.append(escape_text(value["value"]))
            else:
                parts.append(start)
                parts.append(escape_text(value))
            parts.append(end)
    if len(parts) == 1:  # no values: lxml closes an empty element in its start tag
        return _OPEN[:-1] + "/>"
    parts.append("</oai_dc:dc>")
    return "".join(parts)


FORMAT = Format(
    prefix="oai_dc", namespace=NAMESPACE, schema=SCHEMA, render=render, render_text=render_text
)
