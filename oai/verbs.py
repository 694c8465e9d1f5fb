"""One function per verb: a parsed request and a session in, a finished Result out.

Each verb runs every query and raises every OAI error before it returns, so
writing the response can no longer fail half-way (a streamed 200 cannot be
taken back). Results hold plain values and bytes: no session, no Flask.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from . import protocol
from .config import Settings
from .errors import (
    BadResumptionToken,
    CannotDisseminateFormat,
    IdDoesNotExist,
    NoMetadataFormats,
    NoRecordsMatch,
    NoSetHierarchy,
)
from .formats import BY_PREFIX, FORMATS, Format
from .store import lists, queries
from .tokens import ListState, TokenCodec

#: Encodings web.py can apply, advertised in Identify.
COMPRESSIONS = ("gzip", "deflate")


@dataclass(frozen=True, slots=True)
class Resumption:
    """The resumptionToken element: empty ``token`` on the last page."""

    token: str
    cursor: int
    complete_list_size: int
    expiration: datetime | None = None


@dataclass(frozen=True, slots=True)
class IdentifyResult:
    repository_name: str
    admin_email: str
    earliest_datestamp: datetime
    repository_identifier: str
    sample_identifier: str | None
    compressions: tuple[str, ...] = COMPRESSIONS


@dataclass(frozen=True, slots=True)
class FormatsResult:
    formats: tuple[Format, ...]


@dataclass(frozen=True, slots=True)
class SetsResult:
    sets: list[queries.SetRow]
    resumption: Resumption | None


@dataclass(frozen=True, slots=True)
class ItemsResult:
    """ListIdentifiers (``<header>`` bytes) or ListRecords (``<record>`` bytes)."""

    verb: str
    items: list[bytes]
    resumption: Resumption | None
    #: Where the next page starts (what the token says); None on the last page.
    following: ListState | None = None


@dataclass(frozen=True, slots=True)
class RecordResult:
    record: bytes
    datestamp: datetime


Result = IdentifyResult | FormatsResult | SetsResult | ItemsResult | RecordResult


@dataclass(frozen=True, slots=True)
class Context:
    """What every verb may use besides the request."""

    #: The endpoint's Core connection (or a Session): only ``queries`` and ``lists`` use it.
    session: queries.Reader
    settings: Settings
    codec: TokenCodec
    now: datetime = field(default_factory=protocol.utc_now)


def identify(ctx: Context) -> IdentifyResult:
    earliest, sample = queries.repository_facts(ctx.session, ctx.settings.repository_identifier)
    return IdentifyResult(
        repository_name=ctx.settings.repository_name,
        admin_email=ctx.settings.admin_email,
        earliest_datestamp=earliest or datetime(1970, 1, 1),
        repository_identifier=ctx.settings.repository_identifier,
        sample_identifier=sample,
    )


def list_metadata_formats(ctx: Context, request: protocol.ListMetadataFormats) -> FormatsResult:
    if request.identifier is None:
        return FormatsResult(FORMATS)
    # One query for a record that has formats; only an empty answer asks whether it exists.
    prefixes = set(queries.record_formats(ctx.session, request.identifier))
    formats = tuple(fmt for fmt in FORMATS if fmt.prefix in prefixes)
    if formats:
        return FormatsResult(formats)
    if queries.record_datestamp(ctx.session, request.identifier) is None:
        raise IdDoesNotExist(f"No record has the identifier {request.identifier!r}.")
    raise NoMetadataFormats()


def _resumption(ctx: Context, state: ListState, following: ListState | None) -> Resumption | None:
    """The resumptionToken element of the page that starts at ``state.cursor``.

    None for a list that fits one response; an empty token on the last page of a longer one.
    """
    if following is None:
        if state.cursor == 0:
            return None
        return Resumption("", state.cursor, state.complete_list_size)
    return Resumption(
        ctx.codec.encode(following),
        state.cursor,
        state.complete_list_size,
        ctx.codec.expires_at(following),
    )


def list_sets(ctx: Context, request: protocol.ListSets) -> SetsResult:
    state = request.state
    if state is None:
        total = queries.count_sets(ctx.session)
        if total == 0:
            raise NoSetHierarchy()
        state = ListState("ListSets", None, None, None, None, None, "", 0, total, int(time.time()))
    size = ctx.settings.page_size
    after = state.after_key if state.cursor else None
    rows = queries.page_sets(ctx.session, after=after, limit=size + 1)
    if not rows and state.cursor:
        raise BadResumptionToken("This list has no more sets; start again.")
    following = None
    if len(rows) > size:
        rows = rows[:size]
        following = replace(state, after_key=rows[-1].set_spec, cursor=state.cursor + size)
    return SetsResult(rows, _resumption(ctx, state, following))


def _first_state(ctx: Context, request: protocol.ListItems) -> ListState:
    """Fix the list's snapshot and count it, or raise the error the query deserves."""
    if request.metadata_prefix not in BY_PREFIX:
        raise CannotDisseminateFormat(
            f"{request.metadata_prefix!r} is not a format of this repository."
        )
    # A set that exists answers in one query; only a missing one asks whether any set does.
    if request.set_spec is not None and not queries.set_exists(ctx.session, request.set_spec):
        if not queries.has_sets(ctx.session):
            raise NoSetHierarchy()
        raise NoRecordsMatch(f"There is no set {request.set_spec!r}.")
    # The snapshot ends one second before now: anything changed from now on has a
    # datestamp past the bound, so it cannot show up twice, and a harvest with
    # from=<this responseDate> picks it up.
    bound = ctx.now - timedelta(seconds=1)
    until = min(request.until, bound) if request.until is not None else bound
    if request.from_ is None and until == bound:
        # A whole format or set: its size is kept by every write, not counted here.
        total = lists.list_size(
            ctx.session, prefix=request.metadata_prefix, set_spec=request.set_spec, bound=bound
        )
    else:
        total = lists.count_items(
            ctx.session,
            prefix=request.metadata_prefix,
            set_spec=request.set_spec,
            from_=request.from_,
            until=until,
            every_record=BY_PREFIX[request.metadata_prefix].every_record,
        )
    if total == 0:
        raise NoRecordsMatch()
    return ListState(
        verb=request.verb,
        metadata_prefix=request.metadata_prefix,
        from_=request.from_,
        until=until,
        set_spec=request.set_spec,
        after_datestamp=None,
        after_key="",
        cursor=0,
        complete_list_size=total,
        issued=int(time.time()),
    )


def list_items(ctx: Context, request: protocol.ListItems) -> ItemsResult:
    """ListIdentifiers and ListRecords: one keyset page of the snapshot."""
    state = request.state or _first_state(ctx, request)
    if state.metadata_prefix not in BY_PREFIX:
        raise BadResumptionToken("The format of this list is no longer offered.")
    after = (state.after_datestamp, state.after_key) if state.after_datestamp else None
    page = lists.page_items(
        ctx.session,
        prefix=state.metadata_prefix,
        records=request.verb == "ListRecords",
        set_spec=state.set_spec,
        from_=state.from_,
        until=state.until,
        after=after,
        size=ctx.settings.page_size,
        every_record=BY_PREFIX[state.metadata_prefix].every_record,
    )
    if not page.items:
        # Only when every remaining item changed since the previous page: the schema allows
        # no empty list, so say so; the next incremental harvest collects those changes.
        raise NoRecordsMatch("No records remain in this list; the rest changed since it began.")
    following = None
    if page.next_after is not None:
        following = replace(
            state,
            after_datestamp=page.next_after[0],
            after_key=page.next_after[1],
            cursor=state.cursor + len(page.items),
        )
    return ItemsResult(request.verb, page.items, _resumption(ctx, state, following), following)


def get_record(ctx: Context, request: protocol.GetRecord) -> RecordResult:
    found = None
    if request.metadata_prefix in BY_PREFIX:
        found = queries.record_xml(ctx.session, request.identifier, request.metadata_prefix)
    if found is not None:
        return RecordResult(*found)
    # Only a failed lookup asks again, to tell an unknown record from a missing format.
    if queries.record_datestamp(ctx.session, request.identifier) is None:
        raise IdDoesNotExist(f"No record has the identifier {request.identifier!r}.")
    if request.metadata_prefix not in BY_PREFIX:
        raise CannotDisseminateFormat(
            f"{request.metadata_prefix!r} is not a format of this repository."
        )
    raise CannotDisseminateFormat(
        f"The record cannot be disseminated as {request.metadata_prefix!r}."
    )


def run(ctx: Context, request: protocol.Request) -> Result:
    """Dispatch a parsed request to its verb."""
    match request:
        case protocol.Identify():
            return identify(ctx)
        case protocol.ListMetadataFormats():
            return list_metadata_formats(ctx, request)
        case protocol.ListSets():
            return list_sets(ctx, request)
        case protocol.GetRecord():
            return get_record(ctx, request)
        case protocol.ListItems():
            return list_items(ctx, request)
    raise AssertionError(f"unhandled request {request!r}")
