"""Resumption tokens a harvester (or an attacker) edited, forged, kept too long, or
carried to another list: every one gets badResumptionToken, through HTTP.

Unit tests of the codec live in test_tokens.py; these go through the endpoint so
the whole path (argument parsing, decoding, the verb) is exercised.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from oai.tokens import ListState, TokenCodec

from . import xsd
from .conftest import error_code, load_lines, record

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


def _truncations(token: str) -> Iterator[str]:
    payload, signature = token.split(".")
    yield from (token[:cut] for cut in (1, 10, len(payload), len(payload) + 1, len(token) - 1))
    yield payload
    yield "." + signature
    yield token + "A"
    yield token + "."


@pytest.mark.parametrize("verb", LISTS)
def test_truncated_tokens(tokens: dict[str, str], resume: Callable[..., Any], verb: str) -> None:
    for bad in _truncations(tokens[verb]):
        assert resume(verb, bad) == "badResumptionToken", bad


@pytest.mark.parametrize("verb", LISTS)
def test_every_single_character_edit(
    tokens: dict[str, str], resume: Callable[..., Any], verb: str
) -> None:
    """Each position replaced by another base64 character, and each low bit flipped."""
    token = tokens[verb]
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
