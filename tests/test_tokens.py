"""oai.tokens: a list's state survives the round trip; anything else is badResumptionToken."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import datetime

import pytest

from oai.errors import BadResumptionToken
from oai.tokens import ListState, TokenCodec

ISSUED = 1_700_000_000

STATES = {
    "records-first-page": ListState(
        "ListRecords", "oai_dc", None, datetime(2026, 1, 1), None, None, "", 0, 7, ISSUED
    ),
    "records-mid-list": ListState(
        verb="ListRecords",
        metadata_prefix="oai_dc",
        from_=datetime(2024, 1, 1),
        until=datetime(2024, 12, 31, 23, 59, 59),
        set_spec="journal:prometheus:book-reviews",
        after_datestamp=datetime(2024, 5, 6, 7, 8, 9),
        after_key='oai:example.org:caf\u00e9/\u00fcber?x=1&y="2"',
        cursor=700,
        complete_list_size=123_456_789,
        issued=ISSUED,
    ),
    "identifiers": ListState(
        "ListIdentifiers",
        "oai_dc",
        datetime(1970, 1, 1),
        datetime(9999, 12, 31, 23, 59, 59),
        "a",
        datetime(2000, 2, 29),
        "oai:x:1",
        5,
        6,
        ISSUED,
    ),
    "sets": ListState("ListSets", None, None, None, None, None, "type:article", 100, 250, ISSUED),
}


@pytest.mark.parametrize("state", STATES.values(), ids=STATES.keys())
def test_round_trip(state: ListState) -> None:
    codec = TokenCodec("key")
    token = codec.encode(state)
    assert codec.decode(token, state.verb) == state
    # Deterministic: the same state always gives the same token.
    assert codec.encode(state) == token


@pytest.mark.parametrize("state", STATES.values(), ids=STATES.keys())
def test_token_is_url_safe(state: ListState) -> None:
    token = TokenCodec("key").encode(state)
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert set(token) <= allowed


def _flip(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


def _forged_payload(token: str, edit: dict[int, object]) -> str:
    """The token with its JSON payload edited but the old signature kept."""
    payload, signature = token.split(".")
    fields = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    for index, value in edit.items():
        fields[index] = value
    data = json.dumps(fields, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode() + "." + signature


GOOD = TokenCodec("key").encode(STATES["records-mid-list"])

BAD_TOKENS = {
    "empty": "",
    "garbage": "not a token",
    "no-signature": GOOD.split(".")[0],
    "only-dot": ".",
    "three-parts": GOOD + ".AAAA",
    "payload-flipped-first": _flip(GOOD, 0),
    "payload-flipped-middle": _flip(GOOD, len(GOOD.split(".")[0]) // 2),
    "signature-flipped": _flip(GOOD, len(GOOD) - 2),
    "signature-truncated": GOOD[:-4],
    "signature-dropped": GOOD.split(".")[0] + ".",
    "cursor-edited": _forged_payload(GOOD, {8: 0}),
    "set-edited": _forged_payload(GOOD, {5: "a"}),
    "bad-base64": "!!!!." + GOOD.split(".")[1],
    "non-ascii": GOOD + "\u00e9",
    "swapped-halves": ".".join(reversed(GOOD.split("."))),
}


@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_tampered_or_garbled(token: str) -> None:
    with pytest.raises(BadResumptionToken):
        TokenCodec("key").decode(token, "ListRecords")


def test_wrong_key() -> None:
    state = STATES["records-mid-list"]
    token = TokenCodec("key").encode(state)
    with pytest.raises(BadResumptionToken):
        TokenCodec("other key").decode(token, state.verb)
    # bytes and str keys with the same content agree
    assert TokenCodec(b"key").decode(token, state.verb) == state


@pytest.mark.parametrize(
    ("issued_for", "presented_to"),
    [
        ("ListRecords", "ListIdentifiers"),
        ("ListIdentifiers", "ListRecords"),
        ("ListRecords", "ListSets"),
        ("ListSets", "ListRecords"),
    ],
)
def test_wrong_verb(issued_for: str, presented_to: str) -> None:
    state = dataclasses.replace(STATES["records-mid-list"], verb=issued_for)
    codec = TokenCodec("key")
    with pytest.raises(BadResumptionToken):
        codec.decode(codec.encode(state), presented_to)


class Clock:
    """A settable clock, so expiry is tested without sleeping."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("elapsed", "valid"),
    [(0, True), (59, True), (60, True), (61, False), (86_400, False)],
)
def test_expiry(elapsed: int, valid: bool) -> None:
    clock = Clock(ISSUED + elapsed)
    codec = TokenCodec("key", max_age=60, clock=clock)
    state = STATES["records-mid-list"]
    token = codec.encode(state)
    if valid:
        assert codec.decode(token, state.verb) == state
    else:
        with pytest.raises(BadResumptionToken):
            codec.decode(token, state.verb)


def test_no_max_age_never_expires() -> None:
    codec = TokenCodec("key", clock=Clock(ISSUED + 10 * 365 * 86_400))
    state = STATES["records-mid-list"]
    assert codec.decode(codec.encode(state), state.verb) == state
    assert codec.expires_at(state) is None


def test_expiration_date() -> None:
    codec = TokenCodec("key", max_age=3600)
    assert codec.expires_at(STATES["sets"]) == datetime(2023, 11, 14, 23, 13, 20)


def test_only_the_issued_spelling_is_accepted() -> None:
    """base64 ignores the low bits of a last character: such an edit is still tampering."""
    codec = TokenCodec("key")
    token = codec.encode(STATES["sets"])
    payload, signature = token.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for index, part in ((0, payload), (1, signature)):
        for other in alphabet:
            if other == part[-1]:
                continue
            edited = [payload, signature]
            edited[index] = part[:-1] + other
            with pytest.raises(BadResumptionToken):
                codec.decode(".".join(edited), "ListSets")
