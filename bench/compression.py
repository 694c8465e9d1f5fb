"""``python -m bench.compression DATABASE_URL``: which encoder and level to compress responses with.

Takes real responses from the endpoint in-process (list pages of each format and
GetRecord answers), compresses each at every level of zlib (the standard library)
and of ISA-L (the ``isal`` package, the same deflate format from a faster encoder),
and prints, per level, the median CPU time per response and the size against zlib's
level 6 (its default). A level is worth raising only while the bytes it saves cost
less to send than the CPU it takes: on a 2-core server CPU is what a harvest waits for.
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import time
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from isal import isal_zlib

from oai import create_app

#: (name, compressobj, levels) of each encoder measured.
ENCODERS: tuple[tuple[str, Any, range], ...] = (
    ("zlib", zlib.compressobj, range(1, 10)),
    ("isal", isal_zlib.compressobj, range(0, 4)),
)

_TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]+)<")
_IDENTIFIER = re.compile(rb"<identifier>([^<]+)</identifier>")


def _caller(app: Any) -> Callable[[str], bytes]:
    def call(query: str) -> bytes:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/oai",
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1:8000",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
        }
        body = app.wsgi_app(environ, lambda status, headers, exc=None: None)
        return b"".join(body)

    return call


def responses(database_url: str, pages: int) -> dict[str, list[bytes]]:
    """Real responses by kind: list pages of three formats, GetRecords."""
    app = create_app({"database_url": database_url})
    call = _caller(app)
    found: dict[str, list[bytes]] = {}
    identifiers: list[str] = []
    for prefix in ("oai_dc", "oai_openaire", "marcxml"):
        query = f"verb=ListRecords&metadataPrefix={prefix}"
        kind = found.setdefault(f"ListRecords {prefix}", [])
        for _ in range(pages):
            body = call(query)
            kind.append(body)
            identifiers += [m.decode() for m in _IDENTIFIER.findall(body)[:3]]
            token = _TOKEN.search(body)
            if token is None:
                break
            query = f"verb=ListRecords&resumptionToken={quote(token.group(1).decode(), safe='')}"
    found["GetRecord"] = [
        call(f"verb=GetRecord&metadataPrefix=oai_dc&identifier={quote(i, safe='')}")
        for i in identifiers[:200]
    ]
    app.extensions["oai"].close()
    return found


def measure(bodies: list[bytes], level: int, encoder: Any = zlib.compressobj) -> tuple[float, int]:
    """(median CPU seconds per body, total compressed bytes) at ``level``, gzip framing."""
    times, size = [], 0
    for body in bodies:
        started = time.process_time()
        for _ in range(5):
            compressor = encoder(level, zlib.DEFLATED, 31)
            data = compressor.compress(body) + compressor.flush()
        times.append((time.process_time() - started) / 5)
        size += len(data)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("--pages", type=int, default=20, help="list pages per format")
    args = parser.parse_args()
    for kind, bodies in responses(args.database_url, args.pages).items():
        raw = sum(map(len, bodies))
        print(f"\n{kind}: {len(bodies)} responses, {raw / len(bodies) / 1024:.0f} KB each")
        print("| encoder | level | ms per response | KB per response | bytes vs zlib level 6 |")
        print("|---|---|---|---|---|")
        base = measure(bodies, 6)[1]
        for name, encoder, levels in ENCODERS:
            for level in levels:
                cpu, size = measure(bodies, level, encoder)
                print(
                    f"| {name} | {level} | {cpu * 1000:.2f} | {size / len(bodies) / 1024:.1f} | "
                    f"{size / base:.0%} |"
                )


if __name__ == "__main__":
    main()
