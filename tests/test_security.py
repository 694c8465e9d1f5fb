"""Security basics: no debug mode or traceback in ``oai serve``, request size limits,
safe XML parsing, and the token key kept out of every response and log line.
"""

from __future__ import annotations

import ast
import http.client
import json
import sqlite3
import urllib.parse
from pathlib import Path

import pytest

from oai import server
from oai.tokens import ListState, TokenCodec

from .conftest import record
from .server import run_command, running_servers

PACKAGE = Path(__file__).resolve().parent.parent / "oai"
MARKER = "Hostile-Marker-Secret-5f1e9c2a"


def _raw(base: str, method: str, target: str, body: bytes | None = None) -> tuple[int, bytes]:
    """One request with http.client (no client-side limits); status and body."""
    netloc = urllib.parse.urlsplit(base).netloc
    connection = http.client.HTTPConnection(netloc, timeout=30)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read() + str(response.getheaders()).encode()
    finally:
        connection.close()


def _store(tmp_path: Path, name: str) -> Path:
    """A SQLite store with records, loaded by the real command."""
    path = tmp_path / name
    lines = tmp_path / f"{name}.jsonl"
    lines.write_text("".join(json.dumps(record(n)) + "\n" for n in range(12)))
    done = run_command({"OAI_DATABASE_URL": f"sqlite:///{path}"}, "load", str(lines))
    assert done.returncode == 0, done.stderr
    return path


def _battery(base: str, key: str) -> dict[str, tuple[int, bytes]]:
    """Every kind of answer the server gives: lists, errors, forged tokens, refusals."""
    forged = TokenCodec(key + "x").encode(
        ListState("ListRecords", "oai_dc", None, None, None, None, "", 0, 1, 0)
    )
    requests: dict[str, tuple[str, str, bytes | None]] = {
        "Identify": ("GET", "/oai?verb=Identify", None),
        "ListRecords": ("GET", "/oai?verb=ListRecords&metadataPrefix=oai_dc", None),
        "ListIdentifiers": ("GET", "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&set=all", None),
        "ListSets": ("GET", "/oai?verb=ListSets", None),
        "GetRecord": (
            "GET",
            "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:example.org:rec-00001",
            None,
        ),
        "forged token": ("GET", f"/oai?verb=ListRecords&resumptionToken={forged}", None),
        "badVerb": ("GET", "/oai?verb=Nope", None),
        "no verb": ("GET", "/oai", None),
        "home": ("GET", "/", None),
        "not found": ("GET", "/missing", None),
        "long request line": ("GET", "/oai?verb=Identify&x=" + "a" * 9000, None),
        "PUT": ("PUT", "/oai?verb=Identify", None),
        "big POST": ("POST", "/oai", b"verb=Identify&x=" + b"a" * 70_000),
        "POST": ("POST", "/oai", b"verb=ListSets"),
    }
    answers = {label: _raw(base, *request) for label, request in requests.items()}
    body = answers["ListRecords"][1]
    token = body.split(b"<resumptionToken", 1)[1].split(b">", 1)[1].split(b"<", 1)[0]
    target = f"/oai?verb=ListRecords&resumptionToken={token.decode()}"
    answers["next page"] = _raw(base, "GET", target)
    return answers


def _corrupt(path: Path) -> None:
    """Make every read of datestamps fail inside SQLAlchemy: a real internal error."""
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE records SET datestamp = 'not a date'")


def test_forced_internal_error_shows_no_traceback_and_no_key(tmp_path: Path) -> None:
    """FLASK_DEBUG=1 in the environment must not switch serve into debug mode."""
    path = _store(tmp_path, "secret.sqlite")
    env = {
        "OAI_DATABASE_URL": f"sqlite:///{path}",
        "OAI_SECRET_KEY": MARKER,
        "OAI_PAGE_SIZE": "5",
        "FLASK_DEBUG": "1",
    }
    with running_servers(tmp_path, [env]) as (srv,):
        answers = _battery(srv.base, MARKER)
        _corrupt(path)
        status, body = _raw(srv.base, "GET", "/oai?verb=Identify")
        log = srv.log_path.read_bytes()
    assert status == 500
    for word in (b"Traceback", b'File "', b"ValueError", b"sqlalchemy", str(path).encode()):
        assert word not in body, body
    assert b"Traceback" in log, "the error is logged on the server side"
    statuses = {label: code for label, (code, _) in answers.items()}
    assert statuses["big POST"] == 413
    assert statuses["long request line"] in (400, 414)
    assert statuses["PUT"] == 405
    assert statuses["not found"] == 404
    assert {
        statuses[label] for label in ("Identify", "ListRecords", "forged token", "next page")
    } == {200}
    for label, (_, text) in [*answers.items(), ("500", (status, body))]:
        assert MARKER.encode() not in text, label
        assert b"Traceback" not in text, label
    assert MARKER.encode() not in log


def test_generated_key_never_leaves_the_database(tmp_path: Path) -> None:
    path = _store(tmp_path, "generated.sqlite")
    env = {"OAI_DATABASE_URL": f"sqlite:///{path}", "OAI_PAGE_SIZE": "5"}
    with running_servers(tmp_path, [env]) as (srv,):
        with sqlite3.connect(path) as connection:
            (key,) = connection.execute(
                "SELECT value FROM meta WHERE key = 'secret_key'"
            ).fetchone()
        answers = _battery(srv.base, key)
        log = srv.log_path.read_bytes()
    assert len(key) >= 32
    outputs = [run_command(env, *args) for args in (["stats"], ["delete", "oai:x:none"])]
    for label, (_, text) in answers.items():
        assert key.encode() not in text, label
    assert key.encode() not in log
    for done in outputs:
        assert key not in done.stdout + done.stderr


def test_serve_turns_debug_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The app gunicorn serves is never in debug mode, whatever FLASK_DEBUG says."""
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("OAI_DATABASE_URL", f"sqlite:///{tmp_path / 'debug.sqlite'}")
    app = server._create_app()
    try:
        assert app.debug is False
        assert not app.config["PROPAGATE_EXCEPTIONS"]
    finally:
        app.extensions["oai"].close()


# ---- XML parsing: entity resolution and network access off, everywhere in oai/ ----

#: lxml/stdlib calls that parse XML text or files.
PARSE_CALLS = {"fromstring", "XML", "parse", "iterparse", "XMLID", "parseid", "fromstringlist"}
PARSER_CLASSES = {"XMLParser", "XMLPullParser", "ETCompatXMLParser", "HTMLParser"}
UNSAFE_MODULES = ("xml.dom", "xml.sax", "xml.etree", "xml.parsers", "lxml.objectify", "lxml.html")


def _is_xml_module(node: ast.expr) -> bool:
    """``etree``, ``ET``, ``lxml.etree``: the objects whose methods parse XML."""
    if isinstance(node, ast.Name):
        return node.id in ("etree", "ET", "ElementTree")
    return isinstance(node, ast.Attribute) and node.attr in ("etree", "ElementTree")


def _safe_parser_call(node: ast.expr) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name))):
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
    keywords = {k.arg: k.value for k in node.keywords}
    return (
        name == "XMLParser"
        and isinstance(keywords.get("resolve_entities"), ast.Constant)
        and keywords["resolve_entities"].value is False
        and isinstance(keywords.get("no_network"), ast.Constant)
        and keywords["no_network"].value is True
        and not any(
            isinstance(k.value, ast.Constant) and k.arg == "load_dtd" and k.value.value
            for k in node.keywords
        )
    )


def unsafe_xml_parsing(source: str) -> list[str]:
    """Where ``source`` parses XML without a parser that resolves no entities and stays
    off the network (a name bound to such an XMLParser counts as one)."""
    tree = ast.parse(source)
    safe_names = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        and node.value is not None
        and _safe_parser_call(node.value)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("etree")
        for alias in node.names
    }
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names]
            problems += [
                f"line {node.lineno}: imports {n}" for n in names if n.startswith(UNSAFE_MODULES)
            ]
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and _is_xml_module(node.func.value):
            name = node.func.attr
        elif isinstance(node.func, ast.Name) and node.func.id in imported:
            name = node.func.id
        else:
            continue
        if name in PARSER_CLASSES and not _safe_parser_call(node):
            problems.append(f"line {node.lineno}: {name} without resolve_entities/no_network")
        if name in PARSE_CALLS:
            parser = node.args[1] if len(node.args) > 1 else None
            parser = next((k.value for k in node.keywords if k.arg == "parser"), parser)
            ok = parser is not None and (
                _safe_parser_call(parser)
                or (isinstance(parser, ast.Name) and parser.id in safe_names)
            )
            if not ok:
                problems.append(f"line {node.lineno}: {name} without a safe parser")
    return problems


def test_the_checker_finds_unsafe_parsing() -> None:
    bad = """
from lxml import etree
import xml.dom.minidom
LOOSE = etree.XMLParser(resolve_entities=True)
etree.fromstring(data)
etree.parse(path, LOOSE)
etree.XML(data, parser=etree.XMLParser(no_network=True))
"""
    assert [p.split(":")[0] for p in unsafe_xml_parsing(bad)] == [
        "line 3",  # xml.dom
        "line 4",  # a parser that resolves entities
        "line 5",  # the default parser
        "line 6",  # a parser that is not safe
        "line 7",  # XML() with a parser that still resolves entities...
        "line 7",  # ...which is itself reported
    ]
    good = """
from lxml import etree
SAFE = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
etree.fromstring(data, SAFE)
etree.parse(path, parser=etree.XMLParser(resolve_entities=False, no_network=True))
"""
    assert unsafe_xml_parsing(good) == []


@pytest.mark.parametrize(
    "module", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_project_parses_xml_safely(module: Path) -> None:
    assert unsafe_xml_parsing(module.read_text("utf-8")) == []
