"""The files an import reads: which they are, what each holds, and reading them safely.

``oai import crossref`` takes files (``-``: standard input) and tells their kind by
their first character: ``<`` is deposit XML; ``{`` or ``[`` is JSON, either one
document (an API response, pretty-printed or not) or JSON Lines (one work, or one
response, a line; told apart by whether the first line is a whole JSON value and
more lines follow). ``oai import jats`` takes files and directories; a directory
means every ``*.xml`` under it, sorted by path.

Limits: an XML file or JSON document is read whole and may be at most
``safexml.MAX_BYTES`` (64 MiB); JSON Lines are read a line at a time, each at most
``MAX_LINE_BYTES`` (16 MiB), so a large export streams.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from . import crossref_json, crossref_xml, jats, safexml
from .errors import Refused, SourceError, fail
from .records import Imported, Skipped

MAX_LINE_BYTES = 16 * 1024 * 1024

#: Called with the number of bytes just read, for a progress bar.
Tick = Callable[[int], None]
Item = Imported | Skipped


@dataclass(frozen=True, slots=True)
class Input:
    """One file to read: its name in messages, its path (``-``: standard input), its size."""

    name: str
    path: str
    size: int


def _input(path: str) -> Input:
    if path == "-":
        return Input("<stdin>", "-", 0)
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise SourceError(f"{path}: {exc.strerror or exc}") from None
    return Input(path, path, size)


def crossref_inputs(paths: list[str]) -> list[Input]:
    found = []
    for path in paths:
        if path != "-" and Path(path).is_dir():
            raise SourceError(f"{path}: is a directory (give the files)")
        found.append(_input(path))
    return found


def jats_inputs(paths: list[str]) -> list[Input]:
    """Each file, and every ``*.xml`` under each directory, sorted by path."""
    found: list[Input] = []
    for path in paths:
        folder = Path(path)
        if path != "-" and folder.is_dir():
            files = sorted(
                (item for item in folder.rglob("*.xml") if item.is_file()),
                key=lambda item: item.relative_to(folder).as_posix(),
            )
            if not files:
                raise SourceError(f"{path}: no .xml files in this directory")
            found.extend(_input(str(item)) for item in files)
        else:
            found.append(_input(path))
    return found


@contextmanager
def _opened(source: Input) -> Iterator[IO[bytes]]:
    if source.path == "-":
        yield sys.stdin.buffer
        return
    try:
        stream = open(source.path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise SourceError(f"{source.name}: {exc.strerror or exc}") from None
    with stream:
        yield stream


def _rest(source: Input, start: bytes, stream: IO[bytes]) -> bytes:
    """``start`` and the rest of ``stream``, within the whole-file limit."""
    limit = safexml.MAX_BYTES
    if source.size > limit:
        size = safexml.describe_size(source.size)
        raise Refused(
            f"{source.name}: refused: {size} is over the {safexml.describe_size(limit)} limit"
        )
    data = start + stream.read(limit + 1 - len(start))
    if len(data) > limit:
        raise Refused(f"{source.name}: refused: over the {safexml.describe_size(limit)} limit")
    return data


def read_jats(source: Input, today: date, tick: Tick) -> Iterator[Item]:
    with _opened(source) as stream:
        data = _rest(source, b"", stream)
    tick(len(data))
    root = safexml.parse(source.name, data, safexml.jats_doctype)
    yield jats.read(source.name, root, today)


def read_crossref(source: Input, today: date, tick: Tick) -> Iterator[Item]:
    with _opened(source) as stream:
        head = b""
        number = 0
        while not head.strip():
            line = stream.readline(MAX_LINE_BYTES + 1)
            if not line:
                fail(source.name, "the file is empty")
            number += 1
            head += line
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if first == b"<":
            data = _rest(source, head, stream)
            tick(len(data))
            yield from crossref_xml.read(source.name, safexml.parse(source.name, data), today)
        elif first in (b"{", b"["):
            yield from _json(source, head, number, stream, today, tick)
        else:
            fail(f"{source.name}:{number}", "neither XML (<doi_batch>) nor Crossref JSON")


def _json(
    source: Input, head: bytes, number: int, stream: IO[bytes], today: date, tick: Tick
) -> Iterator[Item]:
    first = _loads(head) if len(head) <= MAX_LINE_BYTES else None
    if first is None:  # not a whole value on its own line: one (pretty-printed) document
        data = _rest(source, head, stream)
        tick(len(data))
        document = _loads(data)
        if document is None:
            line, reason = _json_error(data)
            fail(f"{source.name}:{line}", f"not valid JSON ({reason})")
        yield from crossref_json.read_document(source.name, document, today)
        return
    tick(len(head))
    lines = _lines(source, number, stream, tick)
    second = next(lines, None)
    if second is None:  # the whole file is one line: one document
        yield from crossref_json.read_document(f"{source.name}:{number}", first, today)
        return
    yield from crossref_json.read_document(f"{source.name}:{number}", first, today)
    for line_number, value in (second, *lines):
        yield from crossref_json.read_document(f"{source.name}:{line_number}", value, today)


def _lines(source: Input, number: int, stream: IO[bytes], tick: Tick) -> Iterator[tuple[int, Any]]:
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        tick(len(line))
        if len(line) > MAX_LINE_BYTES:
            raise Refused(f"{source.name}:{number}: refused: a line over 16 MiB")
        if not line.strip():
            continue
        value = _loads(line)
        if value is None:
            fail(f"{source.name}:{number}", f"not valid JSON ({_json_error(line)[1]})")
        yield number, value


def _loads(data: bytes) -> Any:
    """The JSON value ``data`` holds, or None when it is not one."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def _json_error(data: bytes) -> tuple[int, str]:
    """(line, reason) of what makes ``data`` not a JSON value."""
    try:
        json.loads(data)
    except RecursionError:
        return 1, "nested too deeply"
    except json.JSONDecodeError as exc:
        return exc.lineno, f"{exc.msg}, column {exc.colno}"
    except ValueError as exc:  # not UTF-8, or an integer too long to read
        return 1, str(exc)
    return 1, "null is not a work"
