"""formats.pages: one rule tells pages from an article number, and every format follows it.

The rule, stated here: a single value of letters then digits (``e1234``, ``S12``) is an
article number; digits, a roman numeral (``xii``), ``12a`` and every range are pages.
Each format's place for either is written out below from its own documentation (JATS
Tag Library ``elocation-id``, MODS ``detail type="article"``, DataCite kernel 4.4+
``number numberType="Article"``, MARC 773 $g/$q), not read from the renderers.
"""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from oai.article import Pages
from oai.formats import BY_PREFIX
from oai.formats.pages import article_number

from .format_checks import article, parse

#: (pages as the record gives them, the article number they are, if one)
CASES = [
    ("69-87", None),
    ("12", None),
    ("xii", None),
    ("IV", None),
    ("12a", None),
    ("A1-A9", None),
    ("e1234-e1240", None),
    ("e1234", "e1234"),
    ("E12", "E12"),
    ("S12", "S12"),
    ("ar42", "ar42"),
]
RECORD: dict[str, Any] = {
    "title": ["A title"],
    "publisher": ["A Press"],
    "journal": "Journal of Examples",
    "issn": "0317-8471",
    "volume": "37",
    "issue": "2",
    "published": "2021-06-30",
    "doi": "10.5555/12345678",
    "url": "https://journal.example.org/article/1",
    "access": "open",
}
NS = {
    "j": "https://jats.nlm.nih.gov/ns/archiving/1.3/",
    "m": "http://www.loc.gov/mods/v3",
    "d": "http://datacite.org/schema/kernel-4",
    "w": "http://schema.datacite.org/oai/oai-1.1/",
    "marc": "http://www.loc.gov/MARC21/slim",
    "oaire": "http://namespace.openaire.eu/schema/oaire/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
IDS = [pages for pages, _ in CASES]


def _pages(text: str) -> Pages:
    first, _, last = text.partition("-")
    return Pages(first, last or None)


def _render(prefix: str, pages: str) -> etree._Element:
    markup = BY_PREFIX[prefix].render(article("oai:x:pages", {**RECORD, "pages": pages}))
    assert markup is not None
    return parse(markup)


def _texts(element: etree._Element, path: str) -> list[str]:
    return [found.text for found in element.xpath(path, namespaces=NS)]


@pytest.mark.parametrize(("pages", "number"), CASES, ids=IDS)
def test_the_rule(pages: str, number: str | None) -> None:
    assert article_number(_pages(pages)) == number


def test_no_pages_is_no_article_number() -> None:
    assert article_number(None) is None


@pytest.mark.parametrize(("pages", "number"), CASES, ids=IDS)
def test_jats_fpage_or_elocation_id(pages: str, number: str | None) -> None:
    meta = _render("jats", pages).find("j:front/j:article-meta", NS)
    first, _, last = pages.partition("-")
    assert _texts(meta, "j:elocation-id") == ([number] if number else [])
    assert _texts(meta, "j:fpage") == ([] if number else [first])
    assert _texts(meta, "j:lpage") == ([last] if last else [])


@pytest.mark.parametrize(("pages", "number"), CASES, ids=IDS)
def test_mods_extent_or_article_detail(pages: str, number: str | None) -> None:
    part = _render("mods", pages).find("m:relatedItem[@type='host']/m:part", NS)
    first, _, last = pages.partition("-")
    assert _texts(part, "m:detail[@type='article']/m:number") == ([number] if number else [])
    assert _texts(part, "m:extent[@unit='pages']/m:start") == ([] if number else [first])
    assert _texts(part, "m:extent[@unit='pages']/m:end") == ([last] if last else [])


@pytest.mark.parametrize(("pages", "number"), CASES, ids=IDS)
def test_datacite_first_page_or_article_number(pages: str, number: str | None) -> None:
    journal = _render("oai_datacite", pages).find(
        "w:payload/d:resource/d:relatedItems/d:relatedItem[@relatedItemType='Journal']", NS
    )
    first, _, last = pages.partition("-")
    assert _texts(journal, "d:number[@numberType='Article']") == ([number] if number else [])
    assert _texts(journal, "d:firstPage") == ([] if number else [first])
    assert _texts(journal, "d:lastPage") == ([last] if last else [])


@pytest.mark.parametrize(("pages", "number"), CASES, ids=IDS)
def test_marc_773_page_or_article_number(pages: str, number: str | None) -> None:
    host = _render("marcxml", pages).find("marc:datafield[@tag='773']", NS)
    related = _texts(host, "marc:subfield[@code='g']")
    enumeration = _texts(host, "marc:subfield[@code='q']")
    if number:  # the number as it is in $g; $q has no first page
        assert related == [f"Vol. 37, no. 2 (2021), {number}"]
        assert enumeration == ["37:2"]
    else:
        assert related == [f"Vol. 37, no. 2 (2021), p. {pages}"]
        assert enumeration == [f"37:2<{pages.partition('-')[0]}"]


@pytest.mark.parametrize(("pages", "number"), CASES, ids=IDS)
def test_openaire_has_only_start_and_end_page(pages: str, number: str | None) -> None:
    # The guidelines have no article number field: it goes where the citation's first
    # page goes, as OJS writes it, rather than being lost.
    resource = _render("oai_openaire", pages)
    first, _, last = pages.partition("-")
    assert _texts(resource, "oaire:citationStartPage") == [first]
    assert _texts(resource, "oaire:citationEndPage") == ([last] if last else [])


@pytest.mark.parametrize(("pages", "number"), CASES, ids=IDS)
def test_dublin_core_source_cites_pages_as_given(pages: str, number: str | None) -> None:
    sources = _texts(_render("oai_dc", pages), "dc:source")
    assert sources[0] == f"Journal of Examples; Vol 37 No 2 (2021); {pages}"
