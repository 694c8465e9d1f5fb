"""oai.uris.is_any_uri: libxml2's xs:anyURI verdict, with a fast path that must agree."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from oai import uris

SCHEMA = etree.XMLSchema(
    etree.XML(
        b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        b'<xs:element name="u" type="xs:anyURI"/></xs:schema>'
    )
)


def schema_says(text: str) -> bool:
    element = etree.Element("u")
    try:
        element.text = text
    except ValueError:
        return False
    return bool(SCHEMA.validate(element))


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("oai:example.org:article/putting-innovation-in-place", True),
        ("oai:example.org:50%25", True),
        ("urn:nbn:de:0001-abc", True),
        ("http://example.org/a?b=c#d", True),
        ("http://[::1]/x", True),
        ("oai:example.org:caf\u00e9", True),
        ("", False),
        ("%", False),
        ("oai:example.org:50%", False),
        ("oai:x:a#b#c", False),
        ("oai:x:[", False),
        ("oai:x:\x01", False),
        ("oai:x:\ufffe", False),
    ],
)
def test_examples(text: str, valid: bool) -> None:
    assert uris.is_any_uri(text) is valid
    if text:
        assert schema_says(text) is valid


ASCII = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.one_of(ASCII, st.builds(lambda s: "oai:x:" + s, ASCII), st.text(max_size=20)))
def test_fast_path_agrees_with_the_schema(text: str) -> None:
    assert uris.is_any_uri(text) == (bool(text) and schema_says(text))
