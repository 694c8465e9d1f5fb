"""One OAI-PMH request answered, below HTTP: arguments in, a finished answer out.

``answer`` makes the three calls of the data path in a row (``protocol.parse``, the
verb, and what the envelope echoes) for both ways a request reaches the endpoint:
the lean WSGI handler harvesters use (:mod:`oai.endpoint`) and the browser pages
(:mod:`oai.web`). The optional read-ahead of a list's next page
(:mod:`oai.prefetch`) lives here too: the HTTP layers only run the answer's
``after`` once the response is sent, without knowing tokens or the prefetcher.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from . import protocol, verbs, xmlwriter
from .errors import OAIError
from .state import State


@dataclass(frozen=True, slots=True)
class Answer:
    """What the response says, and what to do once it is sent."""

    result: verbs.Result | OAIError
    envelope: xmlwriter.Envelope
    #: Work for idle time after the response (reading the next page ahead), or None.
    after: Callable[[], None] | None = None


def _run(state: State, parsed: protocol.Request, now: datetime) -> verbs.Result:
    if state.prefetcher is not None and isinstance(parsed, protocol.ListItems):
        if parsed.state is not None:
            prefetched = state.prefetcher.take(parsed.state)
            if prefetched is not None:
                return prefetched

    # A Core connection, not a Session: the verbs only read, and a Session's unit of
    # work costs more per request than a page query's own Python overhead.
    def run(connection: Connection) -> verbs.Result:
        return verbs.run(verbs.Context(connection, state.settings, state.codec, now), parsed)

    return state.readers.read(run)


def _read_ahead(state: State, result: verbs.Result | OAIError) -> Callable[[], None] | None:
    """What starts reading a list's next page; None without read-ahead or a next page.

    Run once the page is sent, not before: the read would hold the interpreter lock
    while this page is written and sent, and delay the response the harvester waits for.
    """
    prefetcher = state.prefetcher
    if prefetcher is None or not isinstance(result, verbs.ItemsResult):
        return None
    following = result.following
    if following is None:
        return None

    def start() -> None:
        prefetcher.start(following)

    return start


def answer(state: State, pairs: list[tuple[str, str]], base_url: str) -> Answer:
    """Parse, run the verb and say what the envelope echoes; every OAI error is an answer.

    Lets a database error (sqlalchemy's DBAPIError) through: the HTTP layer turns it
    into 503 with Retry-After.
    """
    now = protocol.utc_now()
    base_url = state.settings.base_url or base_url
    try:
        parsed = protocol.parse(pairs, state.codec)
        result: verbs.Result | OAIError = _run(state, parsed, now)
        echoed = protocol.echo_arguments(pairs)
    except OAIError as error:
        result = error
        echoed = protocol.echo_arguments(pairs) if error.echo_arguments else []
    return Answer(result, xmlwriter.Envelope(now, base_url, echoed), _read_ahead(state, result))
