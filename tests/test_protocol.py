"""oai.protocol.parse against the spec's argument rules (OAI-PMH 2.0, sections 3.1.1 and 4).

The table below is this file's own reading of the spec, written out independently of
``oai.protocol.ARGUMENTS``: rows are generated from it for every verb (missing, unknown,
repeated, empty and exclusive arguments), then the date rules get their own rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oai import protocol
from oai.errors import OAIError
from oai.tokens import ListState, TokenCodec


@dataclass(frozen=True)
class VerbRule:
    """One verb's arguments as the spec lists them."""

    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    exclusive: str | None = None


SPEC: dict[str, VerbRule] = {
    "Identify": VerbRule(),
    "ListMetadataFormats": VerbRule(optional=("identifier",)),
    "ListSets": VerbRule(exclusive="resumptionToken"),
    "GetRecord": VerbRule(required=("identifier", "metadataPrefix")),
    "ListIdentifiers": VerbRule(
        required=("metadataPrefix",),
        optional=("from", "until", "set"),
        exclusive="resumptionToken",
    ),
    "ListRecords": VerbRule(
        required=("metadataPrefix",),
        optional=("from", "until", "set"),
        exclusive="resumptionToken",
    ),
}

#: A legal value for every argument name (from/until chosen so that from <= until).
VALUES = {
    "identifier": "oai:example.org:rec-1",
    "metadataPrefix": "oai_dc",
    "from": "2024-01-01",
    "until": "2024-12-31",
    "set": "journal:prometheus",
}

CODEC = TokenCodec("protocol-test-key")


def token_for(verb: str) -> str:
    state = ListState(
        verb=verb,
        metadata_prefix=None if verb == "ListSets" else "oai_dc",
        from_=None,
        until=datetime(2024, 6, 1),
        set_spec=None,
        after_datestamp=None if verb == "ListSets" else datetime(2024, 1, 2, 3, 4, 5),
        after_key="oai:example.org:rec-1",
        cursor=3,
        complete_list_size=10,
        issued=1_700_000_000,
    )
    return CODEC.encode(state)


def code_of(pairs: list[tuple[str, str]]) -> str | None:
    """The OAI error code parse raises, or None when it accepts the request."""
    try:
        protocol.parse(pairs, CODEC)
    except OAIError as error:
        return error.code
    return None


def _rows() -> list[object]:
    rows: list[object] = []

    def row(name: str, pairs: list[tuple[str, str]], code: str | None) -> None:
        rows.append(pytest.param(pairs, code, id=name))

    for verb, rule in SPEC.items():
        minimal = [("verb", verb)] + [(name, VALUES[name]) for name in rule.required]
        full = minimal + [(name, VALUES[name]) for name in rule.optional]
        row(f"{verb}-minimal", minimal, None)
        row(f"{verb}-all-optional", full, None)
        row(f"{verb}-unknown-argument", minimal + [("foo", "bar")], "badArgument")
        row(f"{verb}-argument-name-case", minimal + [("Identifier", "x")], "badArgument")
        for name in rule.required:
            without = [pair for pair in minimal if pair[0] != name]
            row(f"{verb}-missing-{name}", without, "badArgument")
        for name in rule.required + rule.optional:
            value = VALUES[name]
            row(f"{verb}-repeated-{name}-same", full + [(name, value)], "badArgument")
            row(f"{verb}-repeated-{name}-other", full + [(name, value + "x")], "badArgument")
            empty = [(n, "" if n == name else v) for n, v in full]
            row(f"{verb}-empty-{name}", empty, "badArgument")
        if rule.exclusive:
            token = [("verb", verb), ("resumptionToken", token_for(verb))]
            row(f"{verb}-token-alone", token, None)
            for name in rule.required + rule.optional:
                row(f"{verb}-token-with-{name}", token + [(name, VALUES[name])], "badArgument")
            row(f"{verb}-token-repeated", token + token[1:], "badArgument")
            # An empty or garbled token is the token's fault, not the arguments'.
            empty = [("verb", verb), ("resumptionToken", "")]
            row(f"{verb}-token-empty", empty, "badResumptionToken")
            garbled = [("verb", verb), ("resumptionToken", "x")]
            row(f"{verb}-token-garbled", garbled, "badResumptionToken")
        else:
            extra = [("resumptionToken", token_for("ListRecords"))]
            row(f"{verb}-takes-no-token", full + extra, "badArgument")
    return rows


@pytest.mark.parametrize(("pairs", "code"), _rows())
def test_argument_table(pairs: list[tuple[str, str]], code: str | None) -> None:
    assert code_of(pairs) == code


@pytest.mark.parametrize(
    "pairs",
    [
        pytest.param([], id="no-arguments"),
        pytest.param([("metadataPrefix", "oai_dc")], id="missing-verb"),
        pytest.param([("verb", "")], id="empty-verb"),
        pytest.param([("verb", "listrecords")], id="wrong-case"),
        pytest.param([("verb", "GetMetadata")], id="not-a-verb"),
        pytest.param([("verb", "Identify "), ("foo", "bar")], id="trailing-space"),
        pytest.param([("verb", "Identify"), ("verb", "Identify")], id="repeated-same"),
        pytest.param([("verb", "Identify"), ("verb", "ListSets")], id="repeated-other"),
        pytest.param([("Verb", "Identify")], id="name-case"),
    ],
)
def test_bad_verb(pairs: list[tuple[str, str]]) -> None:
    assert code_of(pairs) == "badVerb"


ILLEGAL_VALUES = [
    ("metadataPrefix", "oai dc"),
    ("metadataPrefix", "oai_dc\n"),
    ("metadataPrefix", "oai:dc"),
    ("metadataPrefix", "\x00"),
    ("metadataPrefix", "dc\u00e9"),
    ("set", "a:"),
    ("set", ":a"),
    ("set", "a::b"),
    ("set", "a b"),
    ("set", "a\n"),
    ("set", "\u00e9"),
    ("identifier", "%"),
    ("identifier", "oai:example.org:50%"),
    ("identifier", "oai:x:a#b#c"),
    ("identifier", "["),
    ("identifier", "oai:x:\x01"),
    ("identifier", "oai:x:\ufffe"),
]


def request_with(name: str, value: str) -> list[tuple[str, str]]:
    """A request that is legal but for ``name=value``."""
    if name == "identifier":
        args = {"verb": "GetRecord", "metadataPrefix": "oai_dc"}
    else:
        args = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    args[name] = value
    return list(args.items())


@pytest.mark.parametrize(("name", "value"), ILLEGAL_VALUES)
def test_illegal_syntax(name: str, value: str) -> None:
    """Values OAI-PMH.xsd would not allow in ``<request>`` are badArgument, never echoed."""
    assert code_of(request_with(name, value)) == "badArgument"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("metadataPrefix", "marc21"),
        ("metadataPrefix", "a-z_0.9!~*'()"),
        ("set", "a:b:c"),
        ("set", "x-y_z.!~*'()"),
        ("identifier", "oai:example.org:50%25"),
        ("identifier", "urn:nbn:de:0001-abc"),
        ("identifier", "http://example.org/a b"),
        ("identifier", "oai:example.org:caf\u00e9"),
    ],
)
def test_legal_syntax(name: str, value: str) -> None:
    assert code_of(request_with(name, value)) is None


LIST = [("verb", "ListRecords"), ("metadataPrefix", "oai_dc")]

MALFORMED_DATES = [
    "2024-1-01",
    "2024-01-1",
    "24-01-01",
    "20240101",
    "2024/01/01",
    "2024-01-01T00:00:00",
    "2024-01-01T00:00Z",
    "2024-01-01T00Z",
    "2024-01-01 00:00:00Z",
    "2024-01-01t00:00:00z",
    "2024-01-01T00:00:00.5Z",
    "2024-01-01T00:00:00+00:00",
    "2024-02-30",
    "2023-02-29",
    "2024-13-01",
    "2024-00-10",
    "0000-01-01",
    "2024-01-01T24:00:00Z",
    "2024-01-01T23:60:00Z",
    "2024-01-01T23:59:60Z",
    " 2024-01-01",
    "2024-01-01 ",
    "2024-01-01\n",
    "2024-01-01T00:00:00Z\n",
    "\uff12\uff10\uff12\uff14-01-01",
    "\u0662\u0660\u0662\u0664-01-01",
    "tomorrow",
    "-2024-01-01",
]


@pytest.mark.parametrize("name", ["from", "until"])
@pytest.mark.parametrize("value", MALFORMED_DATES)
def test_malformed_dates(name: str, value: str) -> None:
    assert code_of(LIST + [(name, value)]) == "badArgument"


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        pytest.param("2024-01-01", "2024-01-01T00:00:00Z", "badArgument", id="day-vs-seconds"),
        pytest.param("2024-01-01T00:00:00Z", "2024-01-02", "badArgument", id="seconds-vs-day"),
        pytest.param("2024-01-02", "2024-01-01", "badArgument", id="from-after-until-day"),
        pytest.param(
            "2024-01-01T00:00:01Z", "2024-01-01T00:00:00Z", "badArgument", id="after-by-1s"
        ),
        pytest.param("2024-01-01", "2024-01-01", None, id="same-day"),
        pytest.param("2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z", None, id="same-second"),
        pytest.param("1970-01-01", "9999-12-31", None, id="extremes"),
    ],
)
def test_date_pairs(start: str, end: str, code: str | None) -> None:
    assert code_of(LIST + [("from", start), ("until", end)]) == code


def parsed_window(**arguments: str) -> tuple[datetime | None, datetime | None]:
    request = protocol.parse(LIST + list(arguments.items()), CODEC)
    assert isinstance(request, protocol.ListItems)
    return request.from_, request.until


@pytest.mark.parametrize(
    ("arguments", "window"),
    [
        pytest.param(
            {"until": "2024-03-05"}, (None, datetime(2024, 3, 5, 23, 59, 59)), id="until-day"
        ),
        pytest.param({"from": "2024-03-05"}, (datetime(2024, 3, 5), None), id="from-day"),
        pytest.param(
            {"from": "2024-03-05", "until": "2024-03-05"},
            (datetime(2024, 3, 5), datetime(2024, 3, 5, 23, 59, 59)),
            id="one-whole-day",
        ),
        pytest.param(
            {"until": "2024-02-29"}, (None, datetime(2024, 2, 29, 23, 59, 59)), id="leap-day"
        ),
        pytest.param(
            {"until": "9999-12-31"}, (None, datetime(9999, 12, 31, 23, 59, 59)), id="last-day"
        ),
        pytest.param(
            {"from": "2024-03-05T01:02:03Z", "until": "2024-03-05T04:05:06Z"},
            (datetime(2024, 3, 5, 1, 2, 3), datetime(2024, 3, 5, 4, 5, 6)),
            id="seconds-exact",
        ),
    ],
)
def test_window(arguments: dict[str, str], window: tuple[datetime | None, datetime | None]) -> None:
    assert parsed_window(**arguments) == window


def test_typed_requests() -> None:
    get = protocol.parse(
        [("verb", "GetRecord"), ("metadataPrefix", "oai_dc"), ("identifier", "oai:x:1")], CODEC
    )
    assert get == protocol.GetRecord("oai:x:1", "oai_dc")
    formats = protocol.parse([("verb", "ListMetadataFormats")], CODEC)
    assert formats == protocol.ListMetadataFormats(None)
    items = protocol.parse(LIST + [("set", "a:b")], CODEC)
    assert isinstance(items, protocol.ListItems)
    assert (items.verb, items.metadata_prefix, items.set_spec, items.state) == (
        "ListRecords",
        "oai_dc",
        "a:b",
        None,
    )


def test_token_restores_the_query() -> None:
    request = protocol.parse(
        [("verb", "ListIdentifiers"), ("resumptionToken", token_for("ListIdentifiers"))], CODEC
    )
    assert isinstance(request, protocol.ListItems)
    assert request.state is not None
    assert (request.metadata_prefix, request.until, request.state.cursor) == (
        "oai_dc",
        datetime(2024, 6, 1),
        3,
    )


@pytest.mark.parametrize(
    ("verb", "token_verb"),
    [
        ("ListRecords", "ListIdentifiers"),
        ("ListIdentifiers", "ListRecords"),
        ("ListSets", "ListRecords"),
    ],
)
def test_token_of_another_verb(verb: str, token_verb: str) -> None:
    assert code_of([("verb", verb), ("resumptionToken", token_for(token_verb))]) == (
        "badResumptionToken"
    )


@pytest.mark.parametrize(
    ("pairs", "echo"),
    [
        pytest.param(
            [("verb", "ListRecords"), ("set", "a"), ("metadataPrefix", "oai_dc")],
            [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("set", "a")],
            id="verb-first",
        ),
        pytest.param([("verb", "Identify")], [("verb", "Identify")], id="verb-only"),
    ],
)
def test_echo_arguments(pairs: list[tuple[str, str]], echo: list[tuple[str, str]]) -> None:
    assert protocol.echo_arguments(pairs) == echo


NAMES = ["verb", "identifier", "metadataPrefix", "from", "until", "set", "resumptionToken", "x"]
VERBS = list(SPEC) + ["", "listsets", "Identify\x00"]
TEXT = st.one_of(
    st.sampled_from(list(VALUES.values()) + VERBS + MALFORMED_DATES + ["", token_for("ListSets")]),
    st.text(max_size=40),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(NAMES), TEXT), max_size=7))
def test_parse_is_total(pairs: list[tuple[str, str]]) -> None:
    """Any argument list gives a typed request or an OAIError, nothing else."""
    try:
        request = protocol.parse(pairs, CODEC)
    except OAIError as error:
        assert error.code in {"badVerb", "badArgument", "badResumptionToken"}
        return
    assert isinstance(
        request,
        protocol.Identify
        | protocol.ListMetadataFormats
        | protocol.ListSets
        | protocol.GetRecord
        | protocol.ListItems,
    )


def test_now_is_utc_to_the_second() -> None:
    from datetime import UTC, timedelta

    from oai.protocol import utc_now

    before = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    now = utc_now()
    after = datetime.now(UTC).replace(tzinfo=None)
    assert now.tzinfo is None and now.microsecond == 0
    assert before <= now <= after < now + timedelta(seconds=2)
