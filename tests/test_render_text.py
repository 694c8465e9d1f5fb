"""The loader's text renderer writes exactly the bytes the lxml tree renderer writes.

Loads render ``<header>`` and ``<record>`` by joining strings
(``fragments.render_all_text`` with ``Format.render_text``); the lxml path
(``fragments.render_all`` with ``Format.render``) stays the reference. They must
agree byte for byte on every record, so what harvesters receive does not depend
on which path stored it.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oai.formats import FORMATS
from oai.fragments import render_all, render_all_text
from oai.store.loader import RecordLine, SetLine, parse_line
from oai.store.rows import with_ancestors

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HOSTILE = "<a & b> ]]> \"q\" 'a' \r\n\t \x00 \x1f \x7f \x85 \ud800 \udfff \ufffe \uffff \U0001f600"


def _both(
    identifier: str, stamp: datetime, specs: list[str], deleted: bool, metadata: dict[str, Any]
) -> tuple[tuple[bytes, list[bytes]], tuple[bytes, list[bytes]]]:
    elements = [None if deleted else fmt.render(metadata) for fmt in FORMATS]
    texts = []
    for fmt in FORMATS:
        assert fmt.render_text is not None, f"{fmt.prefix} has no text renderer"
        texts.append(None if deleted else fmt.render_text(metadata))
    return (
        render_all(identifier, stamp, specs, deleted, elements),
        render_all_text(identifier, stamp, specs, deleted, texts),
    )


def _records() -> list[RecordLine]:
    lines = FIXTURES.joinpath("prometheus.jsonl").read_text().splitlines()
    parsed = [parse_line(line) for line in lines if line.strip()]
    return [line for line in parsed if not isinstance(line, SetLine)]


@pytest.mark.parametrize("deleted", [False, True])
def test_fixtures_render_the_same_bytes(deleted: bool) -> None:
    records = _records()
    assert records
    for line in records:
        specs = with_ancestors(line.sets)
        stamp = line.datestamp or datetime(2026, 1, 2, 3, 4, 5)
        tree, text = _both(line.identifier, stamp, specs, deleted or line.deleted, line.metadata)
        assert text == tree


def test_hostile_text_renders_the_same_bytes() -> None:
    metadata = {
        "title": [HOSTILE, {"value": HOSTILE, "lang": HOSTILE}, {"value": "", "lang": ""}, ""],
        "creator": [{"value": HOSTILE}, {"value": "x", "lang": None}],
        "rights": [HOSTILE],
    }
    tree, text = _both("oai:x:<&>\r\"'", datetime(1, 1, 1), ["a", "a:b"], False, metadata)
    assert text == tree


_TEXT = st.text(alphabet=st.characters(), max_size=30)
_VALUE = st.one_of(
    _TEXT,
    st.fixed_dictionaries({"value": _TEXT}, optional={"lang": st.one_of(st.none(), _TEXT)}),
)
_ELEMENT = st.sampled_from(
    ["title", "creator", "subject", "description", "date", "identifier", "rights", "language"]
)
_PART = r"[A-Za-z0-9\-_.!~*'()]{1,8}"
_SPEC = st.from_regex(rf"{_PART}(:{_PART}){{0,2}}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(
    identifier=_TEXT,
    stamp=st.datetimes(),
    specs=st.lists(_SPEC, max_size=4),
    deleted=st.booleans(),
    metadata=st.dictionaries(_ELEMENT, st.lists(_VALUE, max_size=3), max_size=6),
)
def test_random_records_render_the_same_bytes(
    identifier: str, stamp: datetime, specs: list[str], deleted: bool, metadata: dict[str, Any]
) -> None:
    tree, text = _both(identifier, stamp, with_ancestors(specs), deleted, metadata)
    assert text == tree


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=st.characters(), max_size=40))
def test_random_lines_render_the_same_bytes(text: str) -> None:
    """Whole loaded lines, through the loader's parser, as a load renders them."""
    line = {"identifier": "oai:x:1", "metadata": {"title": [text], "subject": [{"value": text}]}}
    parsed = parse_line(json.dumps(line, ensure_ascii=True))
    assert isinstance(parsed, RecordLine)
    tree, text_path = _both(parsed.identifier, datetime(2026, 1, 1), [], False, parsed.metadata)
    assert text_path == tree
