"""What an error page says: the error in plain words, and a request that would work.

The correction starts from what the person typed and changes as little as it
can, using the argument table of :mod:`oai.protocol`, so the example link
teaches the rule that was broken. It is a suggestion, built from facts the page
already has (a format, a real identifier); tests check that following it works.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import ALL_ERRORS, BadArgument
from ..protocol import ARGUMENTS, parse_datestamp

#: Each error code in a person's words (the XML carries the spec's sentence and our detail).
EXPLANATIONS = {
    "badVerb": (
        "The address does not name one of the six OAI-PMH verbs, or names more than one. "
        "Verbs are case-sensitive: Identify, ListMetadataFormats, ListSets, "
        "ListIdentifiers, ListRecords and GetRecord."
    ),
    "badArgument": (
        "The request lacks an argument this verb needs, has one it does not take, repeats "
        "one, or has a value in the wrong form. Dates are written 2024-01-31 or "
        "2024-01-31T12:00:00Z, and from and until must use the same form."
    ),
    "badResumptionToken": (
        "The token that continues a list is damaged, has expired, or belongs to another "
        "list. Start the list again from its first page."
    ),
    "cannotDisseminateFormat": (
        "The record, or the repository, is not available in the metadata format asked for. "
        "ListMetadataFormats names the formats on offer."
    ),
    "idDoesNotExist": "No record in this repository has that identifier.",
    "noRecordsMatch": "No records fall within the dates and the set asked for.",
    "noMetadataFormats": "This item is not available in any metadata format.",
    "noSetHierarchy": "This repository does not sort its records into sets.",
}
assert set(EXPLANATIONS) == {error.code for error in ALL_ERRORS}, "explain every error code"

Pairs = list[tuple[str, str]]


def _verb(pairs: Sequence[tuple[str, str]]) -> str:
    """The verb meant: as typed if legal, else the legal one spelt differently, else Identify."""
    for name, value in pairs:
        if name != "verb":
            continue
        if value in ARGUMENTS:
            return value
        for verb in ARGUMENTS:
            if verb.lower() == value.strip().lower():
                return verb
    return "Identify"


def _dates(arguments: dict[str, str]) -> None:
    """Drop from/until values that cannot be read, and both when they contradict each other."""
    parsed = {}
    for name in ("from", "until"):
        if name in arguments:
            try:
                parsed[name] = parse_datestamp(arguments[name])
            except BadArgument:
                del arguments[name]
    start, end = parsed.get("from"), parsed.get("until")
    if start and end and (start.day != end.day or start.value > end.value):
        # Which of the two was meant is anyone's guess: show the list without either.
        del arguments["from"], arguments["until"]


def corrected(
    code: str,
    pairs: Sequence[tuple[str, str]],
    *,
    prefix: str,
    sample_identifier: str | None,
    record_prefixes: Sequence[str] = (),
) -> Pairs:
    """A request like ``pairs`` that avoids ``code``: verb first, arguments once each.

    ``prefix`` is a format the repository offers; ``sample_identifier`` a record that
    exists (None in an empty repository); ``record_prefixes`` the formats of the
    record asked for, when it exists.
    """
    verb = _verb(pairs)
    if code == "noSetHierarchy" and verb == "ListSets":
        verb = "ListIdentifiers"  # no sets to list: the records themselves are the way in
    rules = ARGUMENTS[verb]
    arguments: dict[str, str] = {}
    for name, value in pairs:
        if name in rules and value and name not in arguments:
            arguments[name] = value
    # Whatever went wrong with a resumed list, its first page is the way back in.
    arguments.pop("resumptionToken", None)
    _dates(arguments)
    if code == "cannotDisseminateFormat":
        arguments["metadataPrefix"] = record_prefixes[0] if record_prefixes else prefix
    if code == "idDoesNotExist" or code == "noMetadataFormats":
        arguments.pop("identifier", None)
    if code == "noRecordsMatch":
        for name in ("from", "until", "set"):
            arguments.pop(name, None)
    if code == "noSetHierarchy":
        arguments.pop("set", None)
    for name, rule in rules.items():
        if rule != "required" or name in arguments:
            continue
        if name == "metadataPrefix":
            arguments[name] = prefix
        elif name == "identifier" and sample_identifier is not None:
            arguments[name] = sample_identifier
        else:
            return [("verb", "Identify")]
    return [("verb", verb), *arguments.items()]
