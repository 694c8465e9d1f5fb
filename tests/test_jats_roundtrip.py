"""JATS served by the ``jats`` format and read back by ``oai import jats`` keeps its facts.

Every generated record the format offers is rendered, imported again with the JATS
importer, and the two articles are compared field by field. What JATS cannot carry,
or what the importer reads from it by JATS's own rules, is listed here, each with
its reason; anything else that differs is a loss in one of the two.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from lxml import etree

from oai.article import Article, Text, parse_article
from oai.formats import jats
from oai.importers import jats as jats_import

from . import articles

#: A day before every generated embargo ends: an importer reads an embargo whose end
#: has passed as open access (Crossref's definition), so the round trip imports "then".
IMPORTED_ON = date(2000, 1, 1)


def _expected(article: Article) -> Article:
    """``article`` as JATS can say it."""
    main = article.title.lang if article.title else None
    titles = tuple(
        text
        for index, text in enumerate(article.titles)
        # JATS has one article-title; other titles only as translations (trans-title-group).
        if index == 0 or (text.lang or "").lower() != (main or "").lower()
    )
    language = article.languages[0] if article.languages else None
    # Keywords have no language of their own in the record; in JATS they inherit the
    # article's xml:lang.
    keywords = tuple(Text(k.value, k.lang or (language or None)) for k in article.keywords)
    dc = dict(article.dc)
    dc["title"] = titles
    if keywords:
        dc["subject"] = keywords
    access = article.access
    if access not in ("open", "embargoed"):
        # JATS says free to read (ali:free_to_read) or nothing: restricted and metadata-only
        # are not said. The importer reads a Creative Commons licence as open access.
        licensed = article.license is not None and "creativecommons.org" in article.license
        access = "open" if licensed else None
    reviewed = article.reviewed
    if reviewed is not None:
        # product/person-group names people; it has no place for ORCIDs or affiliations.
        reviewed = dataclasses.replace(
            reviewed,
            authors=tuple(
                dataclasses.replace(person, orcid=None, affiliations=())
                for person in reviewed.authors
            ),
        )
    pages = article.pages
    if pages is not None and pages.last == pages.first:
        pages = dataclasses.replace(pages, last=None)  # fpage = lpage is one page
    return dataclasses.replace(
        article, dc=dc, access=access, reviewed=reviewed, pages=pages, given=frozenset()
    )


def _comparable(article: Article) -> dict[str, Any]:
    fields = dataclasses.asdict(article)
    fields.pop("given")
    fields["dc"] = {key: value for key, value in fields["dc"].items() if value}
    return fields


def test_every_offered_record_survives_the_round_trip() -> None:
    checked = 0
    for line in articles.records(300):
        article = parse_article(line["identifier"], line["metadata"])
        element = jats.render(article)
        if element is None:
            continue
        imported = jats_import.read(
            "roundtrip.xml", etree.fromstring(element.encode()), IMPORTED_ON
        )
        back = parse_article(line["identifier"], imported.metadata)
        expected = _comparable(_expected(article))
        got = _comparable(back)
        different = {key for key in expected if expected[key] != got[key]}
        assert not different, (line["identifier"], {k: (expected[k], got[k]) for k in different})
        checked += 1
    assert checked > 250
