"""Generated article records: a few hundred, deterministic, covering every article key.

Each record number picks its own mix of what a journal's records hold (authors
with and without ORCID and ROR, organisations, every article type, version and
access right, embargoes, funding, book reviews, missing volumes, one-page
articles, non-ASCII names, markup-like text), so that every format's renderer
meets every shape the model admits. Identifiers with check digits are computed,
never copied: they are valid by construction and tests need no real people.
"""

from __future__ import annotations

import random
from typing import Any

from oai.article import checks

ARTICLE_TYPES = (
    "research-article",
    "review-article",
    "book-review",
    "editorial",
    "letter",
    "correction",
    "retraction",
    "case-report",
    "brief-report",
    "discussion",
    "other",
)
FAMILIES = ("Müller", "Nakamura", "Ørsted", "O'Brien", "da Silva", "Ñúñez", "Smith", "Łukasz")
GIVEN = ("Ana", "Chloé", "Hiro", "Jean-Luc", "Zoë", "Bjørn", "李", "Amélie")
LICENSES = (
    "https://creativecommons.org/licenses/by/4.0/",
    "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    "http://creativecommons.org/licenses/by/4.0/",
    "https://creativecommons.org/publicdomain/zero/1.0/",
)
LANGUAGES = ("en", "fr", "de", "pt", "es")
WORDS = "innovation policy science regional cluster firm network governance platform".split()
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def orcid(n: int) -> str:
    digits = f"{n:015d}"
    full = digits + checks.orcid_check(digits)
    return "https://orcid.org/" + "-".join(full[i : i + 4] for i in range(0, 16, 4))


def issn(n: int) -> str:
    digits = f"{n % 10_000_000:07d}"
    return f"{digits[:4]}-{digits[4:]}{checks.issn_check(digits)}"


def ror(n: int) -> str:
    body = ""
    number = n % (32**6)
    for _ in range(6):
        body = CROCKFORD[number % 32] + body
        number //= 32
    return f"https://ror.org/0{body}{checks.ror_check(body)}"


def isbn13(n: int) -> str:
    digits = f"978{n % 1_000_000_000:09d}"
    total = sum(int(char) * (3 if position % 2 else 1) for position, char in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def _words(rng: random.Random, count: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(count))
    return text[0].upper() + text[1:]


def _person(rng: random.Random, n: int) -> dict[str, Any]:
    if rng.random() < 0.1:
        return {"name": f"Consortium {n} for {rng.choice(WORDS).title()} & Research"}
    person: dict[str, Any] = {"family": rng.choice(FAMILIES)}
    if rng.random() < 0.9:
        person["given"] = rng.choice(GIVEN)
    if rng.random() < 0.6:
        person["orcid"] = orcid(rng.randrange(10**14))
    affiliations = []
    for _ in range(rng.choice((0, 1, 1, 2))):
        affiliation: dict[str, Any] = {"name": f"University of {rng.choice(WORDS).title()}"}
        if rng.random() < 0.7:
            affiliation["ror"] = ror(rng.randrange(32**6))
        affiliations.append(affiliation)
    if affiliations:
        person["affiliations"] = affiliations
    return person


def _date(rng: random.Random) -> str:
    year = rng.randrange(1990, 2027)
    shape = rng.randrange(3)
    if shape == 0:
        return str(year)
    if shape == 1:
        return f"{year}-{rng.randrange(1, 13):02d}"
    return f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"


def metadata(n: int) -> dict[str, Any]:
    """The ``metadata`` object of generated record ``n``."""
    rng = random.Random(n * 104729 + 7)
    kind = ARTICLE_TYPES[n % len(ARTICLE_TYPES)]
    lang = LANGUAGES[n % len(LANGUAGES)]
    title = _words(rng, rng.randint(3, 10))
    if n % 9 == 0:
        title += " <i>in vivo</i> & E = mc² > 1"  # markup-like text stays text
    meta: dict[str, Any] = {"title": [{"value": title, "lang": lang}]}
    if n % 4 == 0:
        meta["title"].append({"value": f"{title} (translated)", "lang": "en"})
    if n % 10 != 3:
        meta["description"] = [
            {"value": ". ".join(_words(rng, 12) for _ in range(3)) + ".", "lang": lang}
        ]
    if n % 3:
        meta["subject"] = [rng.choice(WORDS) for _ in range(rng.randint(1, 4))]
    if n % 8 != 5:
        meta["language"] = [lang]
    if n % 6 != 1:
        meta["publisher"] = [f"{rng.choice(WORDS).title()} Press"]
    if n % 13 != 4:
        meta["authors"] = [_person(rng, n) for _ in range(rng.randint(1, 5))]
    if n % 11 != 6:
        meta["journal"] = f"Journal of {rng.choice(WORDS).title()} Studies"
        if n % 5 != 2:
            meta["issn"] = issn(rng.randrange(10**7))
        if n % 5 != 4:
            meta["eissn"] = issn(rng.randrange(10**7))
        if n % 7 != 3:
            meta["volume"] = str(rng.randint(1, 60))
        if n % 6 != 2:
            meta["issue"] = str(rng.randint(1, 12))
        if n % 5 != 0:
            first = rng.randint(1, 900)
            meta["pages"] = (
                f"{first}-{first + rng.randint(0, 40)}" if n % 4 else f"e{rng.randint(1000, 9999)}"
            )
        if n % 3 == 0:
            meta["section"] = rng.choice(("Original Articles", "Reviews", "Comment"))
    if n % 12 != 7:
        meta["published"] = _date(rng)
    if n % 2 == 0 or kind != "research-article":
        meta["article_type"] = kind
    if n % 5 == 1:
        meta["version"] = ("accepted", "submitted", "published")[n % 3]
    if n % 4 != 3:
        meta["doi"] = f"10.{5000 + n % 4000}/gen.{n}"
    if n % 7 != 6:
        meta["url"] = f"https://journal.example.org/article/{n}"
    if n % 3 != 2:
        meta["files"] = [
            {"url": f"https://journal.example.org/article/{n}.pdf", "mime": "application/pdf"}
        ]
        if n % 6 == 0:
            meta["files"].append(
                {"url": f"https://journal.example.org/article/{n}.html", "mime": "text/html"}
            )
    if n % 5 != 3:
        meta["license"] = LICENSES[n % len(LICENSES)]
    access = (None, "open", "embargoed", "restricted", "metadata-only", "open")[n % 6]
    if access:
        meta["access"] = access
        if access == "embargoed":
            meta["embargo_until"] = f"{2025 + n % 4}-0{1 + n % 9}-15"
    if n % 4 == 1:
        funding: list[dict[str, Any]] = [{"funder": "European Commission"}]
        if n % 8 == 1:
            funding[0]["funder_id"] = "https://doi.org/10.13039/501100000780"
            funding[0]["award"] = f"{800000 + n}"
            funding[0]["award_title"] = _words(rng, 4)
        if n % 12 == 5:
            funding.append({"funder": "Some Foundation", "funder_id": ror(n * 31)})
        meta["funding"] = funding
    if kind == "book-review":
        reviewed: dict[str, Any] = {"title": _words(rng, 4)}
        if n % 2:
            reviewed["authors"] = [_person(rng, n + 1)]
            reviewed["publisher"] = "Basic Books"
            reviewed["year"] = str(rng.randint(1990, 2025))
        if n % 3 == 0:
            reviewed["isbn"] = isbn13(n)
        meta["reviewed"] = reviewed
    return meta


def record(n: int) -> dict[str, Any]:
    """Generated article record ``n``: a JSON Lines object ``oai load`` takes."""
    return {
        "identifier": f"oai:example.org:article/{n:04d}",
        "datestamp": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00Z",
        "sets": ["journal:gen"],
        "metadata": metadata(n),
    }


def records(count: int = 300) -> list[dict[str, Any]]:
    return [record(n) for n in range(count)]
