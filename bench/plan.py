"""What each workload asks for, fixed before anything is recorded or timed.

Every request of the timed rounds is one of these, so the recording pass can
send each one to the endpoint once and the ceiling can answer every one of them.
The choices follow what harvesters of a journal repository do:

- full harvests of whole formats (``--formats``), plain and, for ``--gzip-formats``,
  asking for gzip;
- a selective harvest: ListIdentifiers of one journal's set over three months;
- first, second and 99% pages of a whole-repository list and of a set list, the
  set being ``type:article``, the largest, whose count would cost the most if a
  first page counted it;
- GetRecord of a fixed random sample of (identifier, format), drawn from the pairs
  the store holds, so every request is an answer and not cannotDisseminateFormat;
- the concurrent mix: the same GetRecords and, one request in five, first
  ListRecords pages of the whole repository and of two sets in three formats, all
  asking for gzip.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import create_engine, select

from oai.store.models import Fragment, ListSize

from . import corpus
from .harvest import list_query

#: The selective harvest: one journal, three months (the corpus spans 2023 to 2025).
SELECTIVE_SET = "journal:j03"
SELECTIVE_FROM = "2024-04-01"
SELECTIVE_UNTIL = "2024-06-30"
#: The set whose first and deep pages are timed.
DEEP_SET = "type:article"
#: The first pages of the concurrent mix: these formats, whole and in these sets.
MIX_FORMATS = ("oai_dc", "oai_openaire", "mods")
MIX_SETS = (None, "journal:j05", "type:review")
#: GetRecords in the mix per first page.
MIX_GETRECORDS_PER_PAGE = 4


@dataclass(frozen=True)
class Plan:
    formats: tuple[str, ...]
    gzip_formats: tuple[str, ...]
    #: The selective ListIdentifiers harvest's first query.
    selective: str
    #: name -> first query of the lists whose first and deep pages are timed.
    page_lists: dict[str, str]
    #: The GetRecord sample's queries (asked plain, and in the mix with gzip).
    getrecords: tuple[str, ...]
    #: The concurrent mix's queries, each asked with gzip, in no particular order.
    mix: tuple[str, ...]

    def mix_first_pages(self) -> list[str]:
        return sorted(set(self.mix) - set(self.getrecords))


def getrecord_query(identifier: str, prefix: str) -> str:
    return urlencode({"verb": "GetRecord", "metadataPrefix": prefix, "identifier": identifier})


def getrecord_sample(database_url: str, records: int, count: int) -> list[tuple[str, str]]:
    """``count`` (identifier, format) pairs: random records, each in a random format it has."""
    rng = random.Random(4242)
    numbers = [rng.randrange(records) for _ in range(count)]
    identifiers = [str(corpus.record(n)["identifier"]) for n in numbers]
    held: dict[str, list[str]] = {}
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            unique = sorted(set(identifiers))
            for start in range(0, len(unique), 500):
                chunk = unique[start : start + 500]
                query = select(Fragment.identifier, Fragment.prefix).where(
                    Fragment.identifier.in_(chunk)
                )
                for identifier, prefix in conn.execute(query):
                    held.setdefault(identifier, []).append(prefix)
    finally:
        engine.dispose()
    return [(i, rng.choice(sorted(held[i]))) for i in identifiers if i in held]


def available_formats(database_url: str) -> dict[str, int]:
    """Each format the store holds, with how many records have it."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            query = select(ListSize.prefix, ListSize.items).where(ListSize.set_spec == "")
            return {prefix: int(items) for prefix, items in conn.execute(query) if items}
    finally:
        engine.dispose()


def make(
    database_url: str,
    records: int,
    formats: Sequence[str],
    gzip_formats: Sequence[str],
    getrecords: int,
) -> Plan:
    """The plan for a store of ``records`` corpus records; SystemExit for a format it lacks."""
    held = available_formats(database_url)
    for prefix in (*formats, *gzip_formats, *MIX_FORMATS):
        if prefix not in held:
            raise SystemExit(f"bench: no record in format {prefix!r} (held: {', '.join(held)})")
    sample = [getrecord_query(i, p) for i, p in getrecord_sample(database_url, records, getrecords)]
    pages = [list_query("ListRecords", prefix, spec) for prefix in MIX_FORMATS for spec in MIX_SETS]
    mix = sample + [
        pages[i % len(pages)] for i in range(max(1, len(sample) // MIX_GETRECORDS_PER_PAGE))
    ]
    return Plan(
        formats=tuple(formats),
        gzip_formats=tuple(gzip_formats),
        selective=list_query(
            "ListIdentifiers", formats[0], SELECTIVE_SET, SELECTIVE_FROM, SELECTIVE_UNTIL
        ),
        page_lists={
            "whole repository": list_query("ListRecords", formats[0]),
            f"set {DEEP_SET}": list_query("ListRecords", formats[0], DEEP_SET),
        },
        getrecords=tuple(sample),
        mix=tuple(mix),
    )
