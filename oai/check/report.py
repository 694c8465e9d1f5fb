"""What ``oai check`` found: passes counted, failures and warnings kept with their request.

The text report puts failures first, then warnings, then what could not be checked,
and ends with the line ``check: N passed, M failed, W warnings``. A check failing on
many responses shows its first few lines and how many more there were (all of them
with ``--all``); the counts always count every one. ``--json`` gives everything.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from .names import CHECKS, WARNINGS

Level = Literal["fail", "warn"]

#: Lines shown per check name and level in the text report before "... N more".
SHOWN = 5


@dataclass(frozen=True, slots=True)
class Finding:
    """One failed or warned check: which, what was wrong, and the request that shows it."""

    check: str
    level: Level
    message: str
    #: The request that reproduces it ("GET url", "POST url body"), or None.
    request: str | None


@dataclass
class Report:
    """The results of one run, in the order they were found."""

    url: str
    passes: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    #: What could not be checked and why (not counted: nothing was wrong).
    notes: list[str] = field(default_factory=list)

    def passed(self, check: str) -> None:
        _known(check)
        self.passes[check] += 1

    def fail(self, check: str, message: str, request: str | None = None) -> None:
        """A failure, or a warning for the checks that only warn."""
        _known(check)
        level: Level = "warn" if check in WARNINGS else "fail"
        self.findings.append(Finding(check, level, message, request))

    def warn(self, check: str, message: str, request: str | None = None) -> None:
        _known(check)
        self.findings.append(Finding(check, "warn", message, request))

    def expect(self, check: str, ok: bool, message: str, request: str | None = None) -> bool:
        """Pass ``check`` when ``ok``, else fail it with ``message``; returns ``ok``."""
        if ok:
            self.passed(check)
        else:
            self.fail(check, message, request)
        return ok

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "fail"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warn"]

    def summary(self) -> str:
        return (
            f"check: {sum(self.passes.values())} passed, {len(self.failures)} failed, "
            f"{len(self.warnings)} warnings"
        )

    def exit_code(self) -> int:
        return 1 if self.failures else 0


def _known(check: str) -> None:
    if check not in CHECKS:
        raise KeyError(f"unknown check name {check!r}")


def _line(finding: Finding) -> str:
    label = "FAIL" if finding.level == "fail" else "WARN"
    where = f" [{finding.request}]" if finding.request else ""
    return f"{label} {finding.check}: {finding.message}{where}"


def _section(findings: list[Finding], show_all: bool) -> list[str]:
    """Findings grouped by check, in order of first appearance, SHOWN of each unless all."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.check, []).append(finding)
    lines: list[str] = []
    for check, group in groups.items():
        shown = group if show_all else group[:SHOWN]
        lines += [_line(f) for f in shown]
        if len(group) > len(shown):
            lines.append(f"     {check}: {len(group) - len(shown)} more (--all shows them)")
    return lines


def text(report: Report, show_all: bool = False) -> str:
    """The report for people: failures, warnings, notes, then the summary line."""
    lines = [f"checked {report.url}"]
    lines += _section(report.failures, show_all)
    lines += _section(report.warnings, show_all)
    lines += [f"not checked: {note}" for note in report.notes]
    lines.append(report.summary())
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    """The report for machines: every finding, the passes counted per check."""
    document = {
        "url": report.url,
        "passed": sum(report.passes.values()),
        "failed": len(report.failures),
        "warnings": len(report.warnings),
        "findings": [
            {
                "check": f.check,
                "level": f.level,
                "message": f.message,
                "request": f.request,
            }
            for f in report.findings
        ],
        "passes": dict(sorted(report.passes.items())),
        "not_checked": report.notes,
        "summary": report.summary(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
