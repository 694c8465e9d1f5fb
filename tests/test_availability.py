"""A record is offered in a format only when it holds what that format requires, and every
answer agrees: lists and their completeListSize, ListMetadataFormats with an identifier,
and GetRecord's cannotDisseminateFormat; Sickle harvesting each format through a real
``oai serve`` gets every record the format offers, once.

The rules are stated here from README's table (not read from the formats' code).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from . import articles, xsd
from .conftest import error_code, load_lines
from .server import running_server


def _title(m: dict[str, Any]) -> bool:
    return any((t["value"] if isinstance(t, dict) else t).strip() for t in m.get("title", []))


#: prefix -> what a record's metadata must hold to be offered in it (README, "Formats").
RULES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "oai_dc": lambda m: True,
    "oai_openaire": lambda m: (
        _title(m) and "published" in m and "access" in m and ("doi" in m or "url" in m)
    ),
    "marcxml": _title,
    "oai_datacite": lambda m: (
        "doi" in m and _title(m) and bool(m.get("publisher")) and "published" in m
    ),
    "jats": lambda m: _title(m) and "journal" in m and ("issn" in m or "eissn" in m),
    "mods": _title,
}
PREFIXES = list(RULES)


def _lines() -> list[dict[str, Any]]:
    lines = articles.records(120)
    for n, line in enumerate(lines):
        line["sets"] = ["journal:gen"] + (["odd"] if n % 2 else [])
    # Deleted records: with their last metadata (kept formats), and one without any.
    lines[5] = {**lines[5], "deleted": True}
    lines[6] = {
        **{k: lines[6][k] for k in ("identifier", "datestamp")},
        "deleted": True,
        "sets": ["odd"],
    }
    # No title: only Dublin Core can carry such a record.
    for n in (7, 8):
        metadata = dict(lines[n]["metadata"])
        del metadata["title"]
        lines[n] = {**lines[n], "metadata": metadata}
    return lines


LINES = _lines()


def offered(prefix: str, spec: str | None = None) -> set[str]:
    """Identifiers a list in ``prefix`` (and set ``spec``) holds, by RULES."""
    return {
        line["identifier"]
        for line in LINES
        if (spec is None or spec in line["sets"])
        and (not line.get("metadata") or RULES[prefix](line["metadata"]))
    }


def formats_of(line: dict[str, Any]) -> list[str]:
    if not line.get("metadata"):
        return PREFIXES  # a deleted record of unknown formats is listed in every format
    return [prefix for prefix in PREFIXES if RULES[prefix](line["metadata"])]


def test_every_format_offers_some_records_and_declines_others() -> None:
    for prefix in PREFIXES[1:]:
        assert 0 < len(offered(prefix)) < len(LINES), prefix


@pytest.fixture
def client(make_app: Callable[..., Flask]) -> FlaskClient:
    app = make_app(page_size=17)
    load_lines(app, LINES)
    return app.test_client()


def _get(client: FlaskClient, **args: str) -> Any:
    response = client.get("/oai", query_string=args)
    assert response.status_code == 200
    return xsd.validate(response.data)


def _list(client: FlaskClient, verb: str, **args: str) -> tuple[list[str], int | None]:
    """Every identifier of a list harvested to its end, and the completeListSize it gave."""
    seen: list[str] = []
    size = None
    root = _get(client, verb=verb, **args)
    while True:
        if error_code(root) == "noRecordsMatch":
            return seen, 0
        assert error_code(root) is None
        seen += root.xpath("//oai:header/oai:identifier/text()", namespaces=xsd.NS)
        token = root.find(".//oai:resumptionToken", xsd.NS)
        if token is None:
            return seen, size if size is not None else len(seen)
        size = int(token.get("completeListSize"))
        if not token.text:
            return seen, size
        root = _get(client, verb=verb, resumptionToken=token.text)


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("spec", [None, "odd"])
# A from/until window that holds every record still counts the list itself (the
# whole list's size is kept by every write instead).
@pytest.mark.parametrize("window", [{}, {"from": "2000-01-01", "until": "2999-12-31"}])
def test_lists_and_their_sizes_hold_exactly_the_offered_records(
    client: FlaskClient, schemas: Path, prefix: str, spec: str | None, window: dict[str, str]
) -> None:
    args = {"metadataPrefix": prefix} | ({"set": spec} if spec else {}) | window
    for verb in ("ListIdentifiers", "ListRecords"):
        seen, size = _list(client, verb, **args)
        assert sorted(seen) == sorted(offered(prefix, spec)), (verb, prefix)
        assert size == len(seen)


def test_list_metadata_formats_and_get_record_agree(client: FlaskClient, schemas: Path) -> None:
    for line in LINES:
        identifier = line["identifier"]
        root = _get(client, verb="ListMetadataFormats", identifier=identifier)
        listed = root.xpath("//oai:metadataPrefix/text()", namespaces=xsd.NS)
        assert listed == formats_of(line), identifier
        for prefix in PREFIXES:
            got = _get(client, verb="GetRecord", identifier=identifier, metadataPrefix=prefix)
            expected = None if prefix in listed else "cannotDisseminateFormat"
            assert error_code(got) == expected, (identifier, prefix)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if xsd.schemas_dir() is None:
        pytest.skip("official schemas not found: set OAI_TEST_SCHEMAS or place ../shared/schemas")
    folder = tmp_path_factory.mktemp("formats")
    source = folder / "records.jsonl"
    import json

    source.write_text("".join(json.dumps(line) + "\n" for line in LINES), "utf-8")
    env = {
        "OAI_DATABASE_URL": f"sqlite:///{folder / 'formats.sqlite'}",
        "OAI_PAGE_SIZE": "11",
        "OAI_SECRET_KEY": "formats",
        "OAI_REPOSITORY_IDENTIFIER": "example.org",
    }
    from click.testing import CliRunner

    from oai.cli import main

    loaded = CliRunner().invoke(main, ["load", str(source)], env=env)
    assert loaded.exit_code == 0, loaded.output
    with running_server(folder, env, workers=2) as url:
        yield url


@pytest.mark.parametrize("prefix", PREFIXES)
def test_sickle_harvests_every_format_once(served: str, prefix: str) -> None:
    from sickle import Sickle

    class Checked(Sickle):  # type: ignore[misc]
        def harvest(self, **kwargs: Any) -> Any:
            response = super().harvest(**kwargs)
            xsd.validate(response.http_response.content)
            return response

    records = list(Checked(served).ListRecords(metadataPrefix=prefix, ignore_deleted=False))
    identifiers = [record.header.identifier for record in records]
    assert len(identifiers) == len(set(identifiers))
    assert set(identifiers) == offered(prefix)
