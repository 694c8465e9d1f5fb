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
LANDING_PAGE = (
    "http://prometheusjournal.co.uk/prometheus/putting-innovation-in-place-policy-strategies-"
    "for-industrial-services-regional-clusters-and-manufacturing-smes-in-japan-and-the-united-states"
)
LICENCE = "http://creativecommons.org/licenses/by/4.0/"
PUBLISHER = "Prometheus (Pluto Journals)"


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
    article = RECORDS[ARTICLE]
    assert article["metadata"]["pages"] == pages
    assert any(pages in source for source in values(article, "source"))


def test_article_licence(seed: str) -> None:
    assert LICENCE in seed
    assert values(RECORDS[ARTICLE], "rights") == [LICENCE]


def test_article_facts_stated_by_the_issue() -> None:
    article = RECORDS[ARTICLE]
    assert values(article, "identifier") == [LANDING_PAGE]
    assert values(article, "type") == ["Text", "info:eu-repo/semantics/article"]
    assert values(article, "language") == ["en"]
    assert values(article, "publisher") == [PUBLISHER]


def test_nothing_invented(seed: str) -> None:
    """The seed names no author of the article and no date: the records must not either."""
    for record in RECORDS.values():
        assert "creator" not in record["metadata"], record["identifier"]
        assert "contributor" not in record["metadata"], record["identifier"]
        assert "date" not in record["metadata"], record["identifier"]
        assert "doi" not in record["metadata"], record["identifier"]


def test_the_five_other_items(seed: str) -> None:
    items = seed_other_items(seed)
    assert len(items) == 5
    others = [r for identifier, r in RECORDS.items() if identifier != ARTICLE]
    assert len(others) == 5
    reviews = [r for r in others if "info:eu-repo/semantics/review" in values(r, "type")]
    assert len(reviews) == 4
    for item in items:
        # "Authors, Title" for a book review; a bare title for the article.
        matches = [
            r
            for r in others
            if any(item.endswith(t.removeprefix("Review of: ")) for t in values(r, "title"))
        ]
        assert len(matches) == 1, item
        record = matches[0]
        if record in reviews:
            authors = item[: -len(values(record, "title")[0].removeprefix("Review of: "))]
            authors = authors.strip().rstrip(",").strip()
            assert authors, item
            # The reviewed book's authors are named in the description, never as creators.
            assert any(authors in d for d in values(record, "description")), item
            assert "creator" not in record["metadata"]
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
    oai_id = "{http://www.openarchives.org/OAI/2.0/oai-identifier}"
    assert get(verb="Identify").findtext(f".//{oai_id}sampleIdentifier") in RECORDS
