"""Crossref deposit XML and REST API JSON read into article metadata: the samples' facts,
stated here from the sample files themselves, and malformed inputs with their one-line errors.

Dates are judged on TODAY, so that embargoes in the samples stay embargoes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from oai.importers import SourceError, sources
from oai.importers.records import Imported, Skipped

SAMPLES = Path(__file__).parent / "import_samples"
TODAY = date(2026, 1, 1)
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
ESRC = {
    "funder": "Economic and Social Research Council",
    "funder_id": "https://doi.org/10.13039/501100000269",
}
EXAMPLES = {
    "journal": "Journal of Examples",
    "issn": "1234-5679",
    "eissn": "7654-3218",
}


def read(path: Path) -> list[Imported | Skipped]:
    return list(sources.read_crossref(sources._input(str(path)), TODAY, lambda count: None))


def articles(path: Path) -> list[Imported]:
    return [item for item in read(path) if isinstance(item, Imported)]


#: sample -> each article's metadata, in document order.
EXPECTED: dict[str, list[dict[str, Any]]] = {
    "crossref-4.4.2.xml": [
        {
            "title": [
                "Growth of Escherichia coli at CO₂ levels: A field study",
                {"value": "Croissance d’Escherichia coli", "lang": "fr"},
            ],
            "description": [
                {
                    "value": "We grew E. coli where the rate was x².\n\nThe second paragraph.",
                    "lang": "en",
                }
            ],
            "language": ["en"],
            "authors": [
                {
                    "family": "Carberry",
                    "given": "Josiah",
                    "orcid": "https://orcid.org/0000-0002-1825-0097",
                    "affiliations": [{"name": "Department of Psychoceramics, Brown University"}],
                },
                {
                    "family": "Ñúñez-Łukasz",
                    "given": "Zoë",
                    "affiliations": [{"name": "Universidade de São Paulo, Brazil"}],
                },
                {"name": "The Example Consortium"},
            ],
            **EXAMPLES,
            "volume": "37",
            "issue": "2",
            "pages": "69-87",
            "published": "2024-05-15",
            "doi": "10.5555/Examples.37.2.69",
            "url": "https://journal.example.org/article/69",
            "files": [
                {"url": "https://journal.example.org/article/69.pdf", "mime": "application/pdf"},
                {"url": "https://journal.example.org/article/69.xml", "mime": "text/xml"},
            ],
            "license": CC_BY,
            "access": "open",
            "funding": [{**ESRC, "award": "ES/X000000/1"}, {**ESRC, "award": "ES/X000001/1"}],
        },
        {
            "title": ["Embargoed until the licence opens"],
            "contributor": ["Nakamura, Hiro"],
            "authors": [{"family": "da Silva", "given": "Ana"}],
            **EXAMPLES,
            "volume": "37",
            "issue": "2",
            "pages": "e1234",
            "published": "2024-06-01",
            "doi": "10.5555/examples.37.2.e1234",
            "url": "https://journal.example.org/article/e1234",
            "license": "https://creativecommons.org/licenses/by-nc/4.0/",
            "access": "embargoed",
            "embargo_until": "2040-06-01",
        },
    ],
    "crossref-5.3.1.xml": [
        {
            "title": ["L’équation E = mc^2 revisitée"],
            "contributor": ["O'Brien, Jean-Luc"],
            "description": [
                {"value": "Nous mesurons H₂O et m² avec a/(b+1).", "lang": "fr"},
                {"value": "We measure water.", "lang": "en"},
            ],
            "language": ["fr"],
            "authors": [
                {
                    "family": "Ørsted",
                    "given": "Chloé",
                    "orcid": "https://orcid.org/0000-0000-1234-5672",
                    "affiliations": [
                        {
                            "name": "Département de physique, Université Imaginaire",
                            "ror": "https://ror.org/0003cg757",
                        }
                    ],
                },
                {
                    "family": "王",
                    "given": "李",
                    "affiliations": [{"name": "Institut des Exemples"}],
                },
            ],
            "journal": "Revue d’Études Imaginaires",
            "issn": "2468-0249",
            "eissn": "1357-9134",
            "volume": "12",
            "issue": "3",
            "pages": "101",
            "published": "2025-03-14",
            "doi": "10.5555/rei.12.3.101",
            "url": "https://revue.example.org/rei/12/3/101",
            "license": "https://creativecommons.org/licenses/by-nd/4.0/",
            "access": "embargoed",
            "embargo_until": "2041-03-14",
            "funding": [{"funder": "Agence Imaginaire de la Recherche", "award": "AIR-2024-7"}],
        },
        {
            "title": ["Rectificatif"],
            "language": ["fr"],
            "authors": [{"name": "La rédaction"}],
            "journal": "Revue d’Études Imaginaires",
            "issn": "2468-0249",
            "eissn": "1357-9134",
            "volume": "12",
            "issue": "3",
            "published": "2025-03",  # the date: the notice gives none of its own
            "article_type": "correction",
            "doi": "10.5555/rei.12.3.120",
            "url": "https://revue.example.org/rei/12/3/120",
        },
    ],
    "crossref-work.json": [
        {
            "title": ["Counting Drosophila in p < 0.05 land"],
            "description": ["Markup & entities: café and H₂O, with √(x+1)."],
            "publisher": ["Example Press"],
            "language": ["en"],
            "authors": [
                {
                    "family": "Müller",
                    "given": "Bjørn",
                    "orcid": "https://orcid.org/0000-0000-7654-3213",
                    "affiliations": [
                        {
                            "name": "Institut für Zoologie, Universität Beispiel",
                            "ror": "https://ror.org/000a5gn72",
                        }
                    ],
                },
                {"name": "The Fly Counters"},
            ],
            **EXAMPLES,
            "volume": "37",
            "issue": "2",
            "pages": "88-99",
            "published": "2024-05-15",
            "doi": "10.5555/examples.37.2.88",
            "url": "https://journal.example.org/article/88",
            "files": [
                {"url": "https://journal.example.org/article/88.pdf", "mime": "application/pdf"}
            ],
            "license": CC_BY,
            "access": "open",
            "funding": [{**ESRC, "award": "ES/X000000/1"}],
        }
    ],
    "crossref-works.json": [
        {
            "title": ["Editorial: a new volume"],
            "publisher": ["Example Press"],
            "authors": [{"family": "Łukasz", "given": "Amélie"}],
            "journal": "Journal of Examples",
            "issn": "1234-5679",
            "volume": "38",
            "issue": "1",
            "pages": "1-2",
            "published": "2025-01-10",
            "doi": "10.5555/examples.38.1.1",
            "url": "https://journal.example.org/article/38-1-1",
        },
        {
            "title": ["Retraction note"],
            "subject": ["General Medicine"],
            "publisher": ["Example Press"],
            "authors": [{"name": "The Editors"}],
            "journal": "Journal of Examples",
            "issn": "1234-5679",
            "volume": "38",
            "issue": "1",
            "pages": "3",
            "published": "2025-01-12",
            "article_type": "retraction",
            "doi": "10.5555/examples.38.1.3",
        },
    ],
    "crossref-works.jsonl": [
        {
            "title": ["Letters to nobody"],
            "publisher": ["Example Press"],
            "authors": [
                {
                    "family": "Smith",
                    "given": "Chloé",
                    "orcid": "https://orcid.org/0000-0000-5550-0011",
                }
            ],
            "journal": "Journal of Examples",
            "issn": "1234-5679",
            "volume": "38",
            "issue": "1",
            "pages": "5-9",
            "published": "2025-01-20",
            "doi": "10.5555/examples.38.1.5",
            "license": CC_BY,
            "access": "open",
        },
        {
            "title": ["A second letter"],
            "publisher": ["Example Press"],
            "authors": [{"family": "Nakamura", "given": "Hiro"}],
            "journal": "Journal of Examples",
            "issn": "1234-5679",
            "volume": "38",
            "issue": "1",
            "pages": "10-12",
            "published": "2025-01-21",
            "doi": "10.5555/examples.38.1.10",
        },
    ],
}


@pytest.mark.parametrize("sample", sorted(EXPECTED))
def test_sample_articles(sample: str) -> None:
    found = [article.metadata for article in articles(SAMPLES / sample)]
    assert found == EXPECTED[sample]


def test_works_list_skips_what_is_not_an_article() -> None:
    items = read(SAMPLES / "crossref-works.json")
    assert [item.kind for item in items if isinstance(item, Skipped)] == ["journal-issue"]


@pytest.mark.parametrize(
    ("sample", "wheres"),
    [
        ("crossref-4.4.2.xml", ["crossref-4.4.2.xml:40", "crossref-4.4.2.xml:117"]),
        (
            "crossref-works.json",
            ["crossref-works.json: message.items[0]", "crossref-works.json: message.items[2]"],
        ),
        ("crossref-works.jsonl", ["crossref-works.jsonl:1", "crossref-works.jsonl:2: message"]),
    ],
)
def test_items_say_where_they_are(sample: str, wheres: list[str]) -> None:
    """An item's place (the journal_article's line, the JSON path or line) starts its messages."""
    found = [
        article.where.removeprefix(str(SAMPLES) + "/") for article in articles(SAMPLES / sample)
    ]
    assert [where.rsplit(": 10.", 1)[0] for where in found] == wheres


def test_json_document_and_json_lines_read_alike(tmp_path: Path) -> None:
    """One work saved pretty-printed, on one line, or as a line of JSON Lines is the same work."""
    single = articles(SAMPLES / "crossref-work.json")[0].metadata
    text = (SAMPLES / "crossref-work.json").read_text("utf-8")
    import json

    one_line = tmp_path / "one.json"
    one_line.write_text(json.dumps(json.loads(text)), "utf-8")
    lines = tmp_path / "two.jsonl"
    message = json.loads(text)["message"]
    other = dict(message, DOI="10.5555/examples.37.2.100")
    lines.write_text(json.dumps(message) + "\n\n" + json.dumps(other) + "\n", "utf-8")
    assert articles(one_line)[0].metadata == single
    assert [article.metadata for article in articles(lines)] == [
        single,
        dict(single, doi="10.5555/examples.37.2.100"),
    ]


DEPOSIT = """<?xml version="1.0"?>
<doi_batch xmlns="http://www.crossref.org/schema/5.3.1" version="5.3.1">
  <body>
    <journal>
      <journal_metadata><full_title>J</full_title>{journal}</journal_metadata>
      <journal_article>
        <titles><title>T</title></titles>
        {article}
        <doi_data><doi>{doi}</doi><resource>https://example.org/a</resource></doi_data>
      </journal_article>
    </journal>
  </body>
</doi_batch>
"""


def deposit(tmp_path: Path, journal: str = "", article: str = "", doi: str = "10.5555/a") -> Path:
    path = tmp_path / "deposit.xml"
    path.write_text(DEPOSIT.format(journal=journal, article=article, doi=doi), "utf-8")
    return path


@pytest.mark.parametrize(
    ("journal", "article", "doi", "line", "reason"),
    [
        ("<issn>1234-5678</issn>", "", "10.5555/a", 5, "ISSN 1234-5678 has a wrong check digit"),
        ("", "", "https://example.org/not-a-doi", 9, "is not a DOI"),
        (
            "",
            "<contributors><person_name contributor_role='author'><surname>S</surname>"
            "<ORCID>https://orcid.org/0000-0002-1825-0098</ORCID></person_name></contributors>",
            "10.5555/a",
            8,
            "wrong check digit",
        ),
        (
            "",
            "<publication_date><month>02</month><day>30</day><year>2024</year></publication_date>",
            "10.5555/a",
            8,
            "not a real date",
        ),
        ("", "<pages><first_page>12.5</first_page></pages>", "10.5555/a", 8, "pages '12.5'"),
    ],
    ids=["issn", "doi", "orcid", "date", "pages"],
)
def test_bad_values_name_their_line(
    tmp_path: Path, journal: str, article: str, doi: str, line: int, reason: str
) -> None:
    path = deposit(tmp_path, journal, article, doi)
    with pytest.raises(SourceError) as caught:
        read(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert reason in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", None, "the file is empty"),
        ("hello", 1, "neither XML"),
        ('<doi_batch xmlns="http://www.crossref.org/schema/5.3.1"><body>', 1, "not well-formed"),
        ('<doi_batch xmlns="http://www.crossref.org/schema/3.0"><body/></doi_batch>', 1, "3.0"),
        ("<other/>", 1, "not a Crossref deposit"),
        (
            '{"message-type": "work",\n "message": {"type": "journal-article",\n "DOI": }}',
            3,
            "not valid JSON",
        ),
        (
            '{"type": "journal-article", "DOI": "10.5555/x"}\n{"type": "journal-article"\n',
            2,
            "not valid JSON",
        ),
        ('{"type": "journal-article", "DOI": "10.5555/x"}', None, "title is missing"),
        ('{"type": "journal-article", "title": ["T"]}', None, "DOI is missing"),
        ('{"title": ["T"]}', None, "type is missing"),
        (
            '{"type": "journal-article", "DOI": "10.5555/x", "title": "T", "author": "me"}',
            None,
            "author must be a list",
        ),
        (
            '{"type": "journal-article", "DOI": "10.5555/x", "title": ["T"], '
            '"abstract": "<jats:p>open"}',
            None,
            "not well-formed",
        ),
        ('{"message-type": "member", "message": {}}', None, "neither a work nor a work-list"),
        ("[" * 100_000 + "]" * 100_000, 1, "not valid JSON"),
    ],
    ids=[
        "empty",
        "text",
        "truncated-xml",
        "old-schema",
        "other-root",
        "bad-json-document",
        "bad-json-line",
        "no-title",
        "no-doi",
        "no-type",
        "author-shape",
        "broken-abstract",
        "other-message",
        "deep-json",
    ],
)
def test_malformed_input_is_one_line(
    tmp_path: Path, text: str, line: int | None, reason: str
) -> None:
    path = tmp_path / "input.txt"
    path.write_text(text, "utf-8")
    with pytest.raises(SourceError) as caught:
        read(path)
    message = str(caught.value)
    where = f"{path}:{line}:" if line is not None else f"{path}"
    assert message.startswith(where), message
    assert reason in message, message
    assert "\n" not in message
