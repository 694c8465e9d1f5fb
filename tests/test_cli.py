"""The ``oai`` command: load, delete, stats through click's CliRunner; serve in a subprocess.

Malformed load files, line by line, are tests/test_load_errors.py's; here one bad
line shows the contract (``file:line: reason``, exit 1, nothing loaded).
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from oai import create_app
from oai.cli import main

from . import xsd
from .conftest import error_code
from .server import running_server

OAI = "{http://www.openarchives.org/OAI/2.0/}"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every command in the test works on one SQLite file, as a user's shell would."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("OAI_DATABASE_URL", url)
    monkeypatch.setenv("OAI_SECRET_KEY", "cli-secret")
    return url


def oai(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def write_lines(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def rec(n: int, title: str | None = None, **extra: Any) -> dict[str, Any]:
    line: dict[str, Any] = {
        "identifier": f"oai:example.org:cli-{n}",
        "sets": ["s:t"],
        "metadata": {"title": [title or f"Title {n}"], "type": ["Text"]},
    }
    line.update(extra)
    return line


def stats() -> dict[str, str]:
    result = oai("stats")
    assert result.exit_code == 0, result.output
    facts = dict(line.split(": ", 1) for line in result.output.splitlines())
    assert facts.pop("database").startswith("sqlite:///")  # checked in full below
    return facts


def get(**args: str) -> etree._Element:
    """One request to an app on the same database, validated against the schemas."""
    app = create_app()
    try:
        response = app.test_client().get("/oai", query_string=args)
        assert response.status_code == 200
        return xsd.validate(response.data)
    finally:
        app.extensions["oai"].close()


def datestamps(count: int = 3) -> dict[str, str]:
    """Each record's datestamp by GetRecord (a list leaves out the current second)."""
    stamps = {}
    for n in range(count):
        identifier = f"oai:example.org:cli-{n}"
        root = get(verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
        stamps[identifier] = root.findtext(f".//{OAI}header/{OAI}datestamp") or ""
    return stamps


def next_second() -> None:
    """Lists end one second before now (README: a harvest is a snapshot): wait past it."""
    time.sleep(1.05 - time.time() % 1)


LOAD_LINE = re.compile(
    r"^loaded (\d+) lines: (\d+) added, (\d+) updated, (\d+) unchanged, (\d+) set declarations$"
)


def load_counts(result: Result) -> tuple[int, ...]:
    assert result.exit_code == 0, result.output
    database, summary = result.output.strip().splitlines()
    assert database.startswith("database: sqlite:///"), result.output
    match = LOAD_LINE.match(summary)
    assert match, result.output
    return tuple(int(n) for n in match.groups())


def test_load_prints_counts(db: str, tmp_path: Path, schemas: Path) -> None:
    path = write_lines(
        tmp_path / "a.jsonl",
        [{"setSpec": "s", "setName": "S"}]
        + [rec(n, datestamp="2020-01-01T00:00:00Z") for n in range(3)],
    )
    assert load_counts(oai("load", str(path))) == (4, 3, 0, 0, 1)
    assert stats() == {
        "records": "3",
        "deleted": "0",
        "sets": "2",
        "formats": "6 (oai_dc, oai_openaire, marcxml, oai_datacite, jats, mods)",
    }


def test_a_load_leaves_no_write_ahead_log_behind(db: str, tmp_path: Path) -> None:
    """A load is one transaction; its log would otherwise keep the disk it grew to."""
    path = write_lines(tmp_path / "a.jsonl", [rec(n) for n in range(200)])
    assert load_counts(oai("load", str(path)))[1] == 200
    log = tmp_path / "cli.sqlite-wal"
    assert not log.exists() or log.stat().st_size == 0


def test_reload_keeps_datestamps_and_changes_only_what_changed(
    db: str, tmp_path: Path, schemas: Path
) -> None:
    old = "2020-01-01T00:00:00Z"
    first = [rec(n, datestamp=old) for n in range(3)]
    load_counts(oai("load", str(write_lines(tmp_path / "a.jsonl", first))))
    # The same content, now without a datestamp (which would default to the load time).
    same = [rec(n) for n in range(3)]
    assert load_counts(oai("load", str(write_lines(tmp_path / "b.jsonl", same)))) == (
        3,
        0,
        0,
        3,
        0,
    )
    assert set(datestamps().values()) == {old}
    changed = [rec(0), rec(1, title="A new title"), rec(2)]
    assert load_counts(oai("load", str(write_lines(tmp_path / "c.jsonl", changed)))) == (
        3,
        0,
        1,
        2,
        0,
    )
    stamps = datestamps()
    assert stamps["oai:example.org:cli-0"] == old
    assert stamps["oai:example.org:cli-2"] == old
    assert stamps["oai:example.org:cli-1"] > old
    title = get(verb="GetRecord", identifier="oai:example.org:cli-1", metadataPrefix="oai_dc")
    assert title.findtext(".//{http://purl.org/dc/elements/1.1/}title") == "A new title"


def test_load_from_stdin(db: str, schemas: Path) -> None:
    text = "".join(json.dumps(rec(n, datestamp="2020-01-01T00:00:00Z")) + "\n" for n in range(2))
    assert load_counts(oai("load", "-", input=text))[:2] == (2, 2)
    assert stats()["records"] == "2"


def test_bad_line_loads_nothing(db: str, tmp_path: Path) -> None:
    good = write_lines(tmp_path / "good.jsonl", [rec(1, datestamp="2020-01-01T00:00:00Z")])
    load_counts(oai("load", str(good)))
    before = stats()
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps(rec(2)) + "\n" + '{"identifier": "oai:example.org:cli-3", "datestamp": 5}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["load", str(good), str(bad)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"Error: {bad}:2: ")
    assert "Traceback" not in result.output
    assert stats() == before


def test_missing_file_is_one_line(db: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["load", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert str(tmp_path / "nope.jsonl") in result.output


def test_delete(db: str, tmp_path: Path, schemas: Path) -> None:
    lines = [rec(n, datestamp="2020-01-01T00:00:00Z") for n in range(3)]
    load_counts(oai("load", str(write_lines(tmp_path / "a.jsonl", lines))))
    result = oai("delete", "oai:example.org:cli-1")
    assert result.exit_code == 0
    assert "1" in result.output
    assert stats()["deleted"] == "1"
    assert stats()["records"] == "3"
    root = get(verb="GetRecord", identifier="oai:example.org:cli-1", metadataPrefix="oai_dc")
    header = root.find(f".//{OAI}header")
    assert header is not None and header.get("status") == "deleted"
    assert root.find(f".//{OAI}metadata") is None
    # Its datestamp moved, so incremental harvesters learn of the deletion.
    assert datestamps()["oai:example.org:cli-1"] > "2020-01-01T00:00:00Z"
    next_second()
    listed = get(verb="ListRecords", metadataPrefix="oai_dc", set="s", until="2999-12-31")
    statuses = {
        h.findtext(f"{OAI}identifier"): h.get("status") for h in listed.iter(f"{OAI}header")
    }
    assert statuses == {
        "oai:example.org:cli-0": None,
        "oai:example.org:cli-1": "deleted",
        "oai:example.org:cli-2": None,
    }


def test_delete_unknown_changes_nothing(db: str, tmp_path: Path, schemas: Path) -> None:
    lines = [rec(n, datestamp="2020-01-01T00:00:00Z") for n in range(2)]
    load_counts(oai("load", str(write_lines(tmp_path / "a.jsonl", lines))))
    result = CliRunner().invoke(main, ["delete", "oai:example.org:cli-0", "oai:example.org:nope"])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "'oai:example.org:nope'" in result.output
    assert "'oai:example.org:cli-0'" not in result.output  # it is known: only the unknown one
    assert "nothing was deleted" in result.output
    assert "Traceback" not in result.output
    assert stats()["deleted"] == "0"
    assert set(datestamps(2).values()) == {"2020-01-01T00:00:00Z"}


def test_delete_names_every_unknown_identifier(db: str, tmp_path: Path) -> None:
    load_counts(oai("load", str(write_lines(tmp_path / "a.jsonl", [rec(0)]))))
    result = CliRunner().invoke(main, ["delete", "oai:x:a", "oai:example.org:cli-0", "oai:x:b"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: no records with identifiers 'oai:x:a', 'oai:x:b': nothing was deleted"
    )
    assert stats()["deleted"] == "0"


def test_every_command_names_its_database(db: str, tmp_path: Path) -> None:
    shown = f"database: {db}"
    path = write_lines(tmp_path / "a.jsonl", [rec(0)])
    assert oai("load", str(path)).output.splitlines()[0] == shown
    assert oai("stats").output.splitlines()[0] == shown
    assert oai("delete", "oai:example.org:cli-0").output.splitlines()[0] == shown
    assert oai("db", "current").output.splitlines()[0] == shown
    assert oai("db", "upgrade").output.splitlines()[0] == shown


def test_a_database_password_is_never_printed(tmp_path: Path) -> None:
    url = "postgresql+psycopg://oai:s3cret@127.0.0.1:1/oai?connect_timeout=1"
    result = CliRunner().invoke(main, ["stats"], env={"OAI_DATABASE_URL": url})
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot open the database postgresql+psycopg://oai:***@")
    assert "s3cret" not in result.output


def test_load_fixtures_into_a_database_that_has_records(
    db: str, tmp_path: Path, schemas: Path
) -> None:
    load_counts(oai("load", str(write_lines(tmp_path / "a.jsonl", [rec(0)]))))
    fixture_lines = [
        line
        for path in (Path(__file__).parent.parent / "fixtures").glob("*.jsonl")
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]
    assert load_counts(oai("load", "--fixtures"))[0] == len(fixture_lines)
    root = get(verb="GetRecord", identifier=SEED, metadataPrefix="oai_dc")
    assert error_code(root) is None
    assert stats()["records"] == str(1 + sum('"identifier"' in line for line in fixture_lines))


def test_load_without_files_says_what_to_give(db: str) -> None:
    result = CliRunner().invoke(main, ["load"])
    assert result.exit_code == 2
    assert "--fixtures" in result.output


def test_version_is_the_installed_one() -> None:
    from importlib.metadata import version

    result = oai("--version")
    assert result.output == f"oai {version('oai-endpoint')}\n"


def test_help_names_documentation_that_exists() -> None:
    result = oai("--help")
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if "Documentation:" in line)
    assert Path(line.split("Documentation:", 1)[1].strip()).is_file()
    assert "OAI_DATABASE_URL" in result.output and "OAI_CONFIG_FILE" in result.output


def test_bad_setting_is_one_line(monkeypatch: pytest.MonkeyPatch, db: str) -> None:
    monkeypatch.setenv("OAI_PAGE_SIZE", "many")
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "OAI_PAGE_SIZE" in lines[0]


SEED = "oai:prometheusjournal.co.uk:article/putting-innovation-in-place"


def fetch(url: str) -> etree._Element:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
        return xsd.validate(response.read())


def test_serve_loads_fixtures_into_an_empty_database(tmp_path: Path, schemas: Path) -> None:
    env = {"OAI_DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite'}"}
    with running_server(tmp_path, env) as url:
        root = fetch(f"{url}?verb=GetRecord&metadataPrefix=oai_dc&identifier={SEED}")
        listed = fetch(f"{url}?verb=ListIdentifiers&metadataPrefix=oai_dc")
    assert error_code(root) is None
    title = root.findtext(".//{http://purl.org/dc/elements/1.1/}title") or ""
    assert title.startswith("Putting Innovation in Place")
    fixture_ids = {
        json.loads(line)["identifier"]
        for path in (Path(__file__).parent.parent / "fixtures").glob("*.jsonl")
        for line in path.read_text("utf-8").splitlines()
        if '"identifier"' in line
    }
    served = {h.findtext(f"{OAI}identifier") for h in listed.iter(f"{OAI}header")}
    assert served == fixture_ids
