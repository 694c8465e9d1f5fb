"""``oai check`` as users run it: against this project's own ``oai serve``, and its exits.

Two real servers: the bundled fixtures on a fresh database, and 300 generated records
(hierarchical sets, deleted records, a datestamp shared by ten records, page size 25).
``oai check`` must find nothing failed on either. Then the exit statuses: 2 for a URL
that does not answer or is not an OAI-PMH endpoint, and for a bad command line.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from oai.check.progress import Progress
from oai.check.runner import PHASES
from oai.cli import main

from . import xsd
from .server import free_port, run_command, running_server

SUMMARY = re.compile(r"check: (\d+) passed, (\d+) failed, (\d+) warnings")
RECORDS = 300


def generated() -> list[dict[str, Any]]:
    """Set declarations and RECORDS records over 30 days; every 17th deleted."""
    lines: list[dict[str, Any]] = [
        {"setSpec": "press", "setName": "The press"},
        {"setSpec": "press:alpha", "setName": "Alpha journal"},
        {"setSpec": "press:alpha:reviews", "setName": "Alpha reviews"},
        {"setSpec": "press:beta", "setName": "Beta journal"},
        {"setSpec": "open", "setName": "Open access"},
    ]
    for n in range(RECORDS):
        day = 1 + n % 30
        stamp = (
            "2025-03-10T08:00:00Z" if n < 10 else f"2025-03-{day:02d}T{n % 24:02d}:{n % 60:02d}:07Z"
        )
        sets = [("press:alpha", "press:alpha:reviews", "press:beta")[n % 3]]
        record: dict[str, Any] = {
            "identifier": f"oai:example.org:gen/{n:04d}",
            "datestamp": stamp,
            "sets": sets + (["open"] if n % 4 == 0 else []),
        }
        if n % 17 == 5:
            record["deleted"] = True
        else:
            record["metadata"] = {
                "title": [f"Generated article {n}"],
                "creator": ["Doe, Jane"],
                "date": ["2025"],
                "type": ["Text"],
                "identifier": [f"https://example.org/gen/{n}"],
            }
        lines.append(record)
    return lines


@pytest.fixture(scope="module")
def schemas() -> Path:
    folder = xsd.schemas_dir()
    if folder is None:
        pytest.skip("official schemas not found: set OAI_TEST_SCHEMAS or place ../shared/schemas")
    return folder


@pytest.fixture(scope="module")
def fixtures_url(tmp_path_factory: pytest.TempPathFactory, schemas: Path) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("check-fixtures")
    env = {"OAI_DATABASE_URL": f"sqlite:///{folder / 'fixtures.sqlite'}"}
    with running_server(folder, env) as url:
        yield url


@pytest.fixture(scope="module")
def generated_url(tmp_path_factory: pytest.TempPathFactory, schemas: Path) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("check-generated")
    env = {
        "OAI_DATABASE_URL": f"sqlite:///{folder / 'generated.sqlite'}",
        "OAI_PAGE_SIZE": "25",
        "OAI_REPOSITORY_IDENTIFIER": "example.org",
    }
    path = folder / "generated.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in generated()))
    loaded = run_command(env, "load", str(path))
    assert loaded.returncode == 0, loaded.stderr
    with running_server(folder, env) as url:
        yield url


def oai_check(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m oai check ARGS`` in a subprocess, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "oai", "check", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def in_process(*args: str) -> subprocess.CompletedProcess[str]:
    """The same through Click's runner: no interpreter start-up per run."""
    result = CliRunner().invoke(main, ["check", *args])
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def summary(output: str) -> tuple[int, int, int]:
    match = SUMMARY.fullmatch(output.splitlines()[-1])
    assert match, output[-500:]
    passed, failed, warnings = (int(g) for g in match.groups())
    return passed, failed, warnings


def test_the_fixtures_pass(fixtures_url: str, schemas: Path) -> None:
    result = oai_check(fixtures_url, "--schemas", str(schemas), "--offline")
    assert result.returncode == 0, result.stdout
    passed, failed, warnings = summary(result.stdout)
    assert failed == 0 and passed > 500
    assert not [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    # The fixtures' records have no author (the research found none): DRIVER wants one.
    warned = {line.split(":")[0] for line in result.stdout.splitlines() if line.startswith("WARN")}
    assert warned == {"WARN driver.dc_mandatory"}
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


def test_a_generated_repository_passes(generated_url: str, schemas: Path) -> None:
    result = in_process(generated_url, "--schemas", str(schemas), "--offline", "--json")
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["failed"] == 0, [f for f in report["findings"] if f["level"] == "fail"]
    assert report["not_checked"] == []
    # The checks that need several pages, sets and days did run.
    for name in ("lists.cursor", "tokens.idempotent", "sets.hierarchy", "dates.day_window"):
        assert report["passes"].get(name, 0) > 0, name
    assert {f["check"] for f in report["findings"]} == {"driver.batch_size"}  # pages of 25


def test_max_records_bounds_the_harvests(generated_url: str, schemas: Path) -> None:
    result = in_process(
        generated_url, "--schemas", str(schemas), "--offline", "--max-records", "50", "--json"
    )
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["failed"] == 0
    assert any("--max-records" in note for note in report["not_checked"])


@pytest.mark.parametrize(
    "where",
    ["refused", "a page, not OAI-PMH", "404"],
)
def test_no_endpoint_there_exits_2(fixtures_url: str, where: str) -> None:
    url = {
        "refused": f"http://127.0.0.1:{free_port()}/oai",
        "a page, not OAI-PMH": fixtures_url.removesuffix("/oai") + "/",
        "404": fixtures_url + "/nothing-here",
    }[where]
    result = in_process(url, "--offline", "--timeout", "5")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {url} could not be checked: ")
    assert len(result.stderr.splitlines()) == 1
    as_json = in_process(url, "--offline", "--timeout", "5", "--json")
    assert as_json.returncode == 2 and json.loads(as_json.stdout)["unreachable"]


@pytest.mark.parametrize(
    "args",
    [["ftp://example.org/oai"], ["http://example.org/oai?verb=Identify"], ["--delay", "-1", "x"]],
)
def test_a_bad_command_line_exits_2(args: list[str]) -> None:
    result = in_process(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_schemas_folder_needs_a_catalog(tmp_path: Path) -> None:
    result = in_process("http://127.0.0.1:9/oai", "--schemas", str(tmp_path))
    assert result.returncode == 2 and "catalog.xml" in result.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_only_on_a_terminal() -> None:
    for stream, shown in ((Terminal(), True), (io.StringIO(), False)):
        with Progress(stream) as progress:
            for phase in PHASES:
                progress.phase(phase)
        assert bool(stream.getvalue()) is shown


def test_the_checker_imports_nothing_of_the_endpoint() -> None:
    """oai/check judges only what it sees over HTTP: no import of the server's modules."""
    import ast

    package = Path(__file__).resolve().parent.parent / "oai" / "check"
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                outside = node.level > 1 or (
                    node.level == 0 and (node.module or "").split(".")[0] == "oai"
                )
                assert not outside, f"{path.name}:{node.lineno} imports {node.module}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] != "oai", f"{path.name} imports {alias.name}"
