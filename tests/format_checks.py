"""What the format tests share: records as the model reads them, strict parsing, canonical form.

Each format's test module renders an :class:`~oai.article.Article` directly (no store,
no web layer), parses the markup strictly (no recovery, no entities, no network) and
compares documents canonically, so an expected document can be pretty-printed for
the people who review it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lxml import etree

from oai.article import Article, parse_article

from . import xsd

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = Path(__file__).resolve().parent / "expected"
#: The seed issue's article: no author, no DOI, no publication date.
SEED = "oai:prometheusjournal.co.uk:article/putting-innovation-in-place"
#: Markup characters, every class of character XML 1.0 cannot carry, non-ASCII and astral text.
HOSTILE = "<a & b> ]]> \"q\" 'a' \r\n\t \x00 \x1f \x7f \x85 \ud800 \ufffe \uffff Ø 李 \U0001f600"
#: Each character XML 1.0 forbids becomes U+FFFD, the rest stays as it was.
HOSTILE_READ = (
    "<a & b> ]]> \"q\" 'a' \r\n\t \ufffd \ufffd \x7f \x85 \ufffd \ufffd \ufffd Ø 李 \U0001f600"
)


def fixture_lines() -> list[dict[str, Any]]:
    """The record lines of fixtures/ (set declarations left out)."""
    lines = []
    for path in sorted((ROOT / "fixtures").glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip() and "identifier" in json.loads(line):
                lines.append(json.loads(line))
    return lines


def fixture(identifier: str) -> dict[str, Any]:
    """The fixture record line with this identifier."""
    return next(line for line in fixture_lines() if line["identifier"] == identifier)


def article(identifier: str, metadata: dict[str, Any]) -> Article:
    return parse_article(identifier, metadata)


def parse(markup: str) -> etree._Element:
    return etree.fromstring(markup.encode("utf-8"), xsd.strict_parser())


def canonical(element: etree._Element) -> bytes:
    """C14N of an element, insignificant whitespace and comments dropped."""
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    again = etree.fromstring(etree.tostring(element), parser)
    return etree.tostring(again, method="c14n", with_comments=False)


def expected(prefix: str, name: str) -> etree._Element:
    path = EXPECTED / prefix / f"{name}.xml"
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    return etree.parse(str(path), parser).getroot()


def valid(schema_name: str, element: etree._Element) -> bool:
    schema = xsd.schema(schema_name)
    return bool(schema.validate(etree.ElementTree(etree.fromstring(etree.tostring(element)))))


def assert_valid(schema: etree.XMLSchema, element: etree._Element, what: str = "") -> None:
    """``element`` is valid, or the assertion names ``what`` and libxml2's errors."""
    assert schema.validate(element), f"{what}: {schema.error_log}"


def strings(element: etree._Element, path: str, namespaces: dict[str, str]) -> list[str]:
    """What an XPath finds, as text: attribute values and strings as they are, an element's
    text (empty when it has none)."""
    found = element.xpath(path, namespaces=namespaces)
    return [item.text or "" if isinstance(item, etree._Element) else str(item) for item in found]
