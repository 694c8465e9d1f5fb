"""The checks every response must pass, whatever was asked (spec sections 3.1, 3.2, 3.6).

HTTP 200 and text/xml, well-formed UTF-8, valid against OAI-PMH.xsd, the root's
schemaLocation, the ``<request>`` echo, a plausible responseDate, error codes the verb
may return, and every header's datestamp in the declared granularity and not before
earliestDatestamp.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .client import Exchange
from .document import LIST_VERBS, OAI, OAI_SCHEMA, VERBS, Document, NotXML, parse
from .schemas import Unavailable, schema_locations

if TYPE_CHECKING:
    from .context import Context

#: verb -> the error codes the spec lists for it (section 4); badVerb for no legal verb.
ALLOWED_ERRORS: dict[str, frozenset[str]] = {
    "GetRecord": frozenset({"badArgument", "cannotDisseminateFormat", "idDoesNotExist"}),
    "Identify": frozenset({"badArgument"}),
    "ListIdentifiers": frozenset(
        {
            "badArgument",
            "badResumptionToken",
            "cannotDisseminateFormat",
            "noRecordsMatch",
            "noSetHierarchy",
        }
    ),
    "ListMetadataFormats": frozenset({"badArgument", "idDoesNotExist", "noMetadataFormats"}),
    "ListRecords": frozenset(
        {
            "badArgument",
            "badResumptionToken",
            "cannotDisseminateFormat",
            "noRecordsMatch",
            "noSetHierarchy",
        }
    ),
    "ListSets": frozenset({"badArgument", "badResumptionToken", "noSetHierarchy"}),
}
#: How far responseDate may be from the checker's clock.
CLOCK_SKEW = timedelta(minutes=10)


def legal_verb(exchange: Exchange) -> str | None:
    """The request's verb if it names exactly one legal verb."""
    verbs = [value for name, value in exchange.request.pairs if name == "verb"]
    return verbs[0] if len(verbs) == 1 and verbs[0] in VERBS else None


def _content_type(ctx: Context, exchange: Exchange) -> None:
    value = exchange.content_type
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, setting = param.partition("=")
        if key.strip().lower() == "charset":
            charset = setting.strip().strip('"').lower()
    ok = media.strip().lower() == "text/xml" and charset in (None, "utf-8", "utf8")
    ctx.report.expect(
        "http.content_type", ok, f"Content-Type is {value!r}, not text/xml", exchange.description
    )


def _http(ctx: Context, exchange: Exchange) -> bool:
    where = exchange.description
    if exchange.waited:
        if None in exchange.waited:
            ctx.report.fail("http.retry_after", "HTTP 503 without a Retry-After header", where)
        elif exchange.status == 503:
            ctx.report.fail(
                "http.retry_after",
                f"still HTTP 503 after waiting {len(exchange.waited)} times as Retry-After asked",
                where,
            )
        else:
            ctx.report.passed("http.retry_after")
    ok = ctx.report.expect(
        "http.status", exchange.status == 200, f"HTTP {exchange.status}, not 200", where
    )
    _content_type(ctx, exchange)
    return ok


def _parse(ctx: Context, exchange: Exchange) -> Document | None:
    where = exchange.description
    if exchange.decode_error:
        ctx.report.fail("xml.wellformed", exchange.decode_error, where)
        return None
    try:
        root = parse(exchange.body)
    except NotXML as exc:
        ctx.report.fail("xml.wellformed", str(exc), where)
        return None
    ctx.report.passed("xml.wellformed")
    encoding = (root.getroottree().docinfo.encoding or "UTF-8").upper()
    ctx.report.expect(
        "xml.encoding", encoding in ("UTF-8", "UTF8"), f"encoded in {encoding}, not UTF-8", where
    )
    doc = Document(root)
    if not doc.is_oai:
        tag = root.tag if isinstance(root.tag, str) else repr(root.tag)
        ctx.report.fail("schema.response", f"the root element is {tag}, not OAI-PMH", where)
        return None
    return doc


def _schema(ctx: Context, doc: Document, where: str) -> None:
    try:
        error = ctx.validator.response(doc.root)
    except Unavailable as exc:
        ctx.unavailable(exc, where)
        return
    ctx.report.expect("schema.response", error is None, f"not valid: {error}", where)
    locations = schema_locations(doc.root)
    ctx.report.expect(
        "envelope.schema_location",
        locations.get(OAI) == OAI_SCHEMA,
        f"xsi:schemaLocation does not map {OAI} to {OAI_SCHEMA}",
        where,
    )


def _echo(ctx: Context, exchange: Exchange, doc: Document) -> None:
    where = exchange.description
    request = doc.request
    if request is None:
        return  # the schema check has already failed the response
    expected_url = ctx.facts.base_url or ctx.url
    ctx.report.expect(
        "envelope.request_url",
        (request.text or "").strip() == expected_url,
        f"<request> holds {request.text!r}, not the baseURL {expected_url!r}",
        where,
    )
    echoed = dict(request.attrib)
    asked = dict(reversed(exchange.request.pairs))  # the first of any repeat
    codes = set(doc.errors)
    if codes & {"badVerb", "badArgument"}:
        ctx.report.expect(
            "envelope.request",
            not echoed,
            f"<request> has attributes {sorted(echoed)} in a {'/'.join(sorted(codes))} response",
            where,
        )
    elif not codes:
        ctx.report.expect(
            "envelope.request",
            echoed == asked,
            f"<request> echoes {echoed}, the request was {asked}",
            where,
        )
    else:
        wrong = {k: v for k, v in echoed.items() if asked.get(k) != v}
        ctx.report.expect(
            "envelope.request", not wrong, f"<request> echoes {wrong}, not asked so", where
        )


def _response_date(ctx: Context, doc: Document, where: str) -> None:
    text = doc.response_date
    try:
        when = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        ctx.report.fail("envelope.response_date", f"responseDate {text!r} is not UTC", where)
        return
    skew = abs(datetime.now(UTC) - when)
    ctx.report.expect(
        "envelope.response_date",
        skew <= CLOCK_SKEW,
        f"responseDate {text} is {int(skew.total_seconds())} s from this machine's clock",
        where,
    )


def _allowed(ctx: Context, exchange: Exchange, doc: Document) -> None:
    verb = legal_verb(exchange)
    allowed = ALLOWED_ERRORS[verb] if verb else frozenset({"badVerb"})
    for code in doc.errors:
        ctx.report.expect(
            "errors.allowed",
            code in allowed,
            f"error {code!r} is not one {verb or 'a request without a legal verb'} may return",
            exchange.description,
        )


def _datestamps(ctx: Context, exchange: Exchange, doc: Document) -> None:
    from .context import has_granularity, stamp

    verb = legal_verb(exchange)
    if verb not in (*LIST_VERBS, "GetRecord"):
        return
    granularity, earliest = ctx.facts.granularity, ctx.facts.earliest
    lower = stamp(earliest) if earliest else None
    for item in doc.items(verb):
        value = item.header.datestamp
        if granularity:
            ctx.report.expect(
                "identify.granularity",
                has_granularity(value, granularity),
                f"{item.header.identifier}: datestamp {value!r} is not {granularity}",
                exchange.description,
            )
        when = stamp(value)
        if lower is not None and when is not None:
            ctx.report.expect(
                "identify.earliest",
                when >= lower,
                f"{item.header.identifier}: datestamp {value} is before "
                f"earliestDatestamp {earliest}",
                exchange.description,
            )


def inspect(ctx: Context, exchange: Exchange) -> Document | None:
    """Apply the every-response checks; the document if it is an OAI-PMH response."""
    if not _http(ctx, exchange):
        # Already a failure; judge the body only if it is an OAI-PMH document after all.
        try:
            if not Document(parse(exchange.body)).is_oai:
                return None
        except NotXML:
            return None
    doc = _parse(ctx, exchange)
    if doc is None:
        return None
    where = exchange.description
    _schema(ctx, doc, where)
    _echo(ctx, exchange, doc)
    _response_date(ctx, doc, where)
    _allowed(ctx, exchange, doc)
    _datestamps(ctx, exchange, doc)
    return doc
