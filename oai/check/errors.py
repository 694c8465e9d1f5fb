"""Error conditions (spec 3.6): every code, by every way of provoking it.

Each case is a request and the codes that may answer it. The table is built from what
the run has learnt (a format and an identifier the repository really has), so that each
request is wrong in exactly one way. Cases needing sets, tokens, windows or a record
lacking a format live beside the checks that find those (selective, tokens, records).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .client import Pairs, Request
from .context import DAY, Answer, Context

UNKNOWN_FORMAT = "oai_check_no_such_format"
UNKNOWN_ID = "oai:oai-check.invalid:no-such-record"
GARBLED = "oai-check-garbled-token-0123456789"


@dataclass(frozen=True, slots=True)
class Case:
    check: str
    what: str
    pairs: Pairs
    #: The codes that may answer; the response must hold errors, all of them among these.
    codes: frozenset[str]


def _case(check: str, what: str, *pairs: tuple[str, str], codes: str = "") -> Case:
    return Case(check, what, pairs, frozenset((codes or check.split(".", 1)[1]).split()))


def _verb_cases() -> Iterator[Case]:
    yield _case("errors.badVerb", "no verb")
    yield _case("errors.badVerb", "verb repeated", ("verb", "Identify"), ("verb", "Identify"))
    yield _case("errors.badVerb", "an unknown verb", ("verb", "NoSuchVerb"))
    yield _case("errors.badVerb", "a verb in the wrong case", ("verb", "identify"))
    yield _case("errors.badVerb", "an empty verb", ("verb", ""))


def _argument_cases(prefix: str, identifier: str, granularity: str | None) -> Iterator[Case]:
    bad = "errors.badArgument"
    extra = ("oaiCheckUnknown", "1")
    p, i = ("metadataPrefix", prefix), ("identifier", identifier)
    for verb in ("Identify", "ListMetadataFormats", "ListSets"):
        yield _case(bad, f"{verb} with an unknown argument", ("verb", verb), extra)
    yield _case(bad, "GetRecord without metadataPrefix", ("verb", "GetRecord"), i)
    yield _case(bad, "GetRecord without identifier", ("verb", "GetRecord"), p)
    yield _case(bad, "GetRecord with an unknown argument", ("verb", "GetRecord"), i, p, extra)
    yield _case(bad, "GetRecord with identifier repeated", ("verb", "GetRecord"), i, i, p)
    yield _case(
        bad, "ListMetadataFormats with identifier repeated", ("verb", "ListMetadataFormats"), i, i
    )
    for verb in ("ListIdentifiers", "ListRecords"):
        v = ("verb", verb)
        yield _case(bad, f"{verb} without metadataPrefix", v)
        yield _case(bad, f"{verb} with an unknown argument", v, p, extra)
        yield _case(bad, f"{verb} with metadataPrefix repeated", v, p, p)
        yield _case(bad, f"{verb} with a set and no metadataPrefix", v, ("set", "a"))
        for name, value in (
            ("from", "junk"),
            ("until", "junk"),
            ("from", "2024-13-01"),
            ("from", "2023-02-29"),
            ("until", "2024-01-01T25:00:00Z"),
            ("from", "2024-01-01T00:00:00"),
            ("from", "2024-1-1"),
            ("until", ""),
        ):
            yield _case(bad, f"{verb} with {name}={value!r}", v, p, (name, value))
        yield _case(
            bad,
            f"{verb} with from and until of different granularities",
            v,
            p,
            ("from", "2024-01-01"),
            ("until", "2024-01-02T00:00:00Z"),
        )
        yield _case(
            bad,
            f"{verb} with from later than until",
            v,
            p,
            ("from", "2024-02-01"),
            ("until", "2024-01-01"),
        )
        if granularity == DAY:
            yield _case(
                bad,
                f"{verb} with seconds in a day-granularity repository",
                v,
                p,
                ("from", "2024-01-01T00:00:00Z"),
            )
        yield _case(
            bad,
            f"{verb} with a resumptionToken and metadataPrefix",
            v,
            ("resumptionToken", GARBLED),
            p,
            codes="badArgument badResumptionToken",
        )


def _other_cases(prefix: str, identifier: str, has_sets: bool) -> Iterator[Case]:
    cannot = "errors.cannotDisseminateFormat"
    # Without a record known to exist, the unknown identifier may be refused first.
    either = "cannotDisseminateFormat" + (" idDoesNotExist" if identifier == UNKNOWN_ID else "")
    yield _case(
        cannot,
        "GetRecord in an unknown format",
        ("verb", "GetRecord"),
        ("identifier", identifier),
        ("metadataPrefix", UNKNOWN_FORMAT),
        codes=either,
    )
    for verb in ("ListIdentifiers", "ListRecords"):
        yield _case(
            cannot,
            f"{verb} in an unknown format",
            ("verb", verb),
            ("metadataPrefix", UNKNOWN_FORMAT),
        )
    missing = "errors.idDoesNotExist"
    yield _case(
        missing,
        "GetRecord of an unknown identifier",
        ("verb", "GetRecord"),
        ("identifier", UNKNOWN_ID),
        ("metadataPrefix", prefix),
    )
    yield _case(
        missing,
        "ListMetadataFormats of an unknown identifier",
        ("verb", "ListMetadataFormats"),
        ("identifier", UNKNOWN_ID),
    )
    yield _case(
        missing,
        "GetRecord of an identifier that is no URI",
        ("verb", "GetRecord"),
        ("identifier", 'invalid"id'),
        ("metadataPrefix", prefix),
        codes="idDoesNotExist badArgument",
    )
    token = "errors.badResumptionToken"
    for verb in ("ListIdentifiers", "ListRecords"):
        yield _case(
            token, f"{verb} with a garbled token", ("verb", verb), ("resumptionToken", GARBLED)
        )
    yield _case(
        token,
        "ListSets with a garbled token",
        ("verb", "ListSets"),
        ("resumptionToken", GARBLED),
        codes="badResumptionToken" + ("" if has_sets else " noSetHierarchy"),
    )


def cases(ctx: Context) -> list[Case]:
    prefix = ctx.main_prefix() or "oai_dc"
    identifier = ctx.live_identifier() or UNKNOWN_ID
    return [
        *_verb_cases(),
        *_argument_cases(prefix, identifier, ctx.facts.granularity),
        *_other_cases(prefix, identifier, ctx.sets is not None),
    ]


def check(ctx: Context) -> None:
    for case in cases(ctx):
        answer = ctx.send(Request("GET", case.pairs))
        codes = answer.errors
        ctx.report.expect(
            case.check,
            bool(codes) and set(codes) <= case.codes,
            f"{case.what}: answered {codes or _what(answer)}, expected "
            f"{' or '.join(sorted(case.codes))}",
            answer.where,
        )


def _what(answer: Answer) -> str:
    if answer.doc is None:
        return f"HTTP {answer.exchange.status} without an OAI-PMH document"
    return "no error"
