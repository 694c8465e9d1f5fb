"""Two hand-written records that use every article key, for expected documents and crosswalks.

Every value is made up (INTERFACE.md's example values; ORCID's and ROR's published
sample identifiers, Crossref's test DOI prefix 10.5555), and valid by the model's
checks (the foundation's ROR is computed, as tests/articles.py makes them).
``ARTICLE``: authors with ORCID and ROR, an organisation as author, DOI, funding
with a Crossref funder id and with a ROR, an embargo, two files, an accepted
manuscript. ``BOOK_REVIEW``: no author (so DataCite's ``(:unav)``), the reviewed book
with its ISBN, open access.
"""

from __future__ import annotations

from typing import Any

ARTICLE_ID = "oai:journal.example.org:article/123"
ARTICLE: dict[str, Any] = {
    "title": [
        {"value": "Regional clusters & <SMEs>: a study", "lang": "en"},
        {"value": "Regionale Cluster & KMU: eine Studie", "lang": "de"},
    ],
    "description": [
        {"value": "We study clusters of small firms.", "lang": "en"},
        {"value": "Wir untersuchen Cluster kleiner Firmen.", "lang": "de"},
    ],
    "subject": [{"value": "innovation policy", "lang": "en"}, "clusters"],
    "publisher": ["Example University Press"],
    "language": ["en"],
    "contributor": ["Editor, Ed"],
    "authors": [
        {
            "family": "Carberry",
            "given": "Josiah",
            "orcid": "https://orcid.org/0000-0002-1825-0097",
            "affiliations": [
                {"name": "An Example University", "ror": "https://ror.org/05gq02987"},
                {"name": "A Research Institute Without ROR"},
            ],
        },
        {"family": "Müller", "given": "Zoë"},
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
            "award_title": "Clusters and firms",
        },
        {"funder": "An Example Foundation", "funder_id": "https://ror.org/0000c1s20"},
    ],
}

BOOK_REVIEW_ID = "oai:journal.example.org:book-review/7"
BOOK_REVIEW: dict[str, Any] = {
    "title": [{"value": "False Alarm", "lang": "en"}],
    "publisher": ["Example University Press"],
    "language": ["eng"],
    "journal": "Journal of Examples",
    "issn": "0317-8471",
    "volume": "37",
    "issue": "3",
    "pages": "201",
    "published": "2021-09",
    "article_type": "book-review",
    "doi": "10.5555/review.7",
    "url": "https://journal.example.org/book-review/7",
    "license": "http://creativecommons.org/licenses/by/4.0/",
    "access": "open",
    "reviewed": {
        "title": "False Alarm",
        "authors": [{"family": "Lomborg", "given": "Bjørn"}],
        "publisher": "Basic Books",
        "year": "2020",
        "isbn": "9781541647466",
    },
}
