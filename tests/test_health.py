"""``GET /health`` for load balancers: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask


def test_healthy_when_the_database_answers(make_app: Callable[..., Flask]) -> None:
    response = make_app().test_client().get("/health")
    assert response.status_code == 200
    assert response.data == b"ok\n"
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "unreachable",
    [
        "sqlite:///{tmp}/no/such/folder/oai.sqlite",
        "postgresql+psycopg://oai@127.0.0.1:1/oai?connect_timeout=2",
    ],
    ids=["sqlite-missing-folder", "postgresql-refused"],
)
def test_unhealthy_when_the_database_it_reads_does_not_answer(
    make_app: Callable[..., Flask], tmp_path: Path, unreachable: str
) -> None:
    # The verbs read from the replica when one is set: that is the database checked.
    app = make_app(database_read_url=unreachable.format(tmp=tmp_path))
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.headers["Cache-Control"] == "no-store"
    # Only the check failed: the process still answers, with the same 503 as /oai.
    assert app.test_client().get("/oai?verb=Identify").status_code == 503


def test_healthy_again_when_the_database_returns(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    folder = tmp_path / "later"
    app = make_app(database_read_url=f"sqlite:///{folder / 'oai.sqlite'}")
    assert app.test_client().get("/health").status_code == 503
    folder.mkdir()
    assert app.test_client().get("/health").status_code == 200
