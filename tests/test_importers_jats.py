"""JATS front matter read into article metadata: each sample's facts, stated here from the
sample files, alike in no namespace and in INTERFACE.md's JATS namespace.

JATS_EXPECTED is the table to compare any JATS round trip with: the import of a file,
and the import of the ``jats`` format's rendering of that import, should both give it.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from oai.importers import SourceError, sources
from oai.importers.jats import without_namespace
from oai.importers.records import Imported

from . import xsd

SAMPLES = Path(__file__).parent / "import_samples" / "jats"
TODAY = date(2026, 1, 1)
NAMESPACE = "https://jats.nlm.nih.gov/ns/archiving/1.3/"

#: sample file (under import_samples/jats) -> (its own id, the article's metadata).
JATS_EXPECTED: dict[str, tuple[str, dict[str, Any]]] = {
    "jats-1.1-research.xml": (
        "sit-2023-0042",
        {
            "title": [
                {"value": "The flux of H₂ in dreams: Measurements at night", "lang": "en"},
                {"value": "Der Fluss von H₂ in Träumen", "lang": "de"},
            ],
            "contributor": ["Smith, Ana"],
            "subject": [
                {"value": "Imaginary engineering", "lang": "en"},
                {"value": "dreams", "lang": "en"},
                {"value": "hydrogen flux", "lang": "en"},
                {"value": "Träume", "lang": "de"},
            ],
            "description": [
                {
                    "value": "Background\n\nDreams carry hydrogen (H_2).\n\n"
                    "Results\n\nThe flux was 1/2 of the day’s.",
                    "lang": "en",
                },
                {"value": "Träume tragen Wasserstoff.", "lang": "de"},
            ],
            "publisher": ["Example Press"],
            "language": ["en"],
            "authors": [
                {
                    "family": "Ñúñez",
                    "given": "María José",
                    "orcid": "https://orcid.org/0000-0000-8675-3097",
                    "affiliations": [
                        {"name": "Universidad Inventada", "ror": "https://ror.org/000dj0w31"},
                        {"name": "Nordic Institute of Dreams, Aarhus, Denmark"},
                    ],
                },
                {
                    "family": "Ørsted",
                    "given": "Søren",
                    "affiliations": [{"name": "Nordic Institute of Dreams, Aarhus, Denmark"}],
                },
            ],
            "journal": "Studies in Invented Things",
            "issn": "8080-8085",
            "eissn": "1357-9134",
            "volume": "7",
            "issue": "4",
            "pages": "201-219",
            "section": "Original Articles",
            "published": "2023-11-03",
            "article_type": "research-article",
            "doi": "10.5555/sit.2023.42",
            "url": "https://sit.example.org/articles/42",
            "files": [
                {"url": "https://sit.example.org/articles/42.pdf", "mime": "application/pdf"}
            ],
            "license": "https://creativecommons.org/licenses/by/4.0/",
            "access": "embargoed",
            "embargo_until": "2042-11-03",
            "funding": [
                {
                    "funder": "Economic and Social Research Council",
                    "funder_id": "https://doi.org/10.13039/501100000269",
                    "award": "ES/X000002/1",
                },
                {"funder": "Fundación Soñadora"},
            ],
        },
    ),
    "jats-1.3-book-review.xml": (
        "br 2024/07",
        {
            "title": [{"value": "Review of Imaginary Numbers in Real Life", "lang": "en"}],
            "publisher": ["Example Press"],
            "language": ["en"],
            "authors": [
                {
                    "family": "Łukasz",
                    "given": "Zoë",
                    "affiliations": [
                        {"name": "University of Nowhere", "ror": "https://ror.org/0003cg757"}
                    ],
                }
            ],
            "journal": "Journal of Examples",
            "issn": "1234-5679",
            "eissn": "7654-3218",
            "volume": "37",
            "issue": "2",
            "pages": "120-121",
            "section": "Book Reviews",
            "published": "2024-07-01",
            "article_type": "book-review",
            "version": "published",
            "license": "https://creativecommons.org/licenses/by/4.0/",
            "access": "open",
            "reviewed": {
                "title": "Imaginary Numbers in Real Life",
                "authors": [
                    {"family": "Nakamura", "given": "Hiro"},
                    {"family": "da Silva", "given": "Ana"},
                ],
                "publisher": "Invented Books",
                "year": "2023",
                "isbn": "9781234567897",
            },
        },
    ),
    "more/jats-1.3-ns-editorial.xml": (
        "jats-1.3-ns-editorial",
        {
            "title": [{"value": "Éditorial : treize ans", "lang": "fr"}],
            "description": [{"value": "Un numéro, treize ans.", "lang": "fr"}],
            "language": ["fr"],
            "authors": [
                {
                    "family": "Dupont-Ñandú",
                    "given": "Amélie",
                    "affiliations": [{"name": "Université Imaginaire, Lyon"}],
                },
                {
                    "name": "Comité de rédaction",
                    "affiliations": [{"name": "Université Imaginaire, Lyon"}],
                },
            ],
            "journal": "Revue d’Études Imaginaires",
            "issn": "2468-0249",
            "volume": "13",
            "issue": "1",
            "pages": "e1",
            "published": "2026-01",
            "article_type": "editorial",
            "doi": "10.5555/REI.13.1.E1",
        },
    ),
    "more/untitled-ish.xml": (
        "untitled-ish",
        {
            "title": ["In memoriam: A. Nobody"],
            "journal": "Studies in Invented Things",
            "published": "2024",
            "article_type": "other",
        },
    ),
}


def read(path: Path) -> Imported:
    items = list(sources.read_jats(sources._input(str(path)), TODAY, lambda count: None))
    assert len(items) == 1 and isinstance(items[0], Imported)
    return items[0]


@pytest.mark.parametrize("sample", sorted(JATS_EXPECTED))
def test_sample_articles(sample: str) -> None:
    article = read(SAMPLES / sample)
    local_id, metadata = JATS_EXPECTED[sample]
    assert article.local_id == local_id
    assert article.metadata == metadata


def _in_namespace(text: str) -> str:
    text = re.sub(r"<!DOCTYPE[^>]*>", "", text)
    return text.replace("<article ", f'<article xmlns="{NAMESPACE}" ', 1)


def _without_namespace(text: str) -> str:
    return text.replace(f' xmlns="{NAMESPACE}"', "", 1)


@pytest.mark.parametrize(
    ("sample", "change"),
    [
        ("jats-1.1-research.xml", _in_namespace),
        ("jats-1.3-book-review.xml", _in_namespace),
        ("more/jats-1.3-ns-editorial.xml", _without_namespace),
    ],
)
def test_namespace_or_none_read_alike(tmp_path: Path, sample: str, change: Any) -> None:
    original = (SAMPLES / sample).read_text("utf-8")
    twin = tmp_path / Path(sample).name
    changed = change(original)
    assert changed != original
    twin.write_text(changed, "utf-8")
    assert read(twin).metadata == JATS_EXPECTED[sample][1]


def test_a_directory_is_every_xml_file_under_it_sorted() -> None:
    found = [source.name for source in sources.jats_inputs([str(SAMPLES)])]
    assert [name.removeprefix(str(SAMPLES) + "/") for name in found] == sorted(JATS_EXPECTED)


ARTICLE = """<article{attributes}><front><journal-meta><journal-title-group>
<journal-title>J</journal-title></journal-title-group></journal-meta><article-meta>
{meta}
</article-meta></front></article>"""


@pytest.mark.parametrize(
    ("attributes", "meta", "line", "reason"),
    [
        ("", "<pub-date><year>2024</year></pub-date>", 2, "no article-title"),
        (
            "",
            "<title-group><article-title>T</article-title></title-group><contrib-group><contrib>"
            '<contrib-id contrib-id-type="orcid">0000-0002-1825-0098</contrib-id>'
            "<name><surname>S</surname></name></contrib></contrib-group>",
            3,
            "wrong check digit",
        ),
        (
            "",
            "<title-group><article-title>T</article-title></title-group>\n"
            '<article-id pub-id-type="doi">doi:10.5555</article-id>',
            4,
            "is not a DOI",
        ),
        (
            "",
            "<title-group><article-title>T</article-title></title-group>\n"
            "<pub-date><month>13</month><day>40</day><year>24</year></pub-date>",
            4,
            "four-digit year",
        ),
        (
            "",
            "<title-group><article-title>T</article-title></title-group>\n"
            "<product><source>B</source><isbn>9781234567890</isbn></product>",
            4,
            "isbn '9781234567890' 9781234567890 has a wrong check digit",
        ),
        (
            ' xmlns:xlink="http://www.w3.org/1999/xlink"',
            "<title-group><article-title>T</article-title></title-group>\n"
            '<self-uri xlink:href="not a uri"/>',
            4,
            "is not an absolute URI",
        ),
        (
            "",
            "<title-group><article-title>T</article-title></title-group>\n<fpage>1 2</fpage>",
            4,
            "pages",
        ),
        ("", "<title-group><article-title>&mdash;</article-title></title-group>", 3, "mdash"),
        ("", '<self-uri xlink:href="https://example.org"/>', 3, "Namespace prefix xlink"),
    ],
    ids=["no-title", "orcid", "doi", "date", "isbn", "uri", "pages", "entity", "namespace"],
)
def test_bad_articles_name_their_line(
    tmp_path: Path, attributes: str, meta: str, line: int, reason: str
) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(ARTICLE.format(attributes=attributes, meta=meta), "utf-8")
    with pytest.raises(SourceError) as caught:
        read(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert reason in message, message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<book/>", "not a JATS article"),
        ("<article/>", "no front/article-meta"),
        ("<article><front>", "not well-formed"),
    ],
)
def test_not_an_article(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "other.xml"
    path.write_text(text, "utf-8")
    with pytest.raises(SourceError, match=reason):
        read(path)


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no xml here", "utf-8")
    with pytest.raises(SourceError, match="no .xml files"):
        sources.jats_inputs([str(tmp_path)])


TITLE = "<title-group><article-title>T</article-title></title-group>"


@pytest.mark.parametrize(
    ("attributes", "meta", "expected"),
    [
        (
            "",
            TITLE + "<self-uri>https://x.example.org/a</self-uri>",
            {"url": "https://x.example.org/a"},
        ),
        (' xmlns:xlink="http://www.w3.org/1999/xlink"', TITLE + "<self-uri>Read it</self-uri>", {}),
        (
            ' xml:lang="en_GB"',
            TITLE,
            {"title": [{"value": "T", "lang": "en-GB"}], "language": ["en_GB"]},
        ),
        ("", TITLE + "<issn>1234-5679</issn>", {}),  # a medium it does not say: left out
        ("", TITLE + '<pub-date pub-type="pmc-release"><year>2020</year></pub-date>', {}),
        (
            "",
            TITLE + '<pub-date pub-type="collection"><year>2020</year></pub-date>'
            '<pub-date pub-type="ppub"><month>Mar</month><year>2019</year></pub-date>',
            {"published": "2019-03"},
        ),
        (
            "",
            TITLE + '<pub-date date-type="pub" iso-8601-date="2021-02-03"/>',
            {"published": "2021-02-03"},
        ),
        (' article-type="reply"', TITLE, {"article_type": "other"}),
        (' article-type="letter"', TITLE, {"article_type": "letter"}),
        ("", TITLE + '<article-version article-version-type="AM"/>', {"version": "accepted"}),
        ("", TITLE + "<article-version>1.2</article-version>", {}),
        (
            "",
            TITLE + "<funding-group><award-group><funding-source>Fund"
            '<named-content content-type="funder-id">http://dx.doi.org/10.13039/100000001'
            "</named-content></funding-source><award-id>A1</award-id><award-id>A2</award-id>"
            "<award-name>Big grant</award-name></award-group></funding-group>",
            {
                "funding": [
                    {
                        "funder": "Fund",
                        "funder_id": "https://doi.org/10.13039/100000001",
                        "award_title": "Big grant",
                        "award": award,
                    }
                    for award in ("A1", "A2")
                ]
            },
        ),
    ],
    ids=[
        "self-uri-text",
        "self-uri-link-text",
        "locale-lang",
        "untyped-issn",
        "not-a-publication-date",
        "print-before-issue",
        "iso-date",
        "unknown-type",
        "known-type",
        "accepted",
        "unknown-version",
        "funder-id-in-text",
    ],
)
def test_small_shapes(tmp_path: Path, attributes: str, meta: str, expected: dict[str, Any]) -> None:
    path = tmp_path / "shape.xml"
    path.write_text(ARTICLE.format(attributes=attributes, meta=meta), "utf-8")
    metadata = read(path).metadata
    assert {key: metadata[key] for key in expected if key in metadata} == expected
    for key in ("url", "issn", "eissn", "published", "version", "language", "article_type"):
        if key not in expected:
            assert key not in metadata, key


@pytest.fixture(scope="module")
def jats_schema() -> etree.XMLSchema:
    folder = xsd.schemas_dir()
    if folder is None:
        pytest.skip("official schemas not found: set OAI_TEST_SCHEMAS or place ../shared/schemas")
    driver = folder / "jats-1.3" / "JATS-journalpublishing1-3-mathml3.xsd"
    return etree.XMLSchema(etree.parse(str(driver), xsd.strict_parser(folder)))


@pytest.mark.parametrize("sample", sorted(JATS_EXPECTED))
def test_samples_are_valid_jats(jats_schema: etree.XMLSchema, sample: str) -> None:
    """The hand-written samples are real JATS (Publishing 1.3, in no namespace)."""
    text = re.sub(r"<!DOCTYPE[^>]*>", "", (SAMPLES / sample).read_text("utf-8"))
    article = without_namespace(etree.fromstring(text.encode("utf-8")))
    document = etree.ElementTree(etree.fromstring(etree.tostring(article)))
    assert jats_schema.validate(document), jats_schema.error_log
