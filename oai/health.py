"""``GET /health``: whether this node can answer harvesters, for load balancers and monitors.

A node whose process runs but whose database does not answer serves nothing but
503s, so the check asks the database itself: ``SELECT 1`` on the connection pool
the verbs read from (the replica when ``OAI_DATABASE_READ_URL`` is set). 200 and
``ok`` when it answers, 503 with Retry-After when it does not; never cached.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

#: Seconds a client is asked to wait before checking an unhealthy node again.
RETRY_AFTER = 10


def _answer(body: str, status: int) -> Response:
    response = Response(body, status=status, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


@bp.route("/health")
def health() -> Response:
    readers = current_app.extensions["oai"].readers
    try:
        readers.read(lambda connection: connection.execute(text("SELECT 1")).scalar())
    except SQLAlchemyError as exc:  # unreachable, refused, pool exhausted: not ready
        log.warning("health check: database unavailable: %s", exc.__class__.__name__)
        return _answer("database unavailable\n", 503)
    return _answer("ok\n", 200)
