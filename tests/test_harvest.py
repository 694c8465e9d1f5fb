"""Harvest a few hundred generated records from a real ``oai serve`` with four harvesters.

One server (gunicorn, OAI_PAGE_SIZE=7) serves 320 generated records: hierarchical
sets, every 13th record deleted, twenty records sharing one datestamp (so a page
boundary falls inside a tie). Sickle and three independent client libraries
(oaipmh, ETH Library's maintained pyoai; oaipmh-scythe; kongin) harvest it completely:
every list, a set filter, from/until windows. Each harvester's every HTTP response is
validated against the official XSDs on the way, and the result must hold every expected
identifier exactly once. The last test repeats, in Python, the requests and checks of
the OAI's own validator (HTTP::OAIPMH::Validator), which no registry here ships.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy.orm import Session

from oai.store import make_engine, schema
from oai.store.loader import Loader, numbered_lines, with_ancestors

from . import databases, xsd
from .conftest import error_code
from .server import running_server, server_log

OAI = "{http://www.openarchives.org/OAI/2.0/}"
PAGE_SIZE = 7
COUNT = 300
TIES = 20
TIE_STAMP = "2024-06-15T12:00:00Z"


def generated() -> list[dict[str, Any]]:
    """The records and set declarations the server holds."""
    lines: list[dict[str, Any]] = [
        {"setSpec": "journal", "setName": "Journals"},
        {"setSpec": "journal:one", "setName": "Journal One", "setDescription": "The first."},
    ]
    for n in range(COUNT):
        section = ("journal:one:articles", "journal:one:reviews", "journal:two")[n % 3]
        sets = [section] + (["type:open"] if n % 5 == 0 else [])
        stamp = f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n * 7 % 60:02d}:00Z"
        line: dict[str, Any] = {
            "identifier": f"oai:example.org:gen/{n:04d}",
            "datestamp": stamp,
            "sets": sets,
        }
        if n % 13 == 0:
            line["deleted"] = True
        else:
            line["metadata"] = {
                "title": [f"Generated record {n}"],
                "creator": ["Doe, Jane"],
                "type": ["Text"],
                "subject": [{"value": f"Subject {n % 7}", "lang": "en"}],
            }
        lines.append(line)
    for n in range(COUNT, COUNT + TIES):
        lines.append(
            {
                "identifier": f"oai:example.org:gen/{n:04d}",
                "datestamp": TIE_STAMP,
                "sets": ["journal:two"],
                "metadata": {"title": [f"Tie {n}"]},
            }
        )
    return lines


LINES = generated()
RECORDS = [line for line in LINES if "identifier" in line]
ALL = {line["identifier"] for line in RECORDS}
DELETED = {line["identifier"] for line in RECORDS if line.get("deleted")}
SET_SPECS = {spec for line in RECORDS for spec in with_ancestors(line["sets"])}


def in_set(spec: str) -> set[str]:
    return {line["identifier"] for line in RECORDS if spec in with_ancestors(line["sets"])}


def in_window(start: str, end: str) -> set[str]:
    """Records with start <= datestamp <= end; day-granularity bounds cover whole days."""
    if len(start) == 10:
        start += "T00:00:00Z"
    if len(end) == 10:
        end += "T23:59:59Z"
    return {line["identifier"] for line in RECORDS if start <= line["datestamp"] <= end}


@dataclass
class Served:
    url: str
    #: Where the server's database and log are.
    folder: Path
    #: Every response body a harvester received, for the page count check.
    pages: list[str] = field(default_factory=list)

    def check(self, body: bytes) -> etree._Element:
        """Validate one response against the schemas (harvester hooks call this)."""
        root = xsd.validate(body)
        self.pages.append(root.findtext(f"{OAI}request") or "")
        return root


@pytest.fixture(scope="module", params=databases.KINDS)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The server, on SQLite and (when configured) on PostgreSQL."""
    if xsd.schemas_dir() is None:
        pytest.skip("official schemas not found: set OAI_TEST_SCHEMAS or place ../shared/schemas")
    folder = tmp_path_factory.mktemp("harvest")
    if request.param == databases.SQLITE:
        url = f"sqlite:///{folder / 'harvest.sqlite'}"
    else:
        url = request.getfixturevalue("postgres").new_schema("harvest")
    engine = make_engine(url)
    schema.prepare(engine)
    with Session(engine) as session, session.begin():
        loader = Loader(session)
        for number, line in numbered_lines("generated", [json.dumps(x) for x in LINES]):
            loader.add("generated", number, line)
        loader.finish()
    engine.dispose()
    env = {
        "OAI_DATABASE_URL": url,
        "OAI_PAGE_SIZE": str(PAGE_SIZE),
        "OAI_SECRET_KEY": "harvest-secret",
        "OAI_REPOSITORY_IDENTIFIER": "example.org",
        "OAI_ADMIN_EMAIL": "oai-admin@example.org",
        "OAI_REPOSITORY_NAME": "Generated",
    }
    with running_server(folder, env, workers=2) as base_url:
        yield Served(base_url, folder)


def once(identifiers: list[str], expected: set[str]) -> None:
    """Nothing missing, nothing extra, nothing repeated."""
    repeated = [i for i, n in Counter(identifiers).items() if n > 1]
    assert not repeated, f"repeated: {repeated[:5]}"
    assert set(identifiers) == expected, (
        f"missing {sorted(expected - set(identifiers))[:5]}, "
        f"extra {sorted(set(identifiers) - expected)[:5]}"
    )


WINDOWS = [
    ("2024-03-01", "2024-03-31"),
    ("2024-06-15", "2024-06-15"),
    (TIE_STAMP, TIE_STAMP),
    ("2024-01-01T00:00:00Z", "2024-02-14T12:30:00Z"),
    ("2023-01-01", "2024-01-31"),
]
SETS = ["journal", "journal:one", "journal:one:reviews", "type:open"]


# --- the four harvesters, each behind the same small interface ------------------------


class Harvester:
    """What each library must do: list records, identifiers and sets, with arguments."""

    def records(self, **args: str) -> list[tuple[str, bool]]:
        raise NotImplementedError

    def identifiers(self, **args: str) -> list[str]:
        raise NotImplementedError

    def sets(self) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the library's connections (open sockets fail the run at exit)."""


class SickleHarvester(Harvester):
    def __init__(self, served: Served) -> None:
        from sickle import Sickle

        class Checked(Sickle):  # type: ignore[misc]
            def harvest(self, **kwargs: Any) -> Any:
                response = super().harvest(**kwargs)
                served.check(response.http_response.content)
                return response

        self.client = Checked(served.url)

    def records(self, **args: str) -> list[tuple[str, bool]]:
        items = self.client.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False, **args)
        return [(r.header.identifier, r.header.deleted) for r in items]

    def identifiers(self, **args: str) -> list[str]:
        items = self.client.ListIdentifiers(metadataPrefix="oai_dc", **args)
        return [h.identifier for h in items]

    def sets(self) -> list[str]:
        return [s.setSpec for s in self.client.ListSets()]


class PyoaiHarvester(Harvester):
    """``oaipmh`` 4.x, ETH Library's maintained pyoai (pyoai 2.5.0 fails on lxml 6)."""

    def __init__(self, served: Served) -> None:
        from oaipmh.client import Client
        from oaipmh.metadata import MetadataRegistry, oai_dc_reader

        class Checked(Client):  # type: ignore[misc]
            def makeRequest(self, **kw: Any) -> Any:  # noqa: N802 (the library's name)
                text = super().makeRequest(**kw)
                served.check(text if isinstance(text, bytes) else text.encode("utf-8"))
                return text

        registry = MetadataRegistry()
        registry.registerReader("oai_dc", oai_dc_reader)
        self.client = Checked(served.url, registry)
        self.client.updateGranularity()

    @staticmethod
    def _dates(args: dict[str, str]) -> dict[str, Any]:
        from oaipmh.datestamp import datestamp_to_datetime

        out: dict[str, Any] = {}
        for name, value in args.items():
            key = {"from": "from_", "set": "set"}.get(name, name)
            out[key] = datestamp_to_datetime(value) if name in ("from", "until") else value
        return out

    def records(self, **args: str) -> list[tuple[str, bool]]:
        items = self.client.listRecords(metadataPrefix="oai_dc", **self._dates(args))
        return [(header.identifier(), header.isDeleted()) for header, _, _ in items]

    def identifiers(self, **args: str) -> list[str]:
        items = self.client.listIdentifiers(metadataPrefix="oai_dc", **self._dates(args))
        return [header.identifier() for header in items]

    def sets(self) -> list[str]:
        return [spec for spec, _, _ in self.client.listSets()]


class ScytheHarvester(Harvester):
    def __init__(self, served: Served) -> None:
        from oaipmh_scythe import Scythe

        class Checked(Scythe):  # type: ignore[misc]
            def harvest(self, query: dict[str, str]) -> Any:
                response = super().harvest(query)
                served.check(response.http_response.content)
                return response

        self.client = Checked(served.url)

    @staticmethod
    def _args(args: dict[str, str]) -> dict[str, str]:
        return {{"from": "from_", "set": "set_"}.get(k, k): v for k, v in args.items()}

    def records(self, **args: str) -> list[tuple[str, bool]]:
        items = self.client.list_records(
            metadata_prefix="oai_dc", ignore_deleted=False, **self._args(args)
        )
        return [(r.header.identifier, r.header.deleted) for r in items]

    def identifiers(self, **args: str) -> list[str]:
        items = self.client.list_identifiers(metadata_prefix="oai_dc", **self._args(args))
        return [h.identifier for h in items]

    def sets(self) -> list[str]:
        return [s.setSpec for s in self.client.list_sets()]

    def close(self) -> None:
        self.client.close()


class KonginHarvester(Harvester):
    def __init__(self, served: Served) -> None:
        from kongin import OAIClient

        class Checked(OAIClient):  # type: ignore[misc]
            def _request(self, **params: Any) -> Any:
                response = super()._request(**params)
                served.check(response.content)
                return response

        self.client = Checked(served.url)

    @staticmethod
    def _args(args: dict[str, str]) -> dict[str, str]:
        names = {"from": "from_date", "until": "until_date", "set": "set_spec"}
        return {names[k]: v for k, v in args.items()}

    def records(self, **args: str) -> list[tuple[str, bool]]:
        items = self.client.list_records(metadata_prefix="oai_dc", **self._args(args))
        return [(r.identifier, r.deleted) for r in items]

    def identifiers(self, **args: str) -> list[str]:
        items = self.client.list_identifiers(metadata_prefix="oai_dc", **self._args(args))
        return [r.identifier for r in items]

    def sets(self) -> list[str]:
        return [s["set_spec"] for s in self.client.list_sets()]

    def close(self) -> None:
        self.client._session.close()


HARVESTERS = {
    "sickle": SickleHarvester,
    "oaipmh": PyoaiHarvester,
    "oaipmh-scythe": ScytheHarvester,
    "kongin": KonginHarvester,
}


@pytest.fixture(params=list(HARVESTERS))
def harvester(request: pytest.FixtureRequest, served: Served) -> Iterator[Harvester]:
    client = HARVESTERS[request.param](served)
    yield client
    client.close()


def test_list_records(harvester: Harvester, served: Served) -> None:
    before = len(served.pages)
    records = harvester.records()
    once([identifier for identifier, _ in records], ALL)
    assert {identifier for identifier, deleted in records if deleted} == DELETED
    # Every page came through the schema check: ceil(320 / 7) = 46 responses at least.
    assert len(served.pages) - before >= -(-len(ALL) // PAGE_SIZE)


def test_list_identifiers(harvester: Harvester) -> None:
    once(harvester.identifiers(), ALL)


def test_list_sets(harvester: Harvester) -> None:
    sets = harvester.sets()
    assert sorted(sets) == sorted(SET_SPECS)


@pytest.mark.parametrize("spec", SETS)
def test_set_filter(harvester: Harvester, spec: str) -> None:
    once(harvester.identifiers(set=spec), in_set(spec))


@pytest.mark.parametrize(("start", "end"), WINDOWS)
def test_window(harvester: Harvester, start: str, end: str) -> None:
    expected = in_window(start, end)
    assert expected  # each window holds something
    if isinstance(harvester, PyoaiHarvester) and len(start) == 10:
        # pyoai turns every bound into a datetime and sends it at the repository's
        # (seconds) granularity, so a day's end becomes 00:00:00: ask for the same window.
        end = end + "T23:59:59Z"
        start = start + "T00:00:00Z"
    once([i for i, _ in harvester.records(**{"from": start, "until": end})], expected)


def test_set_and_window(harvester: Harvester) -> None:
    expected = in_set("journal:one") & in_window("2024-04-01T00:00:00Z", "2024-08-31T23:59:59Z")
    got = harvester.identifiers(
        **{"set": "journal:one", "from": "2024-04-01T00:00:00Z", "until": "2024-08-31T23:59:59Z"}
    )
    once(got, expected)


# --- the checks the OAI's validator makes, against the live server ----------------------------


def fetch(served: Served, query: str | None = None, post: dict[str, str] | None = None) -> Any:
    url = served.url if query is None else f"{served.url}?{query}"
    data = urllib.parse.urlencode(post).encode() if post is not None else None
    with urllib.request.urlopen(url, data=data, timeout=10) as response:
        assert response.status == 200
        return served.check(response.read())


def test_validator_checks(served: Served) -> None:
    """The requests and checks of HTTP::OAIPMH::Validator (the OAI registration validator)."""
    identify = fetch(served, "verb=Identify")
    assert identify.findtext(f"{OAI}Identify/{OAI}baseURL") == served.url
    assert identify.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation") == (
        "http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
    )
    earliest = identify.findtext(f"{OAI}Identify/{OAI}earliestDatestamp") or ""
    assert earliest == min(line["datestamp"] for line in RECORDS)
    # The first set is the example; ListIdentifiers in it gives the example record.
    first_set = sorted(SET_SPECS)[0]
    listed = fetch(served, f"verb=ListIdentifiers&metadataPrefix=oai_dc&set={first_set}")
    live = [
        h.findtext(f"{OAI}identifier") or ""
        for h in listed.iter(f"{OAI}header")
        if h.get("status") != "deleted"
    ]
    example = live[0]
    quoted = urllib.parse.quote(example, safe="")
    formats = fetch(served, f"verb=ListMetadataFormats&identifier={quoted}")
    assert "oai_dc" in [p.text for p in formats.iter(f"{OAI}metadataPrefix")]
    record = fetch(served, f"verb=GetRecord&identifier={quoted}&metadataPrefix=oai_dc")
    header = record.find(f".//{OAI}header")
    assert header is not None
    stamp = header.findtext(f"{OAI}datestamp") or ""
    assert len(stamp) == 20 and stamp.endswith("Z")
    # The record carries the example setSpec (ancestors of a hierarchical set included).
    assert first_set in [s.text for s in header.findall(f"{OAI}setSpec")]
    window = fetch(served, f"verb=ListRecords&from={stamp}&until={stamp}&metadataPrefix=oai_dc")
    assert example in [i.text for i in window.iter(f"{OAI}identifier")]
    expected_errors = [
        ("junk", {"badVerb"}),
        ("verb=junk", {"badVerb"}),
        ("verb=GetRecord&metadataPrefix=oai_dc", {"badArgument"}),
        (f"verb=GetRecord&identifier={quoted}", {"badArgument"}),
        (
            'verb=GetRecord&identifier=invalid"id&metadataPrefix=oai_dc',
            {"badArgument", "idDoesNotExist"},
        ),
        ("verb=ListIdentifiers&until=junk", {"badArgument"}),
        ("verb=ListIdentifiers&from=junk", {"badArgument"}),
        ("verb=ListIdentifiers&resumptionToken=junk&until=2000-02-05", {"badArgument"}),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=junk", {"badArgument"}),
        ("verb=ListRecords&resumptionToken=junk", {"badResumptionToken"}),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=junk&until=1990-01-10",
            {"badArgument"},
        ),
        ("verb=ListRecords&metadataPrefix=oai_dc&until=junk", {"badArgument"}),
        ("verb=ListRecords", {"badArgument"}),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2002-02-05&until=2002-02-06T05:35:00Z",
            {"badArgument"},
        ),
        (
            f"verb=ListRecords&metadataPrefix=oai_dc&until={int(earliest[:4]) - 1}{earliest[4:]}",
            {"noRecordsMatch"},
        ),
    ]
    for query, codes in expected_errors:
        root = fetch(served, query)
        assert error_code(root) in codes, query
        assert root.findtext(f"{OAI}error"), f"no human-readable message for {query}"
    assert fetch(served, post={"verb": "Identify"}).find(f"{OAI}Identify") is not None
    posted = fetch(
        served, post={"verb": "GetRecord", "identifier": example, "metadataPrefix": "oai_dc"}
    )
    assert posted.find(f"{OAI}GetRecord") is not None
    first = fetch(served, "verb=ListRecords&metadataPrefix=oai_dc")
    token = first.find(f".//{OAI}resumptionToken")
    assert token is not None and token.text and token.get("cursor") == "0"
    resumed = fetch(served, f"verb=ListRecords&resumptionToken={urllib.parse.quote(token.text)}")
    assert error_code(resumed) is None


def test_server_log_is_clean(served: Served) -> None:
    """No worker traceback in the server's log after all of the above."""
    assert "Traceback" not in server_log(served.folder)
