"""The pages' templates and static files, read into memory when the app is built.

A running server must not depend on files it has not read yet. Flask's own
loaders open ``templates/`` and ``static/`` on first use, so a ``pip install``
that replaced the package under a running ``oai serve`` turned every page into
``TemplateNotFound`` (HTTP 500) while the XML, built from code already imported,
still worked. Here every template source and static file is read once, by
:func:`read`, and served from memory; both folders together are a few tens of KB.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, request
from jinja2 import DictLoader
from werkzeug.wrappers.response import Response as BaseResponse

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class StaticFile:
    body: bytes
    content_type: str
    etag: str


@dataclass(frozen=True, slots=True)
class Assets:
    """Template sources by name (``base.html``) and static files by path (``browser.css``)."""

    templates: dict[str, str]
    static: dict[str, StaticFile]


def _files(folder: Path) -> list[tuple[str, Path]]:
    if not folder.is_dir():
        return []
    return [(p.relative_to(folder).as_posix(), p) for p in sorted(folder.rglob("*")) if p.is_file()]


def read(package_dir: Path | None = None) -> Assets:
    """Everything under ``templates/`` and ``static/`` (of this package by default), read now."""
    package_dir = package_dir or PACKAGE_DIR
    templates = {name: path.read_text("utf-8") for name, path in _files(package_dir / "templates")}
    static = {}
    for name, path in _files(package_dir / "static"):
        body = path.read_bytes()
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind.startswith("text/"):
            kind += "; charset=utf-8"
        static[name] = StaticFile(body, kind, hashlib.sha256(body).hexdigest()[:32])
    return Assets(templates, static)


def install(app: Flask, assets: Assets) -> None:
    """Render the app's templates from ``assets`` and serve ``/static/...`` from them.

    The app must be built with ``static_folder=None``: this registers the ``static``
    endpoint itself, so ``url_for('static', filename=...)`` works as before.
    """
    app.jinja_loader = DictLoader(assets.templates)

    def static(filename: str) -> BaseResponse:
        found = assets.static.get(filename)
        if found is None:
            abort(404)
        response = Response(found.body, content_type=found.content_type)
        response.set_etag(found.etag)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response.make_conditional(request)

    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=static)
