"""oai.tokens: a list's state survives the round trip; anything else is badResumptionToken.

The token format is stated here with hashlib and hmac, not read from the codec; tokens of
the format before itsdangerous (version 1) are literal strings made by that code.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forged_payload(token: str, edit: dict[int, object]) -> str:
    """The token with its JSON payload edited but the signature kept."""
    version, payload, signature = token.split(".")
    fields = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    for index, value in edit.items():
        fields[index] = value
    data = json.dumps(fields, separators=(",", ":")).encode()
    return f"{version}.{_b64(data)}.{signature}"


GOOD = TokenCodec("key").encode(STATES["records-mid-list"])

BAD_TOKENS = {
    "empty": "",
    "garbage": "not a token",
    "no-signature": GOOD.rsplit(".", 1)[0],
    "only-dots": "..",
    "four-parts": GOOD + ".AAAA",
    "version-flipped": _flip(GOOD, 0),
    "version-dropped": GOOD[2:],
    "version-3": "3" + GOOD[1:],
    "payload-flipped-first": _flip(GOOD, 2),
    "payload-flipped-middle": _flip(GOOD, len(GOOD.split(".")[1]) // 2),
    "signature-flipped": _flip(GOOD, len(GOOD) - 2),
    "signature-truncated": GOOD[:-4],
    "signature-dropped": GOOD.rsplit(".", 1)[0] + ".",
    "signature-padded": GOOD + "==",
    "cursor-edited": _forged_payload(GOOD, {6: 0}),
    "set-edited": _forged_payload(GOOD, {3: "a"}),
    "bad-base64": "2.!!!!." + GOOD.split(".")[2],
    "non-ascii": GOOD + "\u00e9",
    "non-ascii-inside": GOOD[:-3] + "\u00e9" + GOOD[-2:],
    "signature-in-standard-base64": GOOD.rsplit(".", 1)[0]
    + "."
    + base64.b64encode(base64.urlsafe_b64decode(GOOD.rsplit(".", 1)[1] + "==")).decode(),
    "swapped-parts": ".".join(reversed(GOOD.split("."))),
    "whitespace": " " + GOOD,
    "newline": GOOD + "\n",
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
    version, payload, signature = token.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for index, part in ((1, payload), (2, signature)):
        for other in alphabet:
            if other == part[-1]:
                continue
            edited = [version, payload, signature]
            edited[index] = part[:-1] + other
            with pytest.raises(BadResumptionToken):
                codec.decode(".".join(edited), "ListSets")


# The format, version 2, from its definition: the payload is the base64url of a JSON list
# (metadataPrefix, from, until, set, after datestamp, after key, cursor, completeListSize,
# issued; datestamps as Unix seconds), signed as "2.<payload>" with HMAC-SHA256 cut to 16
# bytes, keyed by HMAC-SHA256(secret, "oai-resumption-token:<verb>") (itsdangerous's "hmac"
# key derivation with that salt).
FORMAT_CASES = {
    "records-mid-list": [
        "oai_dc",
        1704067200,  # 2024-01-01T00:00:00Z
        1735689599,  # 2024-12-31T23:59:59Z
        "journal:prometheus:book-reviews",
        1714979289,  # 2024-05-06T07:08:09Z
        'oai:example.org:caf\u00e9/\u00fcber?x=1&y="2"',
        700,
        123_456_789,
        ISSUED,
    ],
    "identifiers": [
        "oai_dc",
        0,
        253402300799,  # 9999-12-31T23:59:59Z
        "a",
        951782400,  # 2000-02-29T00:00:00Z
        "oai:x:1",
        5,
        6,
        ISSUED,
    ],
    "sets": [None, None, None, None, None, "type:article", 100, 250, ISSUED],
}


def _expected_token(secret: bytes, verb: str, fields: list[object]) -> str:
    payload = _b64(json.dumps(fields, separators=(",", ":")).encode())
    key = hmac.digest(secret, b"oai-resumption-token:" + verb.encode(), "sha256")
    signature = hmac.digest(key, f"2.{payload}".encode(), "sha256")[:16]
    return f"2.{payload}.{_b64(signature)}"


@pytest.mark.parametrize("name", FORMAT_CASES)
def test_the_token_format(name: str) -> None:
    state = STATES[name]
    token = TokenCodec("key").encode(state)
    assert token == _expected_token(b"key", state.verb, FORMAT_CASES[name])


def test_the_signature_binds_the_verb() -> None:
    """The same list in two verbs: the same payload, so only the signature (its salt)
    tells them apart, and each verb refuses the other's."""
    records = STATES["records-mid-list"]
    identifiers = dataclasses.replace(records, verb="ListIdentifiers")
    codec = TokenCodec("key")
    one, other = codec.encode(records), codec.encode(identifiers)
    assert one.rsplit(".", 1)[0] == other.rsplit(".", 1)[0] and one != other
    assert codec.decode(other, "ListIdentifiers") == identifiers
    with pytest.raises(BadResumptionToken):
        codec.decode(one, "ListIdentifiers")
    with pytest.raises(BadResumptionToken):
        codec.decode(other, "ListRecords")


@pytest.mark.parametrize(
    "verb", ["GetRecord", "Identify", "ListMetadataFormats", "", "listrecords"]
)
def test_verbs_without_tokens(verb: str) -> None:
    codec = TokenCodec("key")
    with pytest.raises(BadResumptionToken):
        codec.decode(GOOD, verb)
    with pytest.raises(ValueError):
        codec.encode(dataclasses.replace(STATES["records-mid-list"], verb=verb))


ROTATION = {
    # name: (key that signed, (current key, fallbacks) of the server, accepted)
    "current key": ("B", ("B", ()), True),
    "the one fallback": ("A", ("B", ("A",)), True),
    "the older of two fallbacks": ("A", ("C", ("B", "A")), True),
    "fallback repeats the current key": ("B", ("B", ("B", "A")), True),
    "rotated out": ("A", ("B", ()), False),
    "rotated out, other fallbacks": ("A", ("C", ("B",)), False),
    "a newer key than the server's": ("B", ("A", ()), False),
    "another repository's fallback": ("D", ("B", ("A",)), False),
}


@pytest.mark.parametrize(("signed_by", "server", "accepted"), ROTATION.values(), ids=ROTATION)
def test_key_rotation(signed_by: str, server: tuple[str, tuple[str, ...]], accepted: bool) -> None:
    state = STATES["records-mid-list"]
    token = TokenCodec(signed_by).encode(state)
    current, fallbacks = server
    codec = TokenCodec(current, fallbacks=fallbacks)
    if accepted:
        assert codec.decode(token, state.verb) == state
    else:
        with pytest.raises(BadResumptionToken):
            codec.decode(token, state.verb)


def test_fallbacks_verify_but_never_sign() -> None:
    state = STATES["records-mid-list"]
    token = TokenCodec("B", fallbacks=["A"]).encode(state)
    assert token == _expected_token(b"B", state.verb, FORMAT_CASES["records-mid-list"])
    with pytest.raises(BadResumptionToken):
        TokenCodec("A").decode(token, state.verb)


def test_a_fallback_signed_token_still_expires_and_keeps_its_verb() -> None:
    state = STATES["records-mid-list"]
    token = TokenCodec("A").encode(state)
    codec = TokenCodec("B", max_age=60, clock=Clock(ISSUED + 61), fallbacks=["A"])
    with pytest.raises(BadResumptionToken):
        codec.decode(token, state.verb)
    codec = TokenCodec("B", fallbacks=["A"])
    with pytest.raises(BadResumptionToken):
        codec.decode(token, "ListIdentifiers")


# Version 1 tokens, made by oai/tokens.py as it stood at d8a55d0 (before itsdangerous):
# TokenCodec(key).encode(state) for these keys and states.
OLD_STATES = {
    "records-mid-list": STATES["records-mid-list"],
    "identifiers-first-page": ListState(
        "ListIdentifiers", "oai_dc", None, datetime(2026, 1, 1), None, None, "", 0, 7, ISSUED
    ),
    "sets": STATES["sets"],
}
OLD_TOKENS = {
    ("old key A", "records-mid-list"): "WzEsIkxpc3RSZWNvcmRzIiwib2FpX2RjIiwxNzA0MDY3MjAwLDE3"
    "MzU2ODk1OTksImpvdXJuYWw6cHJvbWV0aGV1czpib29rLXJldmlld3MiLDE3MTQ5NzkyODksIm9haTpleGFtcGxl"
    "Lm9yZzpjYWZcdTAwZTkvXHUwMGZjYmVyP3g9MSZ5PVwiMlwiIiw3MDAsMTIzNDU2Nzg5LDE3MDAwMDAwMDBd"
    ".R3QVs5oNag9rt1umfLbMVQ",
    ("old key A", "identifiers-first-page"): "WzEsIkxpc3RJZGVudGlmaWVycyIsIm9haV9kYyIsbnVs"
    "bCwxNzY3MjI1NjAwLG51bGwsbnVsbCwiIiwwLDcsMTcwMDAwMDAwMF0.qOIMjqyPDTQgIdZY0rX0NQ",
    ("old key A", "sets"): "WzEsIkxpc3RTZXRzIixudWxsLG51bGwsbnVsbCxudWxsLG51bGwsInR5cGU6YXJ0"
    "aWNsZSIsMTAwLDI1MCwxNzAwMDAwMDAwXQ.tt00QETV73QDsjfa83darg",
    ("rotated-out key", "records-mid-list"): "WzEsIkxpc3RSZWNvcmRzIiwib2FpX2RjIiwxNzA0MDY3MjAw"
    "LDE3MzU2ODk1OTksImpvdXJuYWw6cHJvbWV0aGV1czpib29rLXJldmlld3MiLDE3MTQ5NzkyODksIm9haTpleGFt"
    "cGxlLm9yZzpjYWZcdTAwZTkvXHUwMGZjYmVyP3g9MSZ5PVwiMlwiIiw3MDAsMTIzNDU2Nzg5LDE3MDAwMDAwMDBd"
    ".FgLzR5CvRIz4Bt-ohmpM6Q",
    ("rotated-out key", "identifiers-first-page"): "WzEsIkxpc3RJZGVudGlmaWVycyIsIm9haV9kYyIs"
    "bnVsbCwxNzY3MjI1NjAwLG51bGwsbnVsbCwiIiwwLDcsMTcwMDAwMDAwMF0.caOqZznyXlcPFl4yCAr9eg",
    ("rotated-out key", "sets"): "WzEsIkxpc3RTZXRzIixudWxsLG51bGwsbnVsbCxudWxsLG51bGwsInR5cGU6"
    "YXJ0aWNsZSIsMTAwLDI1MCwxNzAwMDAwMDAwXQ.tWJsT3baQe-loN3ZXRZHYg",
}


def test_old_tokens_are_as_stated() -> None:
    """The literal version 1 tokens above follow that format's definition."""
    for (key, _), token in OLD_TOKENS.items():
        payload, signature = token.split(".")
        data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        old_key = hashlib.sha256(b"oai-resumption-token\x00" + key.encode()).digest()
        assert _b64(hmac.digest(old_key, data, "sha256")[:16]) == signature
        assert json.loads(data)[0] == 1


@pytest.mark.parametrize(("key", "name"), OLD_TOKENS)
def test_old_tokens_still_decode(key: str, name: str) -> None:
    token, state = OLD_TOKENS[key, name], OLD_STATES[name]
    assert TokenCodec(key).decode(token, state.verb) == state
    # ... with the key as a fallback, after a rotation
    assert TokenCodec("new key", fallbacks=["other", key]).decode(token, state.verb) == state
    # ... and the next page's token is in the new format, signed with the current key
    assert TokenCodec("new key", fallbacks=[key]).encode(state).startswith("2.")


@pytest.mark.parametrize(("key", "name"), OLD_TOKENS)
def test_old_tokens_without_their_key(key: str, name: str) -> None:
    token, state = OLD_TOKENS[key, name], OLD_STATES[name]
    others = {"old key A", "rotated-out key"} - {key}
    for codec in (TokenCodec("new key"), TokenCodec("new key", fallbacks=sorted(others))):
        with pytest.raises(BadResumptionToken):
            codec.decode(token, state.verb)


@pytest.mark.parametrize("name", OLD_STATES)
def test_old_tokens_keep_their_verb_and_age(name: str) -> None:
    token, state = OLD_TOKENS["old key A", name], OLD_STATES[name]
    for verb in {"ListRecords", "ListIdentifiers", "ListSets"} - {state.verb}:
        with pytest.raises(BadResumptionToken):
            TokenCodec("old key A").decode(token, verb)
    fresh = TokenCodec("B", max_age=60, clock=Clock(ISSUED + 60), fallbacks=["old key A"])
    assert fresh.decode(token, state.verb) == state
    stale = TokenCodec("B", max_age=60, clock=Clock(ISSUED + 61), fallbacks=["old key A"])
    with pytest.raises(BadResumptionToken):
        stale.decode(token, state.verb)


@pytest.mark.parametrize("name", OLD_STATES)
def test_old_tokens_edited(name: str) -> None:
    """Every single-character edit of a version 1 token, and each truncation."""
    token, state = OLD_TOKENS["old key A", name], OLD_STATES[name]
    codec = TokenCodec("old key A")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    edits = [token[:cut] for cut in range(len(token))] + [token + "A", "2." + token]
    for position, char in enumerate(token):
        for other in alphabet + ".=+/ ":
            if other != char:
                edits.append(token[:position] + other + token[position + 1 :])
    for bad in edits:
        with pytest.raises(BadResumptionToken):
            codec.decode(bad, state.verb)


_SECONDS = st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59)).map(
    lambda value: value.replace(microsecond=0)
)
_STATES = st.builds(
    ListState,
    verb=st.sampled_from(["ListRecords", "ListIdentifiers", "ListSets"]),
    metadata_prefix=st.none() | st.text(),
    from_=st.none() | _SECONDS,
    until=st.none() | _SECONDS,
    set_spec=st.none() | st.text(),
    after_datestamp=st.none() | _SECONDS,
    after_key=st.text(),
    cursor=st.integers(0, 2**63),
    complete_list_size=st.integers(0, 2**63),
    issued=st.integers(0, 2**40),
)


@settings(max_examples=300, deadline=None)
@given(state=_STATES, keys=st.lists(st.text(min_size=1), min_size=1, max_size=3))
def test_any_state_round_trips(state: ListState, keys: list[str]) -> None:
    token = TokenCodec(keys[0]).encode(state)
    assert TokenCodec(keys[0], fallbacks=keys[1:]).decode(token, state.verb) == state
    assert TokenCodec("x" + keys[-1], fallbacks=keys).decode(token, state.verb) == state


@settings(max_examples=300, deadline=None)
@given(text=st.text() | st.from_regex(r"\A2\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}\Z"))
def test_any_text_is_a_state_or_bad_resumption_token(text: str) -> None:
    with pytest.raises(BadResumptionToken):
        TokenCodec("key").decode(text, "ListRecords")


@settings(max_examples=300, deadline=None)
@given(state=_STATES, data=st.data())
def test_any_edit_is_refused(state: ListState, data: st.DataObject) -> None:
    codec = TokenCodec("key")
    token = codec.encode(state)
    start = data.draw(st.integers(0, len(token) - 1))
    end = data.draw(st.integers(start, min(len(token), start + 3)))
    replacement = data.draw(st.text(max_size=3))
    edited = token[:start] + replacement + token[end:]
    if edited != token:
        with pytest.raises(BadResumptionToken):
            codec.decode(edited, state.verb)
