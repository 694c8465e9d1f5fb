"""Pages keep working when the installed package's files go away under a running app.

``pip install`` over a running ``oai serve`` replaces (first removes) the package's
files; the app must not need them after it was built (oai.assets).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

import oai.assets

from .conftest import load_lines, record
from .pages import ACCEPT

PAGES = [
    "/",
    "/oai?verb=Identify",
    "/oai?verb=ListRecords&metadataPrefix=oai_dc",
    "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:example.org:rec-00001",
    "/oai?verb=ListSets",
    "/oai?verb=ListMetadataFormats",
    "/oai?verb=Nonsense",
]


@pytest.fixture
def app_without_files(
    make_app: Callable[..., Flask], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Flask:
    """An app built from a copy of the package's page files, the copy deleted afterwards."""
    copy = tmp_path / "installed" / "oai"
    for folder in ("templates", "static"):
        shutil.copytree(Path(oai.assets.__file__).parent / folder, copy / folder)
    # Marked, so a page shows it was rendered from the copy (then deleted), not the package.
    base = copy / "templates" / "base.html"
    base.write_text(base.read_text().replace("<body>", "<body><!-- copy -->"))
    (copy / "static" / "browser.css").write_bytes(b"/* copy */\n")
    monkeypatch.setattr(oai.assets, "PACKAGE_DIR", copy)
    app = make_app(page_size=2)
    load_lines(app, [{"setSpec": "all", "setName": "All"}] + [record(n) for n in range(1, 5)])
    shutil.rmtree(copy)
    return app


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_after_the_files_are_gone(app_without_files: Flask, url: str) -> None:
    response = app_without_files.test_client().get(url, headers=ACCEPT)
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert b'href="/static/browser.css"' in response.data
    assert b"<body><!-- copy -->" in response.data


def test_the_stylesheet_is_served_after_the_files_are_gone(app_without_files: Flask) -> None:
    client = app_without_files.test_client()
    response = client.get("/static/browser.css")
    assert response.status_code == 200
    assert response.content_type == "text/css; charset=utf-8"
    assert response.data == b"/* copy */\n"
    again = client.get("/static/browser.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/static/nothing.css").status_code == 404
