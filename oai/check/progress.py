"""The progress bar ``oai check`` shows on a terminal: phases done, requests sent.

Only when standard error is a terminal; otherwise nothing is written, so logs and
pipes get the report alone.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, TextIO

import click

from .client import Request
from .runner import PHASES


def _shown(item: str | None) -> str | None:
    return item


class Progress:
    """A context manager whose ``phase`` and ``request`` callbacks move the bar."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bar: Any = None
        self.label = ""
        self.requests = 0
        self.started = False

    def __enter__(self) -> Progress:
        if self.stream.isatty():
            self.bar = click.progressbar(
                iterable=None,
                length=len(PHASES),
                label="checking",
                file=self.stream,
                item_show_func=_shown,
            )
            self.bar.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.__exit__(kind, error, trace)

    def _show(self, steps: int) -> None:
        if self.bar is not None:
            self.bar.update(steps, f"{self.label} ({self.requests} requests)")

    def phase(self, name: str) -> None:
        steps = 1 if name in PHASES and self.started else 0
        self.started = self.started or name in PHASES
        self.label = name
        self._show(steps)

    def request(self, request: Request) -> None:
        self.requests += 1
        self._show(0)
