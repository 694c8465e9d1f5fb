"""The ceiling: the endpoint's recorded responses, served as static bytes by the same WSGI server.

``python -m bench.static RESPONSES --port P --workers N`` serves the responses
:mod:`bench.recording` kept, with the gunicorn settings ``oai serve`` uses
(:func:`oai.server.run`, so :func:`oai.server.options`). Each request is looked up
by its query string and by whether it asked for gzip, and answered with the
recorded body, its recorded Content-Type, Content-Encoding (and Vary,
Last-Modified) and a Content-Length; a request nobody recorded is a 404, which
fails the benchmark loudly. The body is read from the file (the OS page cache)
and sent: no framework, no database, no XML work, no compression. What is left
is the cost of HTTP and of moving the bytes, which is as fast as this server can
answer the same requests.

"Asked for gzip" is a substring test on Accept-Encoding: the benchmark's clients
send either ``gzip, deflate`` or ``identity``, and the endpoint answers the
first with gzip, so nothing finer is needed and nothing costlier is spent.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from oai.server import run

from .recording import read_index

#: Prepared per request: (offset, length, full header list).
_Entry = tuple[int, int, list[tuple[str, str]]]


class StaticResponses:
    """A WSGI app that answers each recorded request with its recorded response."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None
        #: Query string -> entry, one table for plain requests and one for gzip.
        self.plain: dict[str, _Entry] = {}
        self.gzip: dict[str, _Entry] = {}
        for (query, gzip), (offset, length, headers) in read_index(path).items():
            table = self.gzip if gzip else self.plain
            table[query] = (offset, length, [*headers, ("Content-Length", str(length))])

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if self.fd is None:  # opened in the worker, after the fork
            self.fd = os.open(self.path, os.O_RDONLY)
        table = self.gzip if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "") else self.plain
        found = table.get(environ.get("QUERY_STRING", ""))
        if found is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not a recorded request\n"]
        offset, length, headers = found
        start_response("200 OK", headers)
        return [os.pread(self.fd, length, offset)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("responses", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    path = args.responses.resolve()
    run(args.host, args.port, args.workers, lambda: StaticResponses(path))


if __name__ == "__main__":
    main()
