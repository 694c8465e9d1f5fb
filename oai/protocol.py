"""Argument parsing and validation: request arguments in, one typed request out.

Pure: no Flask, no database. :func:`parse` takes the argument pairs as they
came (repeats kept), and returns a request dataclass or raises an OAIError.
The argument rules of the spec (section 4) are the table :data:`ARGUMENTS`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from .errors import BadArgument, BadResumptionToken, BadVerb
from .tokens import EPOCH, ListState, TokenCodec
from .uris import is_any_uri

Rule = Literal["required", "optional", "exclusive"]

#: verb -> argument -> rule, as in the spec's section 4.
ARGUMENTS: dict[str, dict[str, Rule]] = {
    "Identify": {},
    "ListMetadataFormats": {"identifier": "optional"},
    "ListSets": {"resumptionToken": "exclusive"},
    "GetRecord": {"identifier": "required", "metadataPrefix": "required"},
    "ListIdentifiers": {
        "metadataPrefix": "required",
        "from": "optional",
        "until": "optional",
        "set": "optional",
        "resumptionToken": "exclusive",
    },
    "ListRecords": {
        "metadataPrefix": "required",
        "from": "optional",
        "until": "optional",
        "set": "optional",
        "resumptionToken": "exclusive",
    },
}

# ASCII digits only, matched against the whole value (``$`` would accept a trailing newline).
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_SECONDS = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z", re.ASCII)
_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+", re.ASCII)
_SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(?::[A-Za-z0-9\-_.!~*'()]+)*", re.ASCII)

#: argument -> whether a value has the syntax OAI-PMH.xsd gives its ``<request>`` attribute.
#: A value outside it is a badArgument: echoing it would make the response invalid.
SYNTAX: dict[str, Callable[[str], bool]] = {
    "metadataPrefix": lambda value: _PREFIX.fullmatch(value) is not None,
    "set": lambda value: _SET_SPEC.fullmatch(value) is not None,
    "identifier": is_any_uri,
}


@dataclass(frozen=True, slots=True)
class Identify:
    verb: Literal["Identify"] = "Identify"


@dataclass(frozen=True, slots=True)
class ListMetadataFormats:
    identifier: str | None
    verb: Literal["ListMetadataFormats"] = "ListMetadataFormats"


@dataclass(frozen=True, slots=True)
class ListSets:
    #: None for the first page; the decoded token otherwise.
    state: ListState | None
    verb: Literal["ListSets"] = "ListSets"


@dataclass(frozen=True, slots=True)
class GetRecord:
    identifier: str
    metadata_prefix: str
    verb: Literal["GetRecord"] = "GetRecord"


@dataclass(frozen=True, slots=True)
class ListItems:
    """ListIdentifiers or ListRecords: a first page (state None) or a resumed one."""

    verb: Literal["ListIdentifiers", "ListRecords"]
    metadata_prefix: str
    from_: datetime | None
    until: datetime | None
    set_spec: str | None
    state: ListState | None

    @classmethod
    def resumed(cls, state: ListState) -> ListItems:
        """The request a resumptionToken carrying ``state`` stands for."""
        if state.metadata_prefix is None or state.verb not in ("ListIdentifiers", "ListRecords"):
            raise BadResumptionToken("The resumptionToken does not continue a list of items.")
        verb: Literal["ListIdentifiers", "ListRecords"] = (
            "ListRecords" if state.verb == "ListRecords" else "ListIdentifiers"
        )
        return cls(verb, state.metadata_prefix, state.from_, state.until, state.set_spec, state)


Request = Identify | ListMetadataFormats | ListSets | GetRecord | ListItems


@dataclass(frozen=True, slots=True)
class Datestamp:
    """A parsed from/until value: its instant and whether it was given to the day."""

    value: datetime
    day: bool


def parse_datestamp(text: str) -> Datestamp:
    """Parse ``YYYY-MM-DD`` or ``YYYY-MM-DDThh:mm:ssZ``; BadArgument otherwise."""
    match = _SECONDS.fullmatch(text) or _DAY.fullmatch(text)
    if match is None:
        raise BadArgument(f"{text!r} is not a UTC datestamp (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ).")
    try:
        year, month, day, *clock = (int(part) for part in match.groups())
        hour, minute, second = clock or (0, 0, 0)
        value = datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise BadArgument(f"{text!r} is not a valid date.") from None
    return Datestamp(value, day=len(match.groups()) == 3)


def format_datestamp(value: datetime) -> str:
    """The repository's datestamp form, seconds granularity in UTC.

    Not ``strftime("%Y")``: that writes year 1 as ``1``, which no schema accepts.
    """
    return value.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def utc_now() -> datetime:
    """Now, in UTC, naive, truncated to the second (the repository's granularity).

    From the Unix seconds: ``datetime.now(UTC).replace(...)``'s value in half its time
    (0.9 against 1.7 us, once a request)."""
    return EPOCH + timedelta(seconds=int(time.time()))


def _collect(pairs: Iterable[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    verbs: list[str] = []
    arguments: dict[str, str] = {}
    repeated: list[str] = []
    for name, value in pairs:
        if name == "verb":
            verbs.append(value)
        elif name in arguments:
            repeated.append(name)
        else:
            arguments[name] = value
    if not verbs:
        raise BadVerb("The verb argument is missing.")
    if len(verbs) > 1:
        raise BadVerb("The verb argument is repeated.")
    verb = verbs[0]
    if verb not in ARGUMENTS:
        raise BadVerb(f"{verb!r} is not an OAI-PMH verb.")
    if repeated:
        raise BadArgument(f"The argument {repeated[0]!r} is repeated.")
    return verb, arguments


def check_arguments(verb: str, arguments: dict[str, str]) -> None:
    """Apply the verb's row of :data:`ARGUMENTS`; BadArgument on the first violation."""
    rules = ARGUMENTS[verb]
    unknown = sorted(set(arguments) - set(rules))
    if unknown:
        raise BadArgument(f"{verb} does not take the argument {unknown[0]!r}.")
    # An empty value has no legal syntax (identifier, metadataPrefix, setSpec, dates); an
    # empty resumptionToken is left to parse, which calls it a badResumptionToken.
    empty = [name for name, value in arguments.items() if not value and name != "resumptionToken"]
    if empty:
        raise BadArgument(f"The argument {empty[0]!r} is empty.")
    exclusive = [name for name, rule in rules.items() if rule == "exclusive" and name in arguments]
    if exclusive:
        if len(arguments) > 1:
            raise BadArgument(f"{exclusive[0]} must be the only argument besides verb.")
        return
    for name, rule in rules.items():
        if rule == "required" and name not in arguments:
            raise BadArgument(f"{verb} requires the argument {name!r}.")
    for name, value in arguments.items():
        legal = SYNTAX.get(name)
        if legal is not None and not legal(value):
            raise BadArgument(f"The value of {name!r} has an illegal syntax.")


def _window(arguments: dict[str, str]) -> tuple[datetime | None, datetime | None]:
    start = parse_datestamp(arguments["from"]) if "from" in arguments else None
    end = parse_datestamp(arguments["until"]) if "until" in arguments else None
    if start and end and start.day != end.day:
        raise BadArgument("from and until must have the same granularity.")
    if start and end and start.value > end.value:
        raise BadArgument("from must not be later than until.")
    until = end.value + timedelta(days=1, seconds=-1) if end and end.day else None
    return (start.value if start else None), (until or (end.value if end else None))


def parse(pairs: Iterable[tuple[str, str]], codec: TokenCodec) -> Request:
    """Turn request arguments into a typed request; raise BadVerb, BadArgument or
    BadResumptionToken when the spec says so."""
    verb, arguments = _collect(pairs)
    check_arguments(verb, arguments)
    token = arguments.get("resumptionToken")
    if token is not None and not token:
        raise BadResumptionToken("The resumptionToken is empty.")
    if verb == "Identify":
        return Identify()
    if verb == "ListMetadataFormats":
        return ListMetadataFormats(arguments.get("identifier"))
    if verb == "ListSets":
        return ListSets(codec.decode(token, verb) if token else None)
    if verb == "GetRecord":
        return GetRecord(arguments["identifier"], arguments["metadataPrefix"])
    assert verb in ("ListIdentifiers", "ListRecords")
    if token:
        return ListItems.resumed(codec.decode(token, verb))
    from_, until = _window(arguments)
    items: Literal["ListIdentifiers", "ListRecords"] = (
        "ListRecords" if verb == "ListRecords" else "ListIdentifiers"
    )
    return ListItems(items, arguments["metadataPrefix"], from_, until, arguments.get("set"), None)


def echo_arguments(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The arguments ``<request>`` may carry once the request parsed: verb first, each once."""
    seen: dict[str, str] = {}
    for name, value in pairs:
        seen.setdefault(name, value)
    ordered = [("verb", seen.pop("verb"))] if "verb" in seen else []
    return ordered + sorted(seen.items())
