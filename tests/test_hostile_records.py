"""Records whose metadata looks like markup, breaks XML 1.0, or is simply huge.

Each loads, and comes back from GetRecord and ListRecords as a schema-valid
document whose parsed text is what was loaded, except for the characters XML 1.0
cannot carry, which ``oai.xmlchars.clean_text`` (the one sanitizer) replaces.
Lines are written by hand where the JSON escape itself matters (lone surrogates).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from oai.xmlchars import clean_text

from . import xsd
from .conftest import error_code, load_lines

DC = "{http://purl.org/dc/elements/1.1/}"
IDS = itertools.count()

#: (case id, JSON text of the value as it appears in the line, the Python string it denotes)
HOSTILE = [
    ("script", '"<script>alert(1)</script>"', "<script>alert(1)</script>"),
    ("entities", '"a & b &amp; c &#0; &lt;"', "a & b &amp; c &#0; &lt;"),
    ("cdata-end", '"x ]]> y"', "x ]]> y"),
    ("cdata", '"<![CDATA[ <b> ]]>"', "<![CDATA[ <b> ]]>"),
    (
        "doctype",
        '"<!DOCTYPE x [<!ENTITY e SYSTEM \\"file:///etc/passwd\\">]>&e;"',
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;',
    ),
    ("pi", '"<?xml version=\\"1.0\\"?><?php echo 1; ?>"', '<?xml version="1.0"?><?php echo 1; ?>'),
    ("quotes", '"\\"double\\" and \'single\'"', "\"double\" and 'single'"),
    ("c0-controls", '"a\\u0000b\\u0001c\\u0008d\\u000be\\u000cf\\u001fg"', "a\0b\1c\bd\ve\ff\x1fg"),
    ("del-and-c1", '"a\\u007fb\\u0085c\\u009fd"', "a\x7fb\x85c\x9fd"),
    ("cr-lf-tab", '"a\\r\\nb\\tc\\rd"', "a\r\nb\tc\rd"),
    ("lone-high-surrogate", '"a\\ud800b"', "a\ud800b"),
    ("lone-low-surrogate", '"a\\udfffb"', "a\udfffb"),
    ("reversed-pair", '"a\\ude00\\ud83db"', "a\ude00\ud83db"),
    ("surrogate-pair", '"a\\ud83d\\ude00b"', "a\U0001f600b"),
    ("non-characters", '"a\\ufffeb\\uffffc"', "a\ufffeb\uffffc"),
    ("rtl-override", '"\\u202eevil\\u202c txt.exe"', "\u202eevil\u202c txt.exe"),
    ("hebrew-arabic", '"\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627"', None),
    ("bom-and-separators", '"\\ufeffa\\u2028b\\u2029c"', "\ufeffa\u2028b\u2029c"),
    ("combining", '"e\\u0301\\u0301\\u0301"', "e\u0301\u0301\u0301"),
    ("astral", '"\\ud835\\udd04 \U0001f600"', "\U0001d504 \U0001f600"),
    ("empty", '""', ""),
]


def _line(identifier: str, value_json: str, element: str = "description") -> str:
    return (
        f'{{"identifier": "{identifier}", "datestamp": "2024-01-01T00:00:00Z", '
        f'"sets": ["hostile"], "metadata": {{"title": ["t"], "{element}": [{value_json}]}}}}'
    )


def _texts(root: etree._Element, element: str) -> list[str]:
    return [el.text or "" for el in root.iter(f"{DC}{element}")]


@pytest.mark.parametrize(("case", "value_json", "value"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hostile_text_comes_back_escaped_and_valid(
    app: Flask,
    oai_get: Callable[..., etree._Element],
    case: str,
    value_json: str,
    value: str | None,
) -> None:
    expected = clean_text(json.loads(value_json) if value is None else value)
    identifier = f"oai:example.org:{case}"
    load_lines(app, [_line(identifier, value_json)])
    root = oai_get(verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier)
    assert _texts(root, "description") == [expected]
    listed = oai_get(verb="ListRecords", metadataPrefix="oai_dc", set="hostile")
    assert _texts(listed, "description") == [expected]


def test_a_100_kb_abstract(app: Flask, oai_get: Callable[..., etree._Element]) -> None:
    abstract = ("Innovation <policy> & clusters ]]> \u202e\u05e9 " * 3000)[: 100 * 1024]
    load_lines(app, [_line("oai:example.org:long", json.dumps(abstract))])
    root = oai_get(verb="GetRecord", metadataPrefix="oai_dc", identifier="oai:example.org:long")
    assert _texts(root, "description") == [abstract]


def test_hostile_set_names_and_descriptions(
    app: Flask, oai_get: Callable[..., etree._Element]
) -> None:
    lines: list[Any] = [
        '{"setSpec": "evil", "setName": "<b>\\u0000\\ud800</b> ]]>", '
        '"setDescription": "&amp; \\u202e \\u0007"}',
        _line("oai:example.org:in-evil", '"x"').replace('"hostile"', '"evil"'),
    ]
    load_lines(app, lines)
    root = oai_get(verb="ListSets")
    names = {
        s.findtext("oai:setSpec", namespaces=xsd.NS): s.findtext("oai:setName", namespaces=xsd.NS)
        for s in root.iterfind(".//oai:set", xsd.NS)
    }
    assert names["evil"] == "<b>\ufffd\ufffd</b> ]]>"
    assert _texts(root, "description") == ["&amp; \u202e \ufffd"]


@pytest.mark.parametrize(
    "identifier",
    [
        "oai:example.org:a&b'c",
        "oai:example.org:\u05e9\u05dc\u05d5\u05dd/\u202e",
        "oai:example.org:%41%zz".replace("%zz", "%7A"),
        "urn:isbn:0-486-27557-4",
        "http://example.org/a?b=c&d=e#f",
    ],
)
def test_unusual_but_legal_identifiers_round_trip(
    app: Flask, oai_get: Callable[..., etree._Element], identifier: str
) -> None:
    load_lines(app, [_line(identifier, '"x"')])
    root = oai_get(verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier)
    assert root.findtext(".//oai:header/oai:identifier", namespaces=xsd.NS) == identifier
    assert root.find("oai:request", xsd.NS).get("identifier") == identifier
    listed = oai_get(verb="ListIdentifiers", metadataPrefix="oai_dc", set="hostile")
    assert [h.text for h in listed.iterfind(".//oai:identifier", xsd.NS)] == [identifier]


@pytest.mark.usefixtures("schemas")
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    values=st.lists(st.text(alphabet=st.characters(), max_size=40), min_size=1, max_size=3),
    lang=st.sampled_from([None, "en", "he", "ar-EG"]),
)
def test_any_unicode_text_loads_and_validates(
    app: Flask, oai_get: Callable[..., etree._Element], values: list[str], lang: str | None
) -> None:
    """Any string JSON can carry (surrogates included, as ``\\uXXXX`` escapes) in any element."""
    identifier = f"oai:example.org:any-{next(IDS)}"
    items: list[Any] = [v if lang is None else {"value": v, "lang": lang} for v in values]
    line = {"identifier": identifier, "metadata": {"title": items, "creator": values}}
    load_lines(app, [json.dumps(line, ensure_ascii=True)])
    root = oai_get(verb="GetRecord", metadataPrefix="oai_dc", identifier=identifier)
    assert error_code(root) is None
    expected = [clean_text(v) for v in values]
    assert _texts(root, "title") == expected
    assert _texts(root, "creator") == expected
