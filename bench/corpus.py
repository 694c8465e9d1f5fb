"""A deterministic corpus of N journal-article records as JSON Lines.

The same N always gives the same bytes: every value comes from the record's
number through a fixed pseudo-random generator, so two runs (or two databases)
load and serve identical data. Records look like the fixtures: a title, one to
four creators, an abstract of a few hundred characters, sets per journal and
type, and about one deleted record in a hundred. Datestamps are spread over
three years and are not in identifier order, so the keyset index is exercised
as it would be by a real repository.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

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
GIVEN = "Ana Ben Chloé David Eva Farid Greta Hiro Ines Jonas Kai Lena Mateo Nora".split()


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


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
    year = str(2000 + n % 25)
    line["metadata"] = {
        "title": [{"value": _sentence(rng, rng.randint(5, 12)), "lang": "en"}],
        "creator": [
            f"{rng.choice(FAMILIES)}, {rng.choice(GIVEN)}" for _ in range(rng.randint(1, 4))
        ],
        "subject": [rng.choice(WORDS) for _ in range(3)],
        "description": [" ".join(_sentence(rng, rng.randint(10, 20)) for _ in range(4))],
        "publisher": ["Bench University Press"],
        "date": [year],
        "type": ["Text"],
        "identifier": [f"https://doi.org/10.9999/bench.{n}"],
        "language": ["en"],
        "relation": [f"https://bench.example.org/journal/j{journal:02d}"],
        "rights": ["https://creativecommons.org/licenses/by/4.0/"],
    }
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
