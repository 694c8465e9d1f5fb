"""HTTP: the ``/oai`` endpoint and ``/``. The only module that reads Flask's ``request``.

``oai()`` makes three calls in a row: ``protocol.parse``, the verb, ``xmlwriter.write``.
Every OAI error becomes an HTTP 200 error document; a database that cannot be
reached becomes 503 with Retry-After (the spec's flow control), never a 500.

A client whose Accept header prefers HTML (a browser) gets that same document
rendered as a page by :mod:`oai.browser`; everyone else gets the XML bytes.
``/oai.xml`` always answers XML, so a page can link to its own raw response.
"""

from __future__ import annotations

import itertools
import logging
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from werkzeug.datastructures import MIMEAccept
from werkzeug.wrappers.response import Response as BaseResponse

from . import browser, protocol, verbs, xmlwriter
from .errors import OAIError
from .state import State

bp = Blueprint("oai", __name__)
log = logging.getLogger(__name__)

#: Largest POST body accepted (HTTP 413 beyond); OAI-PMH arguments are short.
MAX_BODY = 64 * 1024
#: Longest query string accepted (HTTP 414 beyond), for servers that do not limit it themselves.
MAX_QUERY = MAX_BODY
#: Seconds a harvester is asked to wait when the database is unavailable.
RETRY_AFTER = 10
XML_TYPE = "text/xml; charset=utf-8"
#: Media types that name a page for people, and those that name the XML itself.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
XML_TYPES = frozenset({"text/xml", "application/xml"})


def _state() -> State:
    state: State = current_app.extensions["oai"]
    return state


def _pairs() -> list[tuple[str, str]]:
    source = request.form if request.method == "POST" else request.args
    return list(source.items(multi=True))


def _compress(chunks: Iterable[bytes], wbits: int) -> Iterator[bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    for chunk in chunks:
        data = compressor.compress(chunk)
        if data:
            yield data
    yield compressor.flush()


def whole_or_stream(chunks: Iterable[bytes]) -> bytes | Iterator[bytes]:
    """The body as one bytes object when the writer made it in one chunk, else the stream.

    A page of a list usually fits in one xmlwriter chunk. Sent whole it gets a
    Content-Length and leaves in one write, as a static file would; chunked
    transfer encoding costs the client and the server a frame per chunk. Larger
    documents still stream, so memory stays bounded by the chunk size.
    """
    iterator = iter(chunks)
    first = next(iterator, b"")
    second = next(iterator, None)
    if second is None:
        return first
    return itertools.chain((first, second), iterator)


def may_compress(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header could ask for a coding we offer.

    Most harvesters send none or "identity": only the codings' names or ``*`` can name
    one, so a header without them is not worth parsing.
    """
    header = accept_encoding.lower()
    return "*" in header or any(name in header for name in verbs.COMPRESSIONS)


def _encoding() -> str | None:
    """gzip or deflate if the client asks for it; plain XML otherwise."""
    if not may_compress(request.headers.get("Accept-Encoding", "")):
        return None
    accepted = request.accept_encodings
    for name in verbs.COMPRESSIONS:
        if accepted[name] > 0:
            return name
    return None


def wants_html(accept: MIMEAccept) -> bool:
    """Whether the client prefers a page to the XML: browsers do, harvesters do not.

    Only types the client names count: no Accept, ``*/*``, an XML type, or a tie
    between HTML and XML all mean XML, so no harvester is ever handed a page.
    """
    html = xml = 0.0
    for value, quality in accept:
        kind = value.split(";", 1)[0].strip().lower()
        if kind in HTML_TYPES:
            html = max(html, quality)
        elif kind in XML_TYPES or kind.endswith("+xml"):
            xml = max(xml, quality)
    return html > xml


def respond_xml(chunks: Iterable[bytes], content_type: str = XML_TYPE) -> Response:
    """A streamed XML response (or a page's), compressed when the client accepts it."""
    encoding = _encoding()
    body = whole_or_stream(chunks)
    if encoding is not None:
        wbits = 31 if encoding == "gzip" else 15
        if isinstance(body, bytes):
            body = b"".join(_compress((body,), wbits))
        else:
            body = _compress(body, wbits)
    response = Response(body, content_type=content_type)
    response.vary.add("Accept-Encoding")
    if encoding is not None:
        response.headers["Content-Encoding"] = encoding
    return response


def _page(html: str) -> BaseResponse:
    """A rendered page, with the headers every page carries."""
    return browser.page_response(respond_xml([html.encode()], browser.HTML_TYPE))


@bp.before_request
def _refuse_malformed() -> None:
    """Requests no OAI answer fits are refused before parsing: a query string longer than
    any OAI-PMH request needs (414), a Host header no URL can be built from (400)."""
    if len(request.query_string) > MAX_QUERY:
        abort(414)
    try:
        request.base_url  # noqa: B018 -- Werkzeug raises ValueError for a port out of range
    except ValueError:
        abort(400)


@bp.errorhandler(DBAPIError)
def unavailable(exc: DBAPIError | None = None) -> Response:
    """The database cannot be reached: 503 and Retry-After (OAI-PMH flow control), never 500."""
    if exc is not None:
        log.warning("database unavailable: %s", exc.__class__.__name__)
    response = Response(
        "The repository's database is unavailable; retry later.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def _prefetched(state: State, parsed: protocol.Request) -> verbs.ItemsResult | None:
    """The page this request resumes, if this process read it ahead (oai.prefetch)."""
    if state.prefetcher is None or not isinstance(parsed, protocol.ListItems):
        return None
    if parsed.state is None:
        return None
    return state.prefetcher.take(parsed.state)


def _run(state: State, parsed: protocol.Request, now: datetime) -> verbs.Result:
    # A Core connection, not a Session: the verbs only read, and a Session's unit of
    # work costs more per request than the page query's own Python overhead.
    with state.read_engine.connect() as connection:
        return verbs.run(verbs.Context(connection, state.settings, state.codec, now), parsed)


def answer(
    state: State, pairs: list[tuple[str, str]], base_url: str
) -> tuple[verbs.Result | OAIError, xmlwriter.Envelope]:
    """Parse, run the verb, and say what the envelope echoes; no HTTP here."""
    now = protocol.utc_now()
    base_url = state.settings.base_url or base_url
    try:
        parsed = protocol.parse(pairs, state.codec)
        prefetched = _prefetched(state, parsed)
        result: verbs.Result | OAIError = (
            prefetched if prefetched is not None else _run(state, parsed, now)
        )
        echoed = protocol.echo_arguments(pairs)
    except OAIError as error:
        result = error
        echoed = protocol.echo_arguments(pairs) if error.echo_arguments else []
    return result, xmlwriter.Envelope(now, base_url, echoed)


def _xml_response(pairs: list[tuple[str, str]], base_url: str) -> BaseResponse:
    """What a harvester gets: the OAI-PMH document, streamed."""
    result, envelope = answer(_state(), pairs, base_url)
    if isinstance(result, verbs.RecordResult):
        since = request.if_modified_since
        if since is not None and result.datestamp <= since.replace(tzinfo=None):
            response = Response(status=304)
            response.last_modified = result.datestamp
            response.vary.add("Accept-Encoding")  # RFC 9110: a 304 repeats the 200's Vary
            return response
    response = respond_xml(xmlwriter.write(result, envelope))
    if isinstance(result, verbs.RecordResult):
        response.last_modified = result.datestamp
    start = read_ahead(_state(), result)
    if start is not None:
        response.call_on_close(start)
    return response


def read_ahead(state: State, result: verbs.Result | OAIError) -> Callable[[], None] | None:
    """What starts reading a list's next page (oai.prefetch); None when there is none.

    Called once the page is sent, not before: the read would hold the interpreter lock
    while this page is written and sent, and delay the response the harvester waits for.
    """
    prefetcher = state.prefetcher
    if prefetcher is None or not isinstance(result, verbs.ItemsResult):
        return None
    following = result.following
    if following is None:
        return None
    return lambda: prefetcher.start(following)


def _page_response(pairs: list[tuple[str, str]], base_url: str) -> BaseResponse:
    """What a browser gets: the same document, read back and rendered as HTML."""
    result, envelope = answer(_state(), pairs, base_url)
    document = b"".join(xmlwriter.write(result, envelope))
    state = _state()
    with Session(state.read_engine) as session:
        return _page(browser.verb_page(document, pairs, session, state.settings))


def _wants_html() -> bool:
    """wants_html for this request; no Accept header (most harvesters) means XML unparsed."""
    return "Accept" in request.headers and wants_html(request.accept_mimetypes)


@bp.route("/oai", methods=["GET", "POST"])
def oai() -> BaseResponse:
    if _wants_html():
        response = _page_response(_pairs(), request.base_url)
    else:
        response = _xml_response(_pairs(), request.base_url)
    response.vary.add("Accept")
    return response


@bp.route("/oai.xml", methods=["GET", "POST"])
def oai_xml() -> BaseResponse:
    """The XML answer whatever the Accept header: the pages' "raw XML" link."""
    return _xml_response(_pairs(), url_for("oai.oai", _external=True))


@bp.route("/")
def home() -> BaseResponse:
    state = _state()
    with Session(state.read_engine) as session:
        return _page(browser.home_page(session, state.settings))


@bp.route("/form")
def form() -> BaseResponse:
    """Where the home page's forms submit: drop the fields left empty, then go to /oai.

    Forms send every field, filled or not; /oai rightly rejects ``from=`` as a bad
    argument, so the empty ones are removed here rather than loosening /oai's rules.
    """
    pairs = [(name, value) for name, value in request.args.items(multi=True) if value]
    return redirect(url_for("oai.oai") + "?" + urlencode(pairs), code=303)
