"""store.sizes: the list sizes every write keeps equal what counting the lists gives.

completeListSize of a whole-format or set harvest is read from them, so a drift would
be a wrong count in every harvest: each way of writing is checked against a recount.
Runs on SQLite and PostgreSQL (conftest ``database_url``).
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from oai.cli import main
from oai.store import parallel
from oai.store.loader import mark_deleted
from oai.store.models import Fragment, ListSize, Membership

from . import articles, xsd
from .conftest import load_lines


def _kept(app: Flask) -> Counter[tuple[str, str]]:
    with Session(app.extensions["oai"].engine) as session:
        rows = session.execute(select(ListSize.prefix, ListSize.set_spec, ListSize.items))
        return Counter({(prefix, spec): items for prefix, spec, items in rows if items})


def _counted(app: Flask) -> Counter[tuple[str, str]]:
    with Session(app.extensions["oai"].engine) as session:
        whole = session.execute(
            select(Fragment.prefix, func.count()).group_by(Fragment.prefix)
        ).all()
        in_sets = session.execute(
            select(Fragment.prefix, Membership.set_spec, func.count())
            .join(Membership, Membership.identifier == Fragment.identifier)
            .group_by(Fragment.prefix, Membership.set_spec)
        ).all()
    counted: Counter[tuple[str, str]] = Counter({(prefix, ""): n for prefix, n in whole})
    counted.update({(prefix, spec): n for prefix, spec, n in in_sets})
    return counted


def _line(n: int, rng: random.Random) -> dict[str, Any]:
    line = articles.record(n)
    line["sets"] = rng.sample(["a", "a:b", "c", "d:e:f"], rng.randint(0, 2))
    del line["datestamp"]
    if rng.random() < 0.2:  # a record that now holds less, and so fewer formats
        line["metadata"] = {"title": line["metadata"]["title"]}
    return line


def test_loads_reloads_and_deletions_keep_the_sizes_exact(make_app: Callable[..., Flask]) -> None:
    app = make_app(page_size=7)
    rng = random.Random(7)
    identifiers = [f"oai:example.org:article/{n:04d}" for n in range(40)]
    for round_ in range(6):
        lines = [_line(n, rng) for n in rng.sample(range(40), 15)]
        load_lines(app, lines)
        doomed = rng.sample(identifiers, 3)
        with Session(app.extensions["oai"].engine) as session, session.begin():
            present = set(session.scalars(select(Fragment.identifier)))
            wanted = [identifier for identifier in doomed if identifier in present]
            if wanted:
                mark_deleted(session, wanted)
        assert _kept(app) == _counted(app), f"round {round_}"


def test_complete_list_size_is_what_the_harvest_gets(
    make_app: Callable[..., Flask], schemas: Path
) -> None:
    app = make_app(page_size=6)
    load_lines(app, [_line(n, random.Random(n)) for n in range(50)])
    client = app.test_client()
    for prefix in ("oai_dc", "oai_datacite", "jats", "marcxml"):
        for spec in (None, "a", "a:b", "d"):
            query = {"verb": "ListIdentifiers", "metadataPrefix": prefix}
            if spec:
                query["set"] = spec
            seen, size = 0, None
            while True:
                root = xsd.validate(client.get("/oai", query_string=query).data)
                if root.find("oai:error", xsd.NS) is not None:
                    assert root.find("oai:error", xsd.NS).get("code") == "noRecordsMatch"
                    break
                seen += len(root.findall(".//oai:header", xsd.NS))
                token = root.find(".//oai:resumptionToken", xsd.NS)
                if token is None:
                    break
                size = int(token.get("completeListSize"))
                if not token.text:
                    break
                query = {"verb": "ListIdentifiers", "resumptionToken": token.text}
            assert size in (None, seen), (prefix, spec)


def test_a_parallel_load_counts_in_its_workers(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the parallel load's rows are the same on both; SQLite shows it")
    monkeypatch.setattr(parallel, "CHUNK_LINES", 9)
    source = tmp_path / "in.jsonl"
    rng = random.Random(3)
    source.write_text("".join(json.dumps(_line(n, rng)) + "\n" for n in range(60)), "utf-8")
    env = {"OAI_DATABASE_URL": database_url}
    result = CliRunner().invoke(main, ["load", "--jobs", "2", str(source)], env=env)
    assert result.exit_code == 0, result.output
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    with engine.connect() as connection:
        kept = dict(
            ((prefix, spec), items)
            for prefix, spec, items in connection.execute(
                text("SELECT prefix, set_spec, items FROM list_sizes WHERE items > 0")
            )
        )
        counted = dict(
            ((prefix, ""), n)
            for prefix, n in connection.execute(
                text("SELECT prefix, count(*) FROM fragments GROUP BY prefix")
            )
        )
        counted.update(
            ((prefix, spec), n)
            for prefix, spec, n in connection.execute(
                text(
                    "SELECT f.prefix, m.set_spec, count(*) FROM fragments f JOIN memberships m "
                    "ON m.identifier = f.identifier GROUP BY f.prefix, m.set_spec"
                )
            )
        )
    engine.dispose()
    assert kept == counted
