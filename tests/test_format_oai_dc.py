"""oai_dc: Dublin Core keys served as given; the missing ones derived from the article keys
the way OJS and the DRIVER guidelines fill them. Facts are stated here, element by element."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from oai.article import parse_article
from oai.formats import oai_dc

from . import articles, xsd

DC = "{http://purl.org/dc/elements/1.1/}"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
ARTICLE: dict[str, Any] = {
    "title": [{"value": "Putting Innovation in Place", "lang": "en"}],
    "authors": [
        {"family": "Carberry", "given": "Josiah", "orcid": "https://orcid.org/0000-0002-1825-0097"},
        {"name": "An Organisation"},
    ],
    "journal": "Journal of Examples",
    "issn": "0317-8471",
    "eissn": "2049-3630",
    "volume": "37",
    "issue": "2",
    "pages": "69-87",
    "published": "2021-06-30",
    "doi": "10.5555/12345678",
    "url": "https://journal.example.org/article/123",
    "files": [
        {"url": "https://journal.example.org/123.pdf", "mime": "application/pdf"},
        {"url": "https://journal.example.org/123.v2.pdf", "mime": "application/pdf"},
        {"url": "https://journal.example.org/123.html", "mime": "text/html"},
    ],
    "license": "https://creativecommons.org/licenses/by/4.0/",
    "access": "open",
}

#: element -> its values for ARTICLE, as OJS/DRIVER would write them.
DERIVED = {
    "title": ["Putting Innovation in Place"],
    "creator": ["Carberry, Josiah", "An Organisation"],
    "date": ["2021-06-30"],
    "type": ["info:eu-repo/semantics/article", "info:eu-repo/semantics/publishedVersion"],
    "format": ["application/pdf", "text/html"],
    "identifier": ["https://journal.example.org/article/123", "https://doi.org/10.5555/12345678"],
    "source": ["Journal of Examples; Vol 37 No 2 (2021); 69-87", "0317-8471", "2049-3630"],
    "rights": ["https://creativecommons.org/licenses/by/4.0/", "info:eu-repo/semantics/openAccess"],
}


def _dc(metadata: dict[str, Any]) -> dict[str, list[str]]:
    element = etree.fromstring(oai_dc.render(parse_article("oai:example.org:1", metadata)))
    found: dict[str, list[str]] = {}
    for child in element:
        found.setdefault(child.tag.removeprefix(DC), []).append(child.text or "")
    return found


def test_every_missing_element_is_derived() -> None:
    assert _dc(ARTICLE) == DERIVED


@pytest.mark.parametrize(
    ("extra", "element", "values"),
    [
        ({"article_type": "book-review"}, "type", ["info:eu-repo/semantics/review"]),
        ({"version": "accepted"}, "type", ["info:eu-repo/semantics/acceptedVersion"]),
        ({"access": "embargoed", "embargo_until": "2030-01-01"}, "rights",
         [CC_BY, "info:eu-repo/semantics/embargoedAccess"]),
        ({"access": "metadata-only"}, "rights", [CC_BY, "info:eu-repo/semantics/closedAccess"]),
        ({"published": "2021"}, "date", ["2021"]),
        ({"volume": "5", "issue": "1", "pages": "e1234", "published": "1999-02"}, "source",
         ["Journal of Examples; Vol 5 No 1 (1999); e1234", "0317-8471", "2049-3630"]),
    ],
)  # fmt: skip
def test_derivations_follow_the_keys(
    extra: dict[str, Any], element: str, values: list[str]
) -> None:
    got = _dc({**ARTICLE, **extra})[element]
    if element == "type":  # the publication type and the version are two values
        assert set(values) <= set(got)
    else:
        assert got == values


def test_given_dublin_core_is_served_as_given() -> None:
    given = {
        "creator": ["Someone Else"],
        "identifier": ["urn:nbn:de:1234"],
        "rights": ["All rights reserved"],
        "type": ["Text"],
        "source": ["As printed"],
        "date": ["2020"],
        "format": ["application/epub+zip"],
    }
    got = _dc({**ARTICLE, **given})
    for element, values in given.items():
        assert got[element] == values, element


def test_a_record_of_bare_dublin_core_gains_no_type() -> None:
    assert _dc({"title": ["Only a title"]}) == {"title": ["Only a title"]}


def test_without_a_journal_there_is_no_citation_but_the_issns_stay() -> None:
    metadata = {key: value for key, value in ARTICLE.items() if key != "journal"}
    assert _dc(metadata)["source"] == ["0317-8471", "2049-3630"]


def test_every_generated_record_is_valid(schemas: Path) -> None:
    schema = xsd.schema("oai_dc.xsd")
    for line in articles.records(300):
        element = oai_dc.render(parse_article(line["identifier"], line["metadata"]))
        document = etree.fromstring(element.encode(), xsd.strict_parser())
        assert schema.validate(document), (line["identifier"], schema.error_log)
    assert not schema.validate(
        etree.fromstring(
            b'<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"><x/></oai_dc:dc>'
        )
    )
