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


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from ``OAI_*`` settings; ``overrides`` replaces Settings fields (tests)."""
    from . import web
    from .state import State

    app = Flask(__name__, instance_relative_config=True)
    settings: Settings = load_settings(os.environ, Path(app.instance_path))
    if overrides:
        settings = dataclasses.replace(settings, **overrides)
    if settings.database_url.startswith("sqlite:///") and "oai.sqlite" in settings.database_url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["MAX_CONTENT_LENGTH"] = web.MAX_BODY
    app.extensions["oai"] = State.open(settings)
    app.register_blueprint(web.bp)
    return app
