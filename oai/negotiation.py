"""What a client asks for in its headers: a page or the XML, and which compression.

Shared by the harvesters' handler (:mod:`oai.endpoint`) and the browser pages
(:mod:`oai.web`), so both answer the same headers the same way.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterable, Iterator

from werkzeug.datastructures import Accept, MIMEAccept
from werkzeug.http import parse_accept_header

from .verbs import COMPRESSIONS

#: zlib level for responses, chosen by measurement (``python -m bench.compression``, 20,000
#: article records, CPU per response): a 200 KB oai_dc list page takes 0.67 ms at level 1
#: and 2.29 ms at level 6 (zlib's default), for 27% more bytes (28 KB against 22 KB); a
#: 500 KB MARCXML page 1.43 against 3.13 ms, 37% more. Serving the page itself costs about
#: 0.6 ms, so at level 6 compression would cost a gzip harvester four times the page;
#: GetRecord answers (2 KB) differ by a few percent at any level.
LEVEL = 1
#: Media types that name a page for people, and those that name the XML itself.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
XML_TYPES = frozenset({"text/xml", "application/xml"})
_WBITS = {"gzip": 31, "deflate": 15}


def wants_html(accept_header: str | None) -> bool:
    """Whether the client prefers a page to the XML: browsers do, harvesters do not.

    Only types the client names count: no Accept, ``*/*``, an XML type, or a tie
    between HTML and XML all mean XML, so no harvester is ever handed a page.
    """
    if not accept_header:
        return False
    html = xml = 0.0
    for value, quality in parse_accept_header(accept_header, MIMEAccept):
        kind = value.split(";", 1)[0].strip().lower()
        if kind in HTML_TYPES:
            html = max(html, quality)
        elif kind in XML_TYPES or kind.endswith("+xml"):
            xml = max(xml, quality)
    return html > xml


def encoding(accept_encoding: str | None) -> str | None:
    """gzip or deflate if the Accept-Encoding header asks for one; None: plain.

    Most harvesters send none or "identity": only the codings' names or ``*`` can
    name one, so a header without them is not parsed at all.
    """
    if not accept_encoding:
        return None
    lowered = accept_encoding.lower()
    if "*" not in lowered and not any(name in lowered for name in COMPRESSIONS):
        return None
    accepted = parse_accept_header(accept_encoding, Accept)
    for name in COMPRESSIONS:
        if accepted[name] > 0:
            return name
    return None


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


def compress(body: bytes | Iterator[bytes], coding: str) -> bytes | Iterator[bytes]:
    """``body`` in ``coding``: whole if it was whole (so it keeps a Content-Length)."""
    if isinstance(body, bytes):
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, _WBITS[coding])
        return compressor.compress(body) + compressor.flush()
    return _compressed(body, coding)


def _compressed(chunks: Iterator[bytes], coding: str) -> Iterator[bytes]:
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, _WBITS[coding])
    for chunk in chunks:
        data = compressor.compress(chunk)
        if data:
            yield data
    yield compressor.flush()
