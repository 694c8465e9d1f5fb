"""Keyset pages: every list shape is an index range (no sort, no scan from the start),
and following tokens yields each item once, in (datestamp, identifier) order."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from oai.store import lists

from .conftest import record

OAI_NS = "{http://www.openarchives.org/OAI/2.0/}"
AFTER = (datetime(2024, 1, 5), "oai:example.org:rec-00010")

# (records, in_set, from_, until, after, every_record) for every list the verbs can ask
# for: a set's headers in a format every record has come from its memberships alone.
SHAPES = [(*shape, False) for shape in itertools.product([True, False], repeat=5)] + [
    (*shape, True)
    for shape in itertools.product([True, False], repeat=5)
    if shape[1] and not shape[0]
]
NAMES = ("records", "set", "from", "until", "after", "every")


def _plan(app: Flask, shape: tuple[bool, ...]) -> list[str]:
    query = lists._items_select(*shape)
    params = {
        "prefix": None if shape[5] else "oai_dc",
        "set_spec": "all",
        "from_": datetime(2024, 1, 1),
        "until": datetime(2024, 2, 1),
        "after_datestamp": AFTER[0],
        "after_identifier": AFTER[1],
        "limit": 4,
    }
    engine = app.extensions["oai"].read_engine  # the SQLite (and planner) requests use
    compiled = query.statement.compile(engine)
    bound = compiled.construct_params({k: v for k, v in params.items() if v is not None})
    if engine.dialect.name == "postgresql":
        return _postgres_plan(engine, str(compiled), bound)
    processors: dict[str, Any] = dict(compiled._bind_processors)
    values = tuple(
        processors[key](bound[key]) if key in processors else bound[key]
        for key in compiled.positiontup or ()
    )
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", values)
        return [row[-1] for row in rows]


def _postgres_plan(engine: Any, sql: str, params: dict[str, Any]) -> list[str]:
    """PostgreSQL's plan in the words of SQLite's, for the same assertions.

    With sorting disabled the planner still sorts if no index yields the order, so a
    plan without Sort proves the index range exists; a 20-row table would otherwise
    be scanned whole, which is right for 20 rows and says nothing about a million.
    Each scan becomes ``SEARCH <table> USING INDEX <name> (<Index Cond>)``, outer first.
    """
    steps: list[str] = []
    for node in _nodes(_explain(engine, sql, params, "SET enable_sort = off")):
        kind = node["Node Type"]
        if kind == "Sort":
            steps.append("USE TEMP B-TREE FOR ORDER BY")
        elif "Index Name" in node:
            name = node["Index Name"]
            how = "PRIMARY KEY" if name.startswith("pk_") else f"INDEX {name}"
            cond = re.sub(r"'(?:[^']|'')*'(::[a-z]+( [a-z]+)*)?", "?", node.get("Index Cond", ""))
            cond = cond.replace("ROW(", "(").replace("(identifier)::text", "identifier")
            cond = cond.replace(" ", "")
            steps.append(f"SEARCH {node['Relation Name']} USING {how} {cond}")
        elif "Relation Name" in node:
            steps.append(f"SCAN {node['Relation Name']}")
    return steps


def _explain(engine: Any, sql: str, params: dict[str, Any], before: str) -> dict[str, Any]:
    """PostgreSQL's plan of ``sql`` as JSON, ``before`` run first on the same connection."""
    with engine.connect() as connection:
        connection.exec_driver_sql(before)
        rows = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan: dict[str, Any] = rows.scalar_one()[0]["Plan"]
        return plan


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a JSON plan, each before its children (outer scans first)."""
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


@pytest.mark.parametrize(
    "shape",
    SHAPES,
    ids=["-".join(n for n, on in zip(NAMES, s, strict=True) if on) or "headers" for s in SHAPES],
)
def test_every_list_shape_is_an_index_range(app: Flask, load: Any, shape: tuple[bool, ...]) -> None:
    load([record(n) for n in range(20)])
    plan = _plan(app, shape)
    assert not any("TEMP B-TREE" in step for step in plan), plan
    first = plan[0]
    if any(shape[1:]):  # bounded somewhere: a range, not a walk from the start
        assert first.startswith("SEARCH"), plan
    assert "INDEX ix_records_datestamp_identifier" in first or "PRIMARY KEY" in first, plan
    if shape[4]:  # past page one the range starts at the last item sent
        assert "(datestamp,identifier)>(?,?)" in first, plan


def _harvest(oai_get: Any, **args: str) -> list[tuple[str, str]]:
    """(datestamp, identifier) of every header a ListIdentifiers sequence returns."""
    seen = []
    root = oai_get(verb="ListIdentifiers", metadataPrefix="oai_dc", **args)
    while True:
        for header in root.iter(f"{OAI_NS}header"):
            seen.append(
                (header.findtext(f"{OAI_NS}datestamp"), header.findtext(f"{OAI_NS}identifier"))
            )
        token = root.findtext(f".//{OAI_NS}resumptionToken")
        if not token:
            return seen
        root = oai_get(verb="ListIdentifiers", resumptionToken=token)


def _stamp(n: int) -> str:
    # Four records share each datestamp, so pages split ties and the identifier decides.
    return f"2024-01-{1 + n // 4:02d}T00:00:00Z"


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"from": "2024-01-03"},
        {"from": "2024-01-02", "until": "2024-01-04"},
        {"set": "even"},
        {"set": "all", "from": "2024-01-03T00:00:00Z"},
    ],
    ids=["all", "from", "from-until", "set", "set-from"],
)
def test_pages_follow_keyset_order_across_ties(
    app: Flask, load: Any, oai_get: Any, args: dict[str, str]
) -> None:
    lines = [record(n, datestamp=_stamp(n)) for n in range(23)]
    load(lines)
    expected = sorted(
        (line["datestamp"], line["identifier"])
        for line in lines
        if ("set" not in args or args["set"] in line["sets"])
        and ("from" not in args or line["datestamp"] >= args["from"])
        and ("until" not in args or line["datestamp"][:10] <= args["until"])
    )
    assert expected, "the case must select something"
    assert _harvest(oai_get, **args) == expected


def test_list_statements_are_built_once_per_shape() -> None:
    """Serving a page builds no query: the statement of each shape is kept."""
    assert lists._items_select(True, False, False, True, True) is lists._items_select(
        True, False, False, True, True
    )


def test_a_set_page_walks_the_set_in_order_with_real_statistics(
    app: Flask, load: Any, database_url: str
) -> None:
    """PostgreSQL left to its own plan (statistics from ANALYZE, sorting allowed) reads a
    set's page by walking its memberships in order and looking each fragment up. Joined
    on the datestamp too, it expected one row from the join and hashed the whole set
    with every fragment instead: 630 ms a page at 100,000 records."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's plan is checked above; this is PostgreSQL's row estimate")
    stamps = (datetime(2024, 1, 1) + timedelta(minutes=n // 3) for n in range(3000))
    load([record(n, datestamp=f"{d:%Y-%m-%dT%H:%M:%SZ}") for n, d in enumerate(stamps)])
    engine = app.extensions["oai"].read_engine
    query = lists._items_select(True, True, False, True, False)
    compiled = query.statement.compile(engine)
    params = compiled.construct_params(
        {"prefix": "oai_dc", "set_spec": "all", "until": datetime(2030, 1, 1), "limit": 101}
    )
    plan = _explain(engine, str(compiled), params, "ANALYZE")
    kinds = [node["Node Type"] for node in _nodes(plan)]
    assert "Nested Loop" in kinds and "Sort" not in kinds and "Hash Join" not in kinds, kinds
