"""fixtures/: the seed issue as records, with what ../shared/seed states and nothing invented.

The seed page (shared/seed/*.txt) is read when present, so the abstract, the page
range, the licence and the other items of the issue are compared with the source
itself, not with a copy of it kept here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from . import xsd
from .conftest import error_code, load_lines

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ARTICLE = "oai:prometheusjournal.co.uk:article/putting-innovation-in-place"
GRAVEL_BIKE = "oai:prometheusjournal.co.uk:article/how-does-innovation-arise-in-the-bicycle-sector"
LANDING_PAGE = (
    "http://prometheusjournal.co.uk/prometheus/putting-innovation-in-place-policy-strategies-"
    "for-industrial-services-regional-clusters-and-manufacturing-smes-in-japan-and-the-united-states"
)
LICENCE = "http://creativecommons.org/licenses/by/4.0/"
#: ScienceOpen's Prometheus collection page ("ISSN: 0810-9028 / e-ISSN: 1470-1030"; publisher).
ISSUE_FACTS = {
    "journal": "Prometheus",
    "issn": "0810-9028",
    "eissn": "1470-1030",
    "volume": "40",
    "issue": "2",
}
PUBLISHER = "Pluto Journals"
#: The gravel-bike article's own page and its DOI as ScienceOpen hosts it.
GRAVEL_BIKE_DOI = "10.13169/Prometheus.40.2.0092"
GRAVEL_BIKE_PAGES = "92-107"


def _lines() -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted(FIXTURES.glob("*.jsonl"))
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]


LINES = _lines()
RECORDS = {line["identifier"]: line for line in LINES if "identifier" in line}
SETS = {line["setSpec"]: line for line in LINES if "identifier" not in line}


def values(record: dict[str, Any], element: str) -> list[str]:
    """A Dublin Core element's values, plain strings or {"value", "lang"} objects alike."""
    out = []
    for value in record["metadata"].get(element, []):
        out.append(value["value"] if isinstance(value, dict) else value)
    return out


@pytest.fixture(scope="module")
def seed() -> str:
    folder = xsd.schemas_dir()
    candidates = [folder.parent / "seed"] if folder else []
    candidates.append(Path(__file__).resolve().parent.parent.parent / "shared" / "seed")
    for path in candidates:
        texts = sorted(path.glob("*.txt")) if path.is_dir() else []
        if texts:
            return "\n".join(text.read_text("utf-8") for text in texts)
    pytest.skip("shared/seed not found beside the checkout (or beside OAI_TEST_SCHEMAS)")


def seed_abstract(seed: str) -> str:
    return seed.strip().split("\n\n")[0].strip()


def seed_other_items(seed: str) -> list[str]:
    block = seed.split("Also in this issue:")[1]
    items = [item.strip() for item in block.split("\n-\n")]
    items[0] = items[0].lstrip("-").strip()
    # The last item runs into the page's trailing title and section lines.
    items[-1] = items[-1].splitlines()[0].strip()
    return [item for item in items if item]


def test_article_title(seed: str) -> None:
    title = values(RECORDS[ARTICLE], "title")
    assert len(title) == 1
    assert title[0] in seed.splitlines()


def test_article_abstract_is_the_description(seed: str) -> None:
    assert values(RECORDS[ARTICLE], "description") == [seed_abstract(seed)]


def test_article_pages(seed: str) -> None:
    match = re.search(r"PAGES\s+(\d+)\s*[\u2013-]\s*(\d+)", seed)
    assert match is not None
    pages = f"{match.group(1)}-{match.group(2)}"
    assert pages == "69-87"
    assert RECORDS[ARTICLE]["metadata"]["pages"] == pages


def test_article_licence_and_access(seed: str) -> None:
    assert LICENCE in seed
    assert "All content is freely available without charge" in seed
    for record in RECORDS.values():  # the statement is the journal's, for all its articles
        assert record["metadata"]["license"] == LICENCE, record["identifier"]
        assert record["metadata"]["access"] == "open", record["identifier"]


def test_article_section(seed: str) -> None:
    assert seed.rstrip().endswith("Original Articles")
    assert RECORDS[ARTICLE]["metadata"]["section"] == "Original Articles"
    assert RECORDS[ARTICLE]["metadata"]["url"] == LANDING_PAGE


def test_facts_of_the_issue_are_on_every_item() -> None:
    for record in RECORDS.values():
        metadata = record["metadata"]
        assert {key: metadata.get(key) for key in ISSUE_FACTS} == ISSUE_FACTS
        assert values(record, "publisher") == [PUBLISHER]
        assert values(record, "language") == ["en"]


def test_the_gravel_bike_article_has_its_doi_and_pages() -> None:
    metadata = RECORDS[GRAVEL_BIKE]["metadata"]
    assert metadata["doi"] == GRAVEL_BIKE_DOI
    assert metadata["pages"] == GRAVEL_BIKE_PAGES


def test_nothing_invented(seed: str) -> None:
    """The seed names no author of any item, no publication date, and no DOI for the
    article: the records must not either (Dublin Core included)."""
    for record in RECORDS.values():
        metadata = record["metadata"]
        for key in ("authors", "creator", "contributor", "date", "published"):
            assert key not in metadata, (record["identifier"], key)
    assert "doi" not in RECORDS[ARTICLE]["metadata"]
    dois = [r["identifier"] for r in RECORDS.values() if "doi" in r["metadata"]]
    assert dois == [GRAVEL_BIKE]


def test_the_five_other_items(seed: str) -> None:
    items = seed_other_items(seed)
    assert len(items) == 5
    others = [r for identifier, r in RECORDS.items() if identifier != ARTICLE]
    assert len(others) == 5
    reviews = [r for r in others if r["metadata"].get("article_type") == "book-review"]
    assert len(reviews) == 4
    for item in items:
        # "Authors, Title" for a book review; a bare title for the article.
        matches = [r for r in others if any(item.endswith(t) for t in values(r, "title"))]
        assert len(matches) == 1, item
        record = matches[0]
        if record in reviews:
            title = values(record, "title")[0]
            assert record["metadata"]["reviewed"]["title"] == title
            byline = item[: -len(title)].strip().rstrip(",").strip()
            # The reviewed book's authors, never the review's: "A, B and Friends".
            named = [
                f"{author['given']} {author['family']}"
                for author in record["metadata"]["reviewed"]["authors"]
            ]
            assert named and all(name in byline for name in named), item
        else:
            assert values(record, "title") == [item]


def test_sets_give_the_issue_a_structure() -> None:
    declared = set(SETS)
    assert {"journal:prometheus", "journal:prometheus:book-reviews"} <= declared
    for record in RECORDS.values():
        assert record["sets"], record["identifier"]
        assert set(record["sets"]) <= declared, record["identifier"]
    sections = {
        spec for record in RECORDS.values() for spec in record["sets"] if spec.count(":") == 2
    }
    assert "journal:prometheus:original-articles" in sections
    assert "journal:prometheus:book-reviews" in sections


def test_fixtures_load_and_serve_valid_records(
    make_app: Callable[..., Flask], schemas: Path
) -> None:
    app = make_app(repository_identifier="prometheusjournal.co.uk")
    load_lines(app, LINES)
    client = app.test_client()

    def get(**args: str) -> Any:
        response = client.get("/oai", query_string=args)
        assert response.status_code == 200
        return xsd.validate(response.data)

    for identifier in RECORDS:
        root = get(verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
        assert error_code(root) is None
    # The Dublin Core the article does not give is derived from its article keys.
    root = get(verb="GetRecord", identifier=ARTICLE, metadataPrefix="oai_dc")
    dc = {
        name: root.xpath(f"//dc:{name}/text()", namespaces=xsd.NS)
        for name in ("identifier", "source", "rights", "type")
    }
    assert dc == {
        "identifier": [LANDING_PAGE],
        "source": ["Prometheus; Vol 40 No 2; 69-87", "0810-9028", "1470-1030"],
        "rights": [LICENCE, "info:eu-repo/semantics/openAccess"],
        "type": ["info:eu-repo/semantics/article", "info:eu-repo/semantics/publishedVersion"],
    }
    oai_id = "{http://www.openarchives.org/OAI/2.0/oai-identifier}"
    assert get(verb="Identify").findtext(f".//{oai_id}sampleIdentifier") in RECORDS


#: Each fixture record's formats: the facts allow oai_dc, MARC, JATS and MODS for all
#: six; none has a publication date, which OpenAIRE and DataCite require.
FIXTURE_FORMATS = ["oai_dc", "marcxml", "jats", "mods"]


def test_each_fixture_record_is_served_in_every_format_its_facts_allow(
    make_app: Callable[..., Flask], schemas: Path
) -> None:
    app = make_app(repository_identifier="prometheusjournal.co.uk")
    load_lines(app, LINES)
    client = app.test_client()
    for identifier in RECORDS:
        response = client.get(
            "/oai", query_string={"verb": "ListMetadataFormats", "identifier": identifier}
        )
        root = xsd.validate(response.data)
        assert root.xpath("//oai:metadataPrefix/text()", namespaces=xsd.NS) == FIXTURE_FORMATS
        for prefix in FIXTURE_FORMATS:
            query = {"verb": "GetRecord", "identifier": identifier, "metadataPrefix": prefix}
            assert error_code(xsd.validate(client.get("/oai", query_string=query).data)) is None
