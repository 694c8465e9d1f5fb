"""Resumption tokens a harvester (or an attacker) edited, forged, kept too long, or
carried to another list: every one gets badResumptionToken, through HTTP. And the
tokens that must keep working do: version 1 tokens issued before the itsdangerous
format, and tokens signed with a key since rotated into OAI_SECRET_KEY_FALLBACKS.

Unit tests of the codec live in test_tokens.py; these go through the endpoint so
the whole path (argument parsing, decoding, the verb) is exercised.
"""

from __future__ import annotations

import dataclasses
import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from oai.tokens import ListState, TokenCodec

from . import xsd
from .conftest import error_code, load_lines, record
from .server import run_command, running_servers

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
LISTS = {
    "ListRecords": {"metadataPrefix": "oai_dc"},
    "ListIdentifiers": {"metadataPrefix": "oai_dc", "set": "all"},
    "ListSets": {},
}


def _lines() -> list[Any]:
    sets: list[Any] = [{"setSpec": f"s{n}", "setName": f"Set {n}"} for n in range(5)]
    return sets + [record(n) for n in range(10)]


@pytest.fixture
def loaded(app: Flask) -> Flask:
    load_lines(app, _lines())
    return app


def _get(client: FlaskClient, **args: str) -> etree._Element:
    response = client.get("/oai", query_string=args)
    assert response.status_code == 200
    return xsd.validate(response.data)


def _token(client: FlaskClient, verb: str) -> str:
    root = _get(client, verb=verb, **LISTS[verb])
    token = root.findtext(".//oai:resumptionToken", namespaces=xsd.NS)
    assert token, f"{verb} should span several pages"
    return token


@pytest.fixture
def tokens(loaded: Flask, schemas: object) -> dict[str, str]:
    client = loaded.test_client()
    return {verb: _token(client, verb) for verb in LISTS}


@pytest.fixture
def resume(loaded: Flask, schemas: object) -> Callable[[str, str], str | None]:
    """Send ``token`` to ``verb``; the error code (None when a page came back)."""
    client = loaded.test_client()
    return lambda verb, token: error_code(_get(client, verb=verb, resumptionToken=token))


# Version 1 tokens (the format before itsdangerous) for the second page of each list of
# _lines() with page size 3, made by oai/tokens.py at d8a55d0 with TokenCodec(key).encode:
# ListRecords and ListIdentifiers (set "all") after rec-00002 (2024-01-03T02:00:00Z),
# cursor 3 of 10, until 2026-01-01; ListSets after "odd", cursor 3 of 8; issued 1700000000.
OLD_TOKENS = {
    "test-secret": {
        "ListRecords": "WzEsIkxpc3RSZWNvcmRzIiwib2FpX2RjIixudWxsLDE3NjcyMjU2MDAsbnVsbCwxNzA0"
        "MjQ3MjAwLCJvYWk6ZXhhbXBsZS5vcmc6cmVjLTAwMDAyIiwzLDEwLDE3MDAwMDAwMDBd.ago-6ch842bbQKxuEIqkXw",
        "ListIdentifiers": "WzEsIkxpc3RJZGVudGlmaWVycyIsIm9haV9kYyIsbnVsbCwxNzY3MjI1NjAwLCJh"
        "bGwiLDE3MDQyNDcyMDAsIm9haTpleGFtcGxlLm9yZzpyZWMtMDAwMDIiLDMsMTAsMTcwMDAwMDAwMF0"
        ".JdhceCAUE6UlWSaxDglfxA",
        "ListSets": "WzEsIkxpc3RTZXRzIixudWxsLG51bGwsbnVsbCxudWxsLG51bGwsIm9kZCIsMyw4LDE3MDAw"
        "MDAwMDBd.kuw8UawmuEPrXTy4Ej401A",
    },
    "retired-secret": {
        "ListRecords": "WzEsIkxpc3RSZWNvcmRzIiwib2FpX2RjIixudWxsLDE3NjcyMjU2MDAsbnVsbCwxNzA0"
        "MjQ3MjAwLCJvYWk6ZXhhbXBsZS5vcmc6cmVjLTAwMDAyIiwzLDEwLDE3MDAwMDAwMDBd.CwsW4WI3HlwgxB_z7MR-gQ",
        "ListIdentifiers": "WzEsIkxpc3RJZGVudGlmaWVycyIsIm9haV9kYyIsbnVsbCwxNzY3MjI1NjAwLCJh"
        "bGwiLDE3MDQyNDcyMDAsIm9haTpleGFtcGxlLm9yZzpyZWMtMDAwMDIiLDMsMTAsMTcwMDAwMDAwMF0"
        ".Cp5Fvabvt1clLSVCNJ15Mg",
        "ListSets": "WzEsIkxpc3RTZXRzIixudWxsLG51bGwsbnVsbCxudWxsLG51bGwsIm9kZCIsMyw4LDE3MDAw"
        "MDAwMDBd.vB6cX2-6s88Nj46tmOrTYw",
    },
}
#: What the rest of each list is, from the second page on: _lines() sorted by datestamp
#: (record n on 2024-01-(n+1)), and the setSpecs in order (three undeclared, then s0-s4).
RECORDS = [f"oai:example.org:rec-{n:05d}" for n in range(10)]
REST = {
    "ListRecords": RECORDS[3:],
    "ListIdentifiers": RECORDS[3:],
    "ListSets": ["s0", "s1", "s2", "s3", "s4"],
}


def _truncations(token: str) -> Iterator[str]:
    signed, signature = token.rsplit(".", 1)
    yield from (token[:cut] for cut in (1, 2, 10, len(signed), len(signed) + 1, len(token) - 1))
    yield signed
    yield "." + signature
    yield token + "A"
    yield token + "."


def _kind(tokens: dict[str, str], kind: str, verb: str) -> str:
    """A token of this server (``new``) or a version 1 token with its key (``old``)."""
    return tokens[verb] if kind == "new" else OLD_TOKENS["test-secret"][verb]


@pytest.mark.parametrize("kind", ["new", "old"])
@pytest.mark.parametrize("verb", LISTS)
def test_truncated_tokens(
    tokens: dict[str, str], resume: Callable[..., Any], verb: str, kind: str
) -> None:
    token = _kind(tokens, kind, verb)
    assert resume(verb, token) is None
    for bad in _truncations(token):
        assert resume(verb, bad) == "badResumptionToken", bad


@pytest.mark.parametrize("kind", ["new", "old"])
@pytest.mark.parametrize("verb", LISTS)
def test_every_single_character_edit(
    tokens: dict[str, str], resume: Callable[..., Any], verb: str, kind: str
) -> None:
    """Each position replaced by another base64 character, and each low bit flipped."""
    token = _kind(tokens, kind, verb)
    for position, char in enumerate(token):
        others = {B64[(B64.index(char) + 1) % 64] if char in B64 else "A", chr(ord(char) ^ 1)}
        for other in others - {char}:
            bad = token[:position] + other + token[position + 1 :]
            assert resume(verb, bad) == "badResumptionToken", (position, other)


def _state(token: str, verb: str) -> ListState:
    return TokenCodec("test-secret").decode(token, verb)


@pytest.mark.parametrize("verb", LISTS)
def test_resigned_with_another_key(
    tokens: dict[str, str], resume: Callable[..., Any], verb: str
) -> None:
    state = _state(tokens[verb], verb)
    assert resume(verb, TokenCodec("test-secret").encode(state)) is None
    assert resume(verb, TokenCodec("another-key").encode(state)) == "badResumptionToken"
    later = dataclasses.replace(state, cursor=state.cursor + 3)
    assert resume(verb, TokenCodec("another-key").encode(later)) == "badResumptionToken"


@pytest.mark.parametrize("verb", LISTS)
@pytest.mark.parametrize("other", LISTS)
def test_token_taken_to_another_verb(
    tokens: dict[str, str], resume: Callable[..., Any], verb: str, other: str
) -> None:
    expected = None if other == verb else "badResumptionToken"
    assert resume(other, tokens[verb]) == expected


@pytest.mark.parametrize("verb", ["GetRecord", "Identify", "ListMetadataFormats"])
def test_token_given_to_a_verb_without_tokens(
    tokens: dict[str, str], loaded: Flask, verb: str
) -> None:
    root = _get(loaded.test_client(), verb=verb, resumptionToken=tokens["ListRecords"])
    assert error_code(root) == "badArgument"


def test_token_with_extra_arguments(tokens: dict[str, str], loaded: Flask) -> None:
    root = _get(
        loaded.test_client(),
        verb="ListRecords",
        resumptionToken=tokens["ListRecords"],
        metadataPrefix="oai_dc",
    )
    assert error_code(root) == "badArgument"


def test_token_from_another_repository(
    make_app: Callable[..., Flask], tokens: dict[str, str], tmp_path: Any
) -> None:
    """Same records, another database: its generated key rejects our tokens."""
    other = make_app(
        database_url=f"sqlite:///{tmp_path / 'other.sqlite'}", secret_key=None, page_size=3
    )
    load_lines(other, _lines())
    client = other.test_client()
    for verb, token in tokens.items():
        assert error_code(_get(client, verb=verb, resumptionToken=token)) == "badResumptionToken"
    own = _token(client, "ListRecords")
    assert error_code(_get(client, verb="ListRecords", resumptionToken=own)) is None


def test_expired_tokens(
    make_app: Callable[..., Flask], tokens: dict[str, str], schemas: object
) -> None:
    """A token issued long ago, signed with the right key, once OAI_TOKEN_MAX_AGE is set."""
    strict = make_app(page_size=3, token_max_age=60).test_client()
    for verb, token in tokens.items():
        assert error_code(_get(strict, verb=verb, resumptionToken=token)) is None
        stale = dataclasses.replace(_state(token, verb), issued=int(time.time()) - 61)
        forged = TokenCodec("test-secret").encode(stale)
        assert error_code(_get(strict, verb=verb, resumptionToken=forged)) == "badResumptionToken"


def test_token_replayed_after_it_expired(
    make_app: Callable[..., Flask], loaded: Flask, schemas: object
) -> None:
    """A real token, asked again once its max age has really passed."""
    app = make_app(page_size=3, token_max_age=1)
    client = app.test_client()
    root = _get(client, verb="ListRecords", metadataPrefix="oai_dc")
    element = root.find(".//oai:resumptionToken", xsd.NS)
    assert element is not None and element.get("expirationDate")
    token = element.text or ""
    state = app.extensions["oai"].codec.decode(token, "ListRecords")
    assert error_code(_get(client, verb="ListRecords", resumptionToken=token)) is None
    time.sleep(max(0.0, state.issued + 1.05 - time.time()))
    assert error_code(_get(client, verb="ListRecords", resumptionToken=token)) == (
        "badResumptionToken"
    )


def test_the_same_token_twice_gives_the_same_page(
    tokens: dict[str, str], loaded: Flask, schemas: object
) -> None:
    client = loaded.test_client()
    pages = []
    for _ in range(2):
        root = _get(client, verb="ListRecords", resumptionToken=tokens["ListRecords"])
        pages.append([h.text for h in root.iterfind(".//oai:header/oai:identifier", xsd.NS)])
    assert pages[0] == pages[1] and pages[0]


def _follow(client: FlaskClient, verb: str, token: str) -> tuple[list[str], list[str]]:
    """Resume ``verb`` at ``token`` to the end: the identifiers or setSpecs, and the tokens."""
    found: list[str] = []
    issued: list[str] = []
    while token:
        root = _get(client, verb=verb, resumptionToken=token)
        assert error_code(root) is None
        path = ".//oai:set/oai:setSpec" if verb == "ListSets" else ".//oai:header/oai:identifier"
        found += [element.text or "" for element in root.iterfind(path, xsd.NS)]
        token = root.findtext(".//oai:resumptionToken", namespaces=xsd.NS) or ""
        issued += [token] if token else []
    return found, issued


@pytest.mark.parametrize("verb", LISTS)
@pytest.mark.parametrize(
    "keys",
    [("test-secret", ()), ("new-secret", ("test-secret",)), ("new", ("retired-secret", "x"))],
    ids=["same key", "key now a fallback", "older fallback"],
)
def test_a_harvest_in_flight_across_the_upgrade(
    make_app: Callable[..., Flask],
    loaded: Flask,
    schemas: object,
    verb: str,
    keys: tuple[str, tuple[str, ...]],
) -> None:
    """A version 1 token, presented after the upgrade (and after a key rotation), resumes the
    list where it stood; the tokens issued from then on are version 2."""
    secret, fallbacks = keys
    app = make_app(page_size=3, secret_key=secret, secret_key_fallbacks=fallbacks)
    old = OLD_TOKENS["retired-secret" if "retired-secret" in fallbacks else "test-secret"][verb]
    found, issued = _follow(app.test_client(), verb, old)
    assert found == REST[verb]
    assert issued and all(token.startswith("2.") for token in issued)


@pytest.mark.parametrize("verb", LISTS)
def test_an_old_token_whose_key_is_gone(
    make_app: Callable[..., Flask], loaded: Flask, schemas: object, verb: str
) -> None:
    for fallbacks in ((), ("retired-secret",)):
        client = make_app(page_size=3, secret_key="new", secret_key_fallbacks=fallbacks)
        root = _get(
            client.test_client(), verb=verb, resumptionToken=OLD_TOKENS["test-secret"][verb]
        )
        assert error_code(root) == "badResumptionToken"


@pytest.mark.parametrize("verb", LISTS)
def test_the_harvest_goes_on_after_a_key_rotation(
    make_app: Callable[..., Flask], schemas: object, verb: str
) -> None:
    """Started with key A; the server restarts with B and fallback A: the harvest goes on.
    Once A is dropped, A's tokens are refused and B's still work."""
    first = make_app(page_size=3, secret_key="key A")
    load_lines(first, _lines())
    started = _token(first.test_client(), verb)
    rotated = make_app(page_size=3, secret_key="key B", secret_key_fallbacks=("key A",))
    found, issued = _follow(rotated.test_client(), verb, started)
    assert found == REST[verb]
    dropped = make_app(page_size=3, secret_key="key B").test_client()
    assert error_code(_get(dropped, verb=verb, resumptionToken=started)) == "badResumptionToken"
    assert error_code(_get(dropped, verb=verb, resumptionToken=issued[0])) is None
    stranger = make_app(page_size=3, secret_key="key C", secret_key_fallbacks=("key D",))
    for token in (started, issued[0]):
        root = _get(stranger.test_client(), verb=verb, resumptionToken=token)
        assert error_code(root) == "badResumptionToken"


def test_a_token_signed_with_another_repositorys_fallback(
    make_app: Callable[..., Flask], tokens: dict[str, str], schemas: object
) -> None:
    """Another repository keeps "theirs-old" as its fallback: a token it signed with that
    key works there, never here, whatever fallback we keep."""
    ours = make_app(page_size=3, secret_key="ours", secret_key_fallbacks=("ours-old",))
    theirs = make_app(page_size=3, secret_key="theirs", secret_key_fallbacks=("theirs-old",))
    for verb, token in tokens.items():
        forged = TokenCodec("theirs-old").encode(_state(token, verb))
        assert error_code(_get(theirs.test_client(), verb=verb, resumptionToken=forged)) is None
        root = _get(ours.test_client(), verb=verb, resumptionToken=forged)
        assert error_code(root) == "badResumptionToken"


def test_fallback_signed_tokens_expire_and_keep_their_verb(
    make_app: Callable[..., Flask], tokens: dict[str, str], schemas: object
) -> None:
    client = make_app(
        page_size=3, secret_key="new", secret_key_fallbacks=("test-secret",), token_max_age=60
    ).test_client()
    for verb, token in tokens.items():
        state = _state(token, verb)
        fresh = TokenCodec("test-secret").encode(
            dataclasses.replace(state, issued=int(time.time()))
        )
        assert error_code(_get(client, verb=verb, resumptionToken=fresh)) is None
        stale = dataclasses.replace(state, issued=int(time.time()) - 61)
        forged = TokenCodec("test-secret").encode(stale)
        assert error_code(_get(client, verb=verb, resumptionToken=forged)) == "badResumptionToken"
        for other in set(LISTS) - {verb}:
            root = _get(client, verb=other, resumptionToken=fresh)
            assert error_code(root) == "badResumptionToken"


def _fetch(url: str, **args: str) -> etree._Element:
    with urllib.request.urlopen(f"{url}?{urllib.parse.urlencode(args)}", timeout=30) as answer:
        return xsd.validate(answer.read())


def test_key_rotation_through_oai_serve(tmp_path: Path, schemas: object) -> None:
    """Real servers, keys from the environment: A; then B with OAI_SECRET_KEY_FALLBACKS=A
    (spaces and an older key around it); then B alone."""
    path = tmp_path / "rotation.sqlite"
    lines = tmp_path / "records.jsonl"
    lines.write_text("".join(json.dumps(line) + "\n" for line in _lines()))
    base = {"OAI_DATABASE_URL": f"sqlite:///{path}", "OAI_PAGE_SIZE": "3"}
    assert run_command(base, "load", str(lines)).returncode == 0
    envs = [
        {**base, "OAI_SECRET_KEY": "key A"},
        {**base, "OAI_SECRET_KEY": "key B", "OAI_SECRET_KEY_FALLBACKS": " key A , key Z "},
        {**base, "OAI_SECRET_KEY": "key B"},
    ]
    with running_servers(tmp_path, envs) as (with_a, rotated, without_a):
        first = _fetch(with_a.url, verb="ListRecords", metadataPrefix="oai_dc")
        started = first.findtext(".//oai:resumptionToken", namespaces=xsd.NS) or ""
        page = _fetch(rotated.url, verb="ListRecords", resumptionToken=started)
        assert error_code(page) is None
        following = page.findtext(".//oai:resumptionToken", namespaces=xsd.NS) or ""
        dropped = _fetch(without_a.url, verb="ListRecords", resumptionToken=started)
        assert error_code(dropped) == "badResumptionToken"
        assert (
            error_code(_fetch(without_a.url, verb="ListRecords", resumptionToken=following)) is None
        )


def test_fallbacks_beside_a_generated_key(
    make_app: Callable[..., Flask], tokens: dict[str, str], schemas: object
) -> None:
    """OAI_SECRET_KEY unset (the key generated and stored in the database): the fallbacks
    still verify, and what the server issues is signed with the stored key."""
    app = make_app(page_size=3, secret_key=None, secret_key_fallbacks=("test-secret",))
    plain = make_app(page_size=3, secret_key=None).test_client()
    for verb, token in tokens.items():
        root = _get(app.test_client(), verb=verb, resumptionToken=token)
        assert error_code(root) is None
        issued = root.findtext(".//oai:resumptionToken", namespaces=xsd.NS) or ""
        assert issued
        assert error_code(_get(plain, verb=verb, resumptionToken=issued)) is None
        assert error_code(_get(plain, verb=verb, resumptionToken=token)) == "badResumptionToken"
