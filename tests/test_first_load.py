"""A first load into an empty SQLite database writes the file under a rollback journal.

Through the write-ahead log, a load (one transaction) would write everything twice:
into the log, then from the log into the file. An empty database has nothing a
rollback journal must keep, so a first load writes the file directly, unless another
connection has it open (a server already running: it keeps reading through the log,
and the load does not wait for it). Whatever happens, the file is in WAL mode
afterwards, which readers beside a later load need.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from oai.cli import main
from oai.store import SQLITE_BUSY_MS, loader, parallel

from .conftest import record


@pytest.fixture
def path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database = tmp_path / "first.sqlite"
    monkeypatch.setenv("OAI_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("OAI_SECRET_KEY", "first-load")
    return database


@pytest.fixture
def modes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The journal mode the loading connection writes under, seen as the load finishes."""
    seen: list[str] = []
    finish = loader.Loader.finish

    def spy(self: loader.Loader) -> loader.LoadReport:
        connection = self.session.connection()
        seen.append(connection.exec_driver_sql("PRAGMA journal_mode").scalar())
        return finish(self)

    monkeypatch.setattr(loader.Loader, "finish", spy)
    return seen


def _load(folder: Path, lines: list[Any], *options: str) -> Result:
    file = folder / "records.jsonl"
    file.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    return CliRunner().invoke(main, ["load", str(file), *options])


def _file(path: Path, query: str) -> Any:
    with sqlite3.connect(path) as connection:
        return connection.execute(query).fetchone()[0]


@pytest.mark.parametrize("jobs", ["0", "2"])
def test_first_load_writes_the_file_and_leaves_it_in_wal(
    path: Path, modes: list[str], jobs: str
) -> None:
    result = _load(path.parent, [record(n) for n in range(40)], "--jobs", jobs)
    assert result.exit_code == 0, result.output
    assert modes == ["delete"]
    assert not Path(f"{path}-journal").exists()
    assert _file(path, "PRAGMA journal_mode") == "wal"
    assert _file(path, "SELECT count(*) FROM records") == 40
    assert _file(path, "PRAGMA integrity_check") == "ok"


def test_a_later_load_goes_through_the_log(path: Path, modes: list[str]) -> None:
    assert _load(path.parent, [record(n) for n in range(10)]).exit_code == 0
    changed = [record(n, metadata={"title": [f"Changed {n}"]}) for n in range(5, 20)]
    result = _load(path.parent, changed)
    assert result.exit_code == 0, result.output
    assert "10 added, 5 updated" in result.output
    assert modes == ["delete", "wal"]
    assert _file(path, "SELECT count(*) FROM records") == 20


def test_an_open_reader_keeps_the_log_and_is_not_waited_for(path: Path, modes: list[str]) -> None:
    """A server started before the first load: it holds the file open through the log."""
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0
    reader = sqlite3.connect(path)
    try:
        assert reader.execute("SELECT count(*) FROM records").fetchone() == (0,)
        started = time.monotonic()
        result = _load(path.parent, [record(n) for n in range(30)])
        took = time.monotonic() - started
        assert result.exit_code == 0, result.output
        assert modes == ["wal"]
        assert took < SQLITE_BUSY_MS / 1000, "the load waited out the busy timeout"
        assert reader.execute("SELECT count(*) FROM records").fetchone() == (30,)
    finally:
        reader.close()


def test_a_first_load_that_fails_leaves_the_empty_database(path: Path, modes: list[str]) -> None:
    lines: list[Any] = [record(n) for n in range(30)] + [{"identifier": "not a uri"}]
    result = _load(path.parent, lines)
    assert result.exit_code == 1
    assert ":31: identifier 'not a uri'" in result.output
    assert _file(path, "SELECT count(*) FROM records") == 0
    assert _file(path, "PRAGMA integrity_check") == "ok"
    # Any connection puts the file back in WAL mode; the next load starts afresh.
    result = _load(path.parent, [record(n) for n in range(3)])
    assert result.exit_code == 0, result.output
    assert _file(path, "PRAGMA journal_mode") == "wal"


def test_a_first_load_looks_nothing_up(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """There is nothing stored to compare with; a later load compares every record."""
    looked_up: list[int] = []

    def existing(session: Any, identifiers: list[str]) -> dict[str, Any]:
        looked_up.append(len(identifiers))
        return real(session, identifiers)

    real = loader.existing_records
    monkeypatch.setattr(loader, "existing_records", existing)
    monkeypatch.setattr(parallel, "existing_records", existing)
    assert _load(path.parent, [record(n) for n in range(10)], "--jobs", "0").exit_code == 0
    assert looked_up == []
    assert _load(path.parent, [record(n) for n in range(12)], "--jobs", "0").exit_code == 0
    assert looked_up == [12]
