"""Shared by the browser-view tests: fetch a page as a browser would, and read it.

Not a test module: plain helpers, like tests/xsd.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import lxml.html
from flask.testing import FlaskClient
from lxml import etree

from oai.browser import CONTENT_SECURITY_POLICY

from . import xsd

ACCEPT = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
#: Set declarations for the test catalogue (records come from tests.conftest.record).
SETS = [
    {"setSpec": "all", "setName": "Everything"},
    {"setSpec": "even", "setName": "Even records", "setDescription": "Records with even numbers."},
    {"setSpec": "odd", "setName": "Odd records"},
]


def check_page(response: Any) -> lxml.html.HtmlElement:
    """Status, type and headers every page must have, and no inline script or style."""
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    doc = lxml.html.fromstring(response.data)
    assert doc.get("lang") == "en"
    assert not doc.xpath("//script | //style | //*[@style]")
    assert not [a for el in doc.iter() for a in el.attrib if a.lower().startswith("on")]
    assert doc.xpath("//meta[@name='viewport']")
    assert doc.xpath("//link[@rel='stylesheet']/@href") == ["/static/browser.css"]
    for control in doc.xpath("//input[not(@type='hidden')] | //select | //textarea"):
        assert doc.xpath(f"//label[@for='{control.get('id')}']"), (
            f"no label for {control.get('id')}"
        )
    return doc


def text(doc: lxml.html.HtmlElement, xpath: str) -> str:
    return " ".join(" ".join(el.text_content().split()) for el in doc.xpath(xpath))


def terms(dl: lxml.html.HtmlElement) -> dict[str, list[lxml.html.HtmlElement]]:
    """A description list as term -> its <dd> elements (a term may have several)."""
    found: dict[str, list[lxml.html.HtmlElement]] = {}
    term = ""
    for child in dl:
        if child.tag == "dt":
            term = " ".join(child.text_content().split())
            found[term] = []
        elif child.tag == "dd":
            found[term].append(child)
    return found


def href_args(link: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(link).query, keep_blank_values=True)


def follow_xml(client: FlaskClient, link: str) -> etree._Element:
    """What a harvester gets at a page's link: validated OAI-PMH."""
    response = client.get(link)
    assert response.content_type == "text/xml; charset=utf-8"
    return xsd.validate(response.data)
