"""HTTP: the ``/oai`` endpoint and ``/``. The only module that reads Flask's ``request``.

``oai()`` makes three calls in a row: ``protocol.parse``, the verb, ``xmlwriter.write``.
Every OAI error becomes an HTTP 200 error document; a database that cannot be
reached becomes 503 with Retry-After (the spec's flow control), never a 500.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterable, Iterator

from flask import Blueprint, Response, current_app, redirect, request, url_for
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session
from werkzeug.wrappers.response import Response as BaseResponse

from . import protocol, verbs, xmlwriter
from .errors import OAIError
from .state import State

bp = Blueprint("oai", __name__)
log = logging.getLogger(__name__)

#: Largest POST body accepted (HTTP 413 beyond); OAI-PMH arguments are short.
MAX_BODY = 64 * 1024
#: Seconds a harvester is asked to wait when the database is unavailable.
RETRY_AFTER = 10
XML_TYPE = "text/xml; charset=utf-8"


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


def _encoding() -> str | None:
    """gzip or deflate if the client asks for it; plain XML otherwise."""
    accepted = request.accept_encodings
    for name in verbs.COMPRESSIONS:
        if accepted[name] > 0:
            return name
    return None


def respond_xml(chunks: Iterable[bytes]) -> Response:
    """A streamed XML response, compressed when the client accepts it."""
    encoding = _encoding()
    if encoding is not None:
        chunks = _compress(chunks, 31 if encoding == "gzip" else 15)
    response = Response(chunks, content_type=XML_TYPE)
    response.vary.add("Accept-Encoding")
    if encoding is not None:
        response.headers["Content-Encoding"] = encoding
    return response


def unavailable() -> Response:
    response = Response(
        "The repository's database is unavailable; retry later.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def answer(pairs: list[tuple[str, str]]) -> tuple[verbs.Result | OAIError, xmlwriter.Envelope]:
    """Parse, run the verb, and say what the envelope echoes; no HTTP here."""
    state = _state()
    now = protocol.utc_now()
    base_url = state.settings.base_url or request.base_url
    try:
        parsed = protocol.parse(pairs, state.codec)
        with Session(state.read_engine) as session:
            ctx = verbs.Context(session, state.settings, state.codec, now)
            result: verbs.Result | OAIError = verbs.run(ctx, parsed)
        echoed = protocol.echo_arguments(pairs)
    except OAIError as error:
        result = error
        echoed = protocol.echo_arguments(pairs) if error.echo_arguments else []
    return result, xmlwriter.Envelope(now, base_url, echoed)


@bp.route("/oai", methods=["GET", "POST"])
def oai() -> BaseResponse:
    try:
        result, envelope = answer(_pairs())
    except (OperationalError, DBAPIError) as exc:
        log.warning("database unavailable: %s", exc.__class__.__name__)
        return unavailable()
    if isinstance(result, verbs.RecordResult):
        since = request.if_modified_since
        if since is not None and result.datestamp <= since.replace(tzinfo=None):
            response = Response(status=304)
            response.last_modified = result.datestamp
            return response
    response = respond_xml(xmlwriter.write(result, envelope))
    if isinstance(result, verbs.RecordResult):
        response.last_modified = result.datestamp
    return response


@bp.route("/")
def home() -> BaseResponse:
    return redirect(url_for("oai.oai", verb="Identify"))
