"""Where each metadata format shows an article's key facts, for tests that harvest them.

A table: format -> fact -> how to read it from the format's metadata element
(XPaths, how the expected value looks there, how to compare). The facts are the
ones a harvester links and cites by: DOI, title, first author, journal, ISSN,
volume, pages. Mappings follow ../shared/research/formats.md; a format the
repository does not offer is skipped by the tests, so each row starts to count
the day its renderer is merged (and is corrected then if the renderer chose
another element for a fact).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "oaire": "http://namespace.openaire.eu/schema/oaire/",
    "datacite": "http://datacite.org/schema/kernel-4",
    "marc": "http://www.loc.gov/MARC21/slim",
    "j": "https://jats.nlm.nih.gov/ns/archiving/1.3/",
    "mods": "http://www.loc.gov/mods/v3",
}

FACTS = ("doi", "title", "first_author", "journal", "issn", "volume", "pages")


def _same(value: str) -> str:
    return value


def _first_page(pages: str) -> str:
    return pages.split("-")[0]


def _main_title(title: str) -> str:
    return title.split(": ")[0]


@dataclass(frozen=True, slots=True)
class Reader:
    """One fact in one format: XPaths that yield strings, the expected value's form there,
    and how it is compared (``equals`` one of the strings, ``starts`` one, ``contains``)."""

    xpaths: tuple[str, ...]
    expect: Callable[[str], str] = _same
    match: str = "equals"

    def values(self, element: etree._Element) -> list[str]:
        found: list[str] = []
        for xpath in self.xpaths:
            result = element.xpath(xpath, namespaces=NS)
            items = result if isinstance(result, list) else [result]
            found.extend(normal(str(item)) for item in items)
        return [value for value in found if value]

    def agrees(self, element: etree._Element, fact: str) -> bool:
        wanted = normal(self.expect(fact))
        values = self.values(element)
        if self.match == "starts":
            return any(value.startswith(wanted) for value in values)
        if self.match == "contains":
            return any(wanted in value for value in values)
        return wanted in values


def normal(text: str) -> str:
    """Whitespace collapsed; trailing ISBD punctuation (`` /``, `` :``, ``,``, ``.``) dropped."""
    return re.sub(r"\s+", " ", text).strip().rstrip(" /:;,.").strip()


def _person(path: str, family: str, given: str, organisation: str) -> tuple[str, ...]:
    return (f"concat({path}/{family}, ', ', {path}/{given})", f"string({path}/{organisation})")


READERS: dict[str, dict[str, Reader]] = {
    "oai_dc": {
        "doi": Reader(("dc:identifier/text()",), lambda doi: f"https://doi.org/{doi}"),
        "title": Reader(("dc:title[1]/text()",)),
        "first_author": Reader(("dc:creator[1]/text()",)),
        "journal": Reader(("dc:source/text()",), match="starts"),
        "issn": Reader(("dc:source/text()",)),
        "volume": Reader(("dc:source/text()",), lambda volume: f"Vol {volume} ", "contains"),
        "pages": Reader(("dc:source/text()",), lambda pages: f"; {pages}", "contains"),
    },
    "oai_openaire": {
        "doi": Reader(("//datacite:identifier[@identifierType='DOI']/text()",), match="contains"),
        "title": Reader(("//datacite:titles/datacite:title[1]/text()",)),
        "first_author": Reader(("//datacite:creator[1]/datacite:creatorName/text()",)),
        "journal": Reader(("//oaire:citationTitle/text()",)),
        "issn": Reader(("//datacite:relatedIdentifier[@relatedIdentifierType='ISSN']/text()",)),
        "volume": Reader(("//oaire:citationVolume/text()",)),
        "pages": Reader(("//oaire:citationStartPage/text()",), _first_page),
    },
    "oai_datacite": {
        "doi": Reader(("//datacite:identifier[@identifierType='DOI']/text()",), match="contains"),
        "title": Reader(("//datacite:titles/datacite:title[1]/text()",)),
        "first_author": Reader(("//datacite:creator[1]/datacite:creatorName/text()",)),
        "journal": Reader(
            (
                "//datacite:relatedItem[@relatedItemType='Journal']/datacite:titles/datacite:title/text()",
            )
        ),
        "issn": Reader(
            (
                "//datacite:relatedItemIdentifier[@relatedItemIdentifierType='ISSN']/text()",
                "//datacite:relatedIdentifier[@relatedIdentifierType='ISSN']/text()",
            )
        ),
        "volume": Reader(("//datacite:relatedItem/datacite:volume/text()",)),
        "pages": Reader(("//datacite:relatedItem/datacite:firstPage/text()",), _first_page),
    },
    "marcxml": {
        "doi": Reader(
            ("//marc:datafield[@tag='024']/marc:subfield[@code='a']/text()",), match="contains"
        ),
        "title": Reader(
            ("//marc:datafield[@tag='245']/marc:subfield[@code='a']/text()",), _main_title, "starts"
        ),
        "first_author": Reader(
            ("//marc:datafield[@tag='100' or @tag='110']/marc:subfield[@code='a']/text()",)
        ),
        "journal": Reader(("//marc:datafield[@tag='773']/marc:subfield[@code='t']/text()",)),
        "issn": Reader(("//marc:datafield[@tag='773']/marc:subfield[@code='x']/text()",)),
        "volume": Reader(
            ("//marc:datafield[@tag='773']/marc:subfield[@code='g']/text()",), match="contains"
        ),
        "pages": Reader(
            ("//marc:datafield[@tag='773']/marc:subfield[@code='g']/text()",),
            _first_page,
            "contains",
        ),
    },
    "jats": {
        "doi": Reader(("//j:article-meta/j:article-id[@pub-id-type='doi']/text()",)),
        "title": Reader(
            ("string(//j:article-meta/j:title-group/j:article-title)",), match="starts"
        ),
        "first_author": Reader(
            _person("//j:contrib[1]", "j:name/j:surname", "j:name/j:given-names", "j:collab")
        ),
        "journal": Reader(("//j:journal-meta//j:journal-title/text()",)),
        "issn": Reader(("//j:journal-meta/j:issn/text()",)),
        "volume": Reader(("//j:article-meta/j:volume/text()",)),
        "pages": Reader(
            ("//j:article-meta/j:fpage/text()", "//j:article-meta/j:elocation-id/text()"),
            _first_page,
        ),
    },
    "mods": {
        "doi": Reader(("mods:identifier[@type='doi']/text()",), match="contains"),
        "title": Reader(("mods:titleInfo[1]/mods:title/text()",), match="starts"),
        "first_author": Reader(
            _person(
                "mods:name[1]",
                "mods:namePart[@type='family']",
                "mods:namePart[@type='given']",
                "mods:namePart[not(@type)]",
            )
        ),
        "journal": Reader(("//mods:relatedItem[@type='host']/mods:titleInfo/mods:title/text()",)),
        "issn": Reader(("//mods:relatedItem[@type='host']/mods:identifier[@type='issn']/text()",)),
        "volume": Reader(("//mods:part/mods:detail[@type='volume']/mods:number/text()",)),
        "pages": Reader(
            (
                "//mods:part/mods:extent[@unit='pages']/mods:start/text()",
                "//mods:part/mods:detail[@type='article']/mods:number/text()",
            ),
            _first_page,
        ),
    },
}


def disagreements(prefix: str, element: etree._Element, facts: dict[str, str]) -> list[str]:
    """The facts ``element`` (a ``prefix`` metadata element) does not show as stated."""
    readers = READERS[prefix]
    return [
        f"{prefix} {name}: expected {value!r}, found {readers[name].values(element)}"
        for name, value in facts.items()
        if not readers[name].agrees(element, value)
    ]
