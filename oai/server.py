"""Run the app under gunicorn, a production WSGI server, with N worker processes."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any], load: Callable[[], Any]) -> None:
        self.options = options
        self._load = load
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._load()


def _create_app() -> Any:
    # Each worker builds its own app, so engines and connections are never shared across a fork.
    from . import create_app

    app = create_app()
    # FLASK_DEBUG=1 in the environment would turn debug on; never in production.
    app.debug = False
    # Everything built so far lives as long as the worker: keep it out of the cyclic
    # garbage collector's full passes, which would otherwise walk it again and again.
    gc.freeze()
    return app


def options(host: str, port: int, workers: int) -> dict[str, Any]:
    """The gunicorn settings ``oai serve`` uses; bench/ serves its ceiling with the same ones."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 120,
        "graceful_timeout": 10,
        "keepalive": 5,
        "limit_request_line": 8190,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
    }


def run(host: str, port: int, workers: int, load: Callable[[], Any] = _create_app) -> None:
    """Serve the WSGI app that ``load`` builds (in each worker) until stopped."""
    _Gunicorn(options(host, port, workers), load).run()
