"""Hostile XML and oversized input, through the real command: each refused in one line,
the database unchanged, no network connection attempted, no local file read into anything.

The attacks: an entity bomb (billion laughs), external entities (XXE) naming a local
file, a DOCTYPE naming a DTD on an HTTP server (this test's own, which counts
requests), and a JATS DOCTYPE whose DTD file would define an entity. ``socket`` is
watched too, so a connection anywhere would show.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from oai.cli import main
from oai.importers import Refused, SourceError, safexml, sources

from . import storedump

SAMPLES = Path(__file__).parent / "import_samples"
SECRET = "XXE-SECRET-7d1c0e"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database with the samples imported, so that "changes nothing" has something to keep."""
    url = f"sqlite:///{tmp_path / 'import.sqlite'}"
    monkeypatch.setenv("OAI_DATABASE_URL", url)
    monkeypatch.setenv("OAI_SECRET_KEY", "import-secret")
    monkeypatch.setenv("OAI_REPOSITORY_IDENTIFIER", "journals.example.org")
    assert oai("import", "crossref", str(SAMPLES / "crossref-4.4.2.xml")).exit_code == 0
    assert oai("import", "jats", str(SAMPLES / "jats")).exit_code == 0
    return url


def oai(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


class _Counting(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.requests.append(self.path)
        body = f'<!ENTITY remote "{SECRET}">'.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def dtd_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on loopback that serves an entity-defining DTD and records each request."""
    requests: list[str] = []
    handler = type("Handler", (_Counting,), {"requests": requests})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every socket connection attempted in this process, each refused."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("the test forbids network access")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, "utf-8")
    return path


BOMB_ENTITIES = "".join(
    f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, 10)
)
BOMB = f'<?xml version="1.0"?><!DOCTYPE {{root}} [<!ENTITY lol0 "lol">{BOMB_ENTITIES}]>'


def _attack(kind: str, root: str, secret: Path, server: str) -> str:
    body = {
        "doi_batch": '<doi_batch xmlns="http://www.crossref.org/schema/5.3.1">{}</doi_batch>',
        "article": "<article><front><article-meta><title-group><article-title>{}"
        "</article-title></title-group></article-meta></front></article>",
    }[root]
    if kind == "bomb":
        return BOMB.format(root=root) + body.format("&lol9;")
    if kind == "xxe":
        prolog = f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        return prolog + body.format("&xxe;")
    if kind == "xxe-passwd":
        return f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + body.format(
            "&xxe;"
        )
    if kind == "parameter-entity":
        prolog = f'<!DOCTYPE {root} [<!ENTITY % p SYSTEM "{server}/p.dtd"> %p;]>'
        return prolog + body.format("&remote;")
    if kind == "dtd-fetch":
        return f'<!DOCTYPE {root} SYSTEM "{server}/evil.dtd">' + body.format("&remote;")
    raise AssertionError(kind)


ATTACKS = ["bomb", "xxe", "xxe-passwd", "parameter-entity", "dtd-fetch"]


@pytest.mark.parametrize("kind", ATTACKS)
@pytest.mark.parametrize(("command", "root"), [("crossref", "doi_batch"), ("jats", "article")])
def test_attacks_are_refused_in_one_line_and_change_nothing(
    db: str,
    tmp_path: Path,
    secret_file: Path,
    dtd_server: tuple[str, list[str]],
    no_connections: list[Any],
    kind: str,
    command: str,
    root: str,
) -> None:
    server, requests = dtd_server
    hostile = tmp_path / f"{kind}.xml"
    hostile.write_text(_attack(kind, root, secret_file, server), "utf-8")
    before = storedump.snapshot(db)
    # A good file first: the refusal of the second must leave nothing of it either.
    good = SAMPLES / ("crossref-5.3.1.xml" if command == "crossref" else "jats")
    result = oai("import", command, str(good), str(hostile))
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"Error: {hostile}: refused: "), lines[0]
    assert storedump.snapshot(db) == before
    assert requests == [] and no_connections == []
    database = Path(db.removeprefix("sqlite:///")).read_bytes()
    for place in (result.output, database.decode("utf-8", "replace")):
        assert SECRET not in place
        assert "root:x:0:0" not in place


def test_a_jats_doctype_is_accepted_and_its_dtd_never_fetched(
    db: str, tmp_path: Path, dtd_server: tuple[str, list[str]], no_connections: list[Any]
) -> None:
    """JATS files name their DTD; it stands, and nothing asks for it (not even lxml's
    collect_ids=False, which would have libxml2 load it)."""
    server, requests = dtd_server
    text = (SAMPLES / "jats" / "jats-1.1-research.xml").read_text("utf-8")
    text = text.replace(
        "https://jats.nlm.nih.gov/publishing/1.1/JATS-journalpublishing1.dtd",
        f"{server}/JATS-journalpublishing1.dtd",
    )
    path = tmp_path / "named.xml"
    path.write_text(text, "utf-8")
    result = oai("import", "jats", str(path))
    assert result.exit_code == 0, result.output
    assert "1 unchanged" in result.output  # the same article as the sample's
    assert requests == [] and no_connections == []


def test_an_entity_only_the_dtd_defines_is_an_error_not_a_read(
    db: str, tmp_path: Path, secret_file: Path
) -> None:
    dtd = tmp_path / "JATS-archivearticle1.dtd"
    dtd.write_text(f'<!ENTITY secret SYSTEM "file://{secret_file}">', "utf-8")
    path = tmp_path / "uses-dtd.xml"
    path.write_text(
        f'<!DOCTYPE article SYSTEM "file://{dtd}">\n'
        "<article><front><article-meta><title-group>\n"
        "<article-title>&secret;</article-title></title-group></article-meta></front></article>",
        "utf-8",
    )
    before = storedump.snapshot(db)
    result = oai("import", "jats", str(path))
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"Error: {path}:3: &secret; needs a DTD")
    assert SECRET not in result.output
    assert storedump.snapshot(db) == before


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<!DOCTYPE a [<!ELEMENT a ANY>]><a/>", "internal subset"),
        ('<!DOCTYPE a [<!ATTLIST a b CDATA "c">]><a/>', "internal subset"),
        ('<!DOCTYPE a PUBLIC "-//Evil//DTD X//EN" "x.dtd"><a/>', "names the DTD x.dtd"),
    ],
)
def test_other_doctypes_are_refused(text: str, reason: str) -> None:
    with pytest.raises(Refused, match=reason):
        safexml.parse("f.xml", text.encode(), safexml.jats_doctype)


def test_deep_nesting_stops_at_libxml2s_limit() -> None:
    with pytest.raises(SourceError, match="not well-formed"):
        safexml.parse("deep.xml", b"<a>" * 100_000 + b"</a>" * 100_000)


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("crossref", "<doi_batch>" + " " * 5000 + "</doi_batch>"),
        ("jats", "<article>" + " " * 5002 + "</article>"),
        ("crossref", '{\n"message": "' + "m" * 4998 + '"}\n'),
    ],
    ids=["deposit", "jats", "json-document"],
)
def test_files_over_the_limit_are_refused(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, text: str
) -> None:
    monkeypatch.setattr(safexml, "MAX_BYTES", 4096)
    big = tmp_path / "big.file"
    big.write_text(text, "utf-8")
    before = storedump.snapshot(db)
    result = oai("import", command, str(big))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {big}: refused: {len(text)} bytes is over the 4096 bytes limit"
    ]
    assert storedump.snapshot(db) == before


def test_json_lines_over_the_line_limit_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "MAX_LINE_BYTES", 100)
    path = tmp_path / "works.jsonl"
    path.write_text('{"type": "x"}\n{"type": "y", "pad": "' + "p" * 200 + '"}\n', "utf-8")
    with pytest.raises(Refused, match=r"works.jsonl:2: refused"):
        list(sources.read_crossref(sources._input(str(path)), date.today(), lambda count: None))
