"""Resumption tokens: a list's whole state in an opaque, signed string.

A token carries the query (verb, metadataPrefix, from, set), the snapshot's
upper datestamp bound, the keyset position (last datestamp and identifier
sent), the cursor and completeListSize counted at the first page. The server
keeps nothing, so any process holding the same key serves the next page, and
the same token always yields the same page. The signature is an HMAC-SHA256
over the payload, which includes the verb: a token from one verb or query is
rejected by another, and an edited token is rejected outright.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from .errors import BadResumptionToken

_VERSION = 1
_SIGNATURE_BYTES = 16


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


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _epoch(value: datetime | None) -> int | None:
    return None if value is None else int(value.replace(tzinfo=UTC).timestamp())


def _from_epoch(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("bad timestamp")
    return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)


def _optional_str(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError("bad string")


def _int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ValueError("bad integer")


class TokenCodec:
    """Signs and verifies tokens with one key; optionally rejects old ones."""

    def __init__(
        self,
        secret: str | bytes,
        max_age: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        key = secret.encode("utf-8") if isinstance(secret, str) else secret
        # Derive a token-only key so the stored secret is never used directly for anything else.
        self._key = hashlib.sha256(b"oai-resumption-token\x00" + key).digest()
        self.max_age = max_age
        self._clock = clock

    def _sign(self, payload: bytes) -> bytes:
        return hmac.digest(self._key, payload, "sha256")[:_SIGNATURE_BYTES]

    def expires_at(self, state: ListState) -> datetime | None:
        """When the token stops working, for the resumptionToken's expirationDate."""
        if self.max_age is None:
            return None
        return datetime.fromtimestamp(state.issued + self.max_age, UTC).replace(tzinfo=None)

    def encode(self, state: ListState) -> str:
        fields = [
            _VERSION,
            state.verb,
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
        return f"{_b64(payload)}.{_b64(self._sign(payload))}"

    def decode(self, token: str, verb: str) -> ListState:
        """The state in ``token``, or BadResumptionToken if it is garbled, forged,
        issued for another verb, or older than OAI_TOKEN_MAX_AGE."""
        try:
            payload_text, signature_text = token.split(".")
            payload = _unb64(payload_text)
            signature = _unb64(signature_text)
            # Only the one spelling we issue: base64 ignores the spare bits of a last
            # character, so an edited token could otherwise still decode to a valid one.
            if _b64(payload) != payload_text or _b64(signature) != signature_text:
                raise ValueError("not canonical")
        except (ValueError, binascii.Error):
            raise BadResumptionToken(
                "The resumptionToken is not one this repository issued."
            ) from None
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise BadResumptionToken("The resumptionToken is not one this repository issued.")
        try:
            fields = json.loads(payload)
            if not isinstance(fields, list) or len(fields) != 11 or fields[0] != _VERSION:
                raise ValueError("bad layout")
            state = ListState(
                verb=str(fields[1]),
                metadata_prefix=_optional_str(fields[2]),
                from_=_from_epoch(fields[3]),
                until=_from_epoch(fields[4]),
                set_spec=_optional_str(fields[5]),
                after_datestamp=_from_epoch(fields[6]),
                after_key=str(fields[7]),
                cursor=_int(fields[8]),
                complete_list_size=_int(fields[9]),
                issued=_int(fields[10]),
            )
        except (ValueError, TypeError, OverflowError, OSError):
            raise BadResumptionToken(
                "The resumptionToken is not one this repository issued."
            ) from None
        if state.verb != verb:
            raise BadResumptionToken(f"This resumptionToken belongs to {state.verb}, not {verb}.")
        if self.max_age is not None and self._clock() > state.issued + self.max_age:
            raise BadResumptionToken("The resumptionToken has expired; start the list again.")
        return state
