"""Run the app under gunicorn, a production WSGI server, with N worker processes."""

from __future__ import annotations

import errno
import gc
import socket
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


#: Apache's Combined Log Format, which log analysers read as it is: client, identity, user,
#: time, request line, status, bytes, referrer, user agent.
COMBINED_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'


def options(host: str, port: int, workers: int, access_log: str | None = None) -> dict[str, Any]:
    """The gunicorn settings ``oai serve`` uses; bench/ serves its ceiling with the same ones.

    On SIGTERM a worker stops accepting and finishes the requests it holds, for up to
    ``graceful_timeout`` seconds, while the others (and the one gunicorn starts in its
    place) take the new connections: a restart or a rolling deploy drops no response.
    """
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 120,
        "graceful_timeout": 10,
        "keepalive": 5,
        "limit_request_line": 8190,
        "accesslog": access_log,
        "access_log_format": COMBINED_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": "warning",
    }


def port_problem(host: str, port: int) -> str | None:
    """Why ``oai serve`` could not listen on ``host:port``, in one line; None if it can.

    Checked by binding, as gunicorn will, before gunicorn starts: gunicorn itself retries
    a taken port five times over five seconds and logs a traceback-like line for each.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        return f"cannot listen on {host}: {getattr(exc, 'strerror', None) or exc}"
    except OverflowError:
        return f"port {port} is not a port number (0 to 65535)"
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn sets it
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"port {port} on {host} is already in use (another oai serve?): "
                    "stop that server or pick another with --port"
                )
            if exc.errno == errno.EACCES:
                return f"not allowed to listen on port {port} (below 1024 needs root): use --port"
            if exc.errno == errno.EADDRNOTAVAIL:
                return f"{host} is not an address of this machine: use --host"
            return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None


def run(
    host: str,
    port: int,
    workers: int,
    load: Callable[[], Any] = _create_app,
    access_log: str | None = None,
) -> None:
    """Serve the WSGI app that ``load`` builds (in each worker) until stopped."""
    _Gunicorn(options(host, port, workers, access_log), load).run()
