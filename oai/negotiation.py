"""What a client asks for: its arguments, a page or the XML, and which compression.

Shared by the harvesters' handler (:mod:`oai.endpoint`) and the browser pages
(:mod:`oai.web`), so both read the same requests the same way.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401 -- registers the URL_QUOTE error handler
from isal import isal_zlib
from werkzeug.datastructures import Accept, MIMEAccept
from werkzeug.http import parse_accept_header

from .verbs import COMPRESSIONS

#: Responses are compressed by ISA-L (the ``isal`` package), whose deflate is zlib's format
#: from a faster encoder; any gzip or deflate client reads it. Level and library chosen by
#: measurement (``python -m bench.compression``, CPU per response on 20,000 article records):
#: a 205 KB oai_dc list page takes 0.15 ms at ISA-L level 2 and 0.68 ms at zlib's fastest
#: level 1, for the same bytes (28.6 KB); a 466 KB MODS page 0.22 against 1.36 ms, and
#: 4% fewer bytes. ISA-L's level 3 saves another 3-7% of the bytes for four times the CPU.
#: Serving a page costs about 0.5 ms, so zlib would have doubled a gzip harvester's page.
LEVEL = 2
#: Media types that name a page for people, and those that name the XML itself.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
XML_TYPES = frozenset({"text/xml", "application/xml"})
_WBITS = {"gzip": 31, "deflate": 15}
#: The codec error handler werkzeug registers (``werkzeug.urls``, imported with the
#: wrappers) and ``Request.args`` decodes with: an invalid escape is kept as it was sent.
URL_QUOTE = "werkzeug.url_quote"


def query_pairs(query: str) -> list[tuple[str, str]]:
    """The arguments of a query string, in order, as werkzeug's ``Request.args`` reads them
    (a percent-escape that is not UTF-8 stays as it was sent), except for raw bytes.

    A WSGI server passes the query's bytes as it got them, as Latin-1 text. gunicorn
    refuses a request line with bytes that are not URL characters, but other servers
    (werkzeug's development server, behind ``flask run``) pass them on, and
    ``Request.args`` then raised UnicodeDecodeError: a 500. Here such a byte becomes
    U+FFFD, so the request gets the OAI answer its arguments deserve. The harvesters'
    handler parses a GET's query here, without a Request object, which a GET needs
    for nothing else.
    """
    if query.isascii() and "%" not in query and "+" not in query:
        # Nothing to decode, the usual harvester's query (a token is URL-safe base64):
        # parse_qsl's split alone, a quarter of its cost (1 against 3.8 us a GetRecord).
        pairs = []
        for piece in query.split("&"):
            if piece:
                name, _, value = piece.partition("=")
                pairs.append((name, value))
        return pairs
    text = query.encode("latin-1", "replace").decode("utf-8", "replace")
    return parse_qsl(text, keep_blank_values=True, errors=URL_QUOTE)


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


@functools.lru_cache(maxsize=64)
def encoding(accept_encoding: str | None) -> str | None:
    """gzip or deflate if the Accept-Encoding header asks for one; None: plain.

    Most harvesters send none or "identity": only the codings' names or ``*`` can
    name one, so a header without them is not parsed at all. The answer is kept per
    header: clients send the same one or two headers again and again, and parsing
    ``gzip, deflate`` cost 3 us a request, a quarter of compressing a GetRecord.
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
        return isal_zlib.compress(body, LEVEL, _WBITS[coding])
    return _compressed(body, coding)


def _compressed(chunks: Iterator[bytes], coding: str) -> Iterator[bytes]:
    compressor = isal_zlib.compressobj(LEVEL, isal_zlib.DEFLATED, _WBITS[coding])
    for chunk in chunks:
        data = compressor.compress(chunk)
        if data:
            yield data
    yield compressor.flush()
