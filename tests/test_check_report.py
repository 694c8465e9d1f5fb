"""oai.check.report: the text and JSON reports, and the counts of the last line."""

from __future__ import annotations

import json

import pytest

from oai.check.report import SHOWN, Report, as_json, text


def sample() -> Report:
    report = Report("http://example.org/oai")
    for _ in range(3):
        report.passed("http.status")
    for n in range(SHOWN + 2):
        report.fail("lists.cursor", f"cursor {n}", f"GET http://example.org/oai?page={n}")
    report.fail("driver.batch_size", "pages of 7")  # a check that only warns
    report.warn("tokens.tampered", "accepted", "GET http://example.org/oai?t=x")
    report.note("ListRecords was followed for 10 items only")
    return report


def test_the_last_line_counts_every_result() -> None:
    lines = text(sample()).splitlines()
    assert lines[-1] == f"check: 3 passed, {SHOWN + 2} failed, 2 warnings"
    assert lines[0] == "checked http://example.org/oai"


def test_failures_come_first_then_warnings_then_notes() -> None:
    lines = text(sample()).splitlines()[1:-1]
    kinds = [line.split(" ", 1)[0] for line in lines]
    first_warn = kinds.index("WARN")
    assert "FAIL" not in kinds[first_warn:]
    assert lines[-1].startswith("not checked: ")
    assert lines[0] == "FAIL lists.cursor: cursor 0 [GET http://example.org/oai?page=0]"


def test_a_check_failing_often_shows_its_first_lines() -> None:
    shown = text(sample()).splitlines()
    assert sum(line.startswith("FAIL lists.cursor") for line in shown) == SHOWN
    assert "     lists.cursor: 2 more (--all shows them)" in shown
    every = text(sample(), show_all=True).splitlines()
    assert sum(line.startswith("FAIL lists.cursor") for line in every) == SHOWN + 2


def test_json_holds_every_finding() -> None:
    document = json.loads(as_json(sample()))
    assert (document["passed"], document["failed"], document["warnings"]) == (3, SHOWN + 2, 2)
    assert document["passes"] == {"http.status": 3}
    levels = {(f["check"], f["level"]) for f in document["findings"]}
    assert levels == {
        ("lists.cursor", "fail"),
        ("driver.batch_size", "warn"),
        ("tokens.tampered", "warn"),
    }
    assert document["summary"] == text(sample()).splitlines()[-1]


def test_exit_code() -> None:
    assert sample().exit_code() == 1
    clean = Report("http://example.org/oai")
    clean.warn("driver.batch_size", "pages of 7")
    assert clean.exit_code() == 0


def test_an_unknown_check_name_is_a_bug() -> None:
    with pytest.raises(KeyError):
        Report("http://example.org/oai").passed("no.such.check")
