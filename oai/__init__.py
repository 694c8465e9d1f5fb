"""An OAI-PMH 2.0 data provider: ``create_app`` is the one public name."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from .config import Settings, load_settings

__all__ = ["create_app"]


def _configure(overrides: Mapping[str, Any] | None = None) -> tuple[Flask, Settings]:
    """A bare app and its settings, the instance folder made for the default database.

    ``oai db`` uses this alone: it must reach a database whose schema the app refuses.
    """
    app = Flask(__name__, instance_relative_config=True)
    settings: Settings = load_settings(os.environ, Path(app.instance_path))
    if overrides:
        settings = dataclasses.replace(settings, **overrides)
    if settings.database_url.startswith("sqlite:///") and "oai.sqlite" in settings.database_url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return app, settings


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from ``OAI_*`` settings; ``overrides`` replaces Settings fields (tests).

    Raises ``store.schema.SchemaError`` when the database's schema is behind this code.
    """
    from . import web
    from .express import ListPages
    from .state import State

    app, settings = _configure(overrides)
    app.config["MAX_CONTENT_LENGTH"] = web.MAX_BODY
    app.extensions["oai"] = State.open(settings)
    app.register_blueprint(web.bp)
    # A harvester's list pages skip Flask's per-request machinery (oai.express).
    app.wsgi_app = ListPages(  # type: ignore[method-assign]
        app.wsgi_app, lambda: app.extensions["oai"]
    )
    return app
