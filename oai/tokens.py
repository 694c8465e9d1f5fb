"""Resumption tokens: a list's whole state in an opaque, signed string.

A token carries the query (metadataPrefix, from, until, set), the snapshot's
upper datestamp bound, the keyset position (last datestamp and identifier
sent), the cursor and completeListSize counted at the first page. The server
keeps nothing, so any process holding the same key serves the next page, and
the same token always yields the same page. This is the only module that knows
the token format; callers see :class:`ListState` and :class:`TokenCodec`.

The format, version 2 (issued)::

    2.<payload>.<signature>

``payload`` is the unpadded base64url of a compact JSON list, ``[metadataPrefix,
from, until, set, after_datestamp, after_key, cursor, completeListSize, issued]``
(datestamps as Unix seconds, absent values ``null``). ``signature`` is an
:class:`itsdangerous.Signer` signature of ``2.<payload>``: HMAC-SHA256, truncated
to 16 bytes, under a key derived (HMAC-SHA256) from the secret and the salt
``oai-resumption-token:<verb>``. The verb is not in the payload: the salt binds the
token to its verb, so a token taken to another list fails its signature. Every
secret key verifies (``OAI_SECRET_KEY`` and ``OAI_SECRET_KEY_FALLBACKS``), the
first signs, so the key can be rotated under harvests in flight.

Version 1, issued before itsdangerous, is still read, so a harvest in flight
across the upgrade goes on: ``<payload>.<signature>`` where ``payload`` is the
base64url of ``[1, verb, ...the nine fields above]`` and ``signature`` the first
16 bytes of HMAC-SHA256 over the decoded payload, keyed with
``SHA-256(b"oai-resumption-token\\x00" + secret)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, Signer
from itsdangerous.signer import SigningAlgorithm

from .errors import BadResumptionToken

#: The verbs that issue tokens; each signs with a salt of its own.
_LIST_VERBS = ("ListIdentifiers", "ListRecords", "ListSets")
_SALT = "oai-resumption-token:"
_VERSION = "2"
_SIGNATURE_BYTES = 16
#: 16 bytes are 22 base64 characters; the last carries 2 bits, so only A, Q, g and w
#: spell it. Any other last letter decodes to the same bytes: refused as an edit.
_SIGNATURE = r"[A-Za-z0-9_-]{21}[AQgw]"
_TOKEN = re.compile(rf"{_VERSION}\.[A-Za-z0-9_-]+\.{_SIGNATURE}")
_OLD_TOKEN = re.compile(rf"([A-Za-z0-9_-]+)\.({_SIGNATURE})")
_OLD_VERSION = 1
_OLD_KEY_PREFIX = b"oai-resumption-token\x00"

_NOT_OURS = "The resumptionToken is not one this repository issued."


@dataclass(frozen=True, slots=True)
class ListState:
    """Where a list sequence stands; what a resumption token encodes."""

    verb: str
    metadata_prefix: str | None
    from_: datetime | None
    until: datetime | None
    set_spec: str | None
    #: Keyset position: (datestamp, identifier) of the last item sent; for ListSets the
    #: datestamp is None and the identifier is the last setSpec.
    after_datestamp: datetime | None
    after_key: str
    cursor: int
    complete_list_size: int
    #: Unix time when the list sequence started; used only for OAI_TOKEN_MAX_AGE.
    issued: int


def _key_bytes(key: str | bytes) -> bytes:
    # surrogateescape: a key read from the environment that is not UTF-8 gets its bytes back.
    return key.encode("utf-8", "surrogateescape") if isinstance(key, str) else key


class _TruncatedHMAC(SigningAlgorithm):
    """HMAC-SHA256 cut to 16 bytes (as RFC 4868's HMAC-SHA-256-128): 21 characters
    shorter than the full digest, on a token a harvester sends back with every page."""

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.digest(key, value, "sha256")[:_SIGNATURE_BYTES]


class _Signer(Signer):
    """A Signer that derives each key once, not on every call (an HMAC per page saved)."""

    def __init__(self, keys: list[bytes], salt: str) -> None:
        super().__init__(
            keys,
            salt=salt,
            key_derivation="hmac",
            digest_method=hashlib.sha256,
            algorithm=_TruncatedHMAC(),
        )
        self._derived = {key: Signer.derive_key(self, key) for key in self.secret_keys}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = self.secret_keys[-1] if secret_key is None else _key_bytes(secret_key)
        derived = self._derived.get(key)
        return derived if derived is not None else super().derive_key(key)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# Datetimes (UTC; naive, or their zone ignored, as before) <-> Unix seconds by timedelta
# arithmetic: the numbers of timestamp()/fromtimestamp(), at a fraction of the cost (three
# of each per token).
#: The start of Unix time as a naive UTC datetime (also :func:`oai.protocol.utc_now`'s).
EPOCH = datetime(1970, 1, 1)
_SECOND = timedelta(seconds=1)


def _epoch(value: datetime | None) -> int | None:
    return None if value is None else (value.replace(tzinfo=None) - EPOCH) // _SECOND


def _from_epoch(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("bad timestamp")
    return EPOCH + timedelta(seconds=value)


def _optional_str(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError("bad string")


def _str(value: object) -> str:
    if isinstance(value, str):
        return value
    raise ValueError("bad string")


def _int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError("bad integer")


def _state(verb: str, fields: list[object]) -> ListState:
    """The nine fields both versions share, after the verb; ValueError if malformed."""
    return ListState(
        verb=verb,
        metadata_prefix=_optional_str(fields[0]),
        from_=_from_epoch(fields[1]),
        until=_from_epoch(fields[2]),
        set_spec=_optional_str(fields[3]),
        after_datestamp=_from_epoch(fields[4]),
        after_key=_str(fields[5]),
        cursor=_int(fields[6]),
        complete_list_size=_int(fields[7]),
        issued=_int(fields[8]),
    )


class TokenCodec:
    """Signs tokens with the current key; verifies them with it or any fallback key.

    Optionally rejects tokens whose list started more than ``max_age`` seconds ago.
    """

    def __init__(
        self,
        secret: str | bytes,
        max_age: int | None = None,
        clock: Callable[[], float] = time.time,
        *,
        fallbacks: Iterable[str | bytes] = (),
    ) -> None:
        keys: list[bytes] = []  # newest first, each once
        for key in (secret, *fallbacks):
            if _key_bytes(key) not in keys:
                keys.append(_key_bytes(key))
        # itsdangerous lists keys oldest to newest and signs with the last.
        self._signers = {verb: _Signer(keys[::-1], _SALT + verb) for verb in _LIST_VERBS}
        self._old_keys = tuple(hashlib.sha256(_OLD_KEY_PREFIX + key).digest() for key in keys)
        self.max_age = max_age
        self._clock = clock

    def expires_at(self, state: ListState) -> datetime | None:
        """When the token stops working, for the resumptionToken's expirationDate."""
        if self.max_age is None:
            return None
        return EPOCH + timedelta(seconds=state.issued + self.max_age)

    def encode(self, state: ListState) -> str:
        """The version 2 token of ``state``; ValueError for a verb without tokens."""
        signer = self._signers.get(state.verb)
        if signer is None:
            raise ValueError(f"{state.verb} issues no resumption tokens")
        fields = [
            state.metadata_prefix,
            _epoch(state.from_),
            _epoch(state.until),
            state.set_spec,
            _epoch(state.after_datestamp),
            state.after_key,
            state.cursor,
            state.complete_list_size,
            state.issued,
        ]
        payload = json.dumps(fields, separators=(",", ":"), ensure_ascii=True).encode("ascii")
        return signer.sign(f"{_VERSION}.{_b64(payload)}").decode("ascii")

    def decode(self, token: str, verb: str) -> ListState:
        """The state in ``token``, or BadResumptionToken if it is garbled, forged,
        issued for another verb, or older than OAI_TOKEN_MAX_AGE."""
        if _TOKEN.fullmatch(token):
            state = self._decode(token, verb)
        else:
            old = _OLD_TOKEN.fullmatch(token)
            if old is None:
                raise BadResumptionToken(_NOT_OURS)
            state = self._decode_old(old[1], old[2], verb)
        if self.max_age is not None and self._clock() > state.issued + self.max_age:
            raise BadResumptionToken("The resumptionToken has expired; start the list again.")
        return state

    def _decode(self, token: str, verb: str) -> ListState:
        signer = self._signers.get(verb)
        if signer is None:
            raise BadResumptionToken(_NOT_OURS)
        try:
            signed = signer.unsign(token)
        except BadSignature:
            for other, other_signer in self._signers.items():
                if other != verb and other_signer.validate(token):
                    raise BadResumptionToken(
                        f"This resumptionToken belongs to {other}, not {verb}."
                    ) from None
            raise BadResumptionToken(_NOT_OURS) from None
        try:
            fields = json.loads(_unb64(signed[len(_VERSION) + 1 :].decode("ascii")))
            if not isinstance(fields, list) or len(fields) != 9:
                raise ValueError("bad layout")
            return _state(verb, fields)
        except (ValueError, TypeError, OverflowError, OSError, binascii.Error):
            raise BadResumptionToken(_NOT_OURS) from None

    def _decode_old(self, payload_text: str, signature_text: str, verb: str) -> ListState:
        """A version 1 token, issued before the itsdangerous signatures."""
        try:
            payload = _unb64(payload_text)
            # The old signature covers the decoded bytes, so only the spelling we issued:
            # base64 ignores the spare bits of a last character.
            if _b64(payload) != payload_text:
                raise ValueError("not canonical")
        except (ValueError, binascii.Error):
            raise BadResumptionToken(_NOT_OURS) from None
        signature = _unb64(signature_text)
        if not any(
            hmac.compare_digest(signature, hmac.digest(key, payload, "sha256")[:_SIGNATURE_BYTES])
            for key in self._old_keys
        ):
            raise BadResumptionToken(_NOT_OURS)
        try:
            fields = json.loads(payload)
            if not isinstance(fields, list) or len(fields) != 11 or fields[0] != _OLD_VERSION:
                raise ValueError("bad layout")
            state = _state(_str(fields[1]), fields[2:])
        except (ValueError, TypeError, OverflowError, OSError):
            raise BadResumptionToken(_NOT_OURS) from None
        if state.verb != verb:
            raise BadResumptionToken(f"This resumptionToken belongs to {state.verb}, not {verb}.")
        return state
