"""A correct OAI-PMH endpoint that can be broken on purpose, one defect at a time.

This project's own app serves a small database; :class:`Endpoint`, a WSGI middleware in
front of it, lets a :class:`Defect` rewrite each request before the app sees it and each
response after, and can also offer extra formats made from oai_dc (:class:`Alias`), so
that the checker's multi-format rules have something to judge. The whole thing runs on
Werkzeug's server in a thread; ``oai check`` talks to it over real HTTP.
"""

from __future__ import annotations

import gzip
import io
import json
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from lxml import etree
from werkzeug.serving import WSGIRequestHandler, make_server

from oai import create_app

from .conftest import load_lines

OAI = "http://www.openarchives.org/OAI/2.0/"
DC = "http://purl.org/dc/elements/1.1/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
PAGE_SIZE = 4
XML = [("Content-Type", "text/xml; charset=utf-8")]


def q(name: str) -> str:
    return f"{{{OAI}}}{name}"


# --- the database ------------------------------------------------------------------------

DAYS = ("2024-01-02", "2024-01-03", "2024-01-05")
TIE = "2024-01-03T12:00:00Z"


def lines() -> list[dict[str, Any]]:
    """Six declared sets (one empty, one hierarchy two deep) and 18 records on three days.

    Records sit at 09:30 to 20:30, never at midnight, so a window that stops at a day's
    first second loses them; three share the datestamp TIE; two are deleted.
    """
    out: list[dict[str, Any]] = [
        {"setSpec": "journal", "setName": "Journals"},
        {"setSpec": "journal:one", "setName": "Journal One", "setDescription": "The first."},
        {"setSpec": "journal:one:reviews", "setName": "Journal One: reviews"},
        {"setSpec": "journal:two", "setName": "Journal Two"},
        {"setSpec": "type", "setName": "Types"},
        {"setSpec": "empty", "setName": "A set with no records"},
    ]
    for n in range(18):
        stamp = TIE if n in (7, 8, 9) else f"{DAYS[n % 3]}T{9 + n % 12:02d}:30:00Z"
        section = ("journal:two", "journal:one", "journal:one:reviews")[n % 3]
        line: dict[str, Any] = {
            "identifier": f"oai:example.org:item/{n:02d}",
            "datestamp": stamp,
            "sets": [section] + (["type"] if n % 4 == 0 else []),
        }
        if n in (5, 11):
            line["deleted"] = True
        else:
            metadata: dict[str, Any] = {"title": [f"Item {n}"], "type": ["Text"]}
            if n % 2 == 0:
                metadata.update(creator=["Doe, Jane"], date=["2024"])
                metadata["identifier"] = [f"https://example.org/item/{n}"]
            line["metadata"] = metadata
        out.append(line)
    return out


def make_inner(folder: Path) -> Any:
    app = create_app(
        {
            "database_url": f"sqlite:///{folder / 'broken.sqlite'}",
            "secret_key": "broken-secret",
            "page_size": PAGE_SIZE,
            "repository_name": "Broken on purpose",
            "admin_email": "admin@example.org",
            "repository_identifier": "example.org",
            "prefetch": False,
        }
    )
    load_lines(app, [json.dumps(line) for line in lines()])
    return app


# --- calls and replies -------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """A request as the client sent it: method, arguments (repeats kept), Accept-Encoding."""

    method: str
    pairs: tuple[tuple[str, str], ...]
    accept_encoding: str = ""

    def arg(self, name: str) -> str | None:
        return next((v for k, v in self.pairs if k == name), None)

    @property
    def verb(self) -> str | None:
        return self.arg("verb")

    def with_args(self, **changes: str | None) -> Call:
        """The call with arguments replaced (None removes one), order kept."""
        pairs = [(k, changes[k]) if k in changes else (k, v) for k, v in self.pairs]
        kept = [(k, v) for k, v in pairs if v is not None]
        names = {k for k, _ in self.pairs}
        kept += [(k, v) for k, v in changes.items() if k not in names and v is not None]
        return replace(self, pairs=tuple(kept))


@dataclass
class Reply:
    status: str
    headers: list[tuple[str, str]]
    body: bytes

    def tree(self) -> etree._Element:
        return etree.fromstring(self.body)

    def edit(self, change: Callable[[etree._Element], None]) -> Reply:
        """The reply with its XML changed in place by ``change``."""
        root = self.tree()
        change(root)
        body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        return Reply(self.status, self.headers, body)

    @property
    def errors(self) -> list[str]:
        try:
            return [e.get("code") or "" for e in self.tree().findall(q("error"))]
        except etree.XMLSyntaxError:
            return []


def set_echo(root: etree._Element, call: Call) -> None:
    """``<request>`` echoing ``call``'s arguments, as the spec wants for non-argument errors."""
    request = root.find(q("request"))
    codes = {e.get("code") for e in root.findall(q("error"))}
    if request is None or codes & {"badVerb", "badArgument"}:
        return
    request.attrib.clear()
    for name, value in dict(reversed(call.pairs)).items():
        request.set(name, value)


class Defect:
    """No defect: every hook passes the call and the reply through unchanged."""

    #: The check this defect must make fail (or warn, for the checks that only warn).
    check = ""

    def call(self, ep: Endpoint, call: Call) -> Call | Reply:
        return call

    def reply(self, ep: Endpoint, call: Call, reply: Reply) -> Reply:
        return reply


# --- formats made from oai_dc ------------------------------------------------------------


@dataclass(frozen=True)
class Alias:
    """A format served from oai_dc: ``part_set`` limits it to one set's records;
    ``transform`` turns each oai_dc element into this format's element."""

    prefix: str
    namespace: str
    schema: str
    part_set: str | None = None
    transform: Callable[[etree._Element, str], etree._Element] | None = None


@dataclass
class Endpoint:
    """The WSGI app: the inner app behind the current defect and aliases."""

    inner: Any
    defect: Defect = field(default_factory=Defect)
    aliases: list[Alias] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    #: token -> the verb whose list issued it; token -> the token its page issued.
    issued: dict[str, str] = field(default_factory=dict)
    following: dict[str, str] = field(default_factory=dict)
    #: token -> the alias whose list it continues.
    alias_tokens: dict[str, Alias] = field(default_factory=dict)
    #: The last environ seen, for requests the endpoint makes on its own behalf.
    _environ: dict[str, Any] = field(default_factory=dict)

    def reset(self, defect: Defect | None = None, aliases: list[Alias] | None = None) -> None:
        self.defect = defect or Defect()
        self.aliases = aliases or []
        self.calls.clear()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        call = _read(environ)
        self.calls.append(call)
        result = self.defect.call(self, call)
        reply = result if isinstance(result, Reply) else self.answer(result, environ)
        reply = self.defect.reply(self, call, reply)
        self._note_tokens(call, reply)
        reply = _encode(call, reply)
        start_response(reply.status, reply.headers)
        return [reply.body]

    def forward(self, call: Call, environ: dict[str, Any] | None = None) -> Reply:
        """What the correct endpoint answers ``call`` (uncompressed)."""
        body = urlencode(call.pairs).encode() if call.method == "POST" else b""
        env = dict(environ or self._environ)
        env.update(
            {
                "REQUEST_METHOD": call.method,
                "PATH_INFO": "/oai",
                "QUERY_STRING": "" if call.method == "POST" else urlencode(call.pairs),
                "CONTENT_LENGTH": str(len(body)),
                "CONTENT_TYPE": "application/x-www-form-urlencoded",
                "wsgi.input": io.BytesIO(body),
                "HTTP_ACCEPT_ENCODING": "identity",
            }
        )
        env.pop("HTTP_ACCEPT", None)
        self._environ = env
        captured: dict[str, Any] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"], captured["headers"] = status, headers

        chunks = self.inner(env, start)
        data = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        return Reply(captured["status"], list(captured["headers"]), data)

    # aliases ---------------------------------------------------------------------------

    def alias(self, prefix: str | None) -> Alias | None:
        return next((a for a in self.aliases if a.prefix == prefix), None)

    def has(self, alias: Alias, identifier: str) -> bool:
        """Whether the record ``identifier`` exists in the alias format."""
        reply = self.forward(
            Call(
                "GET",
                (("verb", "GetRecord"), ("identifier", identifier), ("metadataPrefix", "oai_dc")),
            )
        )
        header = reply.tree().find(f"{q('GetRecord')}/{q('record')}/{q('header')}")
        if header is None:
            return False
        if alias.part_set is None:
            return True
        specs = [s.text or "" for s in header.findall(q("setSpec"))]
        return any(s == alias.part_set or s.startswith(alias.part_set + ":") for s in specs)

    def answer(self, call: Call, environ: dict[str, Any]) -> Reply:
        verb, alias = call.verb, self.alias(call.arg("metadataPrefix"))
        token = call.arg("resumptionToken")
        if verb == "ListMetadataFormats" and self.aliases and call.arg("identifier") is not None:
            return self._formats(call, environ)
        if verb == "ListMetadataFormats" and self.aliases:
            return self.forward(call, environ).edit(lambda r: self._add_formats(r, self.aliases))
        if alias is not None and verb in ("ListIdentifiers", "ListRecords") and not token:
            inner = call.with_args(metadataPrefix="oai_dc")
            if alias.part_set and not call.arg("set"):
                inner = inner.with_args(set=alias.part_set)
            return self._aliased(alias, call, self.forward(inner, environ))
        if token and token in self.alias_tokens:
            return self._aliased(self.alias_tokens[token], call, self.forward(call, environ))
        if alias is not None and verb == "GetRecord":
            identifier = call.arg("identifier") or ""
            inner = call.with_args(metadataPrefix="oai_dc")
            if not self.has(alias, identifier):
                inner = call.with_args(metadataPrefix="oai_check_alias_missing")
            return self._aliased(alias, call, self.forward(inner, environ))
        return self.forward(call, environ)

    def _aliased(self, alias: Alias, call: Call, reply: Reply) -> Reply:
        def change(root: etree._Element) -> None:
            set_echo(root, call)
            if alias.transform is None:
                return
            for holder in root.iter(q("metadata")):
                (element,) = list(holder)
                identifier = holder.getparent().findtext(f"{q('header')}/{q('identifier')}")
                holder.replace(element, alias.transform(element, identifier or ""))

        reply = reply.edit(change)
        for value in _tokens(reply):
            self.alias_tokens[value] = alias
        return reply

    def _add_formats(self, root: etree._Element, aliases: list[Alias]) -> None:
        listing = root.find(q("ListMetadataFormats"))
        if listing is None:
            return
        for alias in aliases:
            # An alias stands in for a real format of the same prefix, if the app has one.
            for entry in listing.findall(q("metadataFormat")):
                if entry.findtext(q("metadataPrefix")) == alias.prefix:
                    listing.remove(entry)
            entry = etree.SubElement(listing, q("metadataFormat"))
            for name, value in (
                ("metadataPrefix", alias.prefix),
                ("schema", alias.schema),
                ("metadataNamespace", alias.namespace),
            ):
                etree.SubElement(entry, q(name)).text = value

    def _formats(self, call: Call, environ: dict[str, Any]) -> Reply:
        reply = self.forward(call, environ)
        if reply.errors:
            return reply
        identifier = call.arg("identifier") or ""
        held = [a for a in self.aliases if self.has(a, identifier)]
        return reply.edit(lambda root: self._add_formats(root, held))

    def _note_tokens(self, call: Call, reply: Reply) -> None:
        for value in _tokens(reply):
            self.issued[value] = call.verb or ""
            sent = call.arg("resumptionToken")
            if sent:
                self.following[sent] = value


def _tokens(reply: Reply) -> list[str]:
    try:
        root = reply.tree()
    except etree.XMLSyntaxError:
        return []
    return [t.text for t in root.iter(q("resumptionToken")) if t.text]


def _read(environ: dict[str, Any]) -> Call:
    method = environ["REQUEST_METHOD"]
    if method == "POST":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(size).decode()
    else:
        raw = environ.get("QUERY_STRING", "")
    pairs = tuple(parse_qsl(raw, keep_blank_values=True))
    return Call(method, pairs, environ.get("HTTP_ACCEPT_ENCODING", ""))


def _encode(call: Call, reply: Reply) -> Reply:
    """Compress as the client asked, as the real endpoint does, unless already encoded."""
    if any(k.lower() == "content-encoding" for k, _ in reply.headers):
        return reply
    headers = [(k, v) for k, v in reply.headers if k.lower() != "content-length"]
    body = reply.body
    if "gzip" in call.accept_encoding:
        body, headers = gzip.compress(body), headers + [("Content-Encoding", "gzip")]
    elif "deflate" in call.accept_encoding:
        body, headers = zlib.compress(body), headers + [("Content-Encoding", "deflate")]
    return Reply(reply.status, headers + [("Content-Length", str(len(body)))], body)


class _Quiet(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn does

    def log(self, type: str, message: str, *args: Any) -> None:
        """Requests are not logged: a run makes a few hundred."""


@contextmanager
def serving(folder: Path) -> Iterator[tuple[str, Endpoint]]:
    """The endpoint on a free port in a thread: its /oai URL and the Endpoint to break."""
    endpoint = Endpoint(make_inner(folder))
    server = make_server("127.0.0.1", 0, endpoint, threaded=False, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/oai", endpoint
    finally:
        server.shutdown()
        thread.join(timeout=10)
        endpoint.inner.extensions["oai"].close()
