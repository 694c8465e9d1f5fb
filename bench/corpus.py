"""A deterministic corpus of N journal-article records as JSON Lines.

The same N always gives the same bytes: every value comes from the record's
number through a fixed pseudo-random generator, so two runs (or two databases)
load and serve identical data. Records describe journal articles with the article
keys of INTERFACE.md, so every format renders them: a title, an abstract of a few
hundred characters, keywords, one to four authors (half with an ORCID, some with a
ROR affiliation), the journal with its ISSNs, volume, issue, pages, a publication
date, a DOI, landing page, PDF, licence and access right, funding for one in five,
book reviews with their reviewed work for one in seven; sets per journal and type,
and about one deleted record in a hundred. Datestamps are spread over three years
and are not in identifier order, so the keyset index is exercised as it would be by
a real repository.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from oai.article import checks

JOURNALS = 20
START = datetime(2023, 1, 1)
SPAN_SECONDS = 3 * 365 * 24 * 3600
WORDS = (
    "innovation policy science technology regional economic knowledge network "
    "firm industry research development public private sector market growth "
    "university patent collaboration strategy learning institutions evidence "
    "analysis framework model theory practice governance capital labour region "
    "transition system change social national global local digital platform"
).split()
FAMILIES = "Smith Jones Garcia Müller Rossi Dubois Nakamura Kowalski Silva Novak Olsen".split()
ROR_CHARACTERS = "0123456789abcdefghjkmnpqrstvwxyz"
GIVEN = "Ana Ben Chloé David Eva Farid Greta Hiro Ines Jonas Kai Lena Mateo Nora".split()


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _orcid(rng: random.Random) -> str:
    digits = f"{rng.randrange(10**15):015d}"
    full = digits + checks.orcid_check(digits)
    return "https://orcid.org/" + "-".join(full[i : i + 4] for i in range(0, 16, 4))


def _issn(number: int) -> str:
    digits = f"{number:07d}"
    return f"{digits[:4]}-{digits[4:]}{checks.issn_check(digits)}"


def _ror(rng: random.Random) -> str:
    body = "".join(rng.choice(ROR_CHARACTERS) for _ in range(6))
    return f"https://ror.org/0{body}{checks.ror_check(body)}"


def _author(rng: random.Random) -> dict[str, object]:
    author: dict[str, object] = {"family": rng.choice(FAMILIES), "given": rng.choice(GIVEN)}
    if rng.random() < 0.5:
        author["orcid"] = _orcid(rng)
    if rng.random() < 0.4:
        author["affiliations"] = [
            {"name": f"University of {rng.choice(WORDS).title()}", "ror": _ror(rng)}
        ]
    return author


def record(n: int) -> dict[str, object]:
    """Record number ``n`` (0-based) of every corpus."""
    rng = random.Random(n * 7919 + 17)
    journal = n % JOURNALS
    kind = "review" if n % 7 == 0 else "article"
    datestamp = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
    identifier = f"oai:bench.example.org:{kind}/{n:08d}"
    line: dict[str, object] = {
        "identifier": identifier,
        "datestamp": datestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sets": [f"journal:j{journal:02d}", f"type:{kind}"],
    }
    if n % 100 == 99:
        line["deleted"] = True
        return line
    year = 2000 + n % 25
    first_page = rng.randint(1, 400)
    metadata: dict[str, object] = {
        "title": [{"value": _sentence(rng, rng.randint(5, 12)), "lang": "en"}],
        "description": [
            {"value": " ".join(_sentence(rng, rng.randint(10, 20)) for _ in range(4)), "lang": "en"}
        ],
        "subject": [rng.choice(WORDS) for _ in range(3)],
        "publisher": ["Bench University Press"],
        "language": ["en"],
        "authors": [_author(rng) for _ in range(rng.randint(1, 4))],
        "journal": f"Journal of Bench Studies {journal}",
        "issn": _issn(1_000_000 + journal),
        "eissn": _issn(2_000_000 + journal),
        "volume": str(year - 1999),
        "issue": str(1 + n % 4),
        "pages": f"{first_page}-{first_page + rng.randint(5, 30)}",
        "section": "Book Reviews" if kind == "review" else "Articles",
        "published": f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}",
        "article_type": "book-review" if kind == "review" else "research-article",
        "doi": f"10.9999/bench.{n}",
        "url": f"https://bench.example.org/article/{n}",
        "files": [{"url": f"https://bench.example.org/article/{n}.pdf", "mime": "application/pdf"}],
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "access": "open",
    }
    if n % 5 == 1:
        metadata["funding"] = [
            {
                "funder": "European Commission",
                "funder_id": "https://doi.org/10.13039/501100000780",
                "award": f"{100000 + n % 90000}",
            }
        ]
    if kind == "review":
        metadata["reviewed"] = {
            "title": _sentence(rng, 4).rstrip("."),
            "authors": [{"family": rng.choice(FAMILIES), "given": rng.choice(GIVEN)}],
            "publisher": "Bench Books",
            "year": str(year - 1),
        }
    line["metadata"] = metadata
    return line


def lines(count: int) -> Iterator[str]:
    """The set declarations, then ``count`` records, one JSON object a line."""
    for journal in range(JOURNALS):
        yield json.dumps({"setSpec": f"journal:j{journal:02d}", "setName": f"Journal {journal}"})
    for n in range(count):
        yield json.dumps(record(n), ensure_ascii=False)


def write(path: Path, count: int) -> Path:
    """Write the corpus of ``count`` records to ``path`` (UTF-8, one line each)."""
    with path.open("w", encoding="utf-8") as out:
        for text in lines(count):
            out.write(text)
            out.write("\n")
    return path
