"""marcxml crosswalk: where each article key lands, stated here as MARC 21 says it.

Each row is read twice: by XPath in the MARCXML as written, and by pymarc reading
the record back, so what a library system imports is what the record states.
The last test compares every generated record's facts with its MARC fields.
"""

from __future__ import annotations

from typing import Any

import pytest

from . import articles, marc
from .format_checks import parse

BASE: dict[str, Any] = {"title": [{"value": "Base title", "lang": "en"}]}
CARBERRY = {
    "family": "Carberry",
    "given": "Josiah",
    "orcid": "https://orcid.org/0000-0002-1825-0097",
    "affiliations": [
        {"name": "An Example University", "ror": "https://ror.org/05gq02987"},
        {"name": "Another Institute"},
    ],
}
ESRC = {
    "funder": "Economic and Social Research Council",
    "funder_id": "https://doi.org/10.13039/501100000269",
    "award": "ES/X000000/1",
}
LOMBORG = {
    "title": "False Alarm",
    "authors": [{"family": "Lomborg", "given": "Bjørn"}, {"name": "A Think Tank"}],
    "publisher": "Basic Books",
    "year": "2020",
    "isbn": "9781541647466",
}
JOURNAL = {"journal": "Journal of Examples", "volume": "37", "issue": "2", "pages": "69-87"}

#: (key, metadata beside BASE, tag, ind1, ind2, subfield code, the values expected there)
CROSSWALK: list[tuple[str, dict[str, Any], str, str, str, str, list[str]]] = [
    ("title", {}, "245", "0", "0", "a", ["Base title."]),
    ("title: subtitle", {"title": ["Cities: A History"]}, "245", "0", "0", "b", ["A History."]),
    (
        "title, parallel",
        {"title": [{"value": "Base", "lang": "en"}, {"value": "Titre", "lang": "fr"}]},
        "246",
        "3",
        "1",
        "a",
        ["Titre"],
    ),
    ("title, variant", {"title": ["Base", "Other form"]}, "246", "3", " ", "a", ["Other form"]),
    (
        "description",
        {"description": [{"value": "An abstract.", "lang": "en"}, "Second."]},
        "520",
        "3",
        " ",
        "a",
        ["An abstract.", "Second."],
    ),
    (
        "description, other language",
        {"language": ["en"], "description": [{"value": "Résumé.", "lang": "fr"}]},
        "041",
        " ",
        " ",
        "b",
        ["fre"],
    ),
    ("subject", {"subject": ["policy", "clusters"]}, "653", " ", " ", "a", ["policy", "clusters"]),
    ("language, several", {"language": ["en", "fr"]}, "041", " ", " ", "a", ["eng", "fre"]),
    ("language, uncoded", {"language": ["tlh"]}, "546", " ", " ", "a", ["Language: tlh"]),
    ("publisher", {"publisher": ["P Press"]}, "264", " ", "1", "b", ["P Press."]),
    (
        "publisher and year",
        {"publisher": ["P Press"], "published": "2021-06"},
        "264",
        " ",
        "1",
        "b",
        ["P Press,"],
    ),
    ("published", {"published": "2021-06-30"}, "264", " ", "1", "c", ["2021."]),
    ("creator, split", {"creator": ["Smith, Ana"]}, "100", "1", " ", "a", ["Smith, Ana,"]),
    ("creator, whole", {"creator": ["Ana Smith"]}, "720", " ", " ", "a", ["Ana Smith,"]),
    ("authors", {"authors": [CARBERRY]}, "100", "1", " ", "a", ["Carberry, Josiah,"]),
    ("authors, relator", {"authors": [CARBERRY]}, "100", "1", " ", "e", ["author."]),
    ("authors, relator code", {"authors": [CARBERRY]}, "100", "1", " ", "4", ["aut"]),
    ("authors.orcid", {"authors": [CARBERRY]}, "100", "1", " ", "1", [CARBERRY["orcid"]]),
    (
        "authors.affiliations",
        {"authors": [CARBERRY]},
        "100",
        "1",
        " ",
        "u",
        ["An Example University; Another Institute"],
    ),
    (
        "authors, second",
        {"authors": [CARBERRY, {"family": "Li", "given": "Wei"}]},
        "700",
        "1",
        " ",
        "a",
        ["Li, Wei,"],
    ),
    ("authors, organisation", {"authors": [{"name": "An Org"}]}, "110", "2", " ", "a", ["An Org,"]),
    (
        "authors, organisation second",
        {"authors": [CARBERRY, {"name": "An Org"}]},
        "710",
        "2",
        " ",
        "a",
        ["An Org,"],
    ),
    (
        "authors in 245 $c",
        {"authors": [CARBERRY, {"name": "An Org"}]},
        "245",
        "1",
        "0",
        "c",
        ["Josiah Carberry, An Org."],
    ),
    ("journal", JOURNAL, "773", "0", " ", "t", ["Journal of Examples"]),
    ("volume, issue, pages", JOURNAL, "773", "0", " ", "g", ["Vol. 37, no. 2, p. 69-87"]),
    ("volume, issue, first page", JOURNAL, "773", "0", " ", "q", ["37:2<69"]),
    (
        "published in the host",
        {**JOURNAL, "published": "2021"},
        "773",
        "0",
        " ",
        "g",
        ["Vol. 37, no. 2 (2021), p. 69-87"],
    ),
    ("pages, article number", {"journal": "J", "pages": "e1234"}, "773", "0", " ", "g", ["e1234"]),
    ("issue alone", {"journal": "J", "issue": "3"}, "773", "0", " ", "g", ["No. 3"]),
    ("year alone names no host", {"published": "2021"}, "773", "0", " ", "g", []),
    ("pages, extent", {"pages": "69-87"}, "300", " ", " ", "a", ["19 pages"]),
    ("issn", {"journal": "J", "issn": "0317-8471"}, "773", "0", " ", "x", ["0317-8471"]),
    ("eissn alone", {"journal": "J", "eissn": "2049-3630"}, "773", "0", " ", "x", ["2049-3630"]),
    (
        "eissn beside issn",
        {"journal": "J", "issn": "0317-8471", "eissn": "2049-3630"},
        "773",
        "1",
        " ",
        "x",
        ["2049-3630"],
    ),
    (
        "section",
        {"section": "Reviews"},
        "500",
        " ",
        " ",
        "a",
        ["Version of record.", "Section: Reviews."],
    ),
    ("version", {"version": "accepted"}, "500", " ", " ", "a", ["Accepted manuscript."]),
    (
        "article_type",
        {"article_type": "book-review"},
        "655",
        " ",
        "4",
        "0",
        ["http://purl.org/coar/resource_type/c_ba08"],
    ),
    ("article_type, label", {"article_type": "editorial"}, "655", " ", "4", "a", ["editorial"]),
    ("doi", {"doi": "10.5555/12345678"}, "024", "7", " ", "a", ["10.5555/12345678"]),
    ("doi, source", {"doi": "10.5555/12345678"}, "024", "7", " ", "2", ["doi"]),
    ("url", {"url": "https://x.org/a/1"}, "856", "4", "0", "u", ["https://x.org/a/1"]),
    (
        "files",
        {
            "url": "https://x.org/a/1",
            "files": [{"url": "https://x.org/1.pdf", "mime": "application/pdf"}],
        },
        "856",
        "4",
        "0",
        "q",
        ["application/pdf"],
    ),
    (
        "files, ftp",
        {"files": [{"url": "ftp://x.org/1.pdf", "mime": "application/pdf"}]},
        "856",
        "1",
        "0",
        "u",
        ["ftp://x.org/1.pdf"],
    ),
    (
        "license, Creative Commons",
        {"license": "https://creativecommons.org/licenses/by/4.0/"},
        "540",
        " ",
        " ",
        "f",
        ["CC BY 4.0"],
    ),
    (
        "license, its name",
        {"license": "https://creativecommons.org/licenses/by-sa/3.0/"},
        "540",
        " ",
        " ",
        "a",
        ["Creative Commons Attribution-ShareAlike 3.0 Unported"],
    ),
    (
        "license, other",
        {"license": "https://x.org/terms"},
        "540",
        " ",
        " ",
        "u",
        ["https://x.org/terms"],
    ),
    ("license, other, unnamed", {"license": "https://x.org/terms"}, "540", " ", " ", "a", []),
    ("access, open", {"access": "open"}, "506", "0", " ", "f", ["Unrestricted online access"]),
    ("access, restricted", {"access": "restricted"}, "506", "1", " ", "a", ["Restricted access"]),
    (
        "access, metadata only",
        {"access": "metadata-only"},
        "506",
        "1",
        " ",
        "a",
        ["Metadata only access"],
    ),
    (
        "embargo_until",
        {"access": "embargoed", "embargo_until": "2027-01-01"},
        "506",
        "1",
        " ",
        "g",
        ["20270101"],
    ),
    ("funding.funder", {"funding": [ESRC]}, "536", " ", " ", "a", [ESRC["funder"]]),
    ("funding.award", {"funding": [ESRC]}, "536", " ", " ", "c", ["ES/X000000/1"]),
    (
        "funding.award_title",
        {"funding": [{"funder": "F", "award_title": "A project"}]},
        "536",
        " ",
        " ",
        "a",
        ["F: A project"],
    ),
    ("funding.funder_id", {"funding": [ESRC]}, "710", "2", " ", "1", [ESRC["funder_id"]]),
    ("funding, relator", {"funding": [ESRC]}, "710", "2", " ", "4", ["fnd"]),
    ("reviewed", {"reviewed": LOMBORG}, "787", "0", "8", "i", ["Review of:"]),
    ("reviewed.title", {"reviewed": LOMBORG}, "787", "0", "8", "t", ["False Alarm."]),
    ("reviewed.authors", {"reviewed": LOMBORG}, "787", "0", "8", "a", ["Lomborg, Bjørn."]),
    (
        "reviewed.authors, all",
        {"reviewed": LOMBORG},
        "787",
        "0",
        "8",
        "n",
        ["Authors: Bjørn Lomborg, A Think Tank"],
    ),
    (
        "reviewed.publisher, year",
        {"reviewed": LOMBORG},
        "787",
        "0",
        "8",
        "d",
        ["Basic Books, 2020"],
    ),
    ("reviewed.isbn", {"reviewed": LOMBORG}, "787", "0", "8", "z", ["9781541647466"]),
]


def _xpath(tag: str, ind1: str, ind2: str, code: str) -> str:
    return (
        f"/m:record/m:datafield[@tag='{tag}'][@ind1='{ind1}'][@ind2='{ind2}']"
        f"/m:subfield[@code='{code}']"
    )


@pytest.mark.parametrize(
    ("key", "extra", "tag", "ind1", "ind2", "code", "expected"),
    CROSSWALK,
    ids=[row[0] for row in CROSSWALK],
)
def test_each_key_lands_in_its_field(
    key: str,
    extra: dict[str, Any],
    tag: str,
    ind1: str,
    ind2: str,
    code: str,
    expected: list[str],
) -> None:
    xml = marc.render("oai:x:1", {**BASE, **extra})
    assert xml is not None
    found = [
        node.text for node in parse(xml).xpath(_xpath(tag, ind1, ind2, code), namespaces=marc.NS)
    ]
    assert found == expected
    rec = marc.record(xml)
    assert marc.values(rec, tag, code, ind1, ind2) == expected
    assert marc.lint(rec) == []


#: (key, metadata beside BASE, control field, character positions, the characters expected)
FIXED: list[tuple[str, dict[str, Any], str, slice, str | None]] = [
    ("identifier", {}, "001", slice(None), "oai:x:1"),
    ("published, year", {"published": "2021"}, "008", slice(6, 15), "s2021    "),
    ("published, month", {"published": "2021-06"}, "008", slice(6, 15), "e202106uu"),
    ("published, day", {"published": "2021-06-30"}, "008", slice(6, 15), "e20210630"),
    ("published, none", {}, "008", slice(6, 15), "nuuuuuuuu"),
    ("language", {"language": ["de"]}, "008", slice(35, 38), "ger"),
    ("language, region", {"language": ["en-GB"]}, "008", slice(35, 38), "eng"),
    ("language, none", {}, "008", slice(35, 38), "   "),
    ("language, uncoded", {"language": ["tlh"]}, "008", slice(35, 38), "und"),
    ("url", {"url": "https://x.org/1"}, "008", slice(23, 24), "o"),
    ("url, 006", {"url": "https://x.org/1"}, "006", slice(None), "m     o  d |      "),
    (
        "files, 007",
        {"files": [{"url": "https://x/1", "mime": "text/html"}]},
        "007",
        slice(None),
        "cr |||||||||||",
    ),
    ("no url, no 006", {}, "006", slice(None), None),
    ("article_type, review", {"article_type": "book-review"}, "008", slice(24, 25), "o"),
    ("article_type, survey", {"article_type": "review-article"}, "008", slice(24, 25), "n"),
    ("article_type, other", {"article_type": "editorial"}, "008", slice(24, 25), " "),
]


@pytest.mark.parametrize(
    ("key", "extra", "tag", "positions", "expected"), FIXED, ids=[row[0] for row in FIXED]
)
def test_each_key_lands_in_its_coded_positions(
    key: str, extra: dict[str, Any], tag: str, positions: slice, expected: str | None
) -> None:
    xml = marc.render("oai:x:1", {**BASE, **extra})
    assert xml is not None
    nodes = parse(xml).xpath(f"/m:record/m:controlfield[@tag='{tag}']", namespaces=marc.NS)
    data = marc.control(marc.record(xml), tag)
    if expected is None:
        assert nodes == [] and data is None
        return
    assert [node.text[positions] for node in nodes] == [expected]
    assert data is not None and data[positions] == expected


def _names(people: list[dict[str, Any]]) -> list[str]:
    return [
        f"{p['family']}, {p['given']}" if "given" in p else p.get("family", p.get("name", ""))
        for p in people
    ]


@pytest.mark.parametrize("line", articles.records(300), ids=lambda line: line["identifier"])
def test_pymarc_reads_back_the_facts_of_every_generated_record(line: dict[str, Any]) -> None:
    metadata = line["metadata"]
    xml = marc.render(line["identifier"], metadata)
    assert xml is not None
    rec = marc.record(xml)
    headings = [
        sub.value.rstrip(",")
        for tag in ("100", "110", "700", "710", "720")
        for field in rec.get_fields(tag)
        if "fnd" not in field.get_subfields("4")
        for sub in field.subfields
        if sub.code == "a"
    ]
    assert sorted(headings) == sorted(_names(metadata.get("authors", [])))
    if metadata.get("authors"):
        main = rec.get_fields("100", "110")
        assert [f.get_subfields("a")[0].rstrip(",") for f in main] == _names(
            metadata["authors"][:1]
        )
    orcids = [
        uri
        for tag in ("100", "700")
        for field in rec.get_fields(tag)
        for uri in field.get_subfields("1")
    ]
    assert orcids == [p["orcid"] for p in metadata.get("authors", []) if "orcid" in p]
    publishers = metadata.get("publisher", [])
    ending = "," if "published" in metadata else "."
    assert marc.values(rec, "264", "b") == ([publishers[0] + ending] if publishers else [])
    title = metadata["title"][0]["value"]
    proper = marc.values(rec, "245", "a")[0]
    remainder = marc.values(rec, "245", "b")
    assert title.startswith(proper.rstrip(" :/.")) and (
        not remainder or remainder[0].rstrip(" /.") in title
    )
    assert marc.values(rec, "520", "a") == [d["value"] for d in metadata.get("description", [])]
    assert marc.values(rec, "653", "a") == metadata.get("subject", [])
    assert marc.values(rec, "024", "a") == ([metadata["doi"]] if "doi" in metadata else [])
    issns = [metadata[key] for key in ("issn", "eissn") if key in metadata]
    assert marc.values(rec, "773", "x") == issns
    assert set(marc.values(rec, "773", "t")) <= {metadata.get("journal")}
    links = ([metadata["url"]] if "url" in metadata else []) + [
        f["url"] for f in metadata.get("files", [])
    ]
    assert marc.values(rec, "856", "u") == links
    assert marc.values(rec, "540", "u") == ([metadata["license"]] if "license" in metadata else [])
    access = [field.indicator1 for field in rec.get_fields("506")]
    assert access == ({"open": ["0"], None: []}.get(metadata.get("access"), ["1"]))
    awards = [f["award"] for f in metadata.get("funding", []) if "award" in f]
    assert marc.values(rec, "536", "c") == awards
    assert marc.values(rec, "536", "a") == [
        f"{f['funder']}: {f['award_title']}" if "award_title" in f else f["funder"]
        for f in metadata.get("funding", [])
    ]
    reviewed = metadata.get("reviewed")
    assert marc.values(rec, "787", "t") == ([reviewed["title"] + "."] if reviewed else [])
    assert marc.values(rec, "787", "z") == (
        [reviewed["isbn"]] if reviewed and "isbn" in reviewed else []
    )
