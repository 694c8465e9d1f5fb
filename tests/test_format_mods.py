"""mods: every record offered is valid MODS 3.8, says what the record says, and only that.

MODS has no validator beyond its schema, so besides mods-3-8.xsd these tests read
every fact of a record back from the document at the XPath of the crosswalk
(:func:`facts`, written from the record's JSON, not from the renderer's tables),
check that no element is empty, and check that the documents are really 3.8: they
fail mods-3-7.xsd exactly where a 3.8 feature is used (the version, ROR on an
affiliation, the COAR access right on accessCondition) and pass it once those are
taken out.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from lxml import etree

from oai.article import parse_article
from oai.formats import BY_PREFIX, FORMATS
from oai.formats.mods import FORMAT

from . import articles, format_checks, xsd
from .format_checks import (
    HOSTILE,
    HOSTILE_READ,
    SEED,
    assert_valid,
    canonical,
    fixture,
    fixture_lines,
    parse,
    strings,
)

MODS = "http://www.loc.gov/mods/v3"
XLINK = "http://www.w3.org/1999/xlink"
NS = {"m": MODS, "xlink": XLINK}

# Facts the tests state themselves (COAR and ISO 639-2/B), not read from oai.formats.
COAR_TYPE = "http://purl.org/coar/resource_type/"
COAR_TYPES = {
    "research-article": COAR_TYPE + "c_2df8fbb1",
    "review-article": COAR_TYPE + "c_dcae04bc",
    "book-review": COAR_TYPE + "c_ba08",
    "editorial": COAR_TYPE + "c_b239",
    "letter": COAR_TYPE + "c_545b",
}
JOURNAL_ARTICLE = COAR_TYPE + "c_6501"
COAR_ACCESS = {
    "open": ("http://purl.org/coar/access_right/c_abf2", "open access"),
    "embargoed": ("http://purl.org/coar/access_right/c_f1cf", "embargoed access"),
    "restricted": ("http://purl.org/coar/access_right/c_16ec", "restricted access"),
    "metadata-only": ("http://purl.org/coar/access_right/c_14cb", "metadata only access"),
}
COAR_VERSIONS = {
    "published": "http://purl.org/coar/version/c_970fb48d4fbd8a85",
    "accepted": "http://purl.org/coar/version/c_ab4af688f83e57aa",
    "submitted": "http://purl.org/coar/version/c_71e4c1898caa6e32",
}
ISO639_2B = {"en": "eng", "fr": "fre", "de": "ger", "pt": "por", "es": "spa"}
JATS_TYPES = "https://jats.nlm.nih.gov/publishing/tag-library/1.3/attribute/article-type.html"
AUTHOR = "m:role/m:roleTerm[@type='code']='aut'"
FUNDER = "m:role/m:roleTerm[@type='code']='fnd'"
HOST = "m:relatedItem[@type='host']"
REVIEWED = "m:relatedItem[@type='reviewOf']"

#: A hand-written article with every key (the people and numbers are INTERFACE.md's made-up
#: example: Josiah Carberry is ORCID's test researcher).
ARTICLE: dict[str, Any] = {
    "identifier": "oai:journal.example.org:article/123",
    "metadata": {
        "title": [
            {"value": "Tectonic Shifts in Psychoceramics: A Field Guide", "lang": "en"},
            {"value": "Tektonische Verschiebungen in der Psychokeramik", "lang": "de"},
        ],
        "description": [{"value": "Cracked pots, mapped and explained.", "lang": "en"}],
        "subject": ["psychoceramics", {"value": "pots fêlés", "lang": "fr"}],
        "language": ["en"],
        "publisher": ["Example University Press"],
        "authors": [
            {
                "family": "Carberry",
                "given": "Josiah",
                "orcid": "https://orcid.org/0000-0002-1825-0097",
                "affiliations": [
                    {"name": "An Example University", "ror": "https://ror.org/05gq02987"}
                ],
            },
            {"family": "Ørsted", "given": "Zoë", "affiliations": [{"name": "A Lab Without ROR"}]},
            {"name": "The Psychoceramics Consortium"},
        ],
        "journal": "Journal of Examples",
        "issn": "0317-8471",
        "eissn": "2049-3630",
        "volume": "37",
        "issue": "2",
        "pages": "69-87",
        "section": "Original Articles",
        "published": "2021-06-30",
        "article_type": "research-article",
        "version": "accepted",
        "doi": "10.5555/12345678",
        "url": "https://journal.example.org/article/123",
        "files": [
            {"url": "https://journal.example.org/article/123.pdf", "mime": "application/pdf"},
            {"url": "https://journal.example.org/article/123.html", "mime": "text/html"},
        ],
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "access": "embargoed",
        "embargo_until": "2027-01-01",
        "funding": [
            {
                "funder": "Economic and Social Research Council",
                "funder_id": "https://doi.org/10.13039/501100000269",
                "award": "ES/X000000/1",
                "award_title": "Cracks in the Pot",
            },
            {"funder": "Some Foundation", "funder_id": "https://ror.org/05gq02987"},
        ],
    },
}

#: A book review with every key of its reviewed work, and an article number for pages.
BOOK_REVIEW: dict[str, Any] = {
    "identifier": "oai:journal.example.org:book-review/124",
    "metadata": {
        "title": [{"value": "False Alarm", "lang": "en"}],
        "language": ["en"],
        "publisher": ["Example University Press"],
        "authors": [{"family": "Reviewer", "given": "Rita"}],
        "journal": "Journal of Examples",
        "eissn": "2049-3630",
        "volume": "37",
        "issue": "2",
        "pages": "e1234",
        "published": "2021",
        "article_type": "book-review",
        "url": "https://journal.example.org/article/124",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "access": "open",
        "reviewed": {
            "title": "False Alarm",
            "authors": [{"family": "Lomborg", "given": "Bjørn"}],
            "publisher": "Basic Books",
            "year": "2020",
            "isbn": "9781541647466",
        },
    },
}


def render(record: dict[str, Any]) -> str | None:
    return FORMAT.render(parse_article(record["identifier"], record["metadata"]))


def parsed(record: dict[str, Any]) -> etree._Element:
    text = render(record)
    assert text is not None, f"{record['identifier']} was declined"
    return parse(text)


def values(element: etree._Element, path: str) -> list[str]:
    return strings(element, path, NS)


def every_record() -> list[dict[str, Any]]:
    return fixture_lines() + articles.records(300) + [ARTICLE, BOOK_REVIEW]


@pytest.fixture(scope="module")
def mods38() -> etree.XMLSchema:
    return xsd.schema("mods/mods-3-8.xsd")


@pytest.fixture(scope="module")
def mods37() -> etree.XMLSchema:
    return xsd.schema("mods/mods-3-7.xsd")


# --- (1) validity ---------------------------------------------------------------------------


def test_registered_after_oai_dc_with_its_rule() -> None:
    assert BY_PREFIX["mods"] is FORMAT
    prefixes = [fmt.prefix for fmt in FORMATS]
    assert prefixes.index("oai_dc") < prefixes.index("mods")
    assert FORMAT.namespace == MODS
    assert FORMAT.schema == "http://www.loc.gov/standards/mods/v3/mods-3-8.xsd"
    assert FORMAT.requires == "a title"
    assert FORMAT.version == 2


@pytest.mark.parametrize("record", fixture_lines(), ids=lambda record: record["identifier"])
def test_every_fixture_record_is_offered_and_valid(
    record: dict[str, Any], mods38: etree.XMLSchema
) -> None:
    assert_valid(mods38, parsed(record))


def test_every_generated_record_is_valid(mods38: etree.XMLSchema) -> None:
    for record in articles.records(300):
        assert_valid(mods38, parsed(record), record["identifier"])


def test_the_root_declares_version_and_schema_location() -> None:
    element = parsed(fixture(SEED))
    assert element.tag == f"{{{MODS}}}mods"
    assert element.get("version") == "3.8"
    location = element.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation")
    assert location == f"{MODS} http://www.loc.gov/standards/mods/v3/mods-3-8.xsd"


BROKEN = [
    # (what is wrong, a change to the seed's document); each must fail mods-3-8.xsd.
    ("unknown relatedItem type", lambda doc: doc.find("m:relatedItem", NS).set("type", "parent")),
    ("unknown element", lambda doc: etree.SubElement(doc, f"{{{MODS}}}journalTitle")),
    ("version not in 3.8's list", lambda doc: doc.set("version", "4.0")),
    # xlink.xsd and xml.xsd are imported: a failed import would only warn, so prove them.
    (
        "xlink:type other than simple",
        lambda doc: doc.find("m:accessCondition", NS).set(f"{{{XLINK}}}type", "extended"),
    ),
    (
        "xml:lang not a language",
        lambda doc: doc.find("m:abstract", NS).set(
            "{http://www.w3.org/XML/1998/namespace}lang", "not a tag"
        ),
    ),
]


@pytest.mark.parametrize(("what", "breaks"), BROKEN, ids=[what for what, _ in BROKEN])
def test_a_broken_document_fails_the_schema(
    what: str, breaks: Any, mods38: etree.XMLSchema
) -> None:
    element = parsed(fixture(SEED))
    assert_valid(mods38, element)
    breaks(element)
    assert not mods38.validate(element), what


# --- (2) reviewed expected documents ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "record"),
    [("seed", fixture(SEED)), ("article", ARTICLE), ("book-review", BOOK_REVIEW)],
    ids=["seed", "article", "book-review"],
)
def test_expected_document(name: str, record: dict[str, Any], mods38: etree.XMLSchema) -> None:
    document = format_checks.expected("mods", name)
    assert canonical(parsed(record)) == canonical(document)
    assert_valid(mods38, document)


# --- (3) the crosswalk: where each article key lands ---------------------------------------

#: (article key, XPath in the rich article's document, the values found there).
CROSSWALK = [
    (
        "title",
        "m:titleInfo[not(@type)]/m:title",
        ["Tectonic Shifts in Psychoceramics: A Field Guide"],
    ),
    ("title lang", "m:titleInfo[not(@type)]/@xml:lang", ["en"]),
    ("title lang 639-2", "m:titleInfo[not(@type)]/@lang", ["eng"]),
    ("title not split", "m:titleInfo/m:subTitle", []),
    (
        "title translated",
        "m:titleInfo[@type='translated'][@lang='ger'][@xml:lang='de']/m:title",
        ["Tektonische Verschiebungen in der Psychokeramik"],
    ),
    (
        "description",
        "m:abstract[@lang='eng'][@xml:lang='en']",
        ["Cracked pots, mapped and explained."],
    ),
    ("subject", "m:subject/m:topic", ["psychoceramics", "pots fêlés"]),
    ("subject lang", "m:subject[m:topic='pots fêlés']/@xml:lang", ["fr"]),
    ("language", "m:language/m:languageTerm[@type='code'][@authority='iso639-2b']", ["eng"]),
    (
        "publisher",
        "m:originInfo[@eventType='publication']/m:publisher",
        ["Example University Press"],
    ),
    ("authors", f"m:name[{AUTHOR}]/@type", ["personal", "personal", "corporate"]),
    ("authors family", f"m:name[{AUTHOR}]/m:namePart[@type='family']", ["Carberry", "Ørsted"]),
    ("authors given", f"m:name[{AUTHOR}]/m:namePart[@type='given']", ["Josiah", "Zoë"]),
    (
        "authors organisation",
        f"m:name[@type='corporate'][{AUTHOR}]/m:namePart",
        ["The Psychoceramics Consortium"],
    ),
    ("authors role text", f"m:name[{AUTHOR}]/m:role/m:roleTerm[@type='text']", ["author"] * 3),
    (
        "authors orcid",
        f"m:name[{AUTHOR}]/m:nameIdentifier[@type='orcid']",
        ["https://orcid.org/0000-0002-1825-0097"],
    ),
    (
        "authors affiliations",
        f"m:name[{AUTHOR}]/m:affiliation",
        ["An Example University", "A Lab Without ROR"],
    ),
    (
        "authors affiliations ror",
        f"m:name[{AUTHOR}]/m:affiliation[@authority='ror']/@valueURI",
        ["https://ror.org/05gq02987"],
    ),
    ("journal", f"{HOST}/m:titleInfo/m:title", ["Journal of Examples"]),
    ("issn", f"{HOST}/m:identifier[@type='issn'][@displayLabel='pissn']", ["0317-8471"]),
    ("eissn", f"{HOST}/m:identifier[@type='issn'][@displayLabel='eissn']", ["2049-3630"]),
    ("volume", f"{HOST}/m:part/m:detail[@type='volume']/m:number", ["37"]),
    ("issue", f"{HOST}/m:part/m:detail[@type='issue']/m:number", ["2"]),
    ("section", f"{HOST}/m:part/m:detail[@type='section']/m:title", ["Original Articles"]),
    ("pages first", f"{HOST}/m:part/m:extent[@unit='pages']/m:start", ["69"]),
    ("pages last", f"{HOST}/m:part/m:extent[@unit='pages']/m:end", ["87"]),
    (
        "published",
        "m:originInfo/m:dateIssued[@encoding='w3cdtf'][@keyDate='yes']",
        ["2021-06-30"],
    ),
    ("published in part", f"{HOST}/m:part/m:date[@encoding='w3cdtf']", ["2021-06-30"]),
    ("article_type", "m:typeOfResource", ["text"]),
    (
        "article_type coar",
        "m:genre[@authority='coar']/@valueURI",
        ["http://purl.org/coar/resource_type/c_2df8fbb1"],
    ),
    ("article_type word", f"m:genre[@authorityURI='{JATS_TYPES}']", ["research-article"]),
    (
        "version",
        "m:note[@type='version identification']/@xlink:href",
        ["http://purl.org/coar/version/c_ab4af688f83e57aa"],
    ),
    ("version text", "m:note[@type='version identification']", ["Accepted Manuscript (AM)"]),
    ("doi", "m:identifier[@type='doi']", ["10.5555/12345678"]),
    ("url", "m:identifier[@type='uri']", ["https://journal.example.org/article/123"]),
    (
        "url location",
        "m:location/m:url[@usage='primary'][@access='object in context']",
        ["https://journal.example.org/article/123"],
    ),
    (
        "files",
        "m:location/m:url[@access='raw object']",
        [
            "https://journal.example.org/article/123.pdf",
            "https://journal.example.org/article/123.html",
        ],
    ),
    (
        "files mime per file",
        "m:location/m:url[@access='raw object']/@displayLabel",
        ["Full text (application/pdf)", "Full text (text/html)"],
    ),
    (
        "files mime",
        "m:physicalDescription/m:internetMediaType",
        ["application/pdf", "text/html"],
    ),
    (
        "license",
        "m:accessCondition[@type='use and reproduction']/@xlink:href",
        ["https://creativecommons.org/licenses/by/4.0/"],
    ),
    (
        "access",
        "m:accessCondition[@type='restriction on access'][@authority='coar']/@valueURI",
        ["http://purl.org/coar/access_right/c_f1cf"],
    ),
    (
        "embargo_until",
        "m:accessCondition[@type='restriction on access']",
        ["embargoed access until 2027-01-01"],
    ),
    (
        "funding funder",
        f"m:name[@type='corporate'][{FUNDER}]/m:namePart",
        ["Economic and Social Research Council", "Some Foundation"],
    ),
    (
        "funding funder_id",
        f"m:name[{FUNDER}]/m:nameIdentifier[@type='doi']",
        ["https://doi.org/10.13039/501100000269"],
    ),
    (
        "funding funder_id ror",
        f"m:name[{FUNDER}]/m:nameIdentifier[@type='ror']",
        ["https://ror.org/05gq02987"],
    ),
    (
        "funding award",
        "m:note[@type='funding']",
        ["Economic and Social Research Council, award ES/X000000/1: Cracks in the Pot"],
    ),
    ("reviewed absent", REVIEWED, []),
    ("identifier", "m:recordInfo/m:recordIdentifier", ["oai:journal.example.org:article/123"]),
    ("no invented dates", "m:recordInfo/*[not(self::m:recordIdentifier)]", []),
    ("no digital origin", "m:physicalDescription/m:digitalOrigin", []),
]

REVIEW_CROSSWALK = [
    ("reviewed title", f"{REVIEWED}/m:titleInfo/m:title", ["False Alarm"]),
    (
        "reviewed authors",
        f"{REVIEWED}/m:name[@type='personal'][{AUTHOR}]/m:namePart",
        ["Lomborg", "Bjørn"],
    ),
    ("reviewed publisher", f"{REVIEWED}/m:originInfo/m:publisher", ["Basic Books"]),
    ("reviewed year", f"{REVIEWED}/m:originInfo/m:dateIssued[@encoding='w3cdtf']", ["2020"]),
    ("reviewed isbn", f"{REVIEWED}/m:identifier[@type='isbn']", ["9781541647466"]),
    (
        "article_type coar",
        "m:genre[@authority='coar']/@valueURI",
        ["http://purl.org/coar/resource_type/c_ba08"],
    ),
    ("the reviewer", f"m:name[{AUTHOR}]/m:namePart", ["Reviewer", "Rita"]),
    ("pages as article number", f"{HOST}/m:part/m:detail[@type='article']/m:number", ["e1234"]),
    ("no page extent", f"{HOST}/m:part/m:extent", []),
    ("no print issn", f"{HOST}/m:identifier[@displayLabel='pissn']", []),
    ("version default", "m:note[@type='version identification']", ["Version of Record (VoR)"]),
]


@pytest.mark.parametrize(("key", "path", "expected"), CROSSWALK, ids=[row[0] for row in CROSSWALK])
def test_crosswalk_article(key: str, path: str, expected: list[str]) -> None:
    assert values(parsed(ARTICLE), path) == expected, key


@pytest.mark.parametrize(
    ("key", "path", "expected"), REVIEW_CROSSWALK, ids=[row[0] for row in REVIEW_CROSSWALK]
)
def test_crosswalk_book_review(key: str, path: str, expected: list[str]) -> None:
    assert values(parsed(BOOK_REVIEW), path) == expected, key


SEED_ABSENT = [
    # The seed names no author, no DOI and no publication date: none may appear.
    ("no author", "m:name", []),
    ("no doi", "m:identifier[@type='doi']", []),
    ("no date", "//m:dateIssued | //m:date", []),
    ("no files", "m:physicalDescription | m:location/m:url[@access='raw object']", []),
    ("no funding", "m:note[@type='funding']", []),
    ("publisher as given", "m:originInfo/m:publisher", ["Pluto Journals"]),
    (
        "licence as given",
        "m:accessCondition[@type='use and reproduction']",
        ["http://creativecommons.org/licenses/by/4.0/"],
    ),
]


@pytest.mark.parametrize(("what", "path", "expected"), SEED_ABSENT, ids=[r[0] for r in SEED_ABSENT])
def test_seed_says_only_what_it_knows(what: str, path: str, expected: list[str]) -> None:
    assert values(parsed(fixture(SEED)), path) == expected, what


#: (article key, XPath, the values found there).
Fact = tuple[str, str, list[str]]


def _name_facts(base: str, people: list[dict[str, Any]], what: str) -> Iterator[Fact]:
    yield what, f"{base}/m:role/m:roleTerm[@type='code']", ["aut"] * len(people)
    for index, person in enumerate(people, 1):
        name = f"{base}[{index}]"
        if "family" in person:
            yield what, f"{name}/@type", ["personal"]
            yield what, f"{name}/m:namePart[@type='family']", [person["family"]]
            yield (
                what,
                f"{name}/m:namePart[@type='given']",
                [person["given"]] if "given" in person else [],
            )
        else:
            yield what, f"{name}/@type", ["corporate"]
            yield what, f"{name}/m:namePart", [person["name"]]
        orcid = [person["orcid"]] if "orcid" in person else []
        yield what, f"{name}/m:nameIdentifier[@type='orcid']", orcid
        affiliations = person.get("affiliations", [])
        yield what, f"{name}/m:affiliation", [item["name"] for item in affiliations]
        rors = [item["ror"] for item in affiliations if "ror" in item]
        yield what, f"{name}/m:affiliation[@authority='ror']/@valueURI", rors


def facts(record: dict[str, Any]) -> Iterator[Fact]:
    """Every fact of a record as (key, XPath, values there): the crosswalk, from the JSON."""
    meta = record["metadata"]

    def text(item: Any) -> str:
        return item if isinstance(item, str) else item["value"]

    def lang(item: Any) -> list[str]:
        return [item["lang"]] if isinstance(item, dict) and item.get("lang") else []

    titles = meta["title"]
    main = titles[0]
    yield "title", "m:titleInfo[not(@type)]/m:title", [text(main)]
    yield "title", "m:titleInfo[not(@type)]/@xml:lang", lang(main)
    for index, other in enumerate(titles[1:], 1):
        translated = lang(other) and lang(main) and lang(other) != lang(main)
        kind = "translated" if translated else "alternative"
        yield "title", f"m:titleInfo[@type][{index}]/@type", [kind]
        yield "title", f"m:titleInfo[@type][{index}]/m:title", [text(other)]
        yield "title", f"m:titleInfo[@type][{index}]/@xml:lang", lang(other)
    abstracts = meta.get("description", [])
    yield "description", "m:abstract", [text(item) for item in abstracts]
    yield "description", "m:abstract/@xml:lang", [tag for item in abstracts for tag in lang(item)]
    yield (
        "description",
        "m:abstract/@lang",
        [ISO639_2B[tag] for item in abstracts for tag in lang(item)],
    )
    yield "subject", "m:subject/m:topic", [text(item) for item in meta.get("subject", [])]
    yield (
        "language",
        "m:language/m:languageTerm[@authority='iso639-2b']",
        [ISO639_2B[code] for code in meta.get("language", [])],
    )
    yield (
        "publisher",
        "m:originInfo/m:publisher",
        [text(item) for item in meta.get("publisher", [])],
    )
    yield from _name_facts(f"m:name[{AUTHOR}]", meta.get("authors", []), "authors")

    host_keys = ("journal", "issn", "eissn", "volume", "issue", "pages", "section")
    hosted = any(key in meta for key in host_keys)
    yield "journal", f"{HOST}/m:titleInfo/m:title", [meta["journal"]] if "journal" in meta else []
    for key, label in (("issn", "pissn"), ("eissn", "eissn")):
        found = [meta[key]] if key in meta else []
        yield key, f"{HOST}/m:identifier[@type='issn'][@displayLabel='{label}']", found
    for key in ("volume", "issue"):
        found = [meta[key]] if key in meta else []
        yield key, f"{HOST}/m:part/m:detail[@type='{key}']/m:number", found
    section = [meta["section"]] if "section" in meta else []
    yield "section", f"{HOST}/m:part/m:detail[@type='section']/m:title", section
    pages = meta.get("pages")
    extent = f"{HOST}/m:part/m:extent[@unit='pages']"
    if pages is None:
        yield "pages", f"{HOST}/m:part/m:extent | {HOST}/m:part/m:detail[@type='article']", []
    elif "-" in pages:
        first, last = pages.split("-")
        yield "pages", f"{extent}/m:start", [first]
        yield "pages", f"{extent}/m:end", [last]
    elif re.fullmatch(r"[A-Za-z]+[0-9]+", pages):  # e1234: an article number
        yield "pages", f"{HOST}/m:part/m:detail[@type='article']/m:number", [pages]
        yield "pages", f"{HOST}/m:part/m:extent", []
    else:
        yield "pages", f"{extent}/m:start", [pages]
        yield "pages", f"{extent}/m:end", []
    published = [meta["published"]] if "published" in meta else []
    yield "published", "m:originInfo/m:dateIssued[@encoding='w3cdtf'][@keyDate='yes']", published
    yield "published", f"{HOST}/m:part/m:date", published if hosted else []
    if not hosted:
        yield "host", HOST, []

    kind = meta.get("article_type", "research-article")
    yield (
        "article_type",
        "m:genre[@authority='coar']/@valueURI",
        [COAR_TYPES.get(kind, JOURNAL_ARTICLE)],
    )
    yield "article_type", f"m:genre[@authorityURI='{JATS_TYPES}']", [kind]
    version = COAR_VERSIONS[meta.get("version", "published")]
    yield "version", "m:note[@type='version identification']/@xlink:href", [version]
    yield "doi", "m:identifier[@type='doi']", [meta["doi"]] if "doi" in meta else []
    url = [meta["url"]] if "url" in meta else []
    yield "url", "m:identifier[@type='uri']", url
    yield "url", "m:location/m:url[@usage='primary'][@access='object in context']", url
    files = meta.get("files", [])
    yield "files", "m:location/m:url[@access='raw object']", [item["url"] for item in files]
    yield (
        "files",
        "m:location/m:url[@access='raw object']/@displayLabel",
        [f"Full text ({item['mime']})" for item in files],
    )
    mimes = list(dict.fromkeys(item["mime"] for item in files))
    yield "files", "m:physicalDescription/m:internetMediaType", mimes
    licence = [meta["license"]] if "license" in meta else []
    yield "license", "m:accessCondition[@type='use and reproduction']/@xlink:href", licence
    restriction = "m:accessCondition[@type='restriction on access']"
    if "access" in meta:
        uri, label = COAR_ACCESS[meta["access"]]
        if "embargo_until" in meta:
            label += f" until {meta['embargo_until']}"
        yield "access", f"{restriction}/@valueURI", [uri]
        yield "access", restriction, [label]
    else:
        yield "access", restriction, []

    funding = meta.get("funding", [])
    yield "funding", f"m:name[{FUNDER}]/m:namePart", [item["funder"] for item in funding]
    yield (
        "funding",
        f"m:name[{FUNDER}]/m:nameIdentifier",
        [item["funder_id"] for item in funding if "funder_id" in item],
    )
    awards = []
    for item in funding:
        if "award" in item or "award_title" in item:
            award = (
                f"{item['funder']}, award {item['award']}" if "award" in item else item["funder"]
            )
            awards.append(f"{award}: {item['award_title']}" if "award_title" in item else award)
    yield "funding", "m:note[@type='funding']", awards

    reviewed = meta.get("reviewed")
    if reviewed is None:
        yield "reviewed", REVIEWED, []
    else:
        yield "reviewed", f"{REVIEWED}/m:titleInfo/m:title", [reviewed["title"]]
        people = reviewed.get("authors", [])
        yield from _name_facts(f"{REVIEWED}/m:name[{AUTHOR}]", people, "reviewed")
        for key, path in (
            ("publisher", "m:originInfo/m:publisher"),
            ("year", "m:originInfo/m:dateIssued"),
            ("isbn", "m:identifier[@type='isbn']"),
        ):
            yield "reviewed", f"{REVIEWED}/{path}", [reviewed[key]] if key in reviewed else []
    yield "identifier", "m:recordInfo/m:recordIdentifier", [record["identifier"]]


def test_every_fact_of_every_record_reads_back_at_its_xpath() -> None:
    checked = 0
    for record in every_record():
        element = parsed(record)
        for key, path, expected in facts(record):
            found = values(element, path)
            assert found == expected, f"{record['identifier']} {key}: {path}"
            checked += 1
    assert checked > 10_000


#: (a ``language`` value, its languageTerms as (authority or type, text)): ISO 639-2/B for a
#: known language, the BCP 47 tag (shortest code) when it says more, text for a non-tag.
LANGUAGES = [
    ("en", [("iso639-2b", "eng")]),
    ("EN", [("iso639-2b", "eng")]),
    ("fra", [("iso639-2b", "fre")]),
    ("pt-BR", [("iso639-2b", "por"), ("rfc5646", "pt-BR")]),
    ("eng-GB", [("iso639-2b", "eng"), ("rfc5646", "en-GB")]),
    (" en ", [("iso639-2b", "eng")]),
    ("haw", [("rfc5646", "haw")]),
    ("English", [("text", "English")]),
    ("en_GB", [("text", "en_GB")]),
]


@pytest.mark.parametrize(("value", "terms"), LANGUAGES, ids=[value for value, _ in LANGUAGES])
def test_language_terms(value: str, terms: list[tuple[str, str]]) -> None:
    record = {
        "identifier": "oai:example.org:lang",
        "metadata": {"title": ["T"], "language": [value]},
    }
    found = parsed(record).findall("m:language/m:languageTerm", NS)
    assert [(term.get("authority") or term.get("type"), term.text) for term in found] == terms
    assert all(term.get("type") == "code" for term in found if term.get("authority"))


def test_names_from_dublin_core_creators() -> None:
    # A record of bare Dublin Core: its creators are its authors; an unsplit one is not
    # known to be an organisation, and nothing says the record is an article.
    record = {
        "identifier": "oai:example.org:dc/1",
        "metadata": {"title": ["Dialogues"], "creator": ["Carberry, Josiah", "Plato"]},
    }
    element = parsed(record)
    assert values(element, f"m:name[{AUTHOR}]/@type") == ["personal"]
    assert values(element, f"m:name[not(@type)][{AUTHOR}]/m:namePart") == ["Plato"]
    assert values(element, "m:name[@type='personal']/m:namePart") == ["Carberry", "Josiah"]
    assert values(element, "m:typeOfResource | m:genre | m:note") == []


# --- (4) availability ---------------------------------------------------------------------

AVAILABILITY = [
    # (why, metadata, offered)
    ("title only", {"title": ["A Title"]}, True),
    ("no title key", {"publisher": ["Pluto Journals"], "journal": "Prometheus"}, False),
    ("empty title list", {"title": [], "doi": "10.5555/1"}, False),
    ("blank title", {"title": ["  \t"], "journal": "Prometheus"}, False),
    ("blank then a title", {"title": [" ", {"value": "Second", "lang": "en"}]}, True),
    (
        "every key but a title",
        {k: v for k, v in ARTICLE["metadata"].items() if k != "title"},
        False,
    ),
]


@pytest.mark.parametrize(
    ("why", "metadata", "offered"), AVAILABILITY, ids=[r[0] for r in AVAILABILITY]
)
def test_availability(
    why: str, metadata: dict[str, Any], offered: bool, mods38: etree.XMLSchema
) -> None:
    text = render({"identifier": "oai:example.org:x", "metadata": metadata})
    assert (text is not None) is offered, why
    if text is not None:
        element = parse(text)
        assert_valid(mods38, element)
        assert values(element, "m:titleInfo[not(@type)]/m:title")[0].strip()


def test_every_fixture_and_generated_record_is_offered() -> None:
    declined = [record["identifier"] for record in every_record() if render(record) is None]
    assert declined == []


# --- (5) MODS's own rules beyond the XSD ------------------------------------------------------


def documents() -> Iterator[tuple[str, etree._Element]]:
    for record in every_record():
        yield record["identifier"], parsed(record)


def test_no_element_is_empty() -> None:
    for identifier, element in documents():
        for node in element.iter():
            assert len(node) or (node.text or "").strip(), f"{identifier}: empty {node.tag}"


def test_one_primary_url_and_one_key_date_at_most() -> None:
    for identifier, element in documents():
        assert len(element.xpath("//m:url[@usage='primary']", namespaces=NS)) <= 1, identifier
        assert len(element.xpath("//*[@keyDate='yes']", namespaces=NS)) <= 1, identifier


def test_every_ror_is_on_its_affiliation() -> None:
    # ROR needs 3.8: each affiliation the record gives with a ROR carries it as a value URI.
    seen = 0
    for record in every_record():
        element = parsed(record)
        people = list(record["metadata"].get("authors", []))
        people += record["metadata"].get("reviewed", {}).get("authors", [])
        for person in people:
            for affiliation in person.get("affiliations", []):
                if "ror" not in affiliation:
                    continue
                path = (
                    f"//m:affiliation[@authority='ror'][@authorityURI='https://ror.org/']"
                    f"[@valueURI='{affiliation['ror']}']"
                )
                assert values(element, path), f"{record['identifier']}: {affiliation}"
                seen += 1
    assert seen > 50


THREE_EIGHT = (
    "//m:affiliation[@authority or @authorityURI or @valueURI]"
    " | //m:accessCondition[@authority or @authorityURI or @valueURI]"
)
AUTHORITY = ("authority", "authorityURI", "valueURI")


def test_documents_fail_mods_3_7_exactly_where_3_8_is_used(mods37: etree.XMLSchema) -> None:
    kinds: set[str] = set()
    for identifier, element in documents():
        tree = element.getroottree()
        expected = [(tree.getpath(element), "SCHEMAV_CVC_ENUMERATION_VALID")]  # version="3.8"
        for feature in element.xpath(THREE_EIGHT, namespaces=NS):
            kinds.add(etree.QName(feature).localname)
            used = [name for name in AUTHORITY if feature.get(name) is not None]
            expected += [(tree.getpath(feature), "SCHEMAV_CVC_COMPLEX_TYPE_3_2_1")] * len(used)
        assert not mods37.validate(element)
        found = [(error.path, error.type_name) for error in mods37.error_log]
        assert sorted(found) == sorted(expected), identifier
        # Without those, the very same document is valid MODS 3.7.
        older = copy.deepcopy(element)
        older.set("version", "3.7")
        for feature in older.xpath(THREE_EIGHT, namespaces=NS):
            for name in AUTHORITY:
                feature.attrib.pop(name, None)
        assert mods37.validate(older), f"{identifier}: {mods37.error_log}"
    assert kinds == {"affiliation", "accessCondition"}


# --- (6) hostile text -------------------------------------------------------------------------


def test_hostile_text_stays_text(mods38: etree.XMLSchema) -> None:
    long_abstract = ("<p>Ünïcödé & markup</p> " * 20_000) + HOSTILE
    record = {
        "identifier": "oai:example.org:hostile/1",
        "metadata": {
            "title": [{"value": HOSTILE, "lang": "en"}],
            "description": [long_abstract],
            "subject": [HOSTILE],
            "publisher": [HOSTILE],
            "authors": [
                {
                    "family": HOSTILE,
                    "given": "<b>",
                    "affiliations": [{"name": HOSTILE, "ror": "https://ror.org/05gq02987"}],
                },
                {"name": "A & B <Co>"},
            ],
            "journal": HOSTILE,
            "volume": "<1>",
            "section": HOSTILE,
            "url": "https://example.org/a?x=1&y=2",
            "files": [{"url": "https://example.org/f?a=1&b=2", "mime": "application/pdf"}],
            "funding": [{"funder": HOSTILE, "award": "&<>", "award_title": HOSTILE}],
            "reviewed": {"title": HOSTILE, "publisher": "A & B"},
        },
    }
    element = parsed(record)
    assert_valid(mods38, element)
    assert values(element, "m:titleInfo/m:title") == [HOSTILE_READ]
    assert values(element, "m:abstract") == [long_abstract.replace(HOSTILE, HOSTILE_READ)]
    assert values(element, "m:subject/m:topic") == [HOSTILE_READ]
    assert values(element, f"m:name[{AUTHOR}]/m:namePart") == [HOSTILE_READ, "<b>", "A & B <Co>"]
    assert values(element, "//m:affiliation") == [HOSTILE_READ]
    assert values(element, f"{HOST}/m:titleInfo/m:title") == [HOSTILE_READ]
    assert values(element, f"{HOST}/m:part/m:detail[@type='volume']/m:number") == ["<1>"]
    assert values(element, "m:location/m:url") == [
        "https://example.org/a?x=1&y=2",
        "https://example.org/f?a=1&b=2",
    ]
    assert values(element, "m:note[@type='funding']") == [
        f"{HOSTILE_READ}, award &<>: {HOSTILE_READ}"
    ]
    assert values(element, f"{REVIEWED}/m:titleInfo/m:title") == [HOSTILE_READ]
