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
    # static_folder=None: oai.assets serves /static/ from memory (create_app).
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
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
    from . import assets, health, web
    from .endpoint import MAX_BODY, Endpoint
    from .state import State

    app, settings = _configure(overrides)
    # Pages never read the package's files after this (pip may replace them meanwhile).
    assets.install(app, assets.read())
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.extensions["oai"] = State.open(settings)
    app.register_blueprint(web.bp)
    app.register_blueprint(health.bp)
    # Every OAI-PMH request is answered by the lean handler; Flask keeps the pages.
    app.wsgi_app = Endpoint(  # type: ignore[method-assign]
        app.wsgi_app, lambda: app.extensions["oai"]
    )
    return app
