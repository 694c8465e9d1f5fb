"""Settings, read once from ``OAI_*`` environment variables and the fixtures' settings file.

Nothing else in the package reads ``os.environ``: every module receives a
:class:`Settings`. A bad value raises :class:`ConfigError` with a one-line
message naming the variable, which the CLI prints without a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

#: Identify facts used when neither the environment nor the settings file names them.
_FALLBACK_IDENTITY = {
    "repository_name": "OAI-PMH repository",
    "admin_email": "admin@example.org",
    "repository_identifier": "example.org",
}

_EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_REPOSITORY_ID = re.compile(r"^[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+$")


class ConfigError(ValueError):
    """A setting has a value the program cannot use; the message names the variable."""


def fixtures_dir() -> Path:
    """The bundled fixtures: inside the installed wheel, or beside the package in a checkout."""
    installed = PACKAGE_DIR / "fixtures"
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent / "fixtures"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the endpoint is configured by; see README.md for the table."""

    #: SQLAlchemy URL of the primary database (``OAI_DATABASE_URL``).
    database_url: str
    #: Optional read replica for list and get queries (``OAI_DATABASE_READ_URL``).
    database_read_url: str | None = None
    #: baseURL for Identify and ``<request>``; None derives it from the request (``OAI_BASE_URL``).
    base_url: str | None = None
    #: Records or headers per list response (``OAI_PAGE_SIZE``).
    page_size: int = 100
    #: Token signing key; None: generated once, stored in the database (``OAI_SECRET_KEY``).
    secret_key: str | None = None
    #: Seconds a resumption token stays valid; None means forever (``OAI_TOKEN_MAX_AGE``).
    token_max_age: int | None = None
    #: Identify's repositoryName (``OAI_REPOSITORY_NAME``).
    repository_name: str = _FALLBACK_IDENTITY["repository_name"]
    #: Identify's adminEmail (``OAI_ADMIN_EMAIL``).
    admin_email: str = _FALLBACK_IDENTITY["admin_email"]
    #: The oai-identifier namespace (``OAI_REPOSITORY_IDENTIFIER``).
    repository_identifier: str = _FALLBACK_IDENTITY["repository_identifier"]
    #: Read a list's next page while the harvester reads this one (``OAI_PREFETCH``).
    prefetch: bool = True
    #: Records loaded by ``oai serve`` into an empty database.
    fixtures: Path = PACKAGE_DIR.parent / "fixtures"


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from None
    if value < 1:
        raise ConfigError(f"{name}: must be at least 1, got {value}")
    return value


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}: expected 1 or 0 (true or false), got {raw!r}")


def _database_url(name: str, raw: str) -> str:
    """A SQLAlchemy URL for SQLite or PostgreSQL (psycopg 3), checked before any connection."""
    from importlib.util import find_spec

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(f"{name}: not a database URL such as sqlite:///path") from None
    if url.get_backend_name() == "sqlite" and url.get_driver_name() == "pysqlite":
        return raw
    if url.get_backend_name() == "postgresql" and url.drivername in (
        "postgresql",
        "postgresql+psycopg",
    ):
        if find_spec("psycopg") is None:
            raise ConfigError(
                f"{name}: PostgreSQL needs psycopg: pip install 'oai-endpoint[postgres]'"
            )
        # A bare postgresql:// would mean psycopg2, which this package does not install.
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise ConfigError(
        f"{name}: use sqlite:///path or postgresql+psycopg://..., got {url.drivername}://"
    )


def _identity_defaults(fixtures: Path) -> dict[str, str]:
    """Identify facts from ``fixtures/settings.json``, so the bundled repository names itself."""
    defaults = dict(_FALLBACK_IDENTITY)
    path = fixtures / "settings.json"
    if path.is_file():
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: not readable JSON ({exc})") from None
        for key in defaults:
            if isinstance(data.get(key), str):
                defaults[key] = data[key]
    return defaults


def load_settings(environ: Mapping[str, str], instance_path: Path) -> Settings:
    """Parse ``OAI_*`` variables; raise ConfigError naming the first bad one."""

    def get(name: str) -> str | None:
        value = environ.get(name)
        return value if value not in (None, "") else None

    fixtures = fixtures_dir()
    identity = _identity_defaults(fixtures)
    database_url = get("OAI_DATABASE_URL") or f"sqlite:///{instance_path / 'oai.sqlite'}"
    database_url = _database_url("OAI_DATABASE_URL", database_url)
    read_url = get("OAI_DATABASE_READ_URL")
    read_url = _database_url("OAI_DATABASE_READ_URL", read_url) if read_url else None
    page_size = _positive_int("OAI_PAGE_SIZE", get("OAI_PAGE_SIZE") or "100")
    max_age_raw = get("OAI_TOKEN_MAX_AGE")
    max_age = _positive_int("OAI_TOKEN_MAX_AGE", max_age_raw) if max_age_raw else None
    base_url = get("OAI_BASE_URL")
    if base_url is not None and not re.match(r"^https?://\S+$", base_url):
        raise ConfigError(f"OAI_BASE_URL: expected an http(s) URL, got {base_url!r}")
    admin_email = get("OAI_ADMIN_EMAIL") or identity["admin_email"]
    if not _EMAIL.match(admin_email):
        raise ConfigError(f"OAI_ADMIN_EMAIL: not an e-mail address: {admin_email!r}")
    repository_identifier = get("OAI_REPOSITORY_IDENTIFIER") or identity["repository_identifier"]
    if not _REPOSITORY_ID.match(repository_identifier):
        raise ConfigError(
            "OAI_REPOSITORY_IDENTIFIER: expected a domain name such as example.org, "
            f"got {repository_identifier!r}"
        )
    return Settings(
        database_url=database_url,
        database_read_url=read_url,
        base_url=base_url,
        page_size=page_size,
        secret_key=get("OAI_SECRET_KEY"),
        token_max_age=max_age,
        repository_name=get("OAI_REPOSITORY_NAME") or identity["repository_name"],
        admin_email=admin_email,
        repository_identifier=repository_identifier,
        prefetch=_flag("OAI_PREFETCH", get("OAI_PREFETCH") or "1"),
        fixtures=fixtures,
    )
