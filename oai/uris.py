"""Which strings are URIs as OAI-PMH.xsd's ``xs:anyURI`` accepts them.

An identifier goes into ``<identifier>`` of every header and into the ``identifier``
attribute of ``<request>``, both typed ``xs:anyURI``. libxml2 (which lxml, and so most
harvesters and validators in Python, use) rejects values such as ``%``, ``a#b#c`` or
``[``; the only faithful test is to ask it, with a one-element schema.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

_SCHEMA = b"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="u" type="xs:anyURI"/>
</xs:schema>"""

_local = threading.local()

#: scheme ":" then a rootless path of unreserved, sub-delims, ":" and "@" characters (RFC 3986
#: pchar without percent-escapes, plus "/"): always an xs:anyURI, so the schema is not asked.
#: Identifiers such as oai:example.org:article/123 take this path.
_PLAIN = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*:[A-Za-z0-9\-._~!$&'()*+,;=:@][A-Za-z0-9\-._~!$&'()*+,;=:@/]*"
)


def _schema() -> etree.XMLSchema:
    # One per thread: validation contexts are not shared between gunicorn's threads.
    schema: etree.XMLSchema | None = getattr(_local, "schema", None)
    if schema is None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        schema = etree.XMLSchema(etree.XML(_SCHEMA, parser))
        _local.schema = schema
    return schema


def is_any_uri(text: str) -> bool:
    """True when ``text`` is a non-empty, XML-safe value that xs:anyURI accepts."""
    if not text:
        return False
    if _PLAIN.fullmatch(text):
        return True
    element = etree.Element("u")
    try:
        element.text = text
    except ValueError:  # control characters, lone surrogates: not even XML
        return False
    return bool(_schema().validate(element))
