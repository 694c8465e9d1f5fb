"""``oai load --jobs N``: worker processes give the very rows a sequential load gives,
and keep its guarantees (one transaction, first bad line named, duplicates caught)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from oai.cli import main
from oai.store import parallel

from .conftest import record

TABLES = {
    "records": "identifier, datestamp, deleted, source, digest",
    "fragments": "identifier, prefix, datestamp, header_open, header_close, metadata_xml",
    "memberships": "set_spec, datestamp, identifier, header_open, header_close",
    "sets": "set_spec, name, description, declared",
}


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several chunks per test file, so ordering across workers is exercised."""
    monkeypatch.setattr(parallel, "CHUNK_LINES", 7)


def _write(path: Path, lines: list[Any]) -> Path:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        "utf-8",
    )
    return path


def _load(url: str, *args: str) -> Any:
    env = {"OAI_DATABASE_URL": url, "OAI_SECRET_KEY": "k"}
    return CliRunner().invoke(main, ["load", *args], env=env)


def _dump(url: str) -> dict[str, list[Any]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        dump = {
            table: [tuple(row) for row in connection.execute(text(f"SELECT {cols} FROM {table}"))]
            for table, cols in TABLES.items()
        }
    engine.dispose()
    return {table: sorted(rows, key=repr) for table, rows in dump.items()}


def _lines() -> list[Any]:
    lines: list[Any] = [{"setSpec": "all", "setName": "Everything"}]
    lines += [record(n) for n in range(40)]
    lines += [record(40, deleted=True, metadata={}), {"setSpec": "odd:x", "setName": "Odd X"}]
    lines.insert(20, "")  # a blank line is skipped, and numbering goes on
    return lines


def test_parallel_load_reload_and_update_match_a_sequential_load(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.jsonl", _lines())
    sequential, parallel_ = (f"sqlite:///{tmp_path / n}" for n in ("seq.sqlite", "par.sqlite"))
    first = _load(sequential, "--jobs", "0", str(source))
    second = _load(parallel_, "--jobs", "2", str(source))
    assert (first.exit_code, second.exit_code) == (0, 0), second.output
    # The same summary (the line before it names each one's own database).
    assert first.output.splitlines()[1:] == second.output.splitlines()[1:]
    assert "41 added" in second.output
    loaded = _dump(parallel_)
    assert loaded == _dump(sequential)

    again = _load(parallel_, "--jobs", "2", str(source))
    assert "0 added, 0 updated, 41 unchanged" in again.output
    assert _dump(parallel_) == loaded  # no datestamp moved, no row rewritten

    changed = [record(n, metadata={"title": [f"New {n}"]}) for n in range(0, 40, 3)]
    update = _load(parallel_, "--jobs", "2", str(_write(tmp_path / "b.jsonl", changed)))
    assert "0 added, 14 updated, 0 unchanged" in update.output
    assert sum("New" in row[3] for row in _dump(parallel_)["records"]) == 14


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "in.jsonl:31: not valid JSON"),
        (
            json.dumps(record(3)),
            "in.jsonl:31: identifier 'oai:example.org:rec-00003' appears twice",
        ),
    ],
    ids=["bad-json", "duplicate"],
)
def test_bad_line_in_a_later_chunk_loads_nothing(tmp_path: Path, bad: str, message: str) -> None:
    lines: list[Any] = [record(n) for n in range(40)]
    lines.insert(30, bad)  # line 31, in the fifth chunk of seven lines
    source = _write(tmp_path / "in.jsonl", lines)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    result = _load(url, "--jobs", "1", str(source))
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.count("\n") == 1  # one line, no traceback
    assert _dump(url)["records"] == []


def test_small_files_load_without_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any) -> None:
        raise AssertionError("a small file must not start worker processes")

    monkeypatch.setattr(parallel, "load_lines", refuse)
    source = _write(tmp_path / "in.jsonl", _lines())
    assert _load(f"sqlite:///{tmp_path / 'db.sqlite'}", str(source)).exit_code == 0


def test_default_jobs_is_one_per_core_and_none_on_one_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1, 2})
    assert parallel.default_jobs() == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0})
    assert parallel.default_jobs() == 0
