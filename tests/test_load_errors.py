"""``oai load`` on malformed input: one case per way a line can be wrong.

Each bad file starts with more good lines than one write batch (updates of
records already stored, new records, set declarations), so rows have really
been written before the bad line is reached; the store must still be exactly as
before: the command exits non-zero with the one line ``Error: file:line: reason``.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from oai.cli import main
from oai.store.loader import BATCH

from .conftest import record
from .storedump import snapshot

OK_META = {"title": ["A title"]}


def _rec(**fields: Any) -> str:
    line = {"identifier": "oai:example.org:bad", "metadata": OK_META}
    line.update(fields)
    return json.dumps(line)


#: id -> (bad line as written in the file, a word the reason must contain)
CASES: dict[str, tuple[str | bytes, str]] = {
    "truncated-json": ('{"identifier": "oai:example.org:bad", ', "JSON"),
    "trailing-garbage": (_rec() + " x", "JSON"),
    "single-quotes": ("{'identifier': 'oai:example.org:bad'}", "JSON"),
    "missing-comma": ('{"identifier": "oai:example.org:bad" "metadata": {}}', "column 38"),
    "unclosed-object": (_rec()[:-1], "end of the line"),
    "invalid-utf8": (b'{"identifier": "oai:example.org:\xff\xfe"}', "not UTF-8"),
    "latin-1": (
        '{"identifier": "oai:example.org:bad", "metadata": {"title": ["Caf\u00e9"]}}'.encode(
            "latin-1"
        ),
        "not UTF-8",
    ),
    "nested-too-deep": ("[" * 100_000 + "]" * 100_000, "deep"),
    "array-line": ('["oai:example.org:bad"]', "object"),
    "null-line": ("null", "object"),
    "number-line": ("42", "object"),
    "missing-identifier": (json.dumps({"metadata": OK_META}), "identifier"),
    "identifier-null": (_rec(identifier=None), "identifier"),
    "identifier-number": (_rec(identifier=123), "identifier"),
    "identifier-empty": (_rec(identifier=""), "identifier"),
    "identifier-no-scheme": (_rec(identifier="just-a-name"), "identifier"),
    "identifier-space": (_rec(identifier="oai:example.org:a b"), "identifier"),
    "identifier-newline": (_rec(identifier="oai:example.org:a\n"), "identifier"),
    "identifier-control": (_rec(identifier="oai:example.org:a\u0007"), "identifier"),
    "identifier-lone-surrogate": (
        '{"identifier": "oai:example.org:\\ud800", "metadata": {"title": ["x"]}}',
        "identifier",
    ),
    "identifier-bad-escape": (_rec(identifier="oai:example.org:%zz"), "identifier"),
    "identifier-bracket": (_rec(identifier="oai:example.org:a[1]"), "identifier"),
    "identifier-too-long": (_rec(identifier="oai:example.org:" + "a" * 1000), "identifier"),
    "datestamp-day-only": (_rec(datestamp="2024-01-01"), "datestamp"),
    "datestamp-offset": (_rec(datestamp="2024-01-01T00:00:00+01:00"), "datestamp"),
    "datestamp-fraction": (_rec(datestamp="2024-01-01T00:00:00.5Z"), "datestamp"),
    "datestamp-february-30": (_rec(datestamp="2024-02-30T00:00:00Z"), "datestamp"),
    "datestamp-hour-24": (_rec(datestamp="2024-01-01T24:00:00Z"), "datestamp"),
    "datestamp-trailing-newline": (_rec(datestamp="2024-01-01T00:00:00Z\n"), "datestamp"),
    "datestamp-wide-digits": (
        _rec(datestamp="\uff12\uff10\uff12\uff14-01-01T00:00:00Z"),
        "datestamp",
    ),
    "datestamp-number": (_rec(datestamp=1704067200), "datestamp"),
    "unknown-key": (_rec(titel="x"), "unknown"),
    "unknown-element": (_rec(metadata={"titel": ["x"]}), "unknown"),
    "metadata-not-object": (_rec(metadata=["x"]), "metadata"),
    "metadata-missing": (json.dumps({"identifier": "oai:example.org:bad"}), "metadata"),
    "element-not-list": (_rec(metadata={"title": "x"}), "list"),
    "element-holds-number": (_rec(metadata={"title": [1]}), "title"),
    "element-holds-null": (_rec(metadata={"title": [None]}), "title"),
    "value-object-extra-key": (
        _rec(metadata={"title": [{"value": "x", "lang": "en", "script": "Latn"}]}),
        "title",
    ),
    "value-object-no-value": (_rec(metadata={"title": [{"lang": "en"}]}), "title"),
    "lang-not-a-tag": (_rec(metadata={"title": [{"value": "x", "lang": "en gb"}]}), "lang"),
    "lang-trailing-newline": (_rec(metadata={"title": [{"value": "x", "lang": "en\n"}]}), "lang"),
    "rich-key-wrong-type": (_rec(metadata={"title": ["x"], "journal": ["J"]}), "journal"),
    "deleted-not-bool": (_rec(deleted="yes"), "deleted"),
    "deleted-number": (_rec(deleted=1), "deleted"),
    "sets-not-list": (_rec(sets="all"), "sets"),
    "set-spec-number": (_rec(sets=[1]), "setSpec"),
    "set-spec-space": (_rec(sets=["a b"]), "setSpec"),
    "set-spec-empty-part": (_rec(sets=["a::b"]), "setSpec"),
    "set-spec-newline": (_rec(sets=["a\n"]), "setSpec"),
    "set-declaration-bad-spec": (json.dumps({"setSpec": "a b", "setName": "A"}), "setSpec"),
    "set-declaration-name-number": (json.dumps({"setSpec": "a", "setName": 5}), "setName"),
    "set-declaration-empty-name": (json.dumps({"setSpec": "a", "setName": " "}), "setName"),
    "set-declaration-description-list": (
        json.dumps({"setSpec": "a", "setName": "A", "setDescription": ["x"]}),
        "setDescription",
    ),
    "set-declaration-unknown-key": (
        json.dumps({"setSpec": "a", "setName": "A", "colour": "red"}),
        "unknown",
    ),
    "duplicate-identifier": (_rec(identifier="oai:example.org:rec-00001"), "twice"),
}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "OAI_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
        "OAI_SECRET_KEY": "load-errors",
    }


def _write(path: Path, lines: list[str | bytes]) -> Path:
    path.write_bytes(b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines))
    return path


def _good_lines() -> list[str | bytes]:
    """More than a batch: updates of stored records, new ones, a set declaration, a blank line."""
    lines: list[str | bytes] = [json.dumps({"setSpec": "all", "setName": "Everything, renamed"})]
    lines += [json.dumps(record(n, metadata={"title": [f"Changed {n}"]})) for n in range(0, 200)]
    lines.append("")
    lines += [json.dumps(record(n)) for n in range(1000, 1000 + BATCH - 190)]
    return lines


@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """A store with a few hundred records, built once; its file and snapshot."""
    folder = tmp_path_factory.mktemp("base")
    path = folder / "store.sqlite"
    lines = _write(folder / "base.jsonl", [json.dumps(record(n)) for n in range(250)])
    env = {"OAI_DATABASE_URL": f"sqlite:///{path}", "OAI_SECRET_KEY": "load-errors"}
    result = CliRunner().invoke(main, ["load", str(lines)], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return path, snapshot(env["OAI_DATABASE_URL"])


@pytest.fixture
def stored(
    env: dict[str, str], tmp_path: Path, base_store: tuple[Path, Any]
) -> dict[str, list[tuple[Any, ...]]]:
    """This test's copy of the base store (the backup API copies what the WAL holds too)."""
    with closing(sqlite3.connect(base_store[0])) as source:
        with closing(sqlite3.connect(tmp_path / "store.sqlite")) as target:
            source.backup(target)
    base: dict[str, list[tuple[Any, ...]]] = base_store[1]
    assert snapshot(env["OAI_DATABASE_URL"]) == base
    return base


def _assert_refused(result: Any, where: str, word: str) -> None:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.fullmatch(rf"Error: {re.escape(where)}: .+", lines[0]), lines[0]
    assert word.lower() in lines[0].lower(), lines[0]
    # The line number is the file's, said once: no "line 2" from json counting its newline.
    assert not re.search(r"\bline \d", lines[0]), lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("bad", "word"), CASES.values(), ids=CASES.keys())
def test_a_bad_line_refuses_the_whole_file(
    env: dict[str, str],
    tmp_path: Path,
    stored: dict[str, list[tuple[Any, ...]]],
    bad: str | bytes,
    word: str,
) -> None:
    good = _good_lines()
    path = _write(tmp_path / "bad.jsonl", good + [bad] + [json.dumps(record(5000))])
    result = CliRunner().invoke(main, ["load", str(path)], env=env, catch_exceptions=False)
    _assert_refused(result, f"{path}:{len(good) + 1}", word)
    assert snapshot(env["OAI_DATABASE_URL"]) == stored


def test_duplicate_across_two_files_of_one_load(
    env: dict[str, str], tmp_path: Path, stored: dict[str, list[tuple[Any, ...]]]
) -> None:
    first = _write(tmp_path / "first.jsonl", _good_lines())
    second = _write(tmp_path / "second.jsonl", [json.dumps(record(2000)), json.dumps(record(1000))])
    result = CliRunner().invoke(
        main, ["load", str(first), str(second)], env=env, catch_exceptions=False
    )
    _assert_refused(result, f"{second}:2", "twice")
    assert snapshot(env["OAI_DATABASE_URL"]) == stored


def test_missing_second_file_loads_nothing(
    env: dict[str, str], tmp_path: Path, stored: dict[str, list[tuple[Any, ...]]]
) -> None:
    first = _write(tmp_path / "first.jsonl", _good_lines())
    missing = tmp_path / "missing.jsonl"
    result = CliRunner().invoke(
        main, ["load", str(first), str(missing)], env=env, catch_exceptions=False
    )
    assert result.exit_code != 0
    assert result.stderr.strip().splitlines() == [f"Error: {missing}: No such file or directory"]
    assert snapshot(env["OAI_DATABASE_URL"]) == stored


def test_standard_input_through_a_real_process(
    env: dict[str, str], stored: dict[str, list[tuple[Any, ...]]]
) -> None:
    """The real command, reading '-': one line on stderr, no traceback, nothing stored."""
    data = b"\n".join(
        x if isinstance(x, bytes) else x.encode() for x in _good_lines() + [CASES["null-line"][0]]
    )
    result = subprocess.run(
        [sys.executable, "-m", "oai", "load", "-"],
        input=data,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", **env},
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == b""
    where = re.escape(f"<stdin>:{len(_good_lines()) + 1}")
    assert re.fullmatch(rf"Error: {where}: [^\n]*object[^\n]*\n", result.stderr.decode())
    assert snapshot(env["OAI_DATABASE_URL"]) == stored
