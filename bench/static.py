"""The ceiling: a harvest's pages, pre-built, served as static bytes by the same WSGI server.

``python -m bench.static --port P --workers N PAGES`` serves the pages recorded by
a harvest (``PAGES`` and ``PAGES.index``, written by :mod:`bench.harvest`) with
the gunicorn settings ``oai serve`` uses. A request without a resumptionToken
gets the first page; a request with one gets the page the endpoint answered it
with. Each response is read from the file (the OS page cache) and sent: no
framework, no database, no XML work. What is left is the cost of HTTP and of
moving the bytes, which is as fast as this server can answer the same harvest.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from oai.server import run

XML_TYPE = "text/xml; charset=utf-8"


class StaticPages:
    """A WSGI app that answers each recorded request with its recorded bytes."""

    def __init__(self, pages: Path) -> None:
        index = json.loads(Path(f"{pages}.index").read_text("utf-8"))
        #: token ("" for the first request) -> (offset, length) in the pages file.
        self.index: dict[str, tuple[int, int]] = {k: (o, n) for k, o, n in index}
        self.path = pages
        self.fd: int | None = None

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if self.fd is None:  # opened in the worker, after the fork
            self.fd = os.open(self.path, os.O_RDONLY)
        query = parse_qs(environ.get("QUERY_STRING", ""))
        token = query.get("resumptionToken", [""])[0]
        found = self.index.get(token)
        if found is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not a recorded page\n"]
        offset, length = found
        body = os.pread(self.fd, length, offset)
        start_response("200 OK", [("Content-Type", XML_TYPE), ("Content-Length", str(length))])
        return [body]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pages", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    pages = args.pages.resolve()
    run(args.host, args.port, args.workers, lambda: StaticPages(pages))


if __name__ == "__main__":
    main()
