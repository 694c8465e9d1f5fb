"""oai.article: the article keys of INTERFACE.md, each rule checked with facts stated here."""

from __future__ import annotations

from typing import Any

import pytest

from oai.article import PartialDate, Person, checks, parse_article

VALID = {
    "orcid": ["https://orcid.org/0000-0002-1825-0097", "https://orcid.org/0000-0001-5109-3700"],
    "issn": ["0317-8471", "2049-3630", "0810-9028", "1470-1030", "2434-561X"],
    "ror": ["https://ror.org/05gq02987", "https://ror.org/02mhbdp94"],
    "doi": ["10.5555/12345678", "10.13169/Prometheus.40.2.0092", "10.1000/xyz(123)<x>"],
    "isbn": ["9781541647466", "0-306-40615-2", "978-3-16-148410-0"],
}
INVALID = {
    "orcid": [
        "0000-0002-1825-0097",  # not the URI
        "https://orcid.org/0000-0002-1825-0098",  # wrong check digit
        "http://orcid.org/0000-0002-1825-0097",
        "https://orcid.org/0000-0002-1825-009",
    ],
    "issn": ["0317-8472", "03178471", "0317-847"],
    "ror": ["https://ror.org/05gq02988", "05gq02987", "https://ror.org/05GQ02987"],
    "doi": ["https://doi.org/10.5555/1", "doi:10.5555/1", "10.55/1", "10.5555/ space"],
    "isbn": ["9781541647467", "12345", "0-306-40615-3"],
}


@pytest.mark.parametrize(
    ("kind", "value"), [(kind, value) for kind, values in VALID.items() for value in values]
)
def test_valid_identifiers_pass(kind: str, value: str) -> None:
    assert getattr(checks, kind)(value) is None


@pytest.mark.parametrize(
    ("kind", "value"), [(kind, value) for kind, values in INVALID.items() for value in values]
)
def test_invalid_identifiers_are_refused(kind: str, value: str) -> None:
    assert getattr(checks, kind)(value) is not None


def _reason(metadata: dict[str, Any]) -> str:
    with pytest.raises(ValueError) as caught:
        parse_article("oai:example.org:1", metadata)
    return str(caught.value)


#: metadata -> the path the error must name.
BAD = [
    ({"authors": "Smith"}, "metadata.authors"),
    ({"authors": [{"given": "Jo"}]}, "metadata.authors[0]"),
    ({"authors": [{"family": "A", "name": "B"}]}, "metadata.authors[0]"),
    ({"authors": [{"family": "A", "orcid": "https://orcid.org/0000-0002-1825-0098"}]},
     "metadata.authors[0].orcid"),
    ({"authors": [{"family": "A", "affiliations": [{"ror": "https://ror.org/05gq02987"}]}]},
     "metadata.authors[0].affiliations[0]"),
    ({"authors": [{"family": "A", "email": "a@b"}]}, "metadata.authors[0]: unknown key 'email'"),
    ({"issn": "0317-8472"}, "metadata.issn"),
    ({"eissn": 20493630}, "metadata.eissn"),
    ({"pages": "69–87"}, "metadata.pages"),
    ({"published": "2021-02-30"}, "metadata.published"),
    ({"published": "21-06"}, "metadata.published"),
    ({"article_type": "article"}, "metadata.article_type"),
    ({"version": "final"}, "metadata.version"),
    ({"doi": "https://doi.org/10.5555/1"}, "metadata.doi"),
    ({"url": "journal.example.org/1"}, "metadata.url"),
    ({"license": "CC BY 4.0"}, "metadata.license"),
    ({"files": [{"url": "https://x.org/a.pdf"}]}, "metadata.files[0]"),
    ({"files": [{"url": "https://x.org/a.pdf", "mime": "pdf"}]}, "metadata.files[0].mime"),
    ({"access": "free"}, "metadata.access"),
    ({"access": "embargoed"}, "metadata.embargo_until"),
    ({"access": "open", "embargo_until": "2027-01-01"}, "metadata.embargo_until"),
    ({"funding": [{"award": "1"}]}, "metadata.funding[0]"),
    ({"funding": [{"funder": "X", "funder_id": "501100000269"}]}, "metadata.funding[0].funder_id"),
    ({"reviewed": {"title": "T", "isbn": "9781541647467"}}, "metadata.reviewed.isbn"),
    ({"reviewed": {"title": "T", "year": "20"}}, "metadata.reviewed.year"),
    ({"reviewed": {"authors": []}}, "metadata.reviewed"),
    ({"journal": ""}, "metadata.journal"),
    ({"keywords": ["x"]}, "unknown element 'keywords'"),
    ({"title": "A title"}, "metadata.title"),
]  # fmt: skip


@pytest.mark.parametrize(("metadata", "where"), BAD, ids=[where for _, where in BAD])
def test_a_wrong_value_is_refused_naming_where_it_is(metadata: dict[str, Any], where: str) -> None:
    assert where in _reason(metadata)


def test_interface_example_parses_into_the_model() -> None:
    """The example of INTERFACE.md's article keys, as written there."""
    metadata = {
        "authors": [
            {
                "family": "Carberry",
                "given": "Josiah",
                "orcid": "https://orcid.org/0000-0002-1825-0097",
                "affiliations": [
                    {"name": "An Example University", "ror": "https://ror.org/05gq02987"}
                ],
            },
            {"name": "An Organisation as author"},
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
        "version": "published",
        "doi": "10.5555/12345678",
        "url": "https://journal.example.org/article/123",
        "files": [
            {"url": "https://journal.example.org/article/123.pdf", "mime": "application/pdf"}
        ],
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "access": "embargoed",
        "embargo_until": "2027-01-01",
        "funding": [
            {
                "funder": "Economic and Social Research Council",
                "funder_id": "https://doi.org/10.13039/501100000269",
                "award": "ES/X000000/1",
            }
        ],
        "reviewed": {
            "title": "False Alarm",
            "authors": [{"family": "Lomborg", "given": "Bjørn"}],
            "publisher": "Basic Books",
            "year": "2020",
            "isbn": "9781541647466",
        },
    }
    article = parse_article("oai:example.org:123", metadata)
    assert article.authors[0].inverted == "Carberry, Josiah"
    assert article.authors[0].natural == "Josiah Carberry"
    assert article.authors[1] == Person(name="An Organisation as author")
    assert article.authors[1].inverted == "An Organisation as author"
    assert (article.pages.first, article.pages.last) == ("69", "87")  # type: ignore[union-attr]
    assert article.published == PartialDate(2021, 6, 30)
    assert article.embargo_until is not None and article.embargo_until.iso == "2027-01-01"
    assert article.funding[0].funder_scheme == "Crossref Funder ID"
    assert article.doi_url == "https://doi.org/10.5555/12345678"
    assert article.given == frozenset(metadata)


def test_defaults_and_dublin_core_creators() -> None:
    article = parse_article(
        "oai:example.org:1",
        {"title": [{"value": "T", "lang": "en"}], "creator": ["Doe, Jane", "ACME Lab"]},
    )
    assert article.article_type == "research-article"
    assert article.version == "published"
    assert article.given == frozenset()
    assert [a.inverted for a in article.authors] == ["Doe, Jane", "ACME Lab"]
    assert article.authors[0].family == "Doe" and not article.authors[1].personal
    assert article.title is not None and article.title.lang == "en"


@pytest.mark.parametrize(
    ("text", "iso"), [("2021", "2021"), ("2021-06", "2021-06"), ("0999-01-31", "0999-01-31")]
)
def test_partial_dates_keep_their_precision(text: str, iso: str) -> None:
    assert parse_article("oai:x.org:1", {"published": text}).published.iso == iso  # type: ignore[union-attr]
