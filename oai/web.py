"""The pages for people: ``/``, its forms, and ``/oai`` for a browser. Flask's part.

Harvesters' requests never come here: :mod:`oai.endpoint` answers them. A client
whose Accept header prefers HTML (a browser) asking ``/oai`` gets the very document
a harvester would get, rendered as a page by :mod:`oai.browser`; every page links
to that document's raw XML at ``/oai.xml``, which the endpoint always answers.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from sqlalchemy.exc import DBAPIError
from werkzeug.wrappers.response import Response as BaseResponse

from . import browser, negotiation, service, xmlwriter
from .endpoint import MAX_QUERY, unavailable
from .state import State

bp = Blueprint("oai", __name__)
log = logging.getLogger(__name__)


def _state() -> State:
    state: State = current_app.extensions["oai"]
    return state


def _page(html: str) -> BaseResponse:
    """A rendered page, compressed when the client accepts it, with the headers every page
    carries."""
    body = html.encode()
    coding = negotiation.encoding(request.headers.get("Accept-Encoding"))
    response = Response(
        negotiation.compress(body, coding) if coding else body, content_type=browser.HTML_TYPE
    )
    response.vary.add("Accept-Encoding")
    if coding is not None:
        response.headers["Content-Encoding"] = coding
    return browser.page_response(response)


@bp.before_request
def _refuse_malformed() -> None:
    """As the endpoint refuses them: a query string longer than any OAI-PMH request needs
    (414), a Host header no URL can be built from (400)."""
    if len(request.query_string) > MAX_QUERY:
        abort(414)
    try:
        request.base_url  # noqa: B018 -- Werkzeug raises ValueError for a port out of range
    except ValueError:
        abort(400)


@bp.errorhandler(DBAPIError)
def _unavailable(exc: DBAPIError) -> BaseResponse:
    response = unavailable(exc).get_response()
    return response


@bp.route("/oai", methods=["GET", "POST"])
def oai() -> BaseResponse:
    """A browser's view of an OAI-PMH request: the same document, read back as a page."""
    if request.method == "POST":
        pairs = list(request.form.items(multi=True))
    else:
        pairs = negotiation.query_pairs(request.environ.get("QUERY_STRING", ""))
    state = _state()
    answer = service.answer(state, pairs, request.root_url + "oai")
    document = b"".join(xmlwriter.write(answer.result, answer.envelope))
    page = state.readers.read(
        lambda connection: browser.verb_page(
            document, pairs, connection, state.settings, state.codec
        ),
    )
    response = _page(page)
    response.vary.add("Accept")
    return response


# Answered by oai.endpoint; declared so that pages can link to it with url_for.
bp.add_url_rule("/oai.xml", "oai_xml", build_only=True)


@bp.route("/")
def home() -> BaseResponse:
    state = _state()
    page = state.readers.read(lambda connection: browser.home_page(connection, state.settings))
    return _page(page)


@bp.route("/form")
def form() -> BaseResponse:
    """Where the home page's forms submit: drop the fields left empty, then go to /oai.

    Forms send every field, filled or not; /oai rightly rejects ``from=`` as a bad
    argument, so the empty ones are removed here rather than loosening /oai's rules.
    """
    # A value pasted with spaces around it (an identifier from a page) is trimmed too.
    query = negotiation.query_pairs(request.environ.get("QUERY_STRING", ""))
    pairs = [(name, value.strip()) for name, value in query]
    kept = [(name, value) for name, value in pairs if value]
    return redirect(url_for("oai.oai") + "?" + urlencode(kept), code=303)
